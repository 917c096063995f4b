"""Keyed fingerprints for the national duplicate check (docs/duplicaatcontrole.md):
stable and keyed digests, the normalisation, keeping them in sync, the data migration and the
`lvv_refingerprint` command."""

import datetime as dt
import hashlib
import hmac
import importlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from lvv.demo import factories
from lvv.people import fingerprints
from lvv.people.duplicates import duplicate_check
from lvv.people.fingerprints import (
    Identity,
    digest,
    identity_fingerprints,
    key_id,
    normalise_name,
    normalise_v_number,
    person_identity,
)
from lvv.people.models import Person, PersonFingerprint
from lvv.people.services import person_update

KEY = "testsleutel"


# --- digests ---------------------------------------------------------------------------------------


def test_the_digest_is_hmac_sha256_of_the_kind_and_the_value_and_stable():
    """Pinned: changing the construction silently breaks every stored fingerprint (re-fingerprint)."""
    expected = "549ea09b5c5046966605b9c8cc177085482dd7e044ccbce01ddac6d1b5f88794"
    assert digest("v_number", "1234567890", key=KEY) == expected
    assert digest("v_number", "1234567890", key=KEY) == expected
    message = b"lvv-duplicaatcontrole/v1/v_number/1234567890"
    assert expected == hmac.new(KEY.encode(), message, hashlib.sha256).hexdigest()


def test_a_different_key_gives_a_different_digest_and_key_id():
    assert digest("v_number", "1234567890", key=KEY) != digest("v_number", "1234567890", key=KEY + "x")
    assert key_id(KEY) != key_id(KEY + "x")
    assert len(key_id(KEY)) == 16


def test_the_digest_is_not_the_plain_hash_of_the_v_number():
    """A plain hash of a 10-digit number is reversed by trying all 10^10 numbers; the keyed one is not."""
    plain = {hashlib.sha256(v.encode()).hexdigest() for v in ("1234567890", "v_number/1234567890")}
    assert digest("v_number", "1234567890", key=KEY) not in plain


def test_kinds_are_separated():
    assert digest("name_birth_date", "ali|1990-01-01", key=KEY) != digest("name_birth_year", "ali|1990-01-01", key=KEY)


def test_the_key_comes_from_the_settings(settings):
    settings.LVV_DUPLICATE_KEY = KEY
    assert digest("v_number", "1234567890") == digest("v_number", "1234567890", key=KEY)
    assert key_id() == key_id(KEY)


# --- normalisation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "José da Silva",
        "JOSE DA SILVA",
        "  jose   da\tsilva ",
        "da Silva, José",
        "Silva José da",
        "José-da-Silva",
        "Jośé da Šilva",
    ],
)
def test_name_normalisation_ignores_case_diacritics_spacing_punctuation_and_order(written):
    assert normalise_name(written) == "da jose silva"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("O'Brien", "obrien"),
        ("N’Diaye Awa", "awa ndiaye"),
        ("Søren Ødegård", "odegard soren"),
        ("Strauß", "strauss"),
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Ｍｏｈａｍｍｅｄ", "mohammed"),  # full-width letters (NFKD)
        ("Ali 2", "ali"),  # digits are not part of a name
        ("محمد علي", "علي محمد"),  # other scripts are kept (and sorted), not transliterated
        ("", ""),
        ("- .", ""),
    ],
)
def test_name_normalisation_cases(written, normalised):
    assert normalise_name(written) == normalised


def test_a_hyphenated_name_part_differs_from_the_joined_one():
    """Documented limit: "Al-Hassan" is two parts, "Alhassan" one."""
    assert normalise_name("Al-Hassan") != normalise_name("Alhassan")


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("1234567890", "1234567890"),
        (" 1234 567 890 ", "1234567890"),
        ("1234-567-890", "1234567890"),
        ("1234.567.890", "1234567890"),
        ("123456789", ""),
        ("12345678901", ""),
        ("V1234567890", ""),
        ("１２３４５６７８９０", ""),  # only ASCII digits, like the model's validator
        ("XABCDE2345", ""),  # retention's token of a V-nummer
        ("", ""),
    ],
)
def test_v_number_normalisation(written, normalised):
    assert normalise_v_number(written) == normalised


# --- what a person's fingerprints are ---------------------------------------------------------------


def test_fingerprints_of_an_identity():
    identity = Identity(
        v_number="1234 567 890", names=("Awa Ndiaye", "Awa Diop"), birth_date=dt.date(1991, 4, 2), birth_year=None
    )
    found = identity_fingerprints(identity, key=KEY)
    assert found == {
        ("v_number", digest("v_number", "1234567890", key=KEY)),
        ("name_birth_date", digest("name_birth_date", "awa ndiaye|1991-04-02", key=KEY)),
        ("name_birth_date", digest("name_birth_date", "awa diop|1991-04-02", key=KEY)),
        ("name_birth_year", digest("name_birth_year", "awa ndiaye|1991", key=KEY)),
        ("name_birth_year", digest("name_birth_year", "awa diop|1991", key=KEY)),
    }


def test_no_name_fingerprint_without_a_birth_date_or_year():
    assert identity_fingerprints(Identity(names=("Awa Ndiaye",)), key=KEY) == set()


@pytest.mark.parametrize(
    ("given", "family"),
    [("", "Persoon P-0001"), ("", "Persoon met V-nummer 1234567890"), ("", "Geanonimiseerd")],
)
def test_placeholder_names_get_no_name_fingerprint(given, family):
    """Two imported persons "Persoon P-0001" born the same year must not look like one person."""
    identity = person_identity(
        person_key="P-0001",
        given_names=given,
        family_name=family,
        birth_date=None,
        birth_year=1990,
        v_number="1234567890",
    )
    assert [kind for kind, _ in identity_fingerprints(identity, key=KEY)] == ["v_number"]


def test_an_anonymised_person_has_no_identity():
    assert (
        person_identity(
            person_key="anon-17",
            given_names="",
            family_name="Geanonimiseerd",
            birth_date=None,
            birth_year=1990,
            v_number="XABCDEFGHI",
        )
        is None
    )


def test_the_placeholders_are_the_ones_retention_and_the_import_write():
    from lvv.privacy import retention

    assert fingerprints.ANONYMOUS_NAME == retention.ANONYMOUS_NAME
    assert fingerprints.ANONYMOUS_KEY_PREFIX == retention.ANONYMOUS_KEY_PREFIX
    assert fingerprints.is_placeholder_name("", "Persoon met V-nummer 1234567890")


# --- kept in sync by the person services ---------------------------------------------------------------


def _stored(person) -> set[tuple[str, str]]:
    return set(PersonFingerprint.objects.filter(person=person).values_list("kind", "digest"))


def test_creating_a_person_stores_its_fingerprints(gemeente_user, amsterdam):
    person = factories.registered_trajectory(
        actor=gemeente_user,
        given_names="Awa",
        family_name="Ndiaye",
        birth_date=dt.date(1991, 4, 2),
        v_number="1234567890",
    ).person
    rows = PersonFingerprint.objects.filter(person=person)
    assert sorted(rows.values_list("kind", flat=True)) == ["name_birth_date", "name_birth_year", "v_number"]
    assert {r.municipality_id for r in rows} == {amsterdam.pk}
    assert {r.key_id for r in rows} == {key_id()}
    assert ("v_number", digest("v_number", "1234567890")) in _stored(person)
    # Nothing readable is stored.
    for row in rows:
        assert "1234567890" not in row.digest and "ndiaye" not in row.digest.lower()


def test_the_fingerprint_follows_a_v_number_change(gemeente_user, rotterdam):
    person = factories.registered_trajectory(actor=gemeente_user, v_number="1234567890").person
    person_update(actor=gemeente_user, person=person, v_number="2345678901")
    stored = _stored(person)
    assert ("v_number", digest("v_number", "2345678901")) in stored
    assert ("v_number", digest("v_number", "1234567890")) not in stored
    assert not duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890").found
    assert duplicate_check(municipality_id=rotterdam.pk, v_number="2345678901").other_lvv


def test_removing_the_v_number_removes_its_fingerprint(gemeente_user):
    person = factories.registered_trajectory(actor=gemeente_user, v_number="1234567890").person
    person_update(actor=gemeente_user, person=person, v_number="")
    assert not PersonFingerprint.objects.filter(person=person, kind="v_number").exists()


def test_the_fingerprints_follow_a_name_and_an_alias_change(gemeente_user, rotterdam):
    person = factories.registered_trajectory(
        actor=gemeente_user, given_names="Awa", family_name="Ndiaye", birth_date=dt.date(1991, 4, 2)
    ).person
    person_update(actor=gemeente_user, person=person, family_name="Diop", aliases=["Awa Sow"])
    born = {"birth_date": dt.date(1991, 4, 2)}
    assert not duplicate_check(municipality_id=rotterdam.pk, given_names="Awa", family_name="Ndiaye", **born).found
    assert duplicate_check(municipality_id=rotterdam.pk, given_names="Awa", family_name="Diop", **born).other_lvv
    assert duplicate_check(municipality_id=rotterdam.pk, given_names="Awa", family_name="Sow", **born).other_lvv


# --- the data migration ---------------------------------------------------------------------------------------


def test_the_migration_fills_the_fingerprints_of_existing_persons(gemeente_user, rotterdam_user, settings):
    one = factories.registered_trajectory(
        actor=gemeente_user,
        given_names="Awa",
        family_name="Ndiaye",
        birth_date=dt.date(1991, 4, 2),
        aliases=["Awa Sow"],
    ).person
    two = factories.registered_trajectory(actor=rotterdam_user, v_number="1234567890", birth_date=None).person
    expected = {p.pk: _stored(p) for p in (one, two)}
    assert all(expected.values())
    PersonFingerprint.objects.all().delete()  # as before the migration

    migration = importlib.import_module("lvv.people.migrations.0005_fill_fingerprints")
    state = MigrationLoader(connection).project_state(("people", "0005_fill_fingerprints"))
    migration.fill(state.apps, None)

    assert {p.pk: _stored(p) for p in (one, two)} == expected
    assert set(PersonFingerprint.objects.values_list("key_id", flat=True)) == {key_id(settings.LVV_DUPLICATE_KEY)}


def test_the_migration_reads_the_key_from_the_settings(gemeente_user, settings):
    person = factories.registered_trajectory(actor=gemeente_user, v_number="1234567890").person
    settings.LVV_DUPLICATE_KEY = "sleutel-van-de-productie"
    migration = importlib.import_module("lvv.people.migrations.0005_fill_fingerprints")
    migration.fill(MigrationLoader(connection).project_state(("people", "0005_fill_fingerprints")).apps, None)
    assert ("v_number", digest("v_number", "1234567890", key="sleutel-van-de-productie")) in _stored(person)


# --- lvv manage lvv_refingerprint ---------------------------------------------------------------------------------


def _run(*args) -> str:
    out = io.StringIO()
    call_command("lvv_refingerprint", *args, stdout=out)
    return out.getvalue()


def test_refingerprint_after_a_key_change(gemeente_user, rotterdam, settings):
    person = factories.registered_trajectory(
        actor=gemeente_user, given_names="Awa", family_name="Ndiaye", v_number="1234567890"
    ).person
    assert "De kenmerken zijn bij." in _run("--check")

    settings.LVV_DUPLICATE_KEY = "de-nieuwe-sleutel"
    assert not duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890").found
    with pytest.raises(CommandError) as raised:
        _run("--check")
    assert raised.value.returncode == 1
    assert set(PersonFingerprint.objects.values_list("key_id", flat=True)) != {key_id()}  # --check changed nothing

    output = _run()
    assert "3 kenmerken opnieuw gemaakt voor 1 personen." in output
    assert set(PersonFingerprint.objects.filter(person=person).values_list("key_id", flat=True)) == {key_id()}
    assert duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890").other_lvv
    assert "De kenmerken zijn bij." in _run("--check")
    for secret in ("Awa", "Ndiaye", "1234567890", person.person_key):
        assert secret not in output


def test_refingerprint_repairs_a_bulk_write_that_bypassed_the_services(gemeente_user, rotterdam):
    person = factories.registered_trajectory(actor=gemeente_user, v_number="1234567890").person
    Person.objects.filter(pk=person.pk).update(v_number="2345678901")  # like an import's bulk update
    with pytest.raises(CommandError):
        _run("--check")
    _run()
    assert duplicate_check(municipality_id=rotterdam.pk, v_number="2345678901").other_lvv
    assert not duplicate_check(municipality_id=rotterdam.pk, v_number="1234567890").found


def test_refingerprint_drops_the_fingerprints_of_an_anonymised_person(gemeente_user):
    person = factories.registered_trajectory(actor=gemeente_user, v_number="1234567890").person
    Person.objects.filter(pk=person.pk).update(
        person_key=f"anon-{person.pk}", given_names="", family_name="Geanonimiseerd", v_number="XABCDEFGHI"
    )
    _run()
    assert not _stored(person)
