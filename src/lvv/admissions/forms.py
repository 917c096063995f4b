from django import forms

from lvv.core.forms import date_field, yes_no_unknown
from lvv.people.forms import PersonForm

from .models import AdmissionOutcome, CheckKind, CriterionRule, FirstApplicationType


class ApplicationFactsForm(forms.Form):
    has_regiobinding = yes_no_unknown("Band met de regio")
    regiobinding_months = forms.IntegerField(
        label="Duur van de regiobinding (maanden)",
        required=False,
        min_value=0,
        max_value=600,
        error_messages={
            "invalid": "Vul een aantal maanden in.",
            "min_value": "Het aantal maanden kan niet negatief zijn.",
        },
    )
    regiobinding_description = forms.CharField(label="Toelichting regiobinding", required=False, max_length=500)
    long_bbb_elsewhere = yes_no_unknown("Langdurig in bed-bad-brood in een andere gemeente")
    willing_to_cooperate = yes_no_unknown("Bereid mee te werken aan een duurzame oplossing")
    safe_country = yes_no_unknown("Uit een veilig land van herkomst")
    vulnerable = yes_no_unknown("Kwetsbaar of humanitaire noodsituatie")
    first_application_type = forms.ChoiceField(
        label="Eerste aanvraag", choices=FirstApplicationType.choices, initial=FirstApplicationType.ONBEKEND
    )
    referred_by = forms.CharField(
        label="Aangemeld via",
        required=False,
        max_length=200,
        help_text="Bijvoorbeeld een ngo, de DT&V of op eigen initiatief.",
    )


class ApplicationForm(PersonForm, ApplicationFactsForm):
    application_date = date_field("Datum aanmelding")
    confirm_duplicates = forms.BooleanField(
        label="Ik heb de mogelijke dubbele registraties bekeken en registreer toch een nieuwe persoon",
        required=False,
    )

    field_order = ["application_date", *PersonForm.base_fields, *ApplicationFactsForm.base_fields]
    fieldsets = [
        ("Aanmelding", ["application_date", "first_application_type", "referred_by"]),
        (
            "Persoon",
            [
                "given_names",
                "family_name",
                "aliases",
                "birth_date",
                "birth_year",
                "sex",
                "country_of_origin",
                "languages",
                "v_number",
            ],
        ),
        ("Contact", ["phone", "email", "address"]),
        (
            "Gegevens voor de toelatingscriteria",
            [
                "has_regiobinding",
                "regiobinding_months",
                "regiobinding_description",
                "long_bbb_elsewhere",
                "willing_to_cooperate",
                "safe_country",
                "vulnerable",
            ],
        ),
    ]

    def grouped(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def facts(self) -> dict:
        return {k: self.cleaned_data[k] for k in ApplicationFactsForm.base_fields}


class ReentryForm(ApplicationFactsForm):
    application_date = date_field("Datum aanmelding")
    field_order = ["application_date", *ApplicationFactsForm.base_fields]

    def facts(self) -> dict:
        return {k: self.cleaned_data[k] for k in ApplicationFactsForm.base_fields}


class ConsentForm(forms.Form):
    signed_on = date_field("Datum ondertekening")
    share_ngo = forms.BooleanField(label="Ngo's", required=False, initial=True)
    share_ind = forms.BooleanField(label="IND", required=False)
    share_dtv = forms.BooleanField(label="DT&V", required=False)
    share_avim = forms.BooleanField(label="AVIM", required=False)


class ConsentWithdrawForm(forms.Form):
    """Withdraw the whole declaration or the consent for one party type it covers."""

    party = forms.ChoiceField(label="Wat trekt de deelnemer in?", widget=forms.RadioSelect, required=False)
    withdrawn_on = date_field("Datum van intrekking")

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import PARTY_LABELS

        choices = [("", "De hele verklaring (alle partijen)")]
        choices += [(p, f"Alleen de toestemming voor {PARTY_LABELS[p]}") for p in consent.party_types()]
        self.fields["party"].choices = choices
        self.fields["party"].initial = ""
        self.fields["party"].error_messages["invalid_choice"] = "Kies de hele verklaring of een partij uit de lijst."


class AdmissionDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Besluit",
        choices=AdmissionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Kies een besluit."},
    )
    decided_on = date_field("Datum besluit")
    refusal_reason = forms.CharField(label="Reden weigering", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    exception_motivation = forms.CharField(
        label="Motivering LSO-uitzondering", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_exception_motivation = forms.CharField(
        label="Motivering LSO: toelaten zonder toestemming voor alle partijen aan tafel",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Alleen als de toestemming niet geldt voor elke partij aan tafel bij het LSO en het LSO toch "
        "besloot toe te laten.",
    )
    lso_meeting_date = date_field(
        "Datum van het LSO",
        required=False,
        help_text="Verplicht bij een LSO-uitzondering en bij toelaten zonder volledige toestemming.",
    )


class CriterionRuleForm(forms.ModelForm):
    class Meta:
        model = CriterionRule
        fields = [
            "check_kind",
            "label",
            "params",
            "exception_possible",
            "exception_by",
            "exception_conditions",
            "order",
            "active",
        ]
        labels = {
            "check_kind": "Toets",
            "label": "Omschrijving",
            "params": "Parameters (JSON)",
            "exception_possible": "Uitzondering mogelijk",
            "exception_by": "Uitzondering door",
            "exception_conditions": "Voorwaarden voor een uitzondering",
            "order": "Volgorde",
            "active": "Actief",
        }
        help_texts = {"params": 'Bijvoorbeeld {"min_maanden": 6} voor regiobinding of {"min_leeftijd": 18}.'}

    def clean_params(self):
        params = self.cleaned_data.get("params") or {}
        if not isinstance(params, dict):
            raise forms.ValidationError('Parameters moeten een JSON-object zijn, bijvoorbeeld {"min_maanden": 6}.')
        allowed = {CheckKind.REGIOBINDING: {"min_maanden"}, CheckKind.ADULT: {"min_leeftijd"}}
        kind = self.cleaned_data.get("check_kind")
        extra = set(params) - allowed.get(kind, set())
        if extra:
            raise forms.ValidationError(f"Onbekende parameter(s) voor deze toets: {', '.join(sorted(extra))}.")
        for key, value in params.items():
            if not isinstance(value, int) or value < 0:
                raise forms.ValidationError(f"{key} moet een geheel getal van 0 of meer zijn.")
        return params
