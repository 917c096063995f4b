"""The form for a one-time code of the second factor."""

from django import forms
from django.core.exceptions import ValidationError

MSG_TOKEN_FORMAT = "Vul de code van zes cijfers in die uw authenticator-app nu toont."


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code van zes cijfers",
        help_text="De code uit uw authenticator-app; hij verandert elke 30 seconden.",
        max_length=12,
        error_messages={"required": MSG_TOKEN_FORMAT},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false", "size": 8}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if len(token) != 6 or not token.isascii() or not token.isdigit():
            raise ValidationError(MSG_TOKEN_FORMAT)
        return token
