"""Who may call which API endpoint, by the type of the token's organisation (deny unless allowed).

The API holds no person-level reads; what it guards is who may deliver for which municipality and
who may read the monitor's figures. The rules follow the roles of docs/access.md:

- deliveries (trajectories and capacity): municipalities only, and only for their own municipality
  (a row for another municipality makes the whole delivery 403);
- the monitor: the programmabureau (national coordination: every municipality) and municipalities
  (the national figures and their own municipality; another municipality is 403). NGOs and the
  chain partners (IND, DT&V, AVIM) get 403: the monitor is compiled for the programmabureau and the
  municipalities (docs/access.md, "The monitor"), and its figures per municipality are not
  suppressed for small cells;
- reference data (municipalities, indicator definitions): every organisation.
"""

from __future__ import annotations

from lvv.accounts.models import Organisation, OrganisationType

DELIVERING_TYPES = frozenset({OrganisationType.GEMEENTE})
MONITOR_NATIONAL_TYPES = frozenset({OrganisationType.PROGRAMMABUREAU})
MONITOR_OWN_MUNICIPALITY_TYPES = frozenset({OrganisationType.GEMEENTE})


def may_deliver(organisation: Organisation) -> bool:
    return organisation.type in DELIVERING_TYPES and organisation.municipality_id is not None


def may_deliver_for(organisation: Organisation, municipality_name: str) -> bool:
    """`municipality_name` as registered (the caller resolves the delivered spelling first)."""
    return may_deliver(organisation) and organisation.municipality.name == municipality_name


def may_read_monitor(organisation: Organisation) -> bool:
    return organisation.type in MONITOR_NATIONAL_TYPES | MONITOR_OWN_MUNICIPALITY_TYPES


def monitor_municipality(organisation: Organisation) -> str | None:
    """The one municipality whose figures the organisation may see, or None for all of them."""
    if organisation.type in MONITOR_NATIONAL_TYPES:
        return None
    return organisation.municipality.name
