"""The catalogue of the monitor's published names and texts: every indicator once, with its name, its
Dutch label, its short text for readers of the tables, its definition (Dutch and English) and its
unit; the bases and the terms of the definitions page likewise.

Everything else reads these texts from here: the computation takes the names and their order
(`indicators.INDICATOR_NAMES`), the definitions page, the tables and the downloads take the labels and
texts (`definitions.py`), the API publishes the definitions (`lvv.api.definitions`), and the table of
indicators in docs/indicatoren.md is generated from here (a test compares them):

    python -m lvv.monitor.catalogue                              # print the table
    python -m lvv.monitor.catalogue --write docs/indicatoren.md  # replace it in the document

No Django and no database here, so the command needs neither."""

from __future__ import annotations

import argparse
import enum
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final, Generic, Protocol, TypeVar

#: Decimals of a share (the aandelen, bezettingsgraad) and of a duration in months.
SHARE_DECIMALS: Final = 3
MONTHS_DECIMALS: Final = 2


class Unit(enum.StrEnum):
    """What an indicator's value is: a count, a share or a duration (a number, `null` without a
    denominator, rounded to SHARE_DECIMALS or MONTHS_DECIMALS), or an object of counts."""

    COUNT = "aantal"
    PLACES = "plaatsen"
    SHARE = "aandeel"
    MONTHS = "maanden"
    OBJECT = "object"

    @property
    def english(self) -> str:
        return _UNIT_ENGLISH[self]


_UNIT_ENGLISH: Final[Mapping[Unit, str]] = MappingProxyType(
    {
        Unit.COUNT: "count",
        Unit.PLACES: "places",
        Unit.SHARE: "share",
        Unit.MONTHS: "months",
        Unit.OBJECT: "object",
    }
)


def plain(text: str) -> str:
    """A definition without its Markdown code marks: as the API and the pages show it."""
    return text.replace("`", "")


def definition_anchor(name: str) -> str:
    """The id of an indicator on the definitions page (the tables link to it)."""
    return f"def-{name}"


@dataclass(frozen=True)
class Indicator:
    """One published indicator: what every page, download, API answer and document says about it."""

    #: The published name: in the JSON, the CSV columns and the API. Never changes meaning.
    name: str
    #: Dutch label of the tables, the charts and the definitions page.
    label: str
    #: Dutch text for a reader of the tables, in short (definitions page, downloads).
    summary: str
    #: The definition (Dutch, Markdown code marks around names): API, documentation, definitions page.
    definition: str
    #: The same definition in English (documentation).
    definition_en: str
    unit: Unit

    @property
    def plain_definition(self) -> str:
        return plain(self.definition)

    @property
    def anchor(self) -> str:
        return definition_anchor(self.name)


@dataclass(frozen=True)
class Basis:
    """A choice of the units the indicators count."""

    #: The published name (`--basis`, `?basis=`).
    name: str
    #: Dutch label of the choice on the monitor page and in the downloads.
    label: str
    #: The definition (Dutch, Markdown code marks around names), as the API publishes it.
    definition: str

    @property
    def plain_definition(self) -> str:
        return plain(self.definition)


@dataclass(frozen=True)
class Term:
    """A term of the definitions page and the downloads."""

    name: str
    label: str
    text: str


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def _by_name(*entries: _N) -> Mapping[str, _N]:
    names = [e.name for e in entries]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"in the catalogue twice: {', '.join(duplicates)}")
    return MappingProxyType({e.name: e for e in entries})


BASIS_TRAJECTEN: Final = "trajecten"
BASIS_PERSONEN: Final = "personen"

#: The bases, the default first.
BASES: Mapping[str, Basis] = _by_name(
    Basis(
        BASIS_TRAJECTEN,
        "Trajecten (monitor)",
        "Standaard, de blik van de monitor: de eenheden zijn de trajecten met een datum van aanmelding "
        "op of vóór de peildatum. Een herintreding is een tweede eenheid.",
    ),
    Basis(
        BASIS_PERSONEN,
        "Personen (evaluatie)",
        "De blik van de evaluatie: per persoon het traject met de laatste datum van aanmelding op of vóór "
        "de peildatum. Een persoon van wie dat traject op of vóór de peildatum eindigde met uitstroomreden "
        "overleden, telt alleen mee in overleden.",
    ),
)

TERMS: Mapping[str, Term] = _by_name(
    Term(
        "peildatum",
        "Peildatum",
        "Een gebeurtenis (aanmelding, toelating, uitstroom, perspectief, besluit) telt mee als de datum op of "
        "vóór de peildatum ligt.",
    ),
    Term(
        "basis",
        "Basis",
        "Trajecten: elk traject telt (een herintreding is een tweede traject); dit is de blik van de monitor. "
        "Personen: per persoon alleen het laatste traject; dit is de blik van de evaluatie.",
    ),
    Term(
        "persoon",
        "Persoon",
        "Trajecten met hetzelfde V-nummer zijn dezelfde persoon, ook in verschillende gemeenten; zonder "
        "V-nummer geldt de persoonssleutel van de gemeente.",
    ),
)

#: Every indicator, in the order of the published table, the JSON and the API.
INDICATORS: Mapping[str, Indicator] = _by_name(
    Indicator(
        name="aanmeldingen",
        label="Aanmeldingen",
        summary="Eenheden (trajecten of personen, naar de gekozen basis) met een datum van aanmelding op of vóór "
        "de peildatum. Op basis personen zonder de overledenen.",
        definition="Eenheden (basis `personen`: zonder de overledenen).",
        definition_en="Units (basis `personen`: less the deceased).",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="instroom",
        label="Instroom",
        summary="Aanmeldingen die op of vóór de peildatum zijn toegelaten.",
        definition="Eenheden toegelaten op of vóór de peildatum (basis `personen`: zonder de overledenen).",
        definition_en="Units admitted on or before the peildatum (basis `personen`: less the deceased).",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="unieke_personen",
        label="Unieke personen",
        summary="Verschillende personen onder de instroom (zelfde V-nummer is dezelfde persoon). Per gemeente "
        "geteld binnen die gemeente; landelijk telt iemand één keer, dus de gemeenten tellen niet op tot "
        "het landelijke cijfer.",
        definition="Verschillende personen onder `instroom`.",
        definition_en="Distinct persons among `instroom`.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="in_lvv",
        label="In de LVV",
        summary="Instroom zonder uitstroom op of vóór de peildatum: de bezetting.",
        definition="Instroom-eenheden zonder uitstroom op of vóór de peildatum.",
        definition_en="`instroom` units without an outflow on or before the peildatum.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="uitstroom",
        label="Uitstroom",
        summary="Instroom met uitstroom op of vóór de peildatum, om een andere reden dan overlijden.",
        definition="Instroom-eenheden met uitstroom op of vóór de peildatum, reden niet `overleden`.",
        definition_en="`instroom` units with an outflow on or before the peildatum, reason not `overleden`.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="overleden",
        label="Overleden",
        summary="Instroom met uitstroomreden overleden op of vóór de peildatum.",
        definition="Instroom-eenheden met uitstroomreden `overleden` op of vóór de peildatum.",
        definition_en="`instroom` units with outflow reason `overleden` on or before the peildatum.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="uitstroom_bestendig",
        label="Bestendig",
        summary="Uitstroom met een bestendige oplossing (verblijfsvergunning, vertrek).",
        definition="Uitstroom met een uitstroomreden van de categorie bestendig.",
        definition_en="`uitstroom` with an outflow reason of the category bestendig.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="uitstroom_semi_bestendig",
        label="Semi-bestendig",
        summary="Uitstroom naar een semi-bestendige situatie (hasa, artikel 64, vertrekmoratorium, "
        "inbewaringstelling).",
        definition="Uitstroom met een uitstroomreden van de categorie semi-bestendig.",
        definition_en="`uitstroom` with an outflow reason of the category semi-bestendig.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="uitstroom_geen_oplossing",
        label="Geen oplossing",
        summary="Uitstroom zonder oplossing (beëindigd, MOB, andere opvang, …).",
        definition="Uitstroom met een uitstroomreden van de categorie geen oplossing.",
        definition_en="`uitstroom` with an outflow reason of the category geen oplossing.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="aandeel_bestendig",
        label="Aandeel bestendig",
        summary="Bestendige uitstroom gedeeld door alle uitstroom.",
        definition="`uitstroom_bestendig` ÷ `uitstroom`, 3 decimalen (`null` bij 0).",
        definition_en="`uitstroom_bestendig` ÷ `uitstroom`, 3 decimals (`null` when 0).",
        unit=Unit.SHARE,
    ),
    Indicator(
        name="aandeel_semi_bestendig",
        label="Aandeel semi-bestendig",
        summary="Semi-bestendige uitstroom gedeeld door alle uitstroom.",
        definition="`uitstroom_semi_bestendig` ÷ `uitstroom`, 3 decimalen (`null` bij 0).",
        definition_en="`uitstroom_semi_bestendig` ÷ `uitstroom`, 3 decimals (`null` when 0).",
        unit=Unit.SHARE,
    ),
    Indicator(
        name="aandeel_geen_oplossing",
        label="Aandeel geen oplossing",
        summary="Uitstroom zonder oplossing gedeeld door alle uitstroom.",
        definition="`uitstroom_geen_oplossing` ÷ `uitstroom`, 3 decimalen (`null` bij 0).",
        definition_en="`uitstroom_geen_oplossing` ÷ `uitstroom`, 3 decimals (`null` when 0).",
        unit=Unit.SHARE,
    ),
    Indicator(
        name="uitstroom_per_reden",
        label="Uitstroom per reden",
        summary="Uitstroom per uitstroomreden (zonder overleden).",
        definition="Object: elke uitstroomreden behalve `overleden` → aantal (ook nullen).",
        definition_en="Object: every outflow reason except `overleden` → count (zeros included).",
        unit=Unit.OBJECT,
    ),
    Indicator(
        name="perspectief_bepaald",
        label="Perspectief bepaald",
        summary="Eenheden in de LVV met een perspectief dat op of vóór de peildatum is bepaald.",
        definition="In_lvv-eenheden met een perspectief bepaald op of vóór de peildatum.",
        definition_en="`in_lvv` units with a perspective decided on or before the peildatum.",
        unit=Unit.COUNT,
    ),
    Indicator(
        name="perspectief_per_soort",
        label="Perspectief per soort",
        summary="Perspectief bepaald, naar het geldende perspectief: terugkeer, legalisering of doormigratie.",
        definition="Object `terugkeer`, `legalisering`, `doormigratie` → aantal van `perspectief_bepaald`; "
        "geldend is het laatste perspectief bepaald op of vóór de peildatum.",
        definition_en="Object `terugkeer`, `legalisering`, `doormigratie` → count of `perspectief_bepaald`; the "
        "one in force is the latest perspective decided on or before the peildatum.",
        unit=Unit.OBJECT,
    ),
    Indicator(
        name="aandeel_perspectief_bepaald",
        label="Aandeel met perspectief",
        summary="Perspectief bepaald gedeeld door het aantal in de LVV.",
        definition="`perspectief_bepaald` ÷ `in_lvv`, 3 decimalen (`null` bij 0).",
        definition_en="`perspectief_bepaald` ÷ `in_lvv`, 3 decimals (`null` when 0).",
        unit=Unit.SHARE,
    ),
    Indicator(
        name="doorlooptijd_gemiddeld_maanden",
        label="Doorlooptijd gemiddeld (maanden)",
        summary="Gemiddelde tijd van toelating tot uitstroom over de uitstroom, in maanden (dagen ÷ 30,4375).",
        definition="Over `uitstroom`: (datum uitstroom − datum toelating) in dagen ÷ 30,4375; gemiddelde, 2 decimalen.",
        definition_en="Over `uitstroom`: (outflow date − admission date) in days ÷ 30.4375; mean, 2 decimals.",
        unit=Unit.MONTHS,
    ),
    Indicator(
        name="doorlooptijd_mediaan_maanden",
        label="Doorlooptijd mediaan (maanden)",
        summary="Mediaan van de tijd van toelating tot uitstroom over de uitstroom, in maanden.",
        definition="Over `uitstroom`: (datum uitstroom − datum toelating) in dagen ÷ 30,4375; mediaan, 2 decimalen.",
        definition_en="Over `uitstroom`: (outflow date − admission date) in days ÷ 30.4375; median, 2 decimals.",
        unit=Unit.MONTHS,
    ),
    Indicator(
        name="capaciteit",
        label="Capaciteit",
        summary="Opvangplaatsen die op de peildatum geldig zijn volgens het capaciteitsregister.",
        definition="Plaatsen geldig op de peildatum volgens het capaciteitsregister (som van de perioden met "
        "geldig vanaf ≤ peildatum ≤ geldig tot en met).",
        definition_en="Places valid on the peildatum in the capacity register (sum of the periods with valid "
        "from ≤ peildatum ≤ valid to, inclusive).",
        unit=Unit.PLACES,
    ),
    Indicator(
        name="bezettingsgraad",
        label="Bezettingsgraad",
        summary="In de LVV gedeeld door de capaciteit.",
        definition="`in_lvv` ÷ `capaciteit`, 3 decimalen (`null` zonder capaciteit).",
        definition_en="`in_lvv` ÷ `capaciteit`, 3 decimals (`null` when no capacity).",
        unit=Unit.SHARE,
    ),
    Indicator(
        name="besluiten",
        label="Besluiten na hasa en artikel 64",
        summary="Over de uitstroom met reden hasa of artikel 64: het IND-besluit (inwilliging of afwijzing) als "
        "dat op of vóór de peildatum is genomen, anders 'geen besluit'.",
        definition="Object `hasa`, `artikel_64` → object `inwilliging`, `afwijzing`, `geen_besluit`: over de "
        "uitstroom-eenheden met die reden; een besluit telt als het op of vóór de peildatum is genomen, "
        "anders `geen_besluit`.",
        definition_en="Object `hasa`, `artikel_64` → object `inwilliging`, `afwijzing`, `geen_besluit`: over "
        "the `uitstroom` units with that reason; a decision counts when taken on or before the peildatum, "
        "else `geen_besluit`.",
        unit=Unit.OBJECT,
    ),
    Indicator(
        name="instrumenten",
        label="Instrumenten",
        summary="Over de instroom: is het begeleidingsinstrument ingezet (ja, nee, niet van toepassing of onbekend).",
        definition="Object per instrument → object `ja`, `nee`, `nvt`, `onbekend`: over `instroom`.",
        definition_en="Object per instrument → object `ja`, `nee`, `nvt`, `onbekend`: over `instroom`.",
        unit=Unit.OBJECT,
    ),
)


# --- views for the modules that publish the texts ---------------------------------------------------

_E = TypeVar("_E")
_V = TypeVar("_V")


class CatalogueView(Mapping[str, _V], Generic[_E, _V]):
    """A read-only mapping name → `project(entry)` over one table of the catalogue, read on every
    access: the module-level mappings other modules import always show the catalogue as it is, also
    when an entry is replaced (as a test does)."""

    def __init__(self, table: Callable[[], Mapping[str, _E]], project: Callable[[_E], _V]) -> None:
        self._table = table
        self._project = project

    def __getitem__(self, name: str) -> _V:
        return self._project(self._table()[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


# --- the table in docs/indicatoren.md ----------------------------------------------------------------

DOCS_PATH: Final = Path("docs/indicatoren.md")
DOCS_BEGIN: Final = "<!-- indicatoren: gegenereerd uit src/lvv/monitor/catalogue.py -->"
DOCS_END: Final = "<!-- /indicatoren -->"


def markdown_table() -> str:
    """The table of indicators of docs/indicatoren.md, one row per indicator of the catalogue."""
    lines = [
        "| naam · name | label | eenheid · unit | definitie | definition |",
        "| --- | --- | --- | --- | --- |",
    ]
    for i in INDICATORS.values():
        unit = i.unit.value if i.unit.value == i.unit.english else f"{i.unit.value} · {i.unit.english}"
        lines.append(f"| `{i.name}` | {i.label} | {unit} | {i.definition} | {i.definition_en} |")
    return "\n".join(lines)


def _block_bounds(document: str) -> tuple[int, int]:
    begin, end = document.find(DOCS_BEGIN), document.find(DOCS_END)
    if begin < 0 or end < begin:
        raise ValueError(f"the document has no generated block ({DOCS_BEGIN!r} … {DOCS_END!r})")
    return begin + len(DOCS_BEGIN), end


def documented_table(document: str) -> str:
    """The generated table as it stands in `document` (the text of docs/indicatoren.md)."""
    start, end = _block_bounds(document)
    return document[start:end].strip("\n")


def with_table(document: str) -> str:
    """`document` with its generated table replaced by the catalogue's."""
    start, end = _block_bounds(document)
    return f"{document[:start]}\n\n{markdown_table()}\n\n{document[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lvv.monitor.catalogue",
        description="De tabel van indicatoren van docs/indicatoren.md, uit src/lvv/monitor/catalogue.py.",
    )
    parser.add_argument("--write", type=Path, metavar="PAD", help=f"vervang de tabel in dit document ({DOCS_PATH})")
    args = parser.parse_args(argv)
    if args.write is None:
        sys.stdout.write(markdown_table() + "\n")
        return 0
    path: Path = args.write
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
