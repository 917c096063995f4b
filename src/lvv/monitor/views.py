"""The monitor pages: the quarterly monitor at a chosen peildatum (tables and charts), its downloads
and the definitions. Aggregates only: nothing here reads or shows a person, so nothing is logged;
who may open the monitor is decided by `access.can_view_monitor` (deny unless allowed)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from lvv.accounts import access
from lvv.accounts.models import Municipality

from . import catalogue
from .definitions import BASIS_LABELS, TERMS
from .forms import INTERN, PUBLICATIE, VERSIONS, MonitorForm


def _own_municipalities(request) -> list[str] | None:
    """None: the user sees every municipality (programmabureau); else only their own one (and the
    national figures). Refuses everyone else."""
    user = request.user
    if not access.can_view_monitor(user):
        raise PermissionDenied
    if access.monitor_sees_all_municipalities(user):
        return None
    return [user.municipality.name]


def _form(request):
    own = _own_municipalities(request)
    choices = None if own else list(Municipality.objects.filter(has_lvv=True).values_list("name", flat=True))
    return MonitorForm(request.GET, municipalities=choices), own


def _content(form, own, *, published: bool | None = None, charts: bool = True):
    from .content import cached_content  # numpy, scipy and matplotlib load on first use, not at start-up

    c = form.cleaned_data
    show = own or ([c["gemeente"]] if c.get("gemeente") else None)
    return cached_content(
        peildatum=c["peildatum"],
        basis=c["basis"],
        quarters=c["kwartalen"],
        published=(c["weergave"] == PUBLICATIE) if published is None else published,
        show=show,
        charts=charts,
    )


def _query(form, **override) -> str:
    c = {**form.cleaned_data, **override}
    params = {
        "peildatum": c["peildatum"].isoformat(),
        "basis": c["basis"],
        "kwartalen": c["kwartalen"],
        "weergave": c["weergave"],
    }
    if c.get("gemeente"):
        params["gemeente"] = c["gemeente"]
    return urlencode(params)


TILES = [
    ("in_lvv", "In de LVV"),
    ("capaciteit", "Capaciteit"),
    ("bezettingsgraad", "Bezettingsgraad"),
    ("uitstroom", "Uitstroom"),
    ("aandeel_perspectief_bepaald", "Aandeel met perspectief"),
    ("doorlooptijd_gemiddeld_maanden", "Doorlooptijd gemiddeld (maanden)"),
]


def tile_groups(content) -> list[tuple[str, list[tuple[str, str]]]]:
    """The headline figures of the national row, and of the user's own municipality."""
    core = content.table("kerncijfers")
    rows = [r for r in core.rows if r.is_total or len(content.municipalities) == 1]
    return [(row.labels[0], [(text, row.cells[core.column_index(key)].text) for key, text in TILES]) for row in rows]


@require_GET
def monitor_page(request):
    from .downloads import legend

    form, own = _form(request)
    context = {"form": form, "own": own, "content": None}
    if form.is_valid():
        content = _content(form, own)
        context.update(
            content=content,
            tile_groups=tile_groups(content),
            basis_label=BASIS_LABELS[content.basis],
            version_label=VERSIONS[form.cleaned_data["weergave"]],
            legend=legend(content),
            downloads=[
                (
                    label,
                    [
                        (fmt.upper(), f"{reverse(f'monitor:download_{fmt}')}?{_query(form, weergave=version)}")
                        for fmt in ("xlsx", "csv", "pdf")
                    ],
                )
                for version, label in (
                    (PUBLICATIE, "Publicatieversie (kleine aantallen afgeschermd)"),
                    (INTERN, "Exacte aantallen (alleen intern)"),
                )
            ],
        )
    return render(request, "monitor/monitor.html", context, status=200 if form.is_valid() else 400)


def _download(request, file_format: str):
    from .downloads import CONTENT_TYPES, download_bytes, filename

    form, own = _form(request)
    if not form.is_valid():
        return render(request, "monitor/monitor.html", {"form": form, "own": own, "content": None}, status=400)
    content = _content(form, own, charts=file_format == "pdf")
    response = HttpResponse(download_bytes(content, file_format), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename(content, file_format)}"'
    return response


@require_GET
def download_xlsx(request):
    return _download(request, "xlsx")


@require_GET
def download_csv(request):
    return _download(request, "csv")


@require_GET
def download_pdf(request):
    return _download(request, "pdf")


@require_GET
def definitions(request):
    _own_municipalities(request)
    return render(
        request, "monitor/definitions.html", {"indicators": catalogue.INDICATORS.values(), "terms": TERMS.values()}
    )
