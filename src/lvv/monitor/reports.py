"""The monitor as a file: JSON (the contract), or a table as CSV / XLSX with the nested figures
flattened to dotted column names (`besluiten.hasa.inwilliging`). Builds the content only; the
command decides where it goes."""

from __future__ import annotations

import json

from lvv.core.tables import csv_text, xlsx_bytes

FORMATS = ("json", "csv", "xlsx")
LEADING_COLUMNS = ("peildatum", "basis", "niveau", "gemeente")


def flatten(values: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def report_tables(report: dict) -> tuple[list[str], list[list], list[list]]:
    """The header, the national row and one row per municipality."""
    national = flatten(report["landelijk"])
    header = [*LEADING_COLUMNS, *national]

    def row(level: str, municipality: str, figures: dict) -> list:
        return [report["peildatum"], report["basis"], level, municipality, *flatten(figures).values()]

    municipal = [row("gemeente", name, figures) for name, figures in report["per_gemeente"].items()]
    return header, [row("landelijk", "", report["landelijk"])], municipal


def report_bytes(report: dict, file_format: str) -> bytes:
    if file_format == "json":
        return (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    header, national, municipal = report_tables(report)
    if file_format == "csv":
        return csv_text(header, national + municipal).encode("utf-8")
    if file_format == "xlsx":
        return xlsx_bytes([("landelijk", header, national), ("per_gemeente", header, municipal)])
    raise ValueError(f"unknown format {file_format!r}")
