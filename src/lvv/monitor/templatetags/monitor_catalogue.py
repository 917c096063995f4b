"""The monitor's catalogue of indicators for its templates."""

from __future__ import annotations

from django import template

from lvv.monitor import catalogue

register = template.Library()


@register.simple_tag
def monitor_indicators() -> list[catalogue.Indicator]:
    """Every indicator of the catalogue, in order: name, anchor, label, short text and definition."""
    return list(catalogue.INDICATORS.values())
