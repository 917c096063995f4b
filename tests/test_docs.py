"""The documents that describe the code name code that exists.

architecture.md, access.md and security.md explain lvv by naming its modules, functions, settings
and the tests that check each claim. When code is renamed or moved and the text is not, a reader is
sent to something that is not there. This test reads every `code span` of those documents and checks
that what it names exists: a file path, a test (`test_x.py::test_y` or a bare `test_…` name), a
function, class or constant (`access.can_decide`, `log_change`, `trajectory_scope(user)`), a
management command or an `LVV_…` setting. Words that are not code (values, roles, HTTP headers,
command lines) are skipped by their shape; the few snake_case values the documents quote are listed
in `NOT_CODE`, the library names in `LIBRARY_NAMES`."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "lvv"
DOCUMENTS = ["architecture.md", "access.md", "security.md"]

#: snake_case words in the documents that name data, not code: stored values, field values, roles.
NOT_CODE = {
    "lso_voorzitter",
    "lso_geen_voortgang",
    "geen_besluit",
    "in_lvv",
    "in_toetsing",
    "perspectief_bepaald",
    "eigen_netwerk",
    "systeem_aanlevering",
    "share_ind",
    "share_dtv",
    "share_avim",
    "share_ngo",
    "max_stay_months",
    "axes_accessattempt",
    "django_session",
    "is_lso_chair",
    "is_functional_admin",
    "in_force",
    "view_name",
    "next",
    "otp_totp_totpdevice",
    "path::name",
}

#: Names the documents quote from Django and the other libraries lvv uses.
LIBRARY_NAMES = {
    "select_for_update",
    "force_login",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "ATOMIC_REQUESTS",
    "acyclic_siblings",
    "input_terminated",
}

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\(.*\))?$")


@cache
def _python_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts] + list(ROOT.glob("tests/**/*.py"))


@cache
def _defined_names() -> frozenset[str]:
    """Every function, class, method and module-level (or class-level) name assigned in lvv and its
    tests, and every module's name."""
    names: set[str] = set()
    for path in _python_files():
        names.add(path.stem)
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
                names.update(t.attr for t in node.targets if isinstance(t, ast.Attribute))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return frozenset(names)


@cache
def _source_text() -> str:
    return "\n".join(p.read_text() for p in _python_files())


def _spans(document: str) -> list[str]:
    text = (ROOT / "docs" / document).read_text()
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # pictures, not references
    return re.findall(r"`([^`\n]+)`", text)


def _file_exists(path: str) -> bool:
    candidates = [ROOT / path, SRC / path, ROOT / "src" / path]
    if "/" not in path:
        return any(SRC.rglob(path)) or (ROOT / path).exists()
    if any(c.exists() for c in candidates):
        return True
    return any(SRC.glob(f"*/{path}"))  # app-relative, e.g. `templates/web/`


def _problem(span: str) -> str | None:
    """Why `span` names nothing that exists, or None."""
    span = span.strip()
    if " " in span or span in NOT_CODE:
        return None  # a command line or a phrase
    if "::" in span:
        path, _, test = span.partition("::")
        test = test.split("[")[0]
        if not _file_exists(path):
            return f"no test file {path}"
        return None if re.search(rf"def {re.escape(test)}\b", _source_text()) else f"no test {test}"
    if re.fullmatch(r"[\w./-]+\.(py|md|html|toml|js|css)|[\w.-]+/[\w./-]*/?", span) and not span.startswith("/"):
        return None if _file_exists(span.rstrip("/")) else f"no file {span}"
    if re.fullmatch(r"LVV_[A-Z0-9_]+", span):
        return None if span in _source_text() else f"no setting {span}"
    if not IDENTIFIER.match(span) or "_" not in span:
        return None  # a word, a value, a URL, a command line: not a code reference
    name = span.split("(")[0].split(".")[-1]
    if span.split("(")[0] in NOT_CODE or name in NOT_CODE or name in LIBRARY_NAMES:
        return None
    return None if name in _defined_names() else f"no function, class or name {name}"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_code_span_names_something_that_exists(document):
    problems = sorted({f"`{span}`: {why}" for span in _spans(document) if (why := _problem(span))})
    assert not problems, f"docs/{document} names code that does not exist:\n" + "\n".join(problems)


def test_the_check_finds_a_name_that_does_not_exist():
    assert _problem("access.may_see_everything") is not None
    assert _problem("src/lvv/accounts/nowhere.py") is not None
    assert _problem("test_access_matrix.py::test_nobody_wrote_this") is not None
    assert _problem("access.can_decide") is None
    assert _problem("src/lvv/accounts/access.py") is None
