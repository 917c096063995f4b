"""Form field helpers with Dutch defaults."""

from django import forms

NULL_BOOLEAN_CHOICES = [("", "Onbekend"), ("true", "Ja"), ("false", "Nee")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={"required": f"{label} is verplicht.", "invalid": f"{label}: vul een geldige datum in."},
    )


def yes_no_unknown(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=NULL_BOOLEAN_CHOICES,
        help_text=help_text,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
    )
