"""The access log: every view or change of person data, who did it, when and why.

Append-only for the application. A write of person data adds its row inside its own transaction
(`audit.services.log_change`); the reads and refusals of a request are collected and added once at
the end of the request (`audit.middleware`). Adding a row is a plain INSERT: no lock, no chain.
Each row carries its own keyed MAC (`entry_hash`), so a changed row is found at once.

Tamper evidence over the whole log comes from sealing (`audit.sealing`, docs/adr/0004): the sealer
numbers the rows it has not sealed yet (`seq` 1, 2, 3, … without gaps, in the order it finds
them), adds them as leaves to a Merkle tree (RFC 9162) and stores a signed seal of the tree head
(`AccessLogSeal`). Setting `seq` once, from empty, is the only change a row ever gets; a database
trigger refuses every other UPDATE, also outside Django. `lvv audit-verify` names every changed
or removed row.

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
        raise AppendOnlyError("regels toevoegen buiten lvv.audit.services om")

    def _append(self, objs):
        """The one way in, used by `audit.records.insert` (rows with their MAC, not yet sealed)."""
        return super().bulk_create(objs)

    def for_person(self, person_id: int):
        """Every entry about one person, found by pseudonym (as the log is meant to be searched)."""
        from .records import subject_pseudonym

        return self.filter(subject_pseudonym=subject_pseudonym(person_id))

    def unsealed(self):
        return self.filter(seq__isnull=True)


class AccessLogEntry(models.Model):
    class Status(models.TextChoices):
        # Status codes of the standard (OpenTelemetry): unset, ok, error.
        UNSET = "unset", _("Niet gezet")
        OK = "ok", _("Uitgevoerd")
        ERROR = "error", _("Fout")

    #: Position in the sealed log (leaf number in the Merkle tree): 1, 2, 3, … without gaps, set once
    #: by the sealer. Empty while the row is not sealed yet.
    seq = models.BigIntegerField(_("volgnummer"), unique=True, null=True, blank=True)
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
    #: The path of the request without its query string: a search term never enters the log.
    path = models.CharField(max_length=500)
    view_name = models.CharField(max_length=200)
    #: The caller's own description of the access (e.g. "Uitvoering LVV: werklijst").
    purpose = models.CharField(_("doel"), max_length=200)
    processing_activity = models.CharField(_("verwerkingsactiviteit"), max_length=40, default="lvv-begeleiding")
    #: Fields read or submitted, comma-separated, where known (names, never values).
    fields = models.TextField(_("velden"), blank=True)
    trace_id = models.CharField(max_length=32, blank=True)
    span_id = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    #: HMAC-SHA256 (LVV_AUDIT_KEY) over the row's canonical content, computed before the insert.
    entry_hash = models.CharField(max_length=64)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("toegangslogregel")
        verbose_name_plural = _("toegangslog")
        indexes = [
            # The sealer's question, "which rows are not sealed yet", stays cheap on a long log.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_entry_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.view_name}"

    def save(self, *args, **kwargs):
        raise AppendOnlyError("opslaan buiten lvv.audit.services om")

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("een regel verwijderen")


class AccessLogSeal(models.Model):
    """A signed tree head: after this seal the sealed log holds `tree_size` rows (seq 1 … tree_size),
    whose Merkle tree (RFC 9162 §2.1) has `root_hash`. `frontier` is the list of the roots of the
    tree's perfect subtrees (the compact range), from which the next seal extends the tree without
    reading the old rows. `entry_ids` names the row ids of this seal's new leaves in seq order
    (ranges, e.g. "101-250,252"), so that a removed row is named by its id. `signature` is an
    Ed25519 signature (key derived from LVV_AUDIT_KEY) over `signed_content()`."""

    tree_size = models.BigIntegerField(_("aantal verzegelde regels"), unique=True)
    first_seq = models.BigIntegerField(_("eerste volgnummer"))
    root_hash = models.CharField(max_length=64)
    frontier = models.JSONField(default=list)
    entry_ids = models.TextField(blank=True)
    sealed_at = models.DateTimeField(_("verzegeld op"))
    #: Why this seal exists when not by the regular sealer (e.g. the conversion from the hash chain).
    note = models.TextField(_("toelichting"), blank=True)
    signature = models.CharField(max_length=128)

    objects = models.Manager()

    class Meta:
        ordering = ["tree_size"]
        verbose_name = _("zegel van het toegangslog")
        verbose_name_plural = _("zegels van het toegangslog")

    def __str__(self) -> str:
        return f"zegel t/m volgnummer {self.tree_size}"

    def save(self, *args, **kwargs):
        if not self._state.adding or not self.signature:
            raise AppendOnlyError("een zegel wijzigen of zonder handtekening opslaan")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("een zegel verwijderen")
