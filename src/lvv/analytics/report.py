"""The evaluation report on a peildatum: dataset → tables, models, tests, survival → JSON, XLSX, PDF.

`build_report` reads the registry once (`dataset.analysis_data`) and computes everything as plain
data; `report_json`, `report_xlsx` and `report_pdf` only format it. The JSON carries at least the
keys docs/analyse.md lists (§5) and more; the survival curves are left out of the JSON (they are in
the charts)."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from dataclasses import replace

from lvv.core import clock
from lvv.core.exports import append_guarded
from lvv.trajectories.models import OutcomeCode

from .dataset import CATEGORY_LABELS, AnalysisData, analysis_data
from .descriptive import INSTRUMENT_LABELS, descriptive_tables
from .differences import municipality_differences
from .regression import (
    DEFAULT_COUNTRIES,
    ModelSpec,
    default_specs,
    fit_model,
    outcome_label,
    validate_spec,
)
from .survival import survival_report

FORMATS = ("json", "xlsx", "pdf")
CUSTOM_MODEL = "eigen_model"

DEFINITIONS = [
    (
        "Peildatum (P)",
        "Een gebeurtenis telt als haar datum op of vóór P ligt; latere gebeurtenissen bestaan voor het rapport niet.",
    ),
    (
        "Deelnemer",
        "Een unieke persoon (V-nummer over gemeenten heen, anders het persoonsnummer van de gemeente) met zijn of "
        "haar laatste traject met aanmelding op of vóór P (basis 'personen' van de monitor), toegelaten op of "
        "vóór P. Wie overleed, wordt niet geanalyseerd.",
    ),
    (
        "Uitgestroomd",
        "Uitstroomdatum op of vóór P. De regressies en de verschiltoetsen gaan over de uitgestroomde deelnemers.",
    ),
    (
        "Uitkomsten",
        "Oplossing = bestendig (inwilliging, zelfstandig vertrek, doormigratie) of semi-bestendig (HASA, artikel 64, "
        "vertrekmoratorium, inbewaringstelling); elk model vergelijkt ja met nee onder wie uitstroomde.",
    ),
    (
        "Predictoren (standaard)",
        "Geslacht (referentie man; alleen man of vrouw), leeftijd bij toelating (jaar van toelating − geboortejaar), "
        "land van herkomst (Iran, Nigeria, Eritrea, Irak, Guinee, Afghanistan, Oeganda; referentie: alle andere "
        "landen), gemeente (referentie Rotterdam). Rijen met een ontbrekende predictor vallen weg en worden geteld.",
    ),
    (
        "Verblijfsduur",
        "Maanden van toelating tot uitstroom (dagen / 30,4375). In de overlevingsanalyse telt wie op P nog in de "
        "LVV is als gecensureerd op P.",
    ),
]


def _reason_labels() -> dict[str, str]:
    return dict(OutcomeCode.objects.values_list("code", "label"))


def build_report(
    *,
    peildatum: dt.date,
    municipality: str | None = None,
    custom: ModelSpec | None = None,
    data: AnalysisData | None = None,
) -> dict:
    """Everything of the report as plain data. `custom`: an extra model of the user's choosing
    (validated against the data; ApplicationError with a Dutch message if it does not fit)."""
    data = data or analysis_data(peildatum=peildatum, municipality=municipality)
    outflowed = data.outflowed
    specs = default_specs()
    if custom is not None:
        specs.append(validate_spec(replace(custom, name=CUSTOM_MODEL), outflowed))
    reason_labels = _reason_labels()
    return {
        "peildatum": peildatum.isoformat(),
        "gemeente": data.municipality,
        "opgemaakt_op": clock.now().isoformat(timespec="seconds"),
        "aantallen": {
            "deelnemers": int(len(data.persons)),
            "uitgestroomd": int(len(outflowed)),
            "nog_in_lvv": int(len(data.persons) - len(outflowed)),
            "overleden_niet_geanalyseerd": int(sum(data.overleden.values())),
        },
        "definities": dict(DEFINITIONS),
        "tabellen": descriptive_tables(data, reason_labels=reason_labels),
        "modellen": {spec.name: fit_model(spec, outflowed) for spec in specs},
        "verschillen_gemeenten": municipality_differences(outflowed),
        "verblijfsduur": survival_report(data.persons, data.municipalities),
        "labels": {
            "categorieen": CATEGORY_LABELS,
            "uitstroomredenen": reason_labels,
            "instrumenten": INSTRUMENT_LABELS,
            "landen_dummies": list(DEFAULT_COUNTRIES),
        },
    }


# --- JSON -----------------------------------------------------------------------------------------


def _without_curves(value):
    if isinstance(value, dict):
        return {k: _without_curves(v) for k, v in value.items() if k != "curve"}
    if isinstance(value, list):
        return [_without_curves(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def report_json(report: dict) -> str:
    return json.dumps(_without_curves(report), ensure_ascii=False, indent=2) + "\n"


# --- XLSX -----------------------------------------------------------------------------------------


def _model_rows(model: dict) -> list[list]:
    rows = [
        ["Uitkomst", model["uitkomst_label"]],
        ["N", model["n"]],
        ["Weggelaten (ontbrekende predictor)", model["n_weggelaten"]],
        *[[f"  waarvan {k}", v] for k, v in model["weggelaten"].items()],
        ["Gebeurtenissen (uitkomst ja)", model["gebeurtenissen"]],
        ["−2 log-likelihood", model["min2_log_likelihood"]],
        ["Log-likelihood", model["log_likelihood"]],
        ["Cox & Snell R²", model["cox_snell_r2"]],
        ["Nagelkerke R²", model["nagelkerke_r2"]],
        ["Referenties", "; ".join(f"{k}: {v}" for k, v in model["referenties"].items())],
        [],
        ["Coëfficiënt", "B", "SE", "Wald", "df", "p", "Exp(B)", "95%-BI onder", "95%-BI boven", "Tolerantie", "VIF"],
    ]
    mc = model["multicollineariteit"]
    for name, c in model["coefficienten"].items():
        rows.append(
            [
                name,
                c["b"],
                c["se"],
                c["wald"],
                1,
                c["p"],
                c["odds_ratio"],
                *c["ci95"],
                mc["tolerance"].get(name),
                mc["vif"].get(name),
            ]
        )
    if mc.get("conditie_indices"):
        names = list(model["coefficienten"])
        rows += [[], ["Collineariteitsdiagnostiek: dimensie", "Conditie-index", *(f"VP {n}" for n in names)]]
        for k, (index, proportions) in enumerate(
            zip(mc["conditie_indices"], mc["variantieproporties"], strict=True), 1
        ):
            rows.append([k, index, *(proportions.get(n) for n in names)])
    if model["meldingen"]:
        rows += [[], ["Meldingen"], *[[m] for m in model["meldingen"]]]
    return rows


def report_sheets(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet name, header, rows) for every table, model, test and survival table."""
    sheets = [
        (
            "Rapport",
            ["Onderdeel", "Waarde"],
            [
                ["Peildatum", report["peildatum"]],
                ["Gemeente", report["gemeente"] or "alle gemeenten"],
                ["Opgemaakt op", report["opgemaakt_op"]],
                *[[k.replace("_", " ").capitalize(), v] for k, v in report["aantallen"].items()],
                [],
                *[[k, v] for k, v in report["definities"].items()],
            ],
        )
    ]
    for key, table in report["tabellen"].items():
        sheets.append((f"tabel {key}", table["kolommen"], [*table["rijen"], [], [table["toelichting"]]]))
    for name, model in report["modellen"].items():
        sheets.append((f"model {name}", ["Model", name], _model_rows(model)))
    diff = report["verschillen_gemeenten"]
    rows = []
    if diff["chi_kwadraat"]:
        chi = diff["chi_kwadraat"]
        rows += [["χ² uitstroomcategorie × gemeente", chi["chi2"], chi["df"], chi["p"], chi["tekst"]]]
    for outcome, f in diff["f_toetsen"].items():
        rows.append(
            [f"F-toets {outcome_label(outcome)}", f["f"], f"{f['df_tussen']}, {f['df_binnen']}", f["p"], f["tekst"]]
        )
    rows += [[m] for m in diff["meldingen"]]
    sheets.append(("verschillen gemeenten", ["Toets", "Toetsgrootheid", "df", "p", "Tekst"], rows))
    surv = report["verblijfsduur"]
    rows = []
    for name, s in [("Landelijk", surv["landelijk"]), *surv["per_gemeente"].items()]:
        rows.append([name, s["n"], s["uitgestroomd"], s["mediaan_maanden"], *s["mediaan_ci95"]])
    rows += [[], ["Log-rank p (tussen gemeenten)", surv["logrank_p"]], []]
    months = (
        list(next(iter(surv["cumulatieve_incidentie"].values()))["op_maanden"])
        if surv["cumulatieve_incidentie"]
        else []
    )
    rows.append(["Cumulatieve incidentie", *(f"{m} mnd" for m in months)])
    for cat, ci in surv["cumulatieve_incidentie"].items():
        rows.append([CATEGORY_LABELS.get(cat, cat), *ci["op_maanden"].values()])
    sheets.append(
        (
            "overlevingsanalyse",
            ["Gemeente", "N", "Uitgestroomd", "Mediaan (maanden)", "95%-BI onder", "95%-BI boven"],
            rows,
        )
    )
    return sheets


def report_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    used = set()
    for title, header, rows in report_sheets(report):
        name = title[:31]
        for ch in "[]:*?/\\":
            name = name.replace(ch, " ")
        while name in used:
            name = name[:29] + f"{len(used):02d}"
        used.add(name)
        ws = wb.create_sheet(name)
        append_guarded(ws, header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_guarded(ws, [_cell(v) for v in row])  # formula-like text: a quoted text cell
        ws.column_dimensions["A"].width = 42
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- PDF ------------------------------------------------------------------------------------------


def report_pdf(report: dict) -> bytes:
    from .pdf import render_report_pdf

    return render_report_pdf(report)


def report_bytes(report: dict, file_format: str) -> bytes:
    if file_format == "json":
        return report_json(report).encode("utf-8")
    if file_format == "xlsx":
        return report_xlsx(report)
    if file_format == "pdf":
        return report_pdf(report)
    raise ValueError(file_format)
