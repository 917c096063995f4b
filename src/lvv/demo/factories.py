"""Factories for users and organisations, and builders that take a trajectory through the real
services (person_create → application_register → identity_check_record → consent_record →
admission_decide → …). Municipalities, the national organisations and the locations come from the
reference data (`lvv.demo.reference_data.load_reference_data`), so load that first."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from lvv.accounts.models import Municipality, Organisation, OrganisationType, User
from lvv.admissions.consent import consent_in_force, covered_parties
from lvv.admissions.services import admission_decide, application_register, consent_record, lso_table_parties
from lvv.people.services import identity_check_record, person_create
from lvv.shelter.models import Location
from lvv.trajectories.models import Trajectory
from lvv.trajectories.services import outflow_register

#: Default dates of the flow; all well in the past so no test needs to freeze the clock for them.
APPLICATION_DATE = dt.date(2022, 1, 3)
KIOSK_DATE = dt.date(2022, 1, 4)
CONSENT_DATE = dt.date(2022, 1, 5)
ADMISSION_DATE = dt.date(2022, 1, 10)

#: Application facts that meet every pilot municipality's criteria.
GOOD_FACTS = {
    "has_regiobinding": True,
    "regiobinding_months": 12,
    "long_bbb_elsewhere": False,
    "willing_to_cooperate": True,
    "safe_country": False,
}

_person_numbers = itertools.count(1)


def municipality(name: str) -> Municipality:
    return Municipality.objects.get(name=name)


def municipal_organisation(name: str) -> Organisation:
    return Organisation.objects.get(type=OrganisationType.GEMEENTE, municipality__name=name)


def national_organisation(org_type: str) -> Organisation:
    return Organisation.objects.get(type=org_type)


def location(municipality_name: str, name: str | None = None) -> Location:
    return Location.objects.get(municipality__name=municipality_name, name=name or municipality_name)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """An NGO by default; pass `municipality=`."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Stichting Opvang {n}")
    type = OrganisationType.NGO


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("geheim-wachtwoord")
    organisation = None


# --- building trajectories through the services ------------------------------------------------


def registered_trajectory(
    *,
    actor,
    municipality: Municipality | None = None,
    application_date: dt.date = APPLICATION_DATE,
    person=None,
    given_names: str = "Amir",
    family_name: str | None = None,
    birth_date: dt.date | None = dt.date(1990, 5, 1),
    country_of_origin: str = "IR",
    v_number: str = "",
    facts: dict | None = None,
    **person_fields,
) -> Trajectory:
    """Stage `aangemeld`: a person (new unless given) with an application."""
    if person is None:
        person = person_create(
            actor=actor,
            municipality=municipality or actor.municipality,
            given_names=given_names,
            family_name=family_name or f"Testpersoon{next(_person_numbers)}",
            birth_date=birth_date,
            country_of_origin=country_of_origin,
            v_number=v_number,
            **person_fields,
        )
    return application_register(
        actor=actor,
        person=person,
        application_date=application_date,
        **(GOOD_FACTS if facts is None else facts),
    )


def checked_trajectory(
    *, actor, kiosk_date: dt.date = KIOSK_DATE, findings: dict | None = None, **kwargs
) -> Trajectory:
    """Stage `in_toetsing`: registered, and the kiosk found nothing (unless `findings` says so)."""
    trajectory = registered_trajectory(actor=actor, **kwargs)
    identity_check_record(
        actor=actor,
        trajectory=trajectory,
        performed_on=kiosk_date,
        outcome="vingerafdrukken",
        **(findings or {}),
    )
    return Trajectory.objects.get(pk=trajectory.pk)


def consented_trajectory(
    *,
    actor,
    consent_date: dt.date = CONSENT_DATE,
    share_ngo: bool = True,
    share_ind: bool = False,
    share_dtv: bool = False,
    share_avim: bool = False,
    **kwargs,
) -> Trajectory:
    """Stage `in_toetsing` with a signed consent declaration."""
    trajectory = checked_trajectory(actor=actor, **kwargs)
    consent_record(
        actor=actor,
        trajectory=trajectory,
        signed_on=consent_date,
        share_ngo=share_ngo,
        share_ind=share_ind,
        share_dtv=share_dtv,
        share_avim=share_avim,
    )
    return trajectory


def lso_consent_exception(trajectory: Trajectory, decided_on: dt.date) -> dict:
    """The arguments of `admission_decide` for an LSO decision to admit although the consent in force
    leaves out parties at the municipality's table (none when it covers them all)."""

    covered = covered_parties(consent_in_force(trajectory.person_id))
    if all(p in covered for p in lso_table_parties(trajectory.municipality)):
        return {}
    return {
        "consent_exception_motivation": "Het LSO laat toe zonder toestemming voor elke partij aan tafel.",
        "lso_meeting_date": decided_on,
    }


def admitted_trajectory(*, actor, admission_date: dt.date = ADMISSION_DATE, decided_by=None, **kwargs) -> Trajectory:
    """Stage `toegelaten`: the whole admission flow through the services (with the LSO's decision to
    admit when the consent leaves out parties at the table, as the default NGO-only consent does)."""
    trajectory = consented_trajectory(actor=actor, **kwargs)
    admission_decide(
        actor=decided_by or actor,
        trajectory=trajectory,
        outcome="toegelaten",
        decided_on=admission_date,
        **lso_consent_exception(trajectory, admission_date),
    )
    return Trajectory.objects.get(pk=trajectory.pk)


def refused_trajectory(*, actor, decided_on: dt.date = ADMISSION_DATE, **kwargs) -> Trajectory:
    """Stage `geweigerd`."""
    trajectory = checked_trajectory(actor=actor, **kwargs)
    admission_decide(
        actor=actor,
        trajectory=trajectory,
        outcome="geweigerd",
        decided_on=decided_on,
        refusal_reason="Geen band met de regio.",
    )
    return Trajectory.objects.get(pk=trajectory.pk)


def outflowed_trajectory(
    *, actor, outflow_date: dt.date = dt.date(2022, 6, 1), outcome_code: str = "hasa", **kwargs
) -> Trajectory:
    """Stage `uitgestroomd`."""
    trajectory = admitted_trajectory(actor=actor, **kwargs)
    return outflow_register(actor=actor, trajectory=trajectory, outflow_date=outflow_date, outcome_code=outcome_code)
