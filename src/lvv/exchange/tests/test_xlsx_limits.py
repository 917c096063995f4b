"""An XLSX bomb and an over-long delivery are refused with a Dutch message, without exhausting
memory (lvv.core.tables; docs/aanleverformat.md "Grenzen", docs/security.md §5.10). Through
`lvv import`, the web upload of a chain extract and the API."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import Workbook

from lvv.api.services import api_token_create
from lvv.core.tables import (
    MAX_XLSX_MEMBERS,
    MAX_XLSX_UNPACKED_BYTES,
    MSG_NOT_XLSX,
    TableError,
    read_table,
)
from lvv.demo import factories
from lvv.exchange.delivery import TRAJECTORY_COLUMNS
from lvv.exchange.models import ChainExtract
from lvv.exchange.tests.helpers import checksum, run_import, sample_rows

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
ROW = b'<row><c t="inlineStr"><is><t>AMS-1</t></is></c><c t="inlineStr"><is><t>Amsterdam</t></is></c></row>'
#: A bomb's row: one long text, so that 300 MB of rows pack to some 430 kB.
BOMB_ROW = b'<row><c t="inlineStr"><is><t>' + b"A" * 4000 + b"</t></is></c></row>"
BOMB_SIZE = 300 * 1024 * 1024  # unpacked
MEMORY_BOUND = 50 * 1024 * 1024


def _workbook_parts() -> dict[str, bytes]:
    """The members of a real one-sheet workbook made by openpyxl."""
    workbook = Workbook()
    workbook.active.append(["traject_id", "gemeente"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xlsx_with_sheet(path, sheet_chunks, *, extra_members: int = 0, member: str = SHEET):
    """A real workbook whose first sheet (or other `member`) is written from `sheet_chunks` as it
    comes: the test never holds the unpacked member in memory."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _workbook_parts().items():
            if name != member:
                archive.writestr(name, data)
        with archive.open(member, "w") as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk)
        for number in range(extra_members):
            archive.writestr(f"customXml/item{number}.xml", b"<a/>")
    return path


def bomb_chunks(size: int, *, head: bytes = SHEET_HEAD, row: bytes = ROW):
    yield head
    block = row * (64 * 1024 // len(row))
    for _ in range(-(-size // len(block))):  # at least `size`
        yield block


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A workbook whose sheet unpacks to 300 MB of rows and is packed to well under 1 MB."""
    return xlsx_with_sheet(tmp_path_factory.mktemp("bomb") / "levering.xlsx", bomb_chunks(BOMB_SIZE, row=BOMB_ROW))


class MemoryPeak:
    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def test_the_bomb_is_a_bomb(bomb):
    assert bomb.stat().st_size < 512 * 1024
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo(SHEET).file_size >= BOMB_SIZE > MAX_XLSX_UNPACKED_BYTES


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(bomb):
    with MemoryPeak() as memory, pytest.raises(TableError) as refused:
        read_table(bomb)
    assert str(refused.value) == (
        "Het XLSX-bestand is uitgepakt 300 MB groot; dat is meer dan de grens van 256 MB. "
        "Lever in delen aan of als CSV."
    )
    assert memory.peak < MEMORY_BOUND


def test_lvv_import_refuses_the_bomb_with_a_dutch_fault_and_writes_nothing(reference_data, bomb):
    before = checksum()
    with MemoryPeak() as memory:
        status, _, err = run_import(bomb)
    assert status == 1
    assert "regel 1: bestand: Het XLSX-bestand is uitgepakt 300 MB groot" in err
    assert "er is niets ingelezen" in err
    assert memory.peak < MEMORY_BOUND
    assert checksum() == before


def test_the_web_extract_upload_refuses_the_bomb_with_a_dutch_message(ind_user, bomb):
    client = Client()
    client.force_login(ind_user)
    upload = SimpleUploadedFile("ind.xlsx", bomb.read_bytes())
    with MemoryPeak() as memory:
        response = client.post(reverse("exchange:extract_upload"), {"peildatum": "2022-12-31", "bestand": upload})
    assert response.status_code == 200
    assert "regel 1: bestand: Het XLSX-bestand is uitgepakt 300 MB groot" in response.content.decode()
    assert not ChainExtract.objects.exists()
    assert memory.peak < MEMORY_BOUND


def test_the_api_refuses_the_bomb_as_a_problem(reference_data, bomb):
    token = api_token_create(organisation=factories.municipal_organisation("Amsterdam"), name="koppeling")[1]
    before = checksum()
    with MemoryPeak() as memory:
        response = Client().post(
            "/api/v1/leveringen",
            bomb.read_bytes(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    (fault,) = response.json()["invalidParams"]
    assert fault["name"] == "bestand" and fault["line"] == 1
    assert fault["reason"].startswith("Het XLSX-bestand is uitgepakt 300 MB groot")
    assert memory.peak < MEMORY_BOUND
    assert checksum() == before


def test_a_zip_that_understates_a_member_s_size_is_unpacked_no_further_than_it_says(tmp_path, bomb):
    """zipfile stops a member at its declared size (and then fails the CRC check): the declared
    sizes that `_check_zip` adds up bound what is unpacked."""
    data = bytearray(bomb.read_bytes())
    name = SHEET.encode()
    position = data.find(b"PK\x01\x02")
    while data[position + 46 : position + 46 + len(name)] != name:
        position = data.find(b"PK\x01\x02", position + 1)
    data[position + 24 : position + 28] = struct.pack("<I", 4096)  # uncompressed size
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(data))

    with MemoryPeak() as memory, pytest.raises(TableError, match=MSG_NOT_XLSX):
        read_table(liar)
    assert memory.peak < MEMORY_BOUND


@pytest.mark.parametrize(
    ("member", "limit"), [("xl/sharedStrings.xml", "32 MB"), ("xl/styles.xml", "8 MB"), ("xl/workbook.xml", "8 MB")]
)
def test_a_part_read_whole_into_memory_has_its_own_limit(tmp_path, member, limit):
    """openpyxl streams the sheet, but reads the shared strings, the styles and the workbook whole."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    path = xlsx_with_sheet(
        tmp_path / "a.xlsx", bomb_chunks(40 * 1024 * 1024, head=head, row=b"<si><t>ab</t></si>"), member=member
    )
    with MemoryPeak() as memory, pytest.raises(TableError) as refused:
        read_table(path)
    message = str(refused.value)
    assert message.startswith(f"Het onderdeel {member} van het XLSX-bestand is uitgepakt 40")
    assert message.endswith(f" MB groot; de grens is {limit}.")
    assert memory.peak < MEMORY_BOUND


def test_too_many_members_are_refused(tmp_path):
    path = xlsx_with_sheet(tmp_path / "a.xlsx", [SHEET_HEAD, ROW, SHEET_TAIL], extra_members=MAX_XLSX_MEMBERS)
    with pytest.raises(TableError, match=f"meer dan {MAX_XLSX_MEMBERS} onderdelen"):
        read_table(path)
    ok = xlsx_with_sheet(tmp_path / "b.xlsx", [SHEET_HEAD, ROW, SHEET_TAIL], extra_members=10)
    assert read_table(ok).header == ["ams-1", "amsterdam"]


def test_a_sheet_that_declares_a_huge_size_is_read_as_it_is(tmp_path):
    """openpyxl pads rows to the size a sheet declares; a tiny sheet declaring A1:XFD2000 would
    become 2000 rows of 16384 cells. The declaration is ignored, and a cell beyond the columns
    read (MAX_COLUMNS) is not read."""
    sheet = [
        SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD2000"/><sheetData>'),
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>gemeente</t></is></c></row>',
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>Amsterdam</t></is></c>'
        b'<c r="XFD2" t="inlineStr"><is><t>ver weg</t></is></c></row>',
        SHEET_TAIL,
    ]
    path = xlsx_with_sheet(tmp_path / "a.xlsx", sheet)
    with MemoryPeak() as memory:
        table = read_table(path)
    assert (table.header, table.rows) == (["gemeente"], [(2, ["Amsterdam"])])
    assert memory.peak < MEMORY_BOUND


# --- the row limit ---------------------------------------------------------------------------------


def _xlsx_rows(path, count: int):
    rows = (
        f'<row><c t="inlineStr"><is><t>AMS-{n}</t></is></c><c t="inlineStr"><is><t>Amsterdam</t></is></c></row>'
        for n in range(count)
    )
    return xlsx_with_sheet(path, [SHEET_HEAD, ROW, *(r.encode() for r in rows), SHEET_TAIL])


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_limit_plus_one_rows_are_refused_and_exactly_the_limit_accepted(tmp_path, kind):
    def write(count):
        path = tmp_path / f"{count}.{kind}"
        if kind == "xlsx":
            return _xlsx_rows(path, count)
        path.write_text("traject_id,gemeente\n" + "".join(f"AMS-{n},Amsterdam\n" for n in range(count)))
        return path

    assert len(read_table(write(5), row_limit=5).rows) == 5
    with pytest.raises(TableError, match="^Het bestand heeft meer dan 5 regels na de kopregel; lever in delen aan.$"):
        read_table(write(6), row_limit=5)


def _sheet_broken_after(rows: int, *, declared: bool):
    """A header, `rows` rows, 4000 more (far more than one read of the XML parser), then broken
    XML; with or without a declared size."""
    head = SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:B4014"/><sheetData>') if declared else SHEET_HEAD
    return [head, ROW, *[ROW] * rows, ROW * 4000, b"<row><c t=", b"kapot"]


def test_reading_stops_at_the_first_row_over_the_limit(tmp_path):
    """Rows after the limit are never read: what follows them may even be broken."""
    path = xlsx_with_sheet(tmp_path / "a.xlsx", _sheet_broken_after(11, declared=True))
    with pytest.raises(TableError, match="meer dan 10 regels"):
        read_table(path, row_limit=10)
    with pytest.raises(TableError, match=MSG_NOT_XLSX):
        read_table(path, row_limit=100_000)


def test_a_sheet_that_declares_no_size_is_not_parsed_whole_on_opening(tmp_path):
    """openpyxl's `load_workbook` parses a sheet without a declared size to its end to find one,
    keeping an element per row; lvv opens the sheet without asking its size."""
    path = xlsx_with_sheet(tmp_path / "a.xlsx", _sheet_broken_after(11, declared=False))
    with pytest.raises(TableError, match="meer dan 10 regels"):
        read_table(path, row_limit=10)


def test_lvv_import_applies_the_row_limit_setting(reference_data, tmp_path):
    rows = sample_rows()
    workbook = Workbook()
    workbook.active.append(list(TRAJECTORY_COLUMNS))
    for row in rows:
        workbook.active.append([row.get(c, "") for c in TRAJECTORY_COLUMNS])
    path = tmp_path / "levering.xlsx"
    workbook.save(path)

    with override_settings(LVV_MAX_DELIVERY_ROWS=len(rows) - 1):
        before = checksum()
        status, _, err = run_import(path)
        assert status == 1
        assert f"regel 1: bestand: Het bestand heeft meer dan {len(rows) - 1} regels na de kopregel" in err
        assert checksum() == before
    with override_settings(LVV_MAX_DELIVERY_ROWS=len(rows)):
        status, out, err = run_import(path)
        assert status == 0, err


def test_the_limits_admit_a_national_delivery():
    """100,000 trajectories (benchmarks/monitor_bench.py) written by openpyxl unpack to 111 MB."""
    from django.conf import settings

    assert settings.LVV_MAX_DELIVERY_ROWS >= 2 * 100_000
    assert settings.LVV_MAX_XLSX_BYTES >= 2 * 111 * 1000 * 1000
