"""Formatting of the report's numbers the Dutch way."""

from __future__ import annotations

import math

from django import template

register = template.Library()


@register.filter
def nl_num(value, digits=2):
    """1234.5678 → "1.234,57"; None → "–"; ints stay ints."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if not math.isfinite(value):
        return "∞" if value > 0 else "–"
    text = f"{value:,.{int(digits)}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@register.filter
def nl_pct(value, digits=1):
    if value is None:
        return "–"
    return nl_num(value * 100, digits) + "%"


@register.filter
def nl_p(value):
    if value is None:
        return "–"
    return "< 0,001" if value < 0.001 else nl_num(value, 3)


@register.filter
def p_eq(value):
    """To follow "p ": "< 0,001" or "= 0,123"."""
    if value is None:
        return "–"
    return "< 0,001" if value < 0.001 else "= " + nl_num(value, 3)


@register.filter
def cell(value, column: str):
    """A table cell: shares (column ending in %) as a percentage, other floats with one decimal."""
    if isinstance(column, str) and column.endswith("%"):
        return nl_pct(value)
    if isinstance(value, float):
        return nl_num(value, 1)
    return nl_num(value) if isinstance(value, int) else ("–" if value is None else value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def zip_with(values, other):
    return list(zip(values, other, strict=False))
