"""The art. 15 request: why the functional administrator produces the report and the copy.

A closed list of reasons and the request's own reference (kenmerk), never free text: the reason is
stored in the access log's purpose, and the log may hold no name, V-nummer or birth date."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms

REASONS = [
    ("betrokkene", "Verzoek van de betrokkene zelf (AVG art. 15)"),
    ("gemachtigde", "Verzoek van een gemachtigde of advocaat namens de betrokkene"),
    ("klacht", "Klacht, bezwaar of beroep van de betrokkene"),
    ("toezicht", "Verzoek van de Autoriteit Persoonsgegevens of de functionaris gegevensbescherming"),
]
REASON_LABELS = dict(REASONS)
KENMERK = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]{0,29}")
MSG_KENMERK = "Geef het kenmerk van het verzoek: 1 tot 30 letters, cijfers of . / _ - (geen naam of V-nummer)."


class SubjectRequestForm(forms.Form):
    reden = forms.ChoiceField(
        label="Waarom stelt u dit op?",
        choices=REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Kies de reden van het verzoek."},
    )
    kenmerk = forms.CharField(
        label="Kenmerk van het verzoek",
        max_length=30,
        help_text="Het nummer van het verzoek in uw zaaksysteem of postregistratie, bijvoorbeeld 2026-0412.",
        error_messages={"required": MSG_KENMERK, "max_length": MSG_KENMERK},
    )

    def clean_kenmerk(self) -> str:
        value = self.cleaned_data["kenmerk"].strip()
        if not KENMERK.fullmatch(value) or re.fullmatch(r"\d{10}", value):
            raise forms.ValidationError(MSG_KENMERK)
        return value

    def purpose(self, what: str) -> str:
        """The access log's purpose of producing `what` for this request."""
        reason = REASON_LABELS[self.cleaned_data["reden"]]
        return f"Inzageverzoek, kenmerk {self.cleaned_data['kenmerk']} ({reason}): {what}"[:200]

    def query(self) -> str:
        return urlencode({"reden": self.cleaned_data["reden"], "kenmerk": self.cleaned_data["kenmerk"]})
