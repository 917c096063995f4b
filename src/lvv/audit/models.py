"""The access log: every view or change of person data, who did it and why.

Append-only for the application: rows are only ever created (see `audit.services`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogEntry(models.Model):
    at = models.DateTimeField(_("tijdstip"), db_index=True)
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    username = models.CharField(max_length=150)
    organisation = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30)
    action = models.CharField(max_length=10, choices=[("lezen", _("Lezen")), ("wijzigen", _("Wijzigen"))])
    #: Keyed hash of the person's id: the log can be searched per person without naming them.
    subject_pseudonym = models.CharField(max_length=64, db_index=True)
    person_id = models.BigIntegerField(null=True, db_index=True)
    path = models.CharField(max_length=500)
    view_name = models.CharField(max_length=200)
    purpose = models.CharField(_("doel"), max_length=200)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("toegangslogregel")
        verbose_name_plural = _("toegangslog")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.view_name}"
