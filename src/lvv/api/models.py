"""API tokens: one per connected system of an organisation. Only a hash of the token is stored; the
token itself is shown once, when it is made (`lvv manage lvv_api_token`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("organisatie")
    )
    name = models.CharField(_("naam"), max_length=100, help_text=_("Welk systeem de token gebruikt."))
    #: The public part of the token (`lvv_<key_id>.<secret>`): recognisable in lists and logs.
    key_id = models.CharField(_("sleutel-id"), max_length=16, unique=True)
    #: SHA-256 of the whole token, hex. The token is 256 random bits, so a fast hash is enough.
    token_hash = models.CharField(max_length=64, unique=True)
    #: The account the token acts as: its organisation and role go into the access log. It has no
    #: usable password, so no one can log in with it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", verbose_name=_("account")
    )
    created_at = models.DateTimeField(_("aangemaakt"))
    revoked_at = models.DateTimeField(_("ingetrokken"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="api_token_unique_name_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.name} (lvv_{self.key_id}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
