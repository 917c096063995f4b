"""Extracts of the chain partners (IND, DT&V) for the reconciliation (docs/ketenreconciliatie.md).

Only each partner's latest extract is kept: storing a new one deletes the older ones with their rows
(`reconcile.extract_store`). The rows hold the checked values, so the report can be computed again
whenever the registry changes, without the file."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainPartner(models.TextChoices):
    IND = "ind", _("IND")
    DTV = "dtv", _("DT&V")


class ChainExtract(models.Model):
    partner = models.CharField(_("ketenpartner"), max_length=10, choices=ChainPartner.choices)
    peildatum = models.DateField(_("peildatum"), help_text=_("De datum waarop de ketenpartner het extract trok."))
    file_name = models.CharField(_("bestandsnaam"), max_length=200)
    sha256 = models.CharField(_("SHA-256 van het bestand"), max_length=64)
    row_count = models.PositiveIntegerField(_("aantal regels"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("door")
    )
    uploaded_at = models.DateTimeField(_("ingelezen op"))

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("extract van een ketenpartner")
        verbose_name_plural = _("extracten van ketenpartners")

    def __str__(self) -> str:
        return f"{self.get_partner_display()}-extract van {self.peildatum:%Y-%m-%d}"


class ChainExtractRow(models.Model):
    """One row of an extract: the V-nummer, and the other checked values as JSON (ISO dates)."""

    extract = models.ForeignKey(ChainExtract, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("regel"))
    v_number = models.CharField(_("V-nummer"), max_length=10, db_index=True)
    values = models.JSONField(_("waarden"))

    class Meta:
        ordering = ["extract", "line"]
        verbose_name = _("regel van een extract")
        verbose_name_plural = _("regels van extracten")
        constraints = [models.UniqueConstraint(fields=["extract", "line"], name="unique_extract_line")]

    def __str__(self) -> str:
        return f"regel {self.line}"
