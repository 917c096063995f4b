"""`lvv analyse --peildatum YYYY-MM-DD --format json|xlsx|pdf [--output PATH] [--gemeente NAAM]
[--uitkomst U --predictoren a,b --referentie p=cat --landen IR,AF] [--dataset PATH [--onderdrukken K]]`:
the evaluation's statistics on a peildatum (docs/analyse.md)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lvv.analytics.dataset import analysis_data
from lvv.analytics.exports import dataset_bytes
from lvv.analytics.regression import DEFAULT_COUNTRIES, DEFAULT_PREDICTORS, ModelSpec
from lvv.analytics.report import FORMATS, build_report, report_bytes
from lvv.core.exceptions import ApplicationError


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ongeldige peildatum '{value}': gebruik JJJJ-MM-DD.") from exc


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _references(values: list[str]) -> dict[str, str]:
    refs = {}
    for value in values or []:
        predictor, sep, category = value.partition("=")
        if not sep or not predictor.strip() or not category.strip():
            raise CommandError(
                f"Ongeldige referentie '{value}': gebruik predictor=categorie, bijv. gemeente=Amsterdam."
            )
        refs[predictor.strip()] = category.strip()
    return refs


class Command(BaseCommand):
    help = "De statistiek van de evaluatie op een peildatum: tabellen, regressies, verblijfsduur (docs/analyse.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--peildatum", required=True, help="JJJJ-MM-DD: gebeurtenissen tot en met deze datum tellen"
        )
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="json")
        parser.add_argument("--output", help="schrijf naar dit bestand in plaats van naar standaarduitvoer")
        parser.add_argument("--gemeente", help="alleen de deelnemers van deze gemeente")
        parser.add_argument(
            "--uitkomst", help="een eigen model: oplossing, bestendig, semi_bestendig, geen_oplossing of reden_<code>"
        )
        parser.add_argument(
            "--predictoren",
            help=f"predictoren van het eigen model, met komma's (standaard {','.join(DEFAULT_PREDICTORS)})",
        )
        parser.add_argument(
            "--referentie", action="append", help="referentiecategorie van het eigen model, bijv. gemeente=Amsterdam"
        )
        parser.add_argument(
            "--landen", help=f"landen-dummies van het eigen model (standaard {','.join(DEFAULT_COUNTRIES)})"
        )
        parser.add_argument("--dataset", help="schrijf ook de gepseudonimiseerde analysedataset (.csv of .xlsx)")
        parser.add_argument(
            "--onderdrukken", type=int, help="bij --dataset: waarden met minder dan K rijen onderdrukken"
        )

    def handle(self, *args, peildatum, file_format, output, gemeente, **options):
        if file_format in ("xlsx", "pdf") and not output:
            raise CommandError(f"Geef bij --format {file_format} een bestand op met --output.")
        custom = None
        if options["uitkomst"] or options["predictoren"] or options["referentie"] or options["landen"]:
            if not options["uitkomst"]:
                raise CommandError("Geef bij een eigen model de uitkomst op met --uitkomst.")
            custom = ModelSpec(
                name="eigen_model",
                outcome=options["uitkomst"],
                predictors=_list(options["predictoren"]) or DEFAULT_PREDICTORS,
                references=_references(options["referentie"]),
                countries=_list(options["landen"]) or DEFAULT_COUNTRIES,
            )
        day = _date(peildatum)
        try:
            data = analysis_data(peildatum=day, municipality=gemeente)
            report = build_report(peildatum=day, custom=custom, data=data)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        content = report_bytes(report, file_format)
        if options["dataset"]:
            path = Path(options["dataset"])
            kind = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
            path.write_bytes(dataset_bytes(data, file_format=kind, suppress=options["onderdrukken"]))
            self.stderr.write(f"Gepseudonimiseerde dataset ({len(data.outflowed)} rijen) geschreven naar {path}.")
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Analyse op {peildatum} geschreven naar {output}.")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
