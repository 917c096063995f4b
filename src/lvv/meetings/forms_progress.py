"""Forms of the progress pages: scenario steps, escalation advice, the signals filter and the
municipality's progress policy. They only check the input; the rules live in `meetings.services`."""

from django import forms
from django.db.models import Q

from lvv.accounts.models import CONSENT_PARTY_TYPES, Organisation, OrganisationType
from lvv.core import clock
from lvv.core.forms import date_field

from .models import ProgressPolicy

#: Who can be responsible for a step: the municipality, its NGOs and the national chain partners.
_NATIONAL_PARTIES = (OrganisationType.IND, OrganisationType.DTV, OrganisationType.AVIM)


class StepForm(forms.Form):
    description = forms.CharField(
        label="Stap",
        max_length=300,
        help_text="Bijvoorbeeld: geboorteakte opvragen via de ambassade, HASA indienen, laissez-passer aanvragen.",
        error_messages={"required": "Beschrijf de stap.", "max_length": "Gebruik hoogstens 300 tekens."},
    )
    responsible = forms.ModelChoiceField(
        label="Verantwoordelijke organisatie",
        queryset=Organisation.objects.none(),
        error_messages={
            "required": "Kies de verantwoordelijke organisatie.",
            "invalid_choice": "Kies een organisatie uit de lijst.",
        },
    )
    due_date = date_field("Deeltermijn", help_text="De datum waarop de stap uiterlijk gereed moet zijn.")

    def __init__(self, *args, trajectory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = Organisation.objects.filter(
            Q(municipality_id=trajectory.municipality_id, type__in=[OrganisationType.GEMEENTE, OrganisationType.NGO])
            | Q(type__in=_NATIONAL_PARTIES)
        ).order_by("type", "name")


class StepsFromTemplateForm(forms.Form):
    start = date_field(
        "Startdatum",
        help_text="De deeltermijnen van de sjabloonstappen tellen vanaf deze datum.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"start": clock.today()})
        super().__init__(*args, **kwargs)


class StepDoneForm(forms.Form):
    done_on = date_field("Gereed op")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"done_on": clock.today()})
        super().__init__(*args, **kwargs)


class EscalationAdviceForm(forms.Form):
    advice = forms.CharField(
        label="Advies of uitkomst",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Vul het advies of de uitkomst in."},
    )
    advice_on = date_field("Datum advies")
    follow_up = forms.CharField(
        label="Wat het LSO ermee deed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Vul dit in nadat het LSO het advies heeft besproken.",
    )


class WeeksForm(forms.Form):
    """`?weken=N` on the stuck-cases report."""

    lvv_hide_optional_marker = True

    weken = forms.IntegerField(
        label="Zonder voortgang in (weken)",
        required=False,
        min_value=1,
        max_value=520,
        error_messages={
            "invalid": "Vul een geheel aantal weken in.",
            "min_value": "Vul minstens 1 week in.",
            "max_value": "Vul hoogstens 520 weken in.",
        },
    )


def _positive(label: str, *, required: bool, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=520,
        help_text=help_text,
        error_messages={
            "required": f"{label} is verplicht.",
            "invalid": f"{label}: vul een geheel getal in.",
            "min_value": f"{label}: vul minstens 1 in.",
            "max_value": f"{label}: vul hoogstens 520 in.",
        },
    )


class ProgressPolicyForm(forms.ModelForm):
    max_stay_months = _positive(
        "Maximale verblijfsduur (maanden)",
        required=False,
        help_text="Leeg: geen maximale verblijfsduur.",
    )
    entry_ban_max_stay_months = _positive(
        "Maximale verblijfsduur bij een zwaar inreisverbod (maanden)",
        required=False,
        help_text="Geldt als de aanmeldzuil een zwaar inreisverbod vond en korter is dan de gewone termijn. "
        "Leeg: de gewone termijn.",
    )
    warning_weeks = _positive("Waarschuwing vóór het einde van de termijn (weken)", required=True)
    no_perspective_weeks = _positive("Signaal ‘geen perspectief’ na (weken na toelating)", required=True)
    not_discussed_weeks = _positive("Signaal ‘niet besproken’ na (weken)", required=True)
    stuck_weeks = _positive("Vastgelopen: geen voortgang in (weken)", required=True)
    lso_parties = forms.MultipleChoiceField(
        label="Aan tafel bij het LSO",
        required=False,
        choices=[(t.value, t.label) for t in CONSENT_PARTY_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Toelating vraagt toestemming van de deelnemer voor elke partij aan tafel, of een besluit "
        "van het LSO om zonder die toestemming toe te laten. De gemeente ziet de gegevens altijd.",
    )
    deciding_escalation = forms.BooleanField(
        label="Beslissend escalatieniveau (knopendoorhakteam) ingeschakeld",
        required=False,
        help_text="Dan legt het LSO de uitkomst vast als bindend besluit op het traject.",
    )

    class Meta:
        model = ProgressPolicy
        fields = [
            "max_stay_months",
            "entry_ban_max_stay_months",
            "warning_weeks",
            "no_perspective_weeks",
            "not_discussed_weeks",
            "stuck_weeks",
            "deciding_escalation",
        ]
