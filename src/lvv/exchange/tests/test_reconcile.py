"""The reconciliation rules on hand-built registries and extracts (no database): every category of
discrepancy, the V-nummer typo detection, the peildatum, and the extract checks (all or nothing)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from lvv.exchange.reconcile import (
    DTV,
    IND,
    DtvRecord,
    Extract,
    IndRecord,
    RegistryPerson,
    RegistryTrajectory,
    category_counts,
    extract_read,
    national_duplicates,
    reconcile,
    v_number_candidates,
)

D = dt.date
PEIL = D(2023, 1, 1)
_pks = itertools.count(1)


def traject(municipality="Amsterdam", *, applied, admitted=None, left=None, outcome="", decision="", decided=None):
    return dict(
        municipality=municipality,
        application=applied,
        admission=admitted,
        outflow=left,
        outcome=outcome,
        ind_decision=decision,
        ind_decision_date=decided,
    )


def person(v_number="", *trajectories, municipality="Amsterdam", key=None, **extra) -> RegistryPerson:
    pk = next(_pks)
    p = RegistryPerson(pk=pk, municipality=municipality, person_key=key or f"P{pk}", v_number=v_number, **extra)
    for i, t in enumerate(trajectories, start=1):
        p.trajectories.append(
            RegistryTrajectory(pk=pk * 100 + i, person_pk=pk, traject_id=f"{municipality[:3].upper()}-{pk}-{i}", **t)
        )
    return p


def ind(*rows, peildatum=PEIL) -> Extract:
    return Extract(IND, peildatum, [IndRecord(n, *r) for n, r in enumerate(rows, start=2)])


def dtv(*rows, peildatum=PEIL) -> Extract:
    return Extract(DTV, peildatum, [DtvRecord(n, *r) for n, r in enumerate(rows, start=2)])


def found(findings, category=None):
    return [(f.category, f.kind, f.v_number, f.traject_id) for f in findings if category in (None, f.category)]


ADMITTED = traject(applied=D(2021, 1, 4), admitted=D(2021, 1, 10))
KNOWN = ("asiel", "besloten", D(2015, 1, 1), D(2016, 1, 1), "afwijzing")


# --- V-numbers ------------------------------------------------------------------------------------


def test_v_number_unknown_to_the_ind_is_reported_for_its_municipality():
    a = person("1234567890", ADMITTED)
    b = person("5555555555", traject("Rotterdam", applied=D(2021, 2, 1)), municipality="Rotterdam")
    findings = reconcile([a, b], ind=ind(("1234567890", *KNOWN)))
    assert found(findings) == [("onbekend_bij_ind", "", "5555555555", "")]
    assert findings[0].municipality == "Rotterdam" and findings[0].person_pk == b.pk


def test_a_person_first_registered_after_the_peildatum_is_not_compared():
    late = person("5555555555", traject(applied=D(2023, 2, 1)))
    assert reconcile([late], ind=ind(("1234567890", *KNOWN))) == []


def test_one_digit_off_and_transposed_digits_are_probably_mistyped():
    known = {"1234567890", "9876543210"}
    assert v_number_candidates("1234567899", known) == [
        {"v_nummer": "1234567890", "reden": "één cijfer anders (positie 10)"}
    ]
    assert v_number_candidates("1243567890", known) == [
        {"v_nummer": "1234567890", "reden": "twee cijfers verwisseld (posities 3 en 4)"}
    ]
    assert v_number_candidates("1234567809", known) == [
        {"v_nummer": "1234567890", "reden": "twee cijfers verwisseld (posities 9 en 10)"}
    ]
    # Two digits off, or a swap of digits that are not neighbours: not a typo we can name.
    assert v_number_candidates("1234567811", known) == []
    assert v_number_candidates("1934567820", known) == []
    # A known number held by another person of the same municipality is not a candidate.
    assert v_number_candidates("1234567899", known, taken={"1234567890"}) == []


def test_mistyped_v_number_is_its_own_category_not_unknown():
    typo = person("1234567809", ADMITTED)
    other = person("7777777777", ADMITTED)
    findings = reconcile([typo, other], ind=ind(("1234567890", *KNOWN), ("1111111111", *KNOWN)))
    assert found(findings) == [
        ("vermoedelijk_verkeerd_v_nummer", "", "1234567809", ""),
        ("onbekend_bij_ind", "", "7777777777", ""),
    ]
    assert findings[0].candidates == [{"v_nummer": "1234567890", "reden": "twee cijfers verwisseld (posities 9 en 10)"}]
    assert "1234567890" in findings[0].message


def test_the_candidate_is_skipped_when_another_person_of_the_municipality_holds_it():
    typo = person("1234567899", ADMITTED)
    holder = person("1234567890", ADMITTED)
    findings = reconcile([typo, holder], ind=ind(("1234567890", *KNOWN)))
    assert found(findings) == [("onbekend_bij_ind", "", "1234567899", "")]


def test_malformed_v_numbers_are_reported_even_without_an_extract_and_get_candidates_from_the_ind():
    spaced = person("12345 6789", ADMITTED)  # legacy data: 9 digits and a space
    dotted = person("123.456.78", ADMITTED)
    assert found(reconcile([spaced, dotted])) == [
        ("ongeldig_v_nummer", "", "12345 6789", ""),
        ("ongeldig_v_nummer", "", "123.456.78", ""),
    ]
    findings = reconcile([spaced], ind=ind(("1234506789", *KNOWN)))
    assert findings[0].candidates == [{"v_nummer": "1234506789", "reden": "één cijfer ontbreekt"}]
    assert "bedoeld is waarschijnlijk 1234506789" in findings[0].message
    findings = reconcile([person("1234-5678-90", ADMITTED)], ind=ind(("1234567890", *KNOWN)))
    assert findings[0].candidates == [
        {"v_nummer": "1234567890", "reden": "dezelfde cijfers zonder spaties of leestekens"}
    ]


def test_persons_without_a_v_number_are_not_compared():
    assert reconcile([person("", ADMITTED)], ind=ind(("1234567890", *KNOWN)), dtv=dtv()) == []


# --- DT&V registrations ----------------------------------------------------------------------------


def test_admitted_trajectory_unknown_to_dtv():
    known = person("1111111111", ADMITTED)
    unknown = person("2222222222", ADMITTED)
    not_admitted = person("3333333333", traject(applied=D(2021, 1, 4)))
    after_peildatum = person("4444444444", traject(applied=D(2022, 12, 20), admitted=D(2023, 1, 5)))
    # Admitted less than 30 days before the peildatum: its registration may still be on its way.
    recent = person("5555555555", traject(applied=D(2022, 12, 1), admitted=D(2022, 12, 5)))
    extract = dtv(("1111111111", "lopend", D(2021, 1, 20)))
    findings = reconcile([known, unknown, not_admitted, after_peildatum, recent], dtv=extract)
    assert found(findings) == [("onbekend_bij_dtv", "", "2222222222", unknown.trajectories[0].traject_id)]


def test_trajectory_registered_at_dtv_only_after_its_outflow():
    late = person(
        "1111111111", traject(applied=D(2021, 1, 4), admitted=D(2021, 1, 10), left=D(2021, 6, 1), outcome="mob")
    )
    in_time = person(
        "2222222222", traject(applied=D(2021, 1, 4), admitted=D(2021, 1, 10), left=D(2021, 6, 1), outcome="mob")
    )
    findings = reconcile(
        [late, in_time],
        dtv=dtv(("1111111111", "afgesloten", D(2021, 7, 1)), ("2222222222", "afgesloten", D(2021, 6, 1))),
    )
    assert found(findings) == [("aangemeld_na_uitstroom", "", "1111111111", late.trajectories[0].traject_id)]
    assert "30 dagen later" in findings[0].message


def test_a_registration_belongs_to_the_trajectory_it_follows_across_municipalities():
    """The same V-nummer in Amsterdam (2021) and Rotterdam (2022) is one person: DT&V's 2021
    registration is Amsterdam's, so the Rotterdam trajectory is unknown to DT&V."""
    ams = person(
        "1111111111", traject(applied=D(2021, 1, 4), admitted=D(2021, 1, 10), left=D(2021, 6, 1), outcome="bbb")
    )
    rot = person(
        "1111111111", traject("Rotterdam", applied=D(2022, 1, 4), admitted=D(2022, 1, 10)), municipality="Rotterdam"
    )
    findings = reconcile([ams, rot], dtv=dtv(("1111111111", "afgesloten", D(2021, 2, 1))))
    assert found(findings) == [("onbekend_bij_dtv", "", "1111111111", rot.trajectories[0].traject_id)]
    assert findings[0].municipality == "Rotterdam"
    # A registration from before the first trajectory counts for the first one.
    findings = reconcile([ams], dtv=dtv(("1111111111", "afgesloten", D(2019, 2, 1))))
    assert found(findings) == []


# --- outcomes ---------------------------------------------------------------------------------------


OUTFLOW = D(2022, 3, 1)
BORN = D(1990, 5, 1)
APPLIED = D(2021, 1, 4)


def outflowed(outcome, left=OUTFLOW, **kwargs):
    return traject(applied=D(2021, 1, 4), admitted=D(2021, 1, 10), left=left, outcome=outcome, **kwargs)


def kinds(findings):
    return [f.kind for f in findings if f.category == "uitstroom_verschilt"]


def test_hasa_outflow_without_an_ind_application():
    p = person("1111111111", outflowed("hasa"))
    assert kinds(reconcile([p], ind=ind(("1111111111", *KNOWN)))) == ["aanvraag_onbekend_bij_ind"]
    # An application long before the stay does not count; one within 30 days after the outflow does.
    early = ("1111111111", "hasa", "besloten", D(2019, 1, 1), D(2019, 6, 1), "afwijzing")
    findings = reconcile([p], ind=ind(early))
    assert kinds(findings) == ["aanvraag_onbekend_bij_ind"] and "(wel op 2019-01-01)" in findings[0].message
    assert kinds(reconcile([p], ind=ind(("1111111111", "hasa", "in_behandeling", D(2022, 3, 20), None, "")))) == []


def test_article_64_outflow_needs_an_article_64_application_not_a_hasa():
    p = person("1111111111", outflowed("artikel_64"))
    hasa = ("1111111111", "hasa", "in_behandeling", D(2022, 2, 20), None, "")
    assert kinds(reconcile([p], ind=ind(hasa))) == ["aanvraag_onbekend_bij_ind"]
    art64 = ("1111111111", "artikel_64", "in_behandeling", D(2022, 2, 20), None, "")
    assert kinds(reconcile([p], ind=ind(art64))) == []


def test_decision_after_outflow_compared_with_the_ind():
    granted = ("1111111111", "hasa", "besloten", D(2022, 2, 20), D(2022, 6, 1), "inwilliging")
    pending = ("1111111111", "hasa", "in_behandeling", D(2022, 2, 20), None, "")
    says_rejected = person("1111111111", outflowed("hasa", decision="afwijzing", decided=D(2022, 6, 2)))
    says_granted = person("1111111111", outflowed("hasa", decision="inwilliging", decided=D(2022, 6, 2)))
    says_nothing = person("1111111111", outflowed("hasa"))
    assert kinds(reconcile([says_rejected], ind=ind(granted))) == ["besluit_verschilt"]
    assert kinds(reconcile([says_granted], ind=ind(granted))) == []
    assert kinds(reconcile([says_granted], ind=ind(pending))) == ["besluit_verschilt"]
    assert kinds(reconcile([says_nothing], ind=ind(granted))) == ["besluit_ontbreekt_in_register"]
    assert kinds(reconcile([says_nothing], ind=ind(pending))) == []


def test_granted_permit_unknown_to_the_ind():
    p = person("1111111111", outflowed("inwilliging"))
    assert kinds(reconcile([p], ind=ind(("1111111111", *KNOWN)))) == ["inwilliging_onbekend_bij_ind"]
    permit = ("1111111111", "regulier", "besloten", D(2021, 6, 1), D(2022, 2, 25), "inwilliging")
    assert kinds(reconcile([p], ind=ind(permit))) == []


def test_ind_application_around_an_outflow_recorded_for_another_reason():
    p = person("1111111111", outflowed("beeindigd_deelnemer"))
    near = ("1111111111", "hasa", "in_behandeling", D(2022, 2, 15), None, "")
    far = ("1111111111", "hasa", "besloten", D(2021, 6, 1), D(2021, 9, 1), "afwijzing")
    assert kinds(reconcile([p], ind=ind(near))) == ["aanvraag_niet_in_register"]
    assert kinds(reconcile([p], ind=ind(far))) == []


def test_permit_granted_while_the_trajectory_is_still_open():
    p = person("1111111111", ADMITTED)
    permit = ("1111111111", "hasa", "besloten", D(2021, 5, 1), D(2022, 5, 1), "inwilliging")
    assert kinds(reconcile([p], ind=ind(permit))) == ["inwilliging_traject_open"]


def test_departure_outflow_unknown_to_dtv_or_of_another_kind():
    registered = ("1111111111", "afgesloten", D(2021, 1, 20))
    departed = person("1111111111", outflowed("zelfstandig_vertrek"))
    assert kinds(reconcile([departed], dtv=dtv((*registered, None, "")))) == ["vertrek_onbekend_bij_dtv"]
    assert kinds(reconcile([departed], dtv=dtv((*registered, D(2022, 3, 5), "zelfstandig")))) == []
    findings = reconcile([departed], dtv=dtv((*registered, D(2022, 3, 5), "mob")))
    assert kinds(findings) == ["vertrekwijze_verschilt"]
    assert "vertrek met onbekende bestemming" in findings[0].message
    onward = person("1111111111", outflowed("doormigratie"))
    assert kinds(reconcile([onward], dtv=dtv((*registered, D(2022, 3, 5), "derde_land")))) == []
    assert kinds(reconcile([onward], dtv=dtv((*registered, D(2022, 3, 5), "zelfstandig")))) == [
        "vertrekwijze_verschilt"
    ]


def test_dtv_departure_around_an_outflow_recorded_for_another_reason():
    registered = ("1111111111", "afgesloten", D(2021, 1, 20))
    mob = person("1111111111", outflowed("mob"))
    assert kinds(reconcile([mob], dtv=dtv((*registered, D(2022, 3, 10), "zelfstandig")))) == [
        "vertrek_niet_in_register"
    ]
    assert kinds(reconcile([mob], dtv=dtv((*registered, D(2022, 3, 10), "mob")))) == []
    # Detention, then removal: no contradiction.
    detained = person("1111111111", outflowed("inbewaringstelling"))
    assert kinds(reconcile([detained], dtv=dtv((*registered, D(2022, 3, 10), "gedwongen")))) == []


def test_dtv_departure_while_the_trajectory_is_still_open():
    p = person("1111111111", ADMITTED)
    findings = reconcile([p], dtv=dtv(("1111111111", "afgesloten", D(2021, 1, 20), D(2022, 8, 1), "zelfstandig")))
    assert kinds(findings) == ["vertrek_traject_open"]
    assert findings[0].partner == DTV


def test_deaths_and_outflows_after_or_just_before_the_peildatum_are_not_compared():
    dead = person("1111111111", outflowed("overleden"))
    later = person("2222222222", outflowed("hasa", left=D(2023, 2, 1)))
    recent = person("3333333333", outflowed("zelfstandig_vertrek", left=D(2022, 12, 10)))
    extract = ind(("1111111111", *KNOWN), ("2222222222", *KNOWN), ("3333333333", *KNOWN))
    registered = dtv(*((v, "lopend", D(2021, 1, 20)) for v in ("1111111111", "2222222222", "3333333333")))
    assert reconcile([dead, later, recent], ind=extract, dtv=registered) == []
    # 30 days after the outflow the IND and DT&V have had their time: then it is compared.
    a_month_on = reconcile(
        [recent], ind=extract, dtv=dtv(("3333333333", "lopend", D(2021, 1, 20)), peildatum=D(2023, 1, 9))
    )
    assert kinds(a_month_on) == ["vertrek_onbekend_bij_dtv"]


def test_outcome_checks_skip_a_v_number_the_ind_does_not_know():
    """The person is reported once, as unknown (or mistyped); not again for every trajectory."""
    p = person("1111111111", outflowed("hasa"))
    assert found(reconcile([p], ind=ind(("9999999999", *KNOWN)))) == [("onbekend_bij_ind", "", "1111111111", "")]


def test_counts_say_not_compared_when_an_extract_is_missing():
    findings = reconcile([person("1111111111", ADMITTED)], ind=ind(("2222222222", *KNOWN)))
    counts = category_counts(findings, ind=True, dtv=False)
    assert counts["onbekend_bij_ind"] == 1
    assert counts["onbekend_bij_dtv"] is None and counts["aangemeld_na_uitstroom"] is None
    assert counts["uitstroom_verschilt_per_soort"]["vertrek_onbekend_bij_dtv"] is None
    assert counts["uitstroom_verschilt_per_soort"]["besluit_verschilt"] == 0


# --- duplicates (pure) ------------------------------------------------------------------------------


def named(v_number, name, municipality, birth=BORN, country="IR", applied=APPLIED, left=None):
    return person(
        v_number,
        traject(
            municipality,
            applied=applied,
            admitted=applied + dt.timedelta(days=5),
            left=left,
            outcome="mob" if left else "",
        ),
        municipality=municipality,
        names=(name,),
        birth_date=birth,
        country=country,
    )


def test_same_v_number_in_two_municipalities_is_one_duplicate_group():
    a = named("1111111111", "amir karimi", "Amsterdam", left=D(2021, 6, 1))
    b = named("1111111111", "amir karimi", "Rotterdam", applied=D(2022, 1, 4))
    c = named("2222222222", "someone else", "Utrecht")
    (group,) = national_duplicates([a, b, c])
    assert group.municipalities == ["Amsterdam", "Rotterdam"] and group.grounds == {"v_nummer"}
    assert not group.simultaneous


def test_probable_match_by_name_and_birth_date_for_persons_without_v_number():
    a = named("", "amir karimi", "Amsterdam")
    b = named("", "karimi amir", "Utrecht", applied=D(2021, 3, 1))  # swapped names
    c = named("", "amir karimy", "Groningen", birth=D(1991, 5, 1))  # other birth year
    d = named("3333333333", "amier karimi", "Eindhoven")  # typo, with a V-nummer: still a match
    e = named("", "amir karimi", "Amsterdam", birth=D(1990, 5, 2))  # same municipality: the local check's job
    (group,) = national_duplicates([a, b, c, d, e])
    assert group.municipalities == ["Amsterdam", "Eindhoven", "Utrecht"]
    assert group.grounds == {"naam_en_geboortedatum"} and 85 <= group.score < 100
    assert group.simultaneous  # the stays overlap: registered in two LVVs at once


def test_different_v_numbers_or_birth_dates_or_countries_are_different_people():
    a = named("1111111111", "amir karimi", "Amsterdam")
    b = named("2222222222", "amir karimi", "Rotterdam")
    c = named("", "amir karimi", "Utrecht", birth=D(1990, 6, 1))
    d = named("", "amir karimi", "Groningen", country="NG")
    assert [g.persons for g in national_duplicates([a, b])] == []
    assert national_duplicates([a, c]) == []
    assert national_duplicates([a, d]) == []


# --- reading an extract -----------------------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


IND_HEADER = "v_nummer,procedure,status,datum_aanvraag,datum_besluit,besluit\n"
DTV_HEADER = "v_nummer,dossier_status,datum_aanmelding_dtv,datum_vertrek,vertrekwijze\n"


def test_a_good_ind_extract_is_read(tmp_path):
    path = write(
        tmp_path,
        "ind.csv",
        IND_HEADER + "1234567890,hasa,besloten,2022-01-05,2022-04-01,inwilliging\n1234567891,geen,,,,\n",
    )
    reading = extract_read(path, partner=IND, peildatum=D(2022, 12, 31))
    assert reading.ok, reading.faults
    assert reading.records == [
        IndRecord(2, "1234567890", "hasa", "besloten", D(2022, 1, 5), D(2022, 4, 1), "inwilliging"),
        IndRecord(3, "1234567891", "geen"),
    ]
    assert len(reading.sha256) == 64


def test_a_bad_ind_extract_is_refused_whole_with_every_fault_by_line(tmp_path):
    path = write(
        tmp_path,
        "ind.csv",
        IND_HEADER
        + "1234567890,hasa,besloten,2022-01-05,2022-04-01,inwilliging\n"  # good
        + "12345,hasa,in_behandeling,2022-01-05,,\n"  # malformed V-nummer
        + "1234567891,asyl,besloten,2022-02-30,,\n"  # unknown procedure, impossible date, no decision
        + "1234567892,hasa,in_behandeling,2022-01-05,2022-03-01,afwijzing\n"  # decision without besloten
        + "1234567893,geen,besloten,,,\n"  # status with procedure geen
        + "1234567894,artikel_64,besloten,2022-05-01,2022-04-01,afwijzing\n"  # decided before applied
        + "1234567895,regulier,in_behandeling,2023-02-01,,\n"  # after the peildatum
        + "1234567890,hasa,besloten,2022-01-05,2022-04-01,inwilliging\n",  # twice
    )
    reading = extract_read(path, partner=IND, peildatum=D(2022, 12, 31))
    assert not reading.ok
    lines = [str(f) for f in reading.faults]
    assert lines == [
        "regel 3: v_nummer: Een V-nummer bestaat uit precies 10 cijfers. (gevonden: '12345')",
        "regel 4: procedure: onbekende waarde 'asyl'; kies uit: asiel, hasa, artikel_64, regulier, geen",
        "regel 4: datum_aanvraag: '2022-02-30' is geen bestaande datum in de vorm JJJJ-MM-DD",
        "regel 4: besluit: is verplicht bij status 'besloten'",
        "regel 5: besluit: hoort alleen bij status 'besloten'",
        "regel 6: status: moet leeg zijn bij procedure 'geen'",
        "regel 7: datum_besluit: 2022-04-01 ligt vóór datum_aanvraag (2022-05-01)",
        "regel 8: datum_aanvraag: 2023-02-01 ligt na de peildatum van het extract (2022-12-31)",
        "regel 9: procedure: dezelfde regel (1234567890, hasa, 2022-01-05) staat ook in regel 2",
    ]


def test_a_bad_dtv_extract_is_refused_with_every_fault(tmp_path):
    path = write(
        tmp_path,
        "dtv.csv",
        DTV_HEADER
        + "1234567890,lopend,2021-03-01,,\n"  # good
        + "1234567891,lopend,2021-03-01,2021-09-01,zelfstandig\n"  # departure, open dossier
        + "1234567892,afgesloten,,2021-09-01,\n"  # no registration date; date without kind
        + "1234567893,gesloten,2021-03-01,,per_boot\n",  # unknown status and kind
    )
    reading = extract_read(path, partner=DTV, peildatum=D(2022, 12, 31))
    assert [str(f) for f in reading.faults] == [
        "regel 3: dossier_status: een dossier met een vertrek is afgesloten: gebruik dossier_status 'afgesloten'",
        "regel 4: datum_aanmelding_dtv: is verplicht",
        "regel 4: vertrekwijze: is verplicht bij datum_vertrek",
        "regel 5: dossier_status: onbekende waarde 'gesloten'; kies uit: lopend, afgesloten",
        "regel 5: vertrekwijze: onbekende waarde 'per_boot'; kies uit: zelfstandig, gedwongen, derde_land, mob",
        "regel 5: datum_vertrek: is verplicht bij vertrekwijze",
    ]


def test_the_header_is_checked_and_the_partner_must_match(tmp_path):
    dtv_file = write(tmp_path, "dtv.csv", DTV_HEADER + "1234567890,lopend,2021-03-01,,\n")
    reading = extract_read(dtv_file, partner=IND, peildatum=D(2022, 12, 31))
    assert [str(f) for f in reading.faults] == [
        "regel 1: kopregel: de kolomnamen passen bij een DT&V-extract, niet bij een IND-extract"
    ]
    odd = write(tmp_path, "odd.csv", "v_nummer,procedure,status,datum_aanvraag,besluit,opmerking\n")
    assert [str(f) for f in extract_read(odd, partner=IND, peildatum=D(2022, 12, 31)).faults] == [
        "regel 1: datum_besluit: kolom ontbreekt in de kopregel",
        "regel 1: opmerking: onbekende kolom (formaat v1 kent haar niet)",
    ]
    unknown = write(tmp_path, "x.csv", "a,b\n1,2\n")
    assert "zie docs/ketenreconciliatie.md" in str(
        extract_read(unknown, partner=DTV, peildatum=D(2022, 1, 1)).faults[0]
    )
    missing = extract_read(tmp_path / "none.csv", partner=DTV, peildatum=D(2022, 1, 1))
    assert str(missing.faults[0]).startswith("regel 1: bestand: het bestand kan niet worden gelezen")


def test_the_peildatum_may_not_lie_in_the_future(tmp_path):
    path = write(tmp_path, "dtv.csv", DTV_HEADER + "1234567890,lopend,2021-03-01,,\n")
    reading = extract_read(path, partner=DTV, peildatum=dt.date.today() + dt.timedelta(days=2))
    assert [f.column for f in reading.faults] == ["peildatum"]


@pytest.mark.parametrize("partner", [IND, DTV])
def test_the_sample_extracts_are_valid(partner):
    from .helpers import EXAMPLES

    name = "ind-extract.csv" if partner == IND else "dtv-extract.csv"
    reading = extract_read(EXAMPLES / name, partner=partner, peildatum=D(2022, 12, 31))
    assert reading.ok, [str(f) for f in reading.faults]
    assert reading.records


def test_one_municipality_gets_the_same_findings_as_in_the_national_run():
    ams = person("1111111111", outflowed("bbb", left=D(2021, 6, 1)))
    rot = person(
        "1111111111", traject("Rotterdam", applied=D(2022, 1, 4), admitted=D(2022, 1, 10)), municipality="Rotterdam"
    )
    typo = person("2222222223", ADMITTED, municipality="Rotterdam")
    extracts = {
        "ind": ind(("1111111111", *KNOWN), ("2222222222", *KNOWN)),
        "dtv": dtv(("1111111111", "afgesloten", D(2021, 2, 1))),
    }
    national = reconcile([ams, rot, typo], **extracts)
    rotterdam = reconcile([ams, rot, typo], **extracts, municipality="Rotterdam")
    assert found(rotterdam) == found([f for f in national if f.municipality == "Rotterdam"])
    assert found(rotterdam) == [
        ("onbekend_bij_dtv", "", "1111111111", rot.trajectories[0].traject_id),
        ("vermoedelijk_verkeerd_v_nummer", "", "2222222223", ""),
    ]


def test_an_xlsx_extract_with_date_cells_is_read_like_csv(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["v_nummer", "dossier_status", "datum_aanmelding_dtv", "datum_vertrek", "vertrekwijze"])
    sheet.append(["1234567890", "Afgesloten", dt.datetime(2021, 3, 1), D(2021, 9, 1), "zelfstandig"])
    workbook.save(tmp_path / "dtv.xlsx")
    reading = extract_read(tmp_path / "dtv.xlsx", partner=DTV, peildatum=D(2022, 12, 31))
    assert reading.ok, [str(f) for f in reading.faults]
    assert reading.records == [DtvRecord(2, "1234567890", "afgesloten", D(2021, 3, 1), D(2021, 9, 1), "zelfstandig")]
