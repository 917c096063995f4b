"""The access log: every view or change of person data, who did it, when and why.

Append-only for the application: entries are only ever added, through `audit.chain.append`, which
links each entry to the previous one in a keyed hash chain (see `docs/logboek.md`). Saving an
existing entry, deleting one and queryset updates or deletes all refuse; a database trigger
refuses an UPDATE as well. Changing or deleting a row behind the application's back is found by
`lvv manage lvv_audit_verify`.

The fields follow the Logboek Dataverwerkingen standard where they fit: `trace_id`, `span_id`,
`view_name` (the operation name), `at` / `end_at` (start and end time), `status`,
`processing_activity` (dpl.core.processing_activity_id), `subject_pseudonym` and
`subject_id_type` (dpl.core.data_subject_id and its type)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The access log is append-only: an entry cannot be changed or removed."""

    def __init__(self, what: str = "wijzigen of verwijderen"):
        super().__init__(f"Het toegangslog is alleen-toevoegen: {what} kan niet.")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("regels bijwerken")

    def delete(self):
        raise AppendOnlyError("regels verwijderen")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("regels bijwerken")

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOnlyError("regels toevoegen buiten de keten om (gebruik lvv.audit.services)")

    def _chain_insert(self, objs):
        """The one way in, used by `audit.chain.append` under the chain lock."""
        return super().bulk_create(objs)

    def for_person(self, person_id: int):
        """Every entry about one person, found by pseudonym (as the log is meant to be searched)."""
        from .services import subject_pseudonym

        return self.filter(subject_pseudonym=subject_pseudonym(person_id))


class AccessLogEntry(models.Model):
    class Status(models.TextChoices):
        # Status codes of the standard (OpenTelemetry): unset, ok, error.
        UNSET = "unset", _("Niet gezet")
        OK = "ok", _("Uitgevoerd")
        ERROR = "error", _("Fout")

    #: Position in the hash chain: 1, 2, 3, … without gaps.
    seq = models.BigIntegerField(_("volgnummer"), unique=True)
    at = models.DateTimeField(_("tijdstip"), db_index=True)
    end_at = models.DateTimeField(_("eindtijd"), null=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    username = models.CharField(max_length=150)
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30)
    action = models.CharField(max_length=10, choices=[("lezen", _("Lezen")), ("wijzigen", _("Wijzigen"))])
    #: Keyed hash of the person's id: the log can be searched per person without naming them.
    subject_pseudonym = models.CharField(max_length=64, db_index=True)
    subject_id_type = models.CharField(max_length=40, default="lvv-persoon-hmac-sha256")
    #: The person's internal row id (never the V-nummer); kept for the application's own queries.
    person_id = models.BigIntegerField(null=True, db_index=True)
    path = models.CharField(max_length=500)
    view_name = models.CharField(max_length=200)
    #: The caller's own description of the access (e.g. "Uitvoering LVV: werklijst").
    purpose = models.CharField(_("doel"), max_length=200)
    processing_activity = models.CharField(_("verwerkingsactiviteit"), max_length=40, default="lvv-begeleiding")
    #: Fields read or submitted, comma-separated, where known.
    fields = models.TextField(_("velden"), blank=True)
    trace_id = models.CharField(max_length=32, blank=True)
    span_id = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("toegangslogregel")
        verbose_name_plural = _("toegangslog")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.view_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding or not self.entry_hash:
            raise AppendOnlyError("opslaan buiten de keten om (gebruik lvv.audit.services)")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("een regel verwijderen")


class AccessLogChain(models.Model):
    """The head of the hash chain: the last entry's number, id and hash. One row (pk 1); locked while
    an entry is appended, so concurrent writers take turns. It also lets the verify command notice
    rows removed from the end of the log."""

    last_seq = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64, blank=True)
    #: Set when the head had to be made again while the log already held entries (suspicious).
    rebuilt_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("kop van de logketen")

    def __str__(self) -> str:
        return f"logketen t/m volgnummer {self.last_seq}"
