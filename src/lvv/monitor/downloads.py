"""The monitor as a file: XLSX (one sheet per table), CSV (every table in long form) and a PDF
report (WeasyPrint; peildatum and definitions on page 1, charts included).

All three read the tables of `content.MonitorContent`, so a download shows exactly what the page
shows: in the published version the same cells are hidden, as "<5" or "x"."""

from __future__ import annotations

import io
import logging

from django.template.loader import render_to_string

from lvv.core.exports import append_guarded
from lvv.core.pdf import render_pdf
from lvv.core.tables import csv_text

from .content import MonitorContent
from .definitions import BASIS_LABELS, INDICATORS, TERMS
from .tables import MONTHS, SHARE, Table

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def filename(content: MonitorContent, file_format: str) -> str:
    version = "publicatie" if content.published else "intern"
    return f"lvv-monitor-{content.peildatum.isoformat()}-{content.basis}-{version}.{file_format}"


def legend(content: MonitorContent) -> list[str]:
    if not content.published:
        return ["Exacte aantallen: alleen voor intern gebruik, niet publiceren."]
    t = content.threshold
    return [
        f"<{t}: een aantal van 1 tot en met {t - 1}, afgeschermd (primaire onderdrukking).",
        "x: afgeschermd zodat een klein aantal niet uit de totalen is terug te rekenen (secundaire onderdrukking; "
        f"soms ook een klein aantal waarvan '<{t}' de waarde zou verraden), of een aandeel of doorlooptijd over een "
        f"afgeschermd aantal of over minder dan {t} eenheden.",
        "–: niet te berekenen (bijvoorbeeld een aandeel zonder noemer).",
    ]


def about_rows(content: MonitorContent) -> list[tuple[str, str]]:
    return [
        ("Landelijke monitor LVV", ""),
        ("Peildatum", content.peildatum.isoformat()),
        ("Basis", BASIS_LABELS[content.basis]),
        ("Weergave", "Publicatieversie (kleine aantallen afgeschermd)" if content.published else "Exacte aantallen"),
        ("Gemeenten", ", ".join(content.municipalities) + " en landelijk"),
        *(("Toelichting", line) for line in legend(content)),
        ("Definities", "docs/indicatoren.md; kort hieronder."),
        *((f"Definitie: {label}", text) for label, text in TERMS.values()),
        *((f"Definitie: {label}", text) for label, text in INDICATORS.values()),
    ]


# --- XLSX ----------------------------------------------------------------------------------------


def _sheet(workbook, table: Table):
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(title=table.key[:31])
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([table.caption])
    sheet.append([])
    sheet.append([*table.row_headers, *(c.label for c in table.columns)])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        values = [*row.labels, *((c.marker if c.marker else c.value) for c in row.cells)]
        append_guarded(sheet, values)
        offset = len(row.labels)
        for i, column in enumerate(table.columns):
            cell = sheet.cell(row=sheet.max_row, column=offset + i + 1)
            if row.cells[i].marker:
                cell.alignment = Alignment(horizontal="right")
            elif column.kind == SHARE:
                cell.number_format = "0.0%"
            elif column.kind == MONTHS:
                cell.number_format = "0.00"
            if row.is_total:
                cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=len(table.row_headers) + 1)
    for i in range(1, len(table.row_headers) + len(table.columns) + 1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=i).column_letter].width = 16


def xlsx_bytes(content: MonitorContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    about = workbook.active
    about.title = "toelichting"
    for label, text in about_rows(content):
        append_guarded(about, [label, text])
    about["A1"].font = Font(bold=True, size=12)
    about.column_dimensions["A"].width = 34
    about.column_dimensions["B"].width = 110
    for table in [*content.tables, content.series]:
        _sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV -----------------------------------------------------------------------------------------

CSV_HEADER = ["peildatum", "basis", "weergave", "tabel", "rij", "indicator", "kolom", "waarde"]


def csv_bytes(content: MonitorContent) -> bytes:
    """Every table in long form: one line per cell (`rij` joins the row labels with " / ")."""
    version = "publicatie" if content.published else "intern"
    lines = []
    for table in [*content.tables, content.series]:
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                lines.append(
                    [
                        content.peildatum.isoformat(),
                        content.basis,
                        version,
                        table.key,
                        " / ".join(row.labels),
                        column.key,
                        column.label,
                        cell.marker if cell.marker else cell.value,
                    ]
                )
    return csv_text(CSV_HEADER, lines).encode("utf-8")


# --- PDF -----------------------------------------------------------------------------------------


def pdf_bytes(content: MonitorContent) -> bytes:
    """The report is self-contained (inline SVG and CSS); `render_pdf`'s fetcher refuses every URL
    that is not a static file or a data: URL."""
    html = render_to_string(
        "monitor/monitor_pdf.html",
        {"content": content, "legend": legend(content), "terms": TERMS, "indicators": INDICATORS},
    )
    # WeasyPrint's CSS parser warns about every SVG presentation property in matplotlib's style
    # attributes (its SVG renderer then draws them fine): keep those warnings out of the log.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return render_pdf(html)
    finally:
        logger.setLevel(level)


def download_bytes(content: MonitorContent, file_format: str) -> bytes:
    return {"xlsx": xlsx_bytes, "csv": csv_bytes, "pdf": pdf_bytes}[file_format](content)
