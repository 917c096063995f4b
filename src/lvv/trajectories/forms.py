from django import forms

from lvv.accounts.models import Organisation
from lvv.core.forms import date_field
from lvv.shelter.models import Location

from .documents import MAX_DOCUMENT_BYTES
from .models import (
    ITEM_CLASSES,
    InstrumentValue,
    NoteVisibility,
    OutcomeCode,
    PerspectiveKind,
    PerspectiveStatus,
    ShelterForm,
    ShelterHours,
    Stage,
)


class PlacementForm(forms.Form):
    location = forms.ModelChoiceField(
        label="Locatie", queryset=Location.objects.none(), error_messages={"required": "Kies een locatie."}
    )
    shelter_form = forms.ChoiceField(label="Opvangvorm", choices=ShelterForm.choices)
    hours = forms.ChoiceField(label="Openingstijden", choices=ShelterHours.choices, widget=forms.RadioSelect)
    start_date = date_field("Startdatum")

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(municipality=municipality)


class PerspectiveForm(forms.Form):
    perspective = forms.ChoiceField(label="Perspectief", choices=PerspectiveKind.choices, widget=forms.RadioSelect)
    status = forms.ChoiceField(label="Status", choices=PerspectiveStatus.choices, widget=forms.RadioSelect)
    decided_on = date_field("Datum besluit")
    lso_meeting_date = date_field("Besloten in het LSO van", required=False)


class OutflowForm(forms.Form):
    outflow_date = date_field("Datum uitstroom")
    outcome = forms.ModelChoiceField(
        label="Uitstroomreden",
        queryset=OutcomeCode.objects.all(),
        error_messages={"required": "Kies een uitstroomreden."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].label_from_instance = lambda o: f"{o.label} ({o.get_category_display().lower()})"


class IndDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Besluit IND",
        choices=[("inwilliging", "Inwilliging"), ("afwijzing", "Afwijzing")],
        widget=forms.RadioSelect,
    )
    decided_on = date_field("Datum besluit")


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Notitie", widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "De notitie is leeg."}
    )
    visibility = forms.ChoiceField(
        label="Wie mag dit lezen?",
        choices=[(c.value, c.label) for c in ITEM_CLASSES],
        widget=forms.RadioSelect,
        initial=NoteVisibility.ORGANISATIE,
        error_messages={"required": "Kies wie dit mag lezen.", "invalid_choice": "Kies wie dit mag lezen."},
        help_text="Medische en strafrechtelijke informatie: kies ‘Alleen eigen organisatie’ tenzij de deelnemer "
        "anders wil. Verruimen kan later, als aparte, vastgelegde handeling.",
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label="Titel", max_length=200, error_messages={"required": "Geef het document een titel."})
    file = forms.FileField(
        label="Bestand",
        help_text="PDF, PNG, JPEG of Word (.docx), hoogstens 10 MB.",
        error_messages={"required": "Kies een bestand.", "empty": "Het bestand is leeg."},
    )
    visibility = NoteForm.base_fields["visibility"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("Het bestand is groter dan 10 MB.")
        return upload


class VisibilityChangeForm(forms.Form):
    """Change the class of a note or document; widening it needs a reason and a confirmation."""

    visibility = forms.ChoiceField(
        label="Nieuwe zichtbaarheid",
        choices=[(c.value, c.label) for c in ITEM_CLASSES],
        widget=forms.RadioSelect,
        error_messages={"required": "Kies wie dit mag lezen.", "invalid_choice": "Kies wie dit mag lezen."},
    )
    reason = forms.CharField(
        label="Reden",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Verplicht als meer partijen het mogen lezen (bijvoorbeeld: de deelnemer stemde ermee in op …).",
    )
    confirm = forms.BooleanField(
        label="Ik bevestig dat meer partijen dit mogen lezen dan nu.",
        required=False,
    )


class InstrumentsForm(forms.Form):
    """One value + optional dates per instrument; fields are made per instrument code."""

    def __init__(self, *args, instruments, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.instruments = list(instruments)
        for inst in self.instruments:
            use = current.get(inst.code)
            self.fields[f"{inst.code}"] = forms.ChoiceField(
                label=inst.label,
                choices=InstrumentValue.choices,
                initial=use.value if use else InstrumentValue.ONBEKEND,
            )
            self.fields[f"{inst.code}__start"] = date_field(f"Start {inst.label.lower()}", required=False)
            self.fields[f"{inst.code}__end"] = date_field(f"Einde {inst.label.lower()}", required=False)
            if use:
                self.fields[f"{inst.code}__start"].initial = use.start_date
                self.fields[f"{inst.code}__end"].initial = use.end_date

    def values(self) -> dict:
        d = self.cleaned_data
        return {i.code: (d[i.code], d[f"{i.code}__start"], d[f"{i.code}__end"]) for i in self.instruments}

    def rows(self):
        for inst in self.instruments:
            yield inst, self[inst.code], self[f"{inst.code}__start"], self[f"{inst.code}__end"]


class AssignForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label="Betrokken ngo's", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, municipality, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(type="ngo", municipality=municipality)


class WorklistFilterForm(forms.Form):
    q = forms.CharField(label="Zoek op naam of V-nummer", required=False, max_length=100)
    stage = forms.ChoiceField(
        label="Fase", required=False, choices=[("", "Alle lopende"), ("alle", "Alle"), *Stage.choices]
    )
    perspective = forms.ChoiceField(
        label="Perspectief", required=False, choices=[("", "Alle"), ("geen", "Nog geen"), *PerspectiveKind.choices]
    )
    location = forms.ModelChoiceField(
        label="Locatie", required=False, queryset=Location.objects.none(), empty_label="Alle"
    )
    shelter_form = forms.ChoiceField(label="Opvangvorm", required=False, choices=[("", "Alle"), *ShelterForm.choices])
    exception = forms.ChoiceField(
        label="LSO-uitzondering",
        required=False,
        choices=[("", "Alle"), ("ja", "Alleen uitzonderingen"), ("nee", "Geen uitzonderingen")],
    )
    no_perspective_weeks = forms.IntegerField(
        label="Zonder perspectief na … weken",
        required=False,
        min_value=0,
        max_value=520,
        error_messages={"invalid": "Vul een aantal weken in."},
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations
