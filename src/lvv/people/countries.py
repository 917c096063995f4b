"""Countries of origin: ISO 3166-1 alpha-2 (names from django-countries, translated) plus
"staatloos" and "onbekend"."""

from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import STATELESS, UNKNOWN_COUNTRY


def country_choices() -> list[tuple[str, str]]:
    return [(UNKNOWN_COUNTRY, _("Onbekend")), (STATELESS, _("Staatloos")), *[(c.code, c.name) for c in countries]]


def is_valid_country(code: str) -> bool:
    return code in (STATELESS, UNKNOWN_COUNTRY) or code in dict(countries)


def country_name(code: str) -> str:
    if code == STATELESS:
        return str(_("Staatloos"))
    if code == UNKNOWN_COUNTRY:
        return str(_("Onbekend"))
    return str(dict(countries).get(code, code))
