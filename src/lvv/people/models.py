"""A person as registered by one LVV, with aliases and identity checks at the kiosk.

A person record belongs to the municipality that registered it: another LVV never reads it. The
same human being registered in two LVVs has two records; they are linked for the monitor and the
duplicate check by V-nummer (and, more weakly, by name, birth date and country)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

V_NUMBER_VALIDATOR = RegexValidator(r"^[0-9]{10}\Z", _("Een V-nummer bestaat uit precies 10 cijfers."))


class Sex(models.TextChoices):
    MAN = "man", _("Man")
    VROUW = "vrouw", _("Vrouw")
    ANDERS = "anders", _("Anders")
    ONBEKEND = "onbekend", _("Onbekend")


#: Country codes beside ISO 3166-1 alpha-2.
STATELESS = "staatloos"
UNKNOWN_COUNTRY = "onbekend"


class Person(models.Model):
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, related_name="persons", verbose_name=_("gemeente")
    )
    person_key = models.CharField(
        _("persoonsnummer gemeente"), max_length=40, help_text=_("De eigen sleutel van de gemeente.")
    )
    given_names = models.CharField(_("voornamen"), max_length=200, blank=True)
    family_name = models.CharField(_("achternaam"), max_length=200)
    birth_date = models.DateField(_("geboortedatum"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("geboortejaar"), null=True, blank=True)
    sex = models.CharField(_("geslacht"), max_length=10, choices=Sex.choices, default=Sex.ONBEKEND)
    country_of_origin = models.CharField(_("land van herkomst"), max_length=10, default=UNKNOWN_COUNTRY)
    languages = models.CharField(_("talen"), max_length=200, blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=40, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    address = models.CharField(_("adres of verblijfplaats"), max_length=300, blank=True)
    v_number = models.CharField(
        _("V-nummer"), max_length=10, blank=True, validators=[V_NUMBER_VALIDATOR], db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: Optimistic locking: raised by every service write (lvv.core.concurrency.save_checked).
    version = models.PositiveIntegerField(_("versie"), default=0, editable=False)

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "person_key"], name="unique_person_key"),
            models.UniqueConstraint(
                fields=["municipality", "v_number"],
                condition=~models.Q(v_number=""),
                name="unique_v_number_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}".strip()

    @property
    def known_birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year


class Alias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("naam"), max_length=300)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliassen")

    def __str__(self) -> str:
        return self.name


class KioskOutcome(models.TextChoices):
    FINGERPRINTS = "vingerafdrukken", _("Gevonden op vingerafdrukken")
    V_NUMBER = "v_nummer", _("Gevonden op V-nummer")
    NO_RECORD = "geen_registratie", _("Geen registratie gevonden")
    NOT_TAKEN = "niet_afgenomen", _("Niet afgenomen")


class IdentityCheck(models.Model):
    """The identity check at the aanmeldzuil, recorded as performed (lvv does not run it)."""

    trajectory = models.ForeignKey("trajectories.Trajectory", on_delete=models.CASCADE, related_name="identity_checks")
    performed_on = models.DateField(_("datum"))
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=KioskOutcome.choices)
    not_taken_reason = models.CharField(_("reden niet afgenomen"), max_length=300, blank=True)
    heavy_entry_ban = models.BooleanField(_("zwaar inreisverbod"), default=False)
    declared_undesirable = models.BooleanField(_("ongewenstverklaard"), default=False)
    dublin_claimant = models.BooleanField(_("Dublinclaimant"), default=False)
    eu_citizen = models.BooleanField(_("EU-burger"), default=False)
    entitled_state_reception = models.BooleanField(_("recht op Rijksopvang"), default=False)
    registered_other_lvv = models.BooleanField(_("al ingeschreven bij een andere LVV"), default=False)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    FINDINGS = (
        "heavy_entry_ban",
        "declared_undesirable",
        "dublin_claimant",
        "eu_citizen",
        "entitled_state_reception",
        "registered_other_lvv",
    )

    class Meta:
        ordering = ["-performed_on", "-id"]
        verbose_name = _("identiteitscontrole")
        verbose_name_plural = _("identiteitscontroles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="niet_afgenomen") | ~models.Q(not_taken_reason=""),
                name="kiosk_not_taken_needs_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.performed_on})"

    def findings(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FINDINGS if getattr(self, f)]


class FingerprintKind(models.TextChoices):
    """The signals of the national duplicate check, strongest first (docs/duplicaatcontrole.md)."""

    V_NUMBER = "v_number", _("V-nummer")
    NAME_BIRTH_DATE = "name_birth_date", _("naam en geboortedatum")
    NAME_BIRTH_YEAR = "name_birth_year", _("naam en geboortejaar")


class PersonFingerprint(models.Model):
    """A keyed hash (HMAC-SHA256 with `LVV_DUPLICATE_KEY`) of one identifying fact of a person.

    The national duplicate check compares these digests only, so it never reads another LVV's
    person. Kept in sync by `people.services` (`fingerprints.fingerprints_sync`); rebuilt for all
    persons by `lvv manage lvv_refingerprint` (after a key change)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="fingerprints")
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=FingerprintKind.choices)
    digest = models.CharField(max_length=64, db_index=True)
    #: Which key made the digest (a keyed hash of a constant): digests of another key never match.
    key_id = models.CharField(max_length=16)

    class Meta:
        # Not "vingerafdruk": that word means the biometric fingerprints taken at the kiosk.
        verbose_name = _("pseudoniem kenmerk (duplicaatcontrole)")
        verbose_name_plural = _("pseudonieme kenmerken (duplicaatcontrole)")
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="unique_person_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.digest[:12]}…"
