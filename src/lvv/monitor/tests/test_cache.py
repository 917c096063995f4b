"""The monitor's cache (lvv.monitor.content.cached_content): the same question of the same registry
is computed once; any write to the registry — through a service, a capacity change — computes anew."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings

from lvv.demo import factories
from lvv.monitor import content as monitor_content
from lvv.shelter.models import CapacityPeriod
from lvv.trajectories.services import outflow_register

MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "monitor-test"}}
QUESTION = {
    "peildatum": dt.date(2022, 12, 31),
    "basis": "trajecten",
    "quarters": 4,
    "published": False,
    "show": None,
    "charts": False,
}


@pytest.fixture
def counted(monkeypatch):
    """Counts the real computations behind the cache."""
    calls = []
    real = monitor_content.build_content

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(monitor_content, "build_content", counting)
    with override_settings(CACHES=MEMORY):
        cache.clear()
        yield calls
        cache.clear()


def test_the_same_question_of_the_same_registry_is_computed_once(counted, gemeente_user):
    factories.admitted_trajectory(actor=gemeente_user)
    first = monitor_content.cached_content(**QUESTION)
    second = monitor_content.cached_content(**QUESTION)
    assert len(counted) == 1
    assert second.report == first.report
    monitor_content.cached_content(**{**QUESTION, "basis": "personen"})  # another question
    assert len(counted) == 2


def test_a_write_to_the_registry_computes_the_monitor_anew(counted, gemeente_user):
    trajectory = factories.admitted_trajectory(actor=gemeente_user)
    before = monitor_content.cached_content(**QUESTION)
    outflow_register(actor=gemeente_user, trajectory=trajectory, outflow_date=dt.date(2022, 6, 1), outcome_code="hasa")
    after = monitor_content.cached_content(**QUESTION)
    assert len(counted) == 2
    assert before.report["landelijk"] != after.report["landelijk"]

    period = CapacityPeriod.objects.create(
        location=factories.location("Amsterdam"), places=10, valid_from=dt.date(2020, 1, 1)
    )
    monitor_content.cached_content(**QUESTION)
    assert len(counted) == 3
    CapacityPeriod.objects.filter(pk=period.pk).update(places=12)  # a change in place, same row
    monitor_content.cached_content(**QUESTION)
    assert len(counted) == 4
    monitor_content.cached_content(**QUESTION)
    assert len(counted) == 4


def test_a_note_or_document_which_no_figure_counts_keeps_the_cached_monitor(counted, gemeente_user):
    from lvv.trajectories.services import note_add

    trajectory = factories.admitted_trajectory(actor=gemeente_user)
    monitor_content.cached_content(**QUESTION)
    note_add(actor=gemeente_user, trajectory=trajectory, text="Gesprek gehad.", visibility="lso")
    monitor_content.cached_content(**QUESTION)
    assert len(counted) == 1


def test_an_unwritable_cache_still_answers(gemeente_user, tmp_path, monkeypatch):
    """A cache folder that cannot be written (e.g. a read-only var folder) costs speed, not the page."""
    factories.admitted_trajectory(actor=gemeente_user)
    folder = tmp_path / "cache"
    folder.write_text("a file where the folder should be")
    files = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(folder)}}
    with override_settings(CACHES=files):
        content = monitor_content.cached_content(**QUESTION)
    assert content.report["landelijk"]
