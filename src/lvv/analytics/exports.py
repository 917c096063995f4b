"""The pseudonymised person-level dataset as a file (CSV or XLSX), through the exchange app's
table writers (which make text inert for spreadsheets)."""

from __future__ import annotations

import pandas as pd

from lvv.core.tables import csv_text, xlsx_bytes

from .dataset import AnalysisData, export_frame

DATASET_FORMATS = ("csv", "xlsx")


def _rows(frame: pd.DataFrame) -> list[list]:
    return [
        [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row]
        for row in frame.itertuples(index=False)
    ]


def dataset_bytes(data: AnalysisData, *, file_format: str = "csv", suppress: int | None = None) -> bytes:
    frame = export_frame(data, suppress=suppress)
    header, rows = list(frame.columns), _rows(frame)
    if file_format == "xlsx":
        return xlsx_bytes([("dataset", header, rows)])
    return csv_text(header, rows).encode("utf-8")
