"""The latest extract of each partner, stored (`ChainExtract`; older ones are deleted) so that the web
page can show the report again whenever the registry changes, without the file."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from lvv.accounts.models import User
from lvv.core import clock

from ..models import ChainExtract, ChainExtractRow
from .extracts import IND, DtvRecord, Extract, ExtractReading, ExtractRecord, IndRecord

DATE_FIELDS = {"datum_aanvraag", "datum_besluit", "datum_aanmelding_dtv", "datum_vertrek"}


def _record_values(record: ExtractRecord) -> dict[str, Any]:
    values = dataclasses.asdict(record)
    del values["line"], values["v_nummer"]
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def _record_from(partner: str, line: int, v_number: str, values: Mapping[str, Any]) -> ExtractRecord:
    kind = IndRecord if partner == IND else DtvRecord
    converted: dict[str, Any] = {
        k: (dt.date.fromisoformat(v) if k in DATE_FIELDS and v else v) for k, v in values.items()
    }
    return kind(line=line, v_nummer=v_number, **converted)


@transaction.atomic
def extract_store(*, actor: User | None, reading: ExtractReading, file_name: str) -> ChainExtract:
    """Store a checked extract as the partner's latest; the partner's earlier extracts are deleted
    (only the latest is needed, and an older copy of person data is not kept)."""
    if not reading.ok:
        raise ValueError("an extract with faults is never stored")
    extract = ChainExtract.objects.create(
        partner=reading.partner,
        peildatum=reading.peildatum,
        file_name=file_name[:200],
        sha256=reading.sha256,
        row_count=len(reading.records),
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    ChainExtractRow.objects.bulk_create(
        [
            ChainExtractRow(extract=extract, line=r.line, v_number=r.v_nummer, values=_record_values(r))
            for r in reading.records
        ],
        batch_size=1000,
    )
    ChainExtract.objects.filter(partner=reading.partner).exclude(pk=extract.pk).delete()
    return extract


def extract_latest(partner: str) -> tuple[ChainExtract | None, Extract | None]:
    """The partner's stored extract: its record, and its rows as an `Extract`."""
    stored = ChainExtract.objects.filter(partner=partner).order_by("-uploaded_at", "-pk").first()
    if stored is None:
        return None, None
    records = [
        _record_from(partner, line, v_number, values)
        for line, v_number, values in stored.rows.order_by("line").values_list("line", "v_number", "values")
    ]
    return stored, Extract(partner, stored.peildatum, records)
