"""Reconciliation with the chain partners (docs/ketenreconciliatie.md): the entry points the web page
and the commands `lvv reconcile` and `lvv duplicates` use. The work is done in
`lvv.exchange.reconciliation`:

1. `extracts`: read and check an IND or DT&V extract, all or nothing;
2. `registry`: the registry's persons and trajectories as plain records;
3. `matching`: compare the registry with the extracts (pure) and report per municipality;
4. `duplicates`: find persons registered in more than one LVV (pure);
5. `report`, `report_files`: the report, as JSON, CSV or XLSX;
6. `storage`: the latest extract of each partner, stored for the web page.

`report_build` puts them together on the registry as it is now."""

from __future__ import annotations

from collections import Counter

from lvv.accounts.models import Municipality

from .reconciliation.duplicates import DuplicateGroup, national_duplicates
from .reconciliation.extracts import (
    COLUMNS,
    DTV,
    IND,
    DtvRecord,
    Extract,
    ExtractReading,
    IndRecord,
    extract_partner,
    extract_read,
    parse_extract,
)
from .reconciliation.matching import (
    CATEGORIES,
    OUTCOME_KINDS,
    Finding,
    category_counts,
    is_valid_v_number,
    reconcile,
    v_number_candidates,
)
from .reconciliation.registry import RegistryPerson, RegistryTrajectory, registry_load
from .reconciliation.report import Report, duplicate_counts, duplicate_dict
from .reconciliation.report_files import (
    DUPLICATE_COLUMNS,
    FINDING_COLUMNS,
    FORMATS,
    SUMMARY_COLUMNS,
    duplicate_rows,
    finding_rows,
    report_bytes,
    summary_rows,
)
from .reconciliation.storage import extract_latest, extract_store

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "DTV",
    "DUPLICATE_COLUMNS",
    "FINDING_COLUMNS",
    "FORMATS",
    "IND",
    "OUTCOME_KINDS",
    "SUMMARY_COLUMNS",
    "DtvRecord",
    "DuplicateGroup",
    "Extract",
    "ExtractReading",
    "Finding",
    "IndRecord",
    "RegistryPerson",
    "RegistryTrajectory",
    "Report",
    "category_counts",
    "duplicate_counts",
    "duplicate_dict",
    "duplicate_rows",
    "extract_latest",
    "extract_partner",
    "extract_read",
    "extract_store",
    "finding_rows",
    "is_valid_v_number",
    "national_duplicates",
    "parse_extract",
    "reconcile",
    "registry_load",
    "report_build",
    "report_bytes",
    "summary_rows",
    "v_number_candidates",
]


def report_build(
    *,
    ind: Extract | None = None,
    dtv: Extract | None = None,
    municipality: str | None = None,
    findings_of_one: bool = False,
) -> Report:
    """The report from the registry as it is now. `municipality`: that municipality's view;
    `findings_of_one`: compute only its findings (its web page; the national counts are then not
    national and must not be shown)."""
    persons = registry_load(with_names=True)
    municipalities = list(Municipality.objects.filter(has_lvv=True).order_by("name").values_list("name", flat=True))
    return Report(
        findings=reconcile(persons, ind=ind, dtv=dtv, municipality=municipality if findings_of_one else None),
        duplicates=national_duplicates(persons),
        municipalities=municipalities,
        ind=ind,
        dtv=dtv,
        municipality=municipality,
        without_v_number=dict(Counter(p.municipality for p in persons if not p.v_number)),
    )
