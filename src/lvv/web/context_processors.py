"""Template context shared by every page."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from lvv.accounts import access


def navigation(request: HttpRequest) -> dict:
    """The primary navigation: ``nav_items``, a list of {"label", "url", "active"} dicts.

    Empty for anonymous users. Routes that do not exist (yet) are left out. Of the items whose url the
    current path starts with, only the longest (most specific) one is marked active; "/" only matches itself.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}

    entries: list[tuple[str, str]] = []
    if not access.lands_on_overview(user):
        entries.append((gettext("Werklijst"), "trajectories:list"))
    if access.can_register(user):
        entries.append((gettext("Nieuwe aanmelding"), "admissions:application_new"))
    if access.takes_part_in_meetings(user):
        entries.append((gettext("Overleggen"), "meetings:list"))
    if access.sees_own_progress_signals(user):
        entries.append((gettext("Signalen"), "progress:dashboard"))
    if access.sees_national_stuck_report(user):
        entries.append((gettext("Vastgelopen trajecten"), "progress:stuck"))
    if access.can_view_monitor(user):
        entries.append((gettext("Monitor"), "monitor:index"))
    if access.can_view_analytics(user):
        entries.append((gettext("Analyse"), "analytics:home"))
    if access.reconciliation_view(user) is not None:
        entries.append((gettext("Ketenreconciliatie"), "exchange:reconcile"))
    if access.chain_extract_partner(user) is not None:
        entries.append((gettext("Extract aanleveren"), "exchange:extract_upload"))
    if access.sees_criteria_admin(user):
        entries.append((gettext("Toelatingscriteria"), "admissions:criteria_list"))

    items = []
    for label, url_name in entries:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": False})

    path = request.path
    matches = [item for item in items if path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}
