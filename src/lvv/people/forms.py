from django import forms

from lvv.core.forms import date_field

from .countries import country_choices
from .models import V_NUMBER_VALIDATOR, KioskOutcome, Sex


class PersonForm(forms.Form):
    given_names = forms.CharField(label="Voornamen", required=False, max_length=200)
    family_name = forms.CharField(
        label="Achternaam", max_length=200, error_messages={"required": "De achternaam is verplicht."}
    )
    aliases = forms.CharField(
        label="Bekende aliassen",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Eén naam per regel.",
    )
    birth_date = date_field("Geboortedatum", required=False, help_text="Laat leeg als alleen het jaar bekend is.")
    birth_year = forms.IntegerField(
        label="Geboortejaar",
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages={
            "invalid": "Vul een jaartal in, bijvoorbeeld 1988.",
            "min_value": "Het geboortejaar moet na 1900 liggen.",
            "max_value": "Het geboortejaar ligt in de toekomst.",
        },
    )
    sex = forms.ChoiceField(label="Geslacht", choices=Sex.choices, initial=Sex.ONBEKEND)
    country_of_origin = forms.ChoiceField(label="Land van herkomst", choices=country_choices)
    languages = forms.CharField(label="Talen", required=False, max_length=200, help_text="Bijvoorbeeld: Farsi, Engels.")
    v_number = forms.CharField(
        label="V-nummer",
        required=False,
        max_length=10,
        validators=[V_NUMBER_VALIDATOR],
        help_text="Precies 10 cijfers. Verplicht voordat een definitief perspectief wordt vastgelegd.",
        error_messages={"max_length": "Een V-nummer bestaat uit precies 10 cijfers."},
    )
    phone = forms.CharField(label="Telefoonnummer", required=False, max_length=40)
    email = forms.EmailField(
        label="E-mailadres", required=False, error_messages={"invalid": "Vul een geldig e-mailadres in."}
    )
    address = forms.CharField(label="Adres of verblijfplaats", required=False, max_length=300)

    def person_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("aliases", None)
        return {k: v for k, v in data.items() if k in PERSON_FORM_FIELDS}

    def alias_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("aliases") or "").splitlines() if line.strip()]


PERSON_FORM_FIELDS = (
    "given_names",
    "family_name",
    "birth_date",
    "birth_year",
    "sex",
    "country_of_origin",
    "languages",
    "v_number",
    "phone",
    "email",
    "address",
)


class IdentityCheckForm(forms.Form):
    performed_on = date_field("Datum van de controle")
    outcome = forms.ChoiceField(label="Uitkomst", choices=KioskOutcome.choices, widget=forms.RadioSelect)
    not_taken_reason = forms.CharField(label="Reden niet afgenomen", required=False, max_length=300)
    heavy_entry_ban = forms.BooleanField(label="Zwaar inreisverbod", required=False)
    declared_undesirable = forms.BooleanField(label="Ongewenstverklaard", required=False)
    dublin_claimant = forms.BooleanField(label="Dublinclaimant", required=False)
    eu_citizen = forms.BooleanField(label="EU-burger", required=False)
    entitled_state_reception = forms.BooleanField(label="Recht op Rijksopvang", required=False)
    registered_other_lvv = forms.BooleanField(label="Al ingeschreven bij een andere LVV", required=False)
