"""Regions, municipalities, organisations and users. A user's role follows from the type of the
organisation they work for plus a few flags (see `User.role`)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")

    def __str__(self) -> str:
        return self.name


def all_lso_parties() -> list[str]:
    """Default of `Municipality.lso_parties`: every party type a participant can consent to."""
    return [str(t) for t in CONSENT_PARTY_TYPES]


class Municipality(models.Model):
    """A gemeente. `has_lvv` marks the municipalities that run an LVV (the coordinating ones).
    `lso_parties`: the party types at its LSO table, for whom admission needs the participant's
    consent (or an LSO decision to admit without it; docs/access.md)."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    has_lvv = models.BooleanField(_("heeft een LVV"), default=True)
    lso_parties = models.JSONField(_("partijen aan tafel bij het LSO"), default=all_lso_parties, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    GEMEENTE = "gemeente", _("Gemeente")
    NGO = "ngo", _("Ngo")
    IND = "ind", _("IND")
    DTV = "dtv", _("DT&V")
    AVIM = "avim", _("AVIM")
    PROGRAMMABUREAU = "programmabureau", _("Programmabureau")


#: Party types a participant can consent to share data with (the municipality always has it).
CONSENT_PARTY_TYPES = [OrganisationType.NGO, OrganisationType.IND, OrganisationType.DTV, OrganisationType.AVIM]
CHAIN_PARTNER_TYPES = {OrganisationType.IND, OrganisationType.DTV, OrganisationType.AVIM}


class Organisation(models.Model):
    name = models.CharField(_("naam"), max_length=200, unique=True)
    type = models.CharField(_("soort"), max_length=20, choices=OrganisationType.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("Voor gemeenten en ngo's: de gemeente (LVV) waarvoor de organisatie werkt."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(type="gemeente") | models.Q(municipality__isnull=False),
                name="gemeente_organisation_has_municipality",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    GEMEENTE = "gemeente", _("Medewerker gemeente")
    LSO_VOORZITTER = "lso_voorzitter", _("Voorzitter LSO")
    NGO = "ngo", _("Medewerker ngo")
    IND = "ind", _("Medewerker IND")
    DTV = "dtv", _("Medewerker DT&V")
    AVIM = "avim", _("Medewerker AVIM")
    PROGRAMMABUREAU = "programmabureau", _("Medewerker programmabureau")
    GEEN = "geen", _("Geen rol")


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    is_lso_chair = models.BooleanField(_("voorzitter LSO"), default=False)
    is_functional_admin = models.BooleanField(_("functioneel beheerder"), default=False)

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    @property
    def role(self) -> str:
        """The role that decides access; without an organisation a user may do nothing."""
        if not self.is_active or self.organisation_id is None:
            return Role.GEEN
        org_type = self.organisation.type
        if org_type == OrganisationType.GEMEENTE and self.is_lso_chair:
            return Role.LSO_VOORZITTER
        return Role(org_type)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def municipality(self) -> Municipality | None:
        return self.organisation.municipality if self.organisation_id else None
