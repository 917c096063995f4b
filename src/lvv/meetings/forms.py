"""Forms of the meeting pages: a new meeting, adding a trajectory to the agenda, an LSO decision and
minutes. They only check the input; the rules live in `meetings.services`."""

from django import forms
from django.db.models import Q

from lvv.accounts.models import Organisation, OrganisationType
from lvv.core import clock
from lvv.core.forms import date_field
from lvv.trajectories.models import CLOSED_STAGES, PerspectiveKind, PerspectiveStatus, Trajectory

from .models import (
    DecisionKind,
    DelayCause,
    MeetingKind,
    MinutesVisibility,
    ScenarioStep,
    StepStatus,
    StuckCause,
    TerminationReason,
)

#: The national chain partners that can sit at the table and can be responsible for a step.
NATIONAL_PARTIES = (OrganisationType.IND, OrganisationType.DTV, OrganisationType.AVIM)


def local_organisations(municipality_id: int):
    """The municipality's own organisation and its NGOs."""
    return Organisation.objects.filter(
        municipality_id=municipality_id, type__in=[OrganisationType.GEMEENTE, OrganisationType.NGO]
    )


def table_organisations(municipality_id: int):
    """Who can sit at the municipality's LSO table: its own organisations and the chain partners."""
    return Organisation.objects.filter(
        Q(municipality_id=municipality_id, type__in=[OrganisationType.GEMEENTE, OrganisationType.NGO])
        | Q(type__in=NATIONAL_PARTIES)
    ).order_by("type", "name")


def _blank(choices, label: str = "Kies…") -> list:
    return [("", label), *choices]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label="Soort overleg",
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        initial=MeetingKind.LSO,
        help_text="Bij een LSO en een cluster- of klein overleg wordt de agenda gevuld met wat op de datum "
        "speelt (verlopen deeltermijnen, aflopende termijnen, trajecten zonder perspectief …). "
        "De agenda is daarna aan te passen.",
        error_messages={"required": "Kies het soort overleg."},
    )
    date = date_field("Datum")
    theme = forms.CharField(
        label="Thema",
        required=False,
        max_length=200,
        help_text="Verplicht bij een thematisch overleg, bijvoorbeeld LHBTI of bekeringsclaims.",
        error_messages={"max_length": "Gebruik hoogstens 200 tekens."},
    )
    chair = forms.ModelChoiceField(
        label="Voorzitter",
        queryset=Organisation.objects.none(),
        help_text="De gemeente, of de ngo die het overleg voorzit (zoals de regiegroep in Amsterdam).",
        error_messages={
            "required": "Kies de voorzitter.",
            "invalid_choice": "Kies een organisatie uit de lijst.",
        },
    )
    present = forms.ModelMultipleChoiceField(
        label="Aanwezige organisaties",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="De voorzitter is altijd aanwezig. Partijen die er niet bij zijn, zien het overleg niet.",
        error_messages={"invalid_choice": "Kies organisaties uit de lijst."},
    )

    def __init__(self, *args, municipality, own_organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        chairs = local_organisations(municipality.pk).order_by("type", "name")
        table = table_organisations(municipality.pk)
        self.fields["chair"].queryset = chairs
        self.fields["present"].queryset = table
        if not self.is_bound:
            self.fields["date"].initial = clock.today()
            self.fields["present"].initial = list(table)
            if own_organisation is not None and chairs.filter(pk=own_organisation.pk).exists():
                self.fields["chair"].initial = own_organisation.pk


class AgendaAddForm(forms.Form):
    trajectory = forms.ModelChoiceField(
        label="Traject",
        queryset=Trajectory.objects.none(),
        help_text="Lopende trajecten van de gemeente die nog niet op de agenda staan.",
        error_messages={"required": "Kies een traject.", "invalid_choice": "Kies een traject uit de lijst."},
    )
    detail = forms.CharField(
        label="Toelichting",
        required=False,
        max_length=300,
        help_text="Waarom het traject besproken moet worden.",
        error_messages={"max_length": "Gebruik hoogstens 300 tekens."},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trajectory"].queryset = (
            Trajectory.objects.filter(municipality_id=meeting.municipality_id)
            .exclude(stage__in=CLOSED_STAGES)
            .exclude(agenda_items__meeting=meeting)
            .select_related("person")
            .order_by("person__family_name", "person__given_names", "pk")
        )
        self.fields["trajectory"].label_from_instance = lambda t: (
            f"{t.person.full_name} ({t.external_id}, {t.get_stage_display().lower()})"
        )


#: For the help on the decision form: which fields each kind of decision needs.
DECISION_FIELD_HELP = [
    (DecisionKind.ADMISSION_EXCEPTION, "Toelichting (de motivering van de uitzondering)."),
    (DecisionKind.PERSPECTIVE, "Perspectief en status (definitief kan alleen met een bekend V-nummer)."),
    (DecisionKind.SCENARIO, "Toelichting: het vastgestelde of gewijzigde scenario."),
    (DecisionKind.EXTENSION, "Verlengd tot en met (na de datum van het overleg en na de huidige einddatum)."),
    (DecisionKind.TERMINATION, "Reden van de beëindiging. Het traject wordt uitgestroomd op de datum van het overleg."),
    (DecisionKind.ESCALATION, "De vraag aan het MRT. Het casusoverzicht wordt uit de registratie samengesteld."),
    (DecisionKind.STEP_SET, "Nieuwe stap: beschrijving, verantwoordelijke organisatie en deeltermijn."),
    (
        DecisionKind.STEP_REVIEW,
        "De stap, de oorzaak van de vertraging; eventueel de reden vastgelopen en een nieuwe deeltermijn.",
    ),
    (DecisionKind.STEP_WAIVED, "De stap en in de toelichting de reden waarom hij vervalt."),
    (DecisionKind.NO_AGREEMENT, "De standpunten van de partijen."),
    (DecisionKind.BINDING, "Toelichting: het bindende besluit (alleen als het beslissende niveau aan staat)."),
]


class DecisionForm(forms.Form):
    """One form for every kind of decision; which fields a kind needs is checked by `decision_record`
    (so no field but the kind is marked optional or required here)."""

    lvv_hide_optional_marker = True

    kind = forms.ChoiceField(
        label="Soort besluit",
        choices=_blank(DecisionKind.choices),
        error_messages={
            "required": "Kies het soort besluit.",
            "invalid_choice": "Kies een soort besluit uit de lijst.",
        },
    )
    summary = forms.CharField(
        label="Toelichting",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Wat er besloten is, in een paar zinnen. Verplicht bij uitzondering, scenario, vervallen stap "
        "en bindend besluit.",
    )
    # perspective
    perspective = forms.ChoiceField(label="Perspectief", required=False, choices=_blank(PerspectiveKind.choices))
    perspective_status = forms.ChoiceField(
        label="Status perspectief", required=False, choices=_blank(PerspectiveStatus.choices)
    )
    # extension / termination / no agreement / escalation
    extended_until = date_field("Verlengd tot en met", required=False)
    termination_reason = forms.ChoiceField(
        label="Reden beëindiging", required=False, choices=_blank(TerminationReason.choices)
    )
    positions = forms.CharField(
        label="Standpunten van de partijen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Per partij het standpunt.",
    )
    question = forms.CharField(
        label="Vraag aan het MRT",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # a new step
    step_description = forms.CharField(
        label="Nieuwe stap",
        required=False,
        max_length=300,
        help_text="Bijvoorbeeld: geboorteakte opvragen via de ambassade.",
        error_messages={"max_length": "Gebruik hoogstens 300 tekens."},
    )
    step_responsible = forms.ModelChoiceField(
        label="Verantwoordelijke organisatie",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="Kies…",
        error_messages={"invalid_choice": "Kies een organisatie uit de lijst."},
    )
    step_due_date = date_field("Deeltermijn nieuwe stap", required=False)
    # review or waive an existing step
    step = forms.ModelChoiceField(
        label="Bestaande stap",
        required=False,
        queryset=ScenarioStep.objects.none(),
        empty_label="Kies…",
        help_text="Alleen de open stappen van dit traject.",
        error_messages={"invalid_choice": "Kies een stap uit de lijst."},
    )
    delay_cause = forms.ChoiceField(label="Oorzaak vertraging", required=False, choices=_blank(DelayCause.choices))
    stuck_cause = forms.ChoiceField(
        label="Reden vastgelopen",
        required=False,
        choices=_blank(StuckCause.choices, "Niet vastgelopen"),
        help_text="Telt mee in het overzicht van vastgelopen trajecten.",
    )
    new_due_date = date_field("Nieuwe deeltermijn", required=False, help_text="Leeg: de deeltermijn blijft.")

    #: Groups of fields for the template: (legend, when, the kinds that use them, field names).
    GROUPS = [
        (
            "Perspectief",
            "Bij een besluit over het perspectief.",
            [DecisionKind.PERSPECTIVE],
            ["perspective", "perspective_status"],
        ),
        ("Verlenging", "Bij verlenging van het verblijf.", [DecisionKind.EXTENSION], ["extended_until"]),
        ("Beëindiging", "Bij beëindiging van de opvang.", [DecisionKind.TERMINATION], ["termination_reason"]),
        (
            "Nieuwe stap",
            "Bij ‘Deeltermijn vastgesteld’.",
            [DecisionKind.STEP_SET],
            ["step_description", "step_responsible", "step_due_date"],
        ),
        (
            "Bestaande stap",
            "Bij ‘Deeltermijn geëvalueerd’ en ‘Stap laten vervallen’.",
            [DecisionKind.STEP_REVIEW, DecisionKind.STEP_WAIVED],
            ["step", "delay_cause", "stuck_cause", "new_due_date"],
        ),
        ("Escalatie", "Bij escalatie naar het MRT.", [DecisionKind.ESCALATION], ["question"]),
        ("Geen overeenstemming", "Als de partijen het niet eens worden.", [DecisionKind.NO_AGREEMENT], ["positions"]),
    ]

    def __init__(self, *args, trajectory, binding_enabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not binding_enabled:
            self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != DecisionKind.BINDING]
        self.fields["step_responsible"].queryset = table_organisations(trajectory.municipality_id)
        self.fields["step"].queryset = trajectory.steps.filter(status=StepStatus.OPEN).select_related("responsible")
        self.fields["step"].label_from_instance = lambda s: (
            f"{s.description} ({s.responsible}, deeltermijn {s.due_date:%Y-%m-%d})"
        )

    def groups(self):
        for legend, when, kinds, names in self.GROUPS:
            yield {
                "legend": legend,
                "when": when,
                "kinds": [str(k) for k in kinds],
                "fields": [self[name] for name in names],
            }

    def service_kwargs(self) -> dict:
        """The cleaned data as `decision_record` takes it (empty choices as "")."""
        data = dict(self.cleaned_data)
        for name in ("summary", "positions", "question", "step_description"):
            data[name] = data.get(name) or ""
        return data


class MinutesForm(forms.Form):
    prefix = "verslag"
    #: No `required` attribute: the component CSS paints an empty required textarea as invalid.
    use_required_attribute = False

    text = forms.CharField(
        label="Verslag",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Het verslag is leeg."},
    )
    visibility = forms.ChoiceField(
        label="Wie mag dit lezen?",
        choices=MinutesVisibility.choices,
        widget=forms.RadioSelect,
        initial=MinutesVisibility.LSO,
        help_text="‘Alleen eigen organisatie’: niemand buiten uw organisatie ziet dit verslag, ook niet in de pdf.",
        error_messages={"required": "Kies wie het verslag mag lezen."},
    )
