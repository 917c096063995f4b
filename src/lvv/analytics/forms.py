"""The analysis page's choices: peildatum, municipality (programmabureau only) and, optionally, a
model of the user's own (outcome, predictors, reference municipality, country dummies)."""

from __future__ import annotations

from django import forms

from lvv.core import clock
from lvv.core.forms import MSG_PEILDATUM_INVALID, PeildatumField
from lvv.trajectories.models import OutcomeCode

from .dataset import CATEGORIES
from .regression import DEFAULT_COUNTRIES, DEFAULT_PREDICTORS, OUTCOMES, PREDICTORS, REASON_PREFIX

MSG_DATE = MSG_PEILDATUM_INVALID
MSG_SUPPRESS = "Kies een drempel van 2 tot en met 50, of laat het veld leeg."
PREDICTOR_CHOICES = [
    ("geslacht", "Geslacht"),
    ("leeftijd", "Leeftijd bij toelating"),
    ("land", "Land van herkomst (dummies)"),
    ("gemeente", "Gemeente"),
    ("eerste_aanvraag", "Eerste aanvraag"),
    ("opvangvorm", "Opvangvorm"),
    ("perspectief", "Perspectief"),
    ("juridische_screening", "Juridische screening ingezet"),
    ("juridische_begeleiding", "Juridische begeleiding ingezet"),
    ("activering", "Activering ingezet"),
    ("sociale_begeleiding", "Sociale begeleiding ingezet"),
    ("toekomstorientatie", "Toekomstoriëntatie ingezet"),
    ("terugkeerbegeleiding", "Terugkeerbegeleiding ingezet"),
]
assert [p for p, _ in PREDICTOR_CHOICES] == list(PREDICTORS)


def outcome_choices() -> list[tuple[str, str]]:
    reasons = OutcomeCode.objects.filter(category__in=CATEGORIES).values_list("code", "label")
    return [
        ("", "Geen eigen model"),
        *((name, label) for name, (label, _) in OUTCOMES.items()),
        *((REASON_PREFIX + code, f"Uitstroomreden: {label}") for code, label in reasons),
    ]


class AnalysisForm(forms.Form):
    peildatum = PeildatumField()
    gemeente = forms.ChoiceField(label="Gemeente", required=False)
    uitkomst = forms.ChoiceField(label="Eigen model: uitkomst", required=False)
    predictoren = forms.MultipleChoiceField(
        label="Eigen model: predictoren",
        required=False,
        choices=PREDICTOR_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Zonder keuze: de predictoren van de evaluatie.",
    )
    referentie_gemeente = forms.ChoiceField(label="Eigen model: referentiegemeente", required=False)
    landen = forms.CharField(
        label="Eigen model: landen-dummies",
        required=False,
        max_length=200,
        help_text=f"Landcodes met komma's; standaard {', '.join(DEFAULT_COUNTRIES)}. "
        "De overige landen zijn de referentie.",
    )

    def __init__(self, data=None, *, municipalities: list[str] | None, all_municipalities: list[str]):
        """`municipalities`: the choice of municipality (programmabureau); None hides the field."""
        super().__init__(data, initial={"peildatum": clock.today()})
        if municipalities is None:
            del self.fields["gemeente"]
        else:
            self.fields["gemeente"].choices = [("", "Alle gemeenten"), *((m, m) for m in municipalities)]
        self.fields["uitkomst"].choices = outcome_choices()
        self.fields["referentie_gemeente"].choices = [
            ("", "Rotterdam (standaard)"),
            *((m, m) for m in all_municipalities),
        ]

    def custom_spec(self):
        from .regression import ModelSpec

        c = self.cleaned_data
        if not c.get("uitkomst"):
            return None
        predictors = tuple(c.get("predictoren") or DEFAULT_PREDICTORS)
        references = (
            {"gemeente": c["referentie_gemeente"]} if c.get("referentie_gemeente") and "gemeente" in predictors else {}
        )
        countries = (
            tuple(x.strip().upper() for x in (c.get("landen") or "").split(",") if x.strip()) or DEFAULT_COUNTRIES
        )
        return ModelSpec(
            name="eigen_model", outcome=c["uitkomst"], predictors=predictors, references=references, countries=countries
        )


class DatasetForm(forms.Form):
    peildatum = PeildatumField()
    onderdrukken = forms.IntegerField(
        label="Kleine aantallen onderdrukken (drempel)",
        required=False,
        min_value=2,
        max_value=50,
        error_messages={"invalid": MSG_SUPPRESS, "min_value": MSG_SUPPRESS, "max_value": MSG_SUPPRESS},
    )
