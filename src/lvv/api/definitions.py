"""The definitions of the bases and indicators as the API publishes them (`GET /api/v1/indicatoren`,
and the descriptions in the OpenAPI document): the texts of `lvv.monitor.catalogue`, without their
Markdown code marks, in the catalogue's order."""

from __future__ import annotations

from collections.abc import Mapping

from lvv.monitor import catalogue
from lvv.monitor.catalogue import CatalogueView

BASES: Mapping[str, str] = CatalogueView(lambda: catalogue.BASES, lambda b: b.plain_definition)
INDICATORS: Mapping[str, str] = CatalogueView(lambda: catalogue.INDICATORS, lambda i: i.plain_definition)
