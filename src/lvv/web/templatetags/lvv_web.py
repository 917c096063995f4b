"""Small template helpers for the LVV page templates."""

from django import template
from django.contrib.messages import constants

register = template.Library()

_ALERT_TYPES = {
    constants.DEBUG: "info",
    constants.INFO: "info",
    constants.SUCCESS: "ok",
    constants.WARNING: "warning",
    constants.ERROR: "error",
}


@register.filter
def lvv_alert_type(message) -> str:
    """The utrecht-alert modifier (info, ok, warning, error) for a Django message."""
    return _ALERT_TYPES.get(getattr(message, "level", constants.INFO), "info")


@register.simple_tag
def lvv_page_range(page_obj, on_each_side: int = 2, on_ends: int = 1):
    """Page numbers around the current page, with the paginator's ellipsis for gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends))
