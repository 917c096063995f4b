"""Application facts, the admission criteria as data (national and per municipality), the admission
decision and the consent declaration."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckKind(models.TextChoices):
    """The checks lvv knows how to evaluate. Which ones apply, with which parameters and exceptions,
    is data (`CriterionRule`), edited by a functional administrator."""

    NO_HEAVY_ENTRY_BAN = "geen_zwaar_inreisverbod", _("Geen zwaar inreisverbod (10 jaar of langer)")
    NOT_UNDESIRABLE = "niet_ongewenstverklaard", _("Niet ongewenstverklaard")
    NOT_EU_CITIZEN = "geen_eu_burger", _("Geen EU-burger")
    NOT_DUBLIN = "geen_dublinclaimant", _("Geen Dublinclaimant")
    NOT_STATE_RECEPTION = "geen_recht_rijksopvang", _("Geen recht op Rijksopvang")
    REGIOBINDING = "regiobinding", _("Regiobinding")
    ADULT = "meerderjarig", _("Meerderjarig")
    NO_LONG_BBB_ELSEWHERE = "geen_langdurig_bbb_elders", _("Geen langdurig bed-bad-brood in een andere gemeente")
    WILLING_TO_COOPERATE = "bereid_mee_te_werken", _("Bereid mee te werken aan een duurzame oplossing")
    NOT_SAFE_COUNTRY = "geen_veilig_land", _("Niet uit een veilig land van herkomst")


class CriterionRule(models.Model):
    """One admission criterion. Without a municipality it is national and applies everywhere."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("gemeente"),
    )
    check_kind = models.CharField(_("toets"), max_length=40, choices=CheckKind.choices)
    label = models.CharField(_("omschrijving"), max_length=300)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    exception_possible = models.BooleanField(_("uitzondering mogelijk"), default=False)
    exception_by = models.CharField(_("uitzondering door"), max_length=200, blank=True)
    exception_conditions = models.CharField(_("voorwaarden uitzondering"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["municipality__name", "order", "id"]
        verbose_name = _("toelatingscriterium")
        verbose_name_plural = _("toelatingscriteria")

    def __str__(self) -> str:
        return self.label


class FirstApplicationType(models.TextChoices):
    ASIEL = "asiel", _("Asielaanvraag")
    REGULIER = "regulier", _("Reguliere aanvraag")
    GEEN = "geen", _("Nooit een aanvraag gedaan")
    ONBEKEND = "onbekend", _("Onbekend")


class Application(models.Model):
    """What the desk learns at the application; the criteria check reads it. `None` means unknown."""

    trajectory = models.OneToOneField("trajectories.Trajectory", on_delete=models.CASCADE, related_name="application")
    has_regiobinding = models.BooleanField(_("band met de regio"), null=True, blank=True)
    regiobinding_months = models.PositiveSmallIntegerField(_("regiobinding (maanden)"), null=True, blank=True)
    regiobinding_description = models.CharField(_("toelichting regiobinding"), max_length=500, blank=True)
    long_bbb_elsewhere = models.BooleanField(_("langdurig bed-bad-brood elders"), null=True, blank=True)
    willing_to_cooperate = models.BooleanField(_("bereid mee te werken"), null=True, blank=True)
    safe_country = models.BooleanField(_("veilig land van herkomst"), null=True, blank=True)
    vulnerable = models.BooleanField(_("kwetsbaar / humanitaire noodsituatie"), null=True, blank=True)
    first_application_type = models.CharField(
        _("eerste aanvraag"), max_length=20, choices=FirstApplicationType.choices, default=FirstApplicationType.ONBEKEND
    )
    referred_by = models.CharField(_("aangemeld via"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Aanmelding {self.trajectory_id}"


class AdmissionOutcome(models.TextChoices):
    TOEGELATEN = "toegelaten", _("Toegelaten")
    UITZONDERING = "uitzondering", _("Toegelaten als LSO-uitzondering")
    GEWEIGERD = "geweigerd", _("Geweigerd")


class AdmissionDecision(models.Model):
    trajectory = models.OneToOneField(
        "trajectories.Trajectory", on_delete=models.CASCADE, related_name="admission_decision"
    )
    outcome = models.CharField(_("besluit"), max_length=20, choices=AdmissionOutcome.choices)
    decided_on = models.DateField(_("datum besluit"))
    refusal_reason = models.TextField(_("reden weigering"), blank=True)
    exception_motivation = models.TextField(_("motivering uitzondering"), blank=True)
    lso_meeting_date = models.DateField(_("datum LSO"), null=True, blank=True)
    #: Admitted although the consent in force leaves out parties at the LSO table: the LSO's decision.
    consent_missing = models.CharField(_("toestemming ontbrak voor"), max_length=100, blank=True)
    consent_exception_motivation = models.TextField(_("motivering toelating zonder volledige toestemming"), blank=True)
    criteria_snapshot = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("toelatingsbesluit")
        verbose_name_plural = _("toelatingsbesluiten")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="geweigerd") | ~models.Q(refusal_reason=""),
                name="refusal_needs_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="uitzondering")
                | (~models.Q(exception_motivation="") & models.Q(lso_meeting_date__isnull=False)),
                name="exception_needs_motivation_and_meeting",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_missing="")
                | (~models.Q(consent_exception_motivation="") & models.Q(lso_meeting_date__isnull=False)),
                name="consent_exception_needs_motivation_and_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.decided_on})"


class Consent(models.Model):
    """The signed consent declaration: which party types may receive the participant's data."""

    trajectory = models.ForeignKey("trajectories.Trajectory", on_delete=models.CASCADE, related_name="consents")
    #: The trajectory's person (kept here so that "the person's latest declaration" is one lookup).
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="consents")
    #: The person's latest declaration over all his trajectories: the one that decides who may see
    #: him (`admissions.consent`). Exactly one per person that signed any, kept by `consent_record`.
    in_force = models.BooleanField(_("van kracht"), default=False)
    signed_on = models.DateField(_("datum ondertekening"))
    share_ngo = models.BooleanField(_("ngo's"), default=True)
    share_ind = models.BooleanField(_("IND"), default=False)
    share_dtv = models.BooleanField(_("DT&V"), default=False)
    share_avim = models.BooleanField(_("AVIM"), default=False)
    withdrawn_on = models.DateField(_("ingetrokken op"), null=True, blank=True)
    #: Withdrawal for one party type only (the rest of the declaration stays in force).
    ngo_withdrawn_on = models.DateField(_("ingetrokken voor ngo's op"), null=True, blank=True)
    ind_withdrawn_on = models.DateField(_("ingetrokken voor IND op"), null=True, blank=True)
    dtv_withdrawn_on = models.DateField(_("ingetrokken voor DT&V op"), null=True, blank=True)
    avim_withdrawn_on = models.DateField(_("ingetrokken voor AVIM op"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-signed_on", "-id"]
        verbose_name = _("toestemmingsverklaring")
        verbose_name_plural = _("toestemmingsverklaringen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gte=models.F("signed_on")),
                name="consent_withdrawn_after_signing",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(in_force=True), name="one_consent_in_force_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"Toestemming van {self.signed_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    def party_types(self) -> list[str]:
        """The party types this declaration still covers."""
        return [t for t in PARTY_TYPES if getattr(self, f"share_{t}") and getattr(self, f"{t}_withdrawn_on") is None]

    def withdrawn_parties(self) -> list[tuple[str, dt.date]]:
        """(party label, date) for every party type withdrawn on its own, for the trajectory page."""
        return [
            (PARTY_LABELS[t], getattr(self, f"{t}_withdrawn_on"))
            for t in PARTY_TYPES
            if getattr(self, f"{t}_withdrawn_on") is not None
        ]


PARTY_TYPES = ("ngo", "ind", "dtv", "avim")
PARTY_LABELS = {"ngo": "ngo's", "ind": "IND", "dtv": "DT&V", "avim": "AVIM"}
