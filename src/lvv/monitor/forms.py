"""The monitor's choices: peildatum, basis, municipality, number of quarters, and which version."""

from __future__ import annotations

import datetime as dt

from django import forms

from lvv.core import clock
from lvv.core.forms import MSG_PEILDATUM_INVALID, PeildatumField

from .definitions import BASIS_LABELS
from .indicators import BASES, BASIS_TRAJECTEN
from .series import DEFAULT_QUARTERS, MAX_QUARTERS, quarter_ends

INTERN = "intern"
PUBLICATIE = "publicatie"
VERSIONS = {
    INTERN: "Exacte aantallen (intern)",
    PUBLICATIE: "Publicatieversie (kleine aantallen afgeschermd)",
}
MSG_DATE = MSG_PEILDATUM_INVALID
MSG_QUARTERS = "Kies een aantal kwartalen van 1 tot en met {max}."


def default_peildatum(today: dt.date | None = None) -> dt.date:
    """The end of the last complete quarter (the monitor is quarterly)."""
    today = today or clock.today()
    if today.month % 3 == 0 and (today + dt.timedelta(days=1)).day == 1:
        return today
    return quarter_ends(today, 2)[0]


class MonitorForm(forms.Form):
    peildatum = PeildatumField()
    basis = forms.ChoiceField(label="Basis", choices=[(b, BASIS_LABELS[b]) for b in BASES])
    gemeente = forms.ChoiceField(label="Gemeente", required=False)
    kwartalen = forms.IntegerField(
        label="Kwartalen in de grafieken",
        min_value=1,
        max_value=MAX_QUARTERS,
        error_messages={
            "invalid": MSG_QUARTERS.format(max=MAX_QUARTERS),
            "min_value": MSG_QUARTERS.format(max=MAX_QUARTERS),
            "max_value": MSG_QUARTERS.format(max=MAX_QUARTERS),
            "required": MSG_QUARTERS.format(max=MAX_QUARTERS),
        },
    )
    weergave = forms.ChoiceField(label="Weergave", choices=list(VERSIONS.items()))

    def __init__(self, data=None, *, municipalities: list[str] | None = None):
        """`municipalities`: the choice of municipality (programmabureau); None hides the field."""
        initial = {
            "peildatum": default_peildatum(),
            "basis": BASIS_TRAJECTEN,
            "gemeente": "",
            "kwartalen": DEFAULT_QUARTERS,
            "weergave": INTERN,
        }
        if data is not None:
            # A field left out of the query string keeps its default (a link may name only some).
            data = {**{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in initial.items()}, **data.dict()}
        super().__init__(data if data is not None else None, initial=initial)
        if municipalities is None:
            del self.fields["gemeente"]
        else:
            self.fields["gemeente"].choices = [("", "Alle gemeenten"), *((m, m) for m in municipalities)]

    def choices(self) -> dict:
        """The valid choices, or the defaults when the form was not submitted."""
        if self.is_bound:
            return self.cleaned_data
        return {name: self.initial.get(name) for name in self.fields}
