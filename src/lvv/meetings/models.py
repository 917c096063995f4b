"""Case progress: LSO meetings with their agenda, decisions and minutes; the guidance scenario
(begeleidingsscenario) with sub-deadlines; terms of stay; escalation to the MRT; and the
per-municipality settings that drive the signals."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lvv.core.crypto import EncryptedTextField


class ProgressPolicy(models.Model):
    """Per municipality: terms of stay and the thresholds of the signals (all configurable)."""

    municipality = models.OneToOneField(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="progress_policy"
    )
    max_stay_months = models.PositiveSmallIntegerField(_("maximale verblijfsduur (maanden)"), null=True, blank=True)
    entry_ban_max_stay_months = models.PositiveSmallIntegerField(
        _("maximale verblijfsduur bij zwaar inreisverbod (maanden)"), null=True, blank=True
    )
    warning_weeks = models.PositiveSmallIntegerField(_("waarschuwing vóór einde termijn (weken)"), default=4)
    no_perspective_weeks = models.PositiveSmallIntegerField(_("signaal: geen perspectief na (weken)"), default=12)
    not_discussed_weeks = models.PositiveSmallIntegerField(_("signaal: niet besproken in (weken)"), default=12)
    stuck_weeks = models.PositiveSmallIntegerField(_("vastgelopen: geen voortgang in (weken)"), default=16)
    deciding_escalation = models.BooleanField(_("beslissend escalatieniveau ingeschakeld"), default=False)

    class Meta:
        verbose_name = _("voortgangsinstellingen")
        verbose_name_plural = _("voortgangsinstellingen")

    def __str__(self) -> str:
        return f"Voortgangsinstellingen {self.municipality}"


class MeetingKind(models.TextChoices):
    LSO = "lso", _("LSO (alle partijen)")
    CLUSTER = "cluster", _("Cluster / klein overleg")
    THEMATISCH = "thematisch", _("Thematisch overleg")
    STUURGROEP = "stuurgroep", _("Stuurgroep")


class Meeting(models.Model):
    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("soort overleg"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.LSO)
    date = models.DateField(_("datum"))
    theme = models.CharField(_("thema"), max_length=200, blank=True)
    chair = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="chaired_meetings", verbose_name=_("voorzitter")
    )
    present = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="meetings_attended", verbose_name=_("aanwezig")
    )
    closed = models.BooleanField(_("afgesloten"), default=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("overleg")
        verbose_name_plural = _("overleggen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.municipality} {self.date:%Y-%m-%d}"


class AgendaReason(models.TextChoices):
    STEP_DUE = "deeltermijn", _("Deeltermijn verlopen: evaluatie")
    TERM_EXPIRING = "termijn", _("Verblijfstermijn loopt af")
    TERM_EXPIRED = "termijn_verlopen", _("Verblijfstermijn verlopen zonder besluit")
    NO_PERSPECTIVE = "geen_perspectief", _("Nog geen perspectief")
    NOT_DISCUSSED = "niet_besproken", _("Lang niet besproken")
    ESCALATION = "escalatie", _("Advies escalatie terug")
    ADMISSION = "toelating", _("Aanmelding: besluit nodig")
    MANUAL = "handmatig", _("Handmatig toegevoegd")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    trajectory = models.ForeignKey("trajectories.Trajectory", on_delete=models.PROTECT, related_name="agenda_items")
    reason = models.CharField(_("reden"), max_length=30, choices=AgendaReason.choices)
    detail = models.CharField(_("toelichting"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("agendapunt")
        verbose_name_plural = _("agendapunten")
        constraints = [models.UniqueConstraint(fields=["meeting", "trajectory"], name="one_item_per_trajectory")]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.trajectory}"


class DecisionKind(models.TextChoices):
    ADMISSION_EXCEPTION = "uitzondering_toelating", _("Uitzondering op de toelatingscriteria")
    PERSPECTIVE = "perspectief", _("Perspectief")
    SCENARIO = "scenario", _("Begeleidingsscenario vastgesteld of gewijzigd")
    EXTENSION = "verlenging", _("Verlenging van het verblijf")
    TERMINATION = "beeindiging", _("Beëindiging van de opvang")
    ESCALATION = "escalatie", _("Escalatie naar het MRT")
    STEP_SET = "deeltermijn_gezet", _("Deeltermijn vastgesteld")
    STEP_REVIEW = "deeltermijn_evaluatie", _("Deeltermijn geëvalueerd")
    STEP_WAIVED = "deeltermijn_vervallen", _("Stap laten vervallen")
    NO_AGREEMENT = "geen_overeenstemming", _("Geen overeenstemming")
    BINDING = "bindend_besluit", _("Bindend besluit beslisniveau")


class TerminationReason(models.TextChoices):
    NON_COOPERATION = "geen_medewerking", _("Geen medewerking")
    OTHER = "anders", _("Anders")


class DelayCause(models.TextChoices):
    """The review question the evaluators propose when a sub-deadline passes."""

    NON_COOPERATION = "geen_medewerking", _("Deelnemer werkte niet mee")
    MORE_GUIDANCE = "meer_begeleiding", _("Deelnemer heeft meer begeleiding nodig")
    OUTSIDE_PARTY = "externe_partij", _("Een externe partij (ambassade, rechter, IND) handelde niet")
    ON_TRACK = "op_schema", _("Geen vertraging")


class StuckCause(models.TextChoices):
    MEDICAL = "medisch", _("Medisch")
    IDENTITY = "identiteit", _("Identiteit of nationaliteit")
    COUNTRY = "land_werkt_niet_mee", _("Land van herkomst werkt niet mee")
    NO_GROUND = "geen_grond_geen_terugkeer", _("Geen verblijfsgrond en terugkeer niet mogelijk")
    NON_COOPERATION = "geen_medewerking", _("Geen medewerking deelnemer")
    OUTSIDE_PARTY = "wacht_op_externe_partij", _("Wacht op een externe partij")


class Decision(models.Model):
    """A typed LSO decision. Its effect on the trajectory is applied by `meetings.services`."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    trajectory = models.ForeignKey("trajectories.Trajectory", on_delete=models.PROTECT, related_name="lso_decisions")
    kind = models.CharField(_("soort besluit"), max_length=30, choices=DecisionKind.choices)
    summary = models.TextField(_("toelichting"), blank=True)
    perspective = models.CharField(_("perspectief"), max_length=20, blank=True)
    perspective_status = models.CharField(_("status perspectief"), max_length=20, blank=True)
    extended_until = models.DateField(_("verlengd tot en met"), null=True, blank=True)
    termination_reason = models.CharField(
        _("reden beëindiging"), max_length=30, choices=TerminationReason.choices, blank=True
    )
    positions = models.TextField(_("standpunten van de partijen"), blank=True)
    delay_cause = models.CharField(_("oorzaak vertraging"), max_length=30, choices=DelayCause.choices, blank=True)
    stuck_cause = models.CharField(_("reden vastgelopen"), max_length=30, choices=StuckCause.choices, blank=True)
    step = models.ForeignKey(
        "meetings.ScenarioStep", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    #: The sub-deadline this decision set: of a new step, or the new one of a reviewed step. Kept here
    #: because the step's own due date moves on with later reviews.
    due_date = models.DateField(_("deeltermijn volgens dit besluit"), null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting__date", "id"]
        verbose_name = _("besluit")
        verbose_name_plural = _("besluiten")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.trajectory})"


class MinutesVisibility(models.TextChoices):
    """The classes of `lvv.trajectories.models.Visibility` that minutes can have."""

    LSO = "lso", _("Alle partijen aan tafel")
    KETEN = "keten", _("Gemeente en ketenpartners aan tafel")
    ORGANISATIE = "organisatie", _("Alleen eigen organisatie")


class Minutes(models.Model):
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="minutes")
    #: Encrypted at rest (case discussions hold medical and criminal-record information).
    text = EncryptedTextField(_("verslag"))
    visibility = models.CharField(_("zichtbaarheid"), max_length=20, choices=MinutesVisibility.choices)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("verslag")
        verbose_name_plural = _("verslagen")

    def __str__(self) -> str:
        return f"Verslag bij {self.agenda_item}"


class StepStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "gereed", _("Gereed")
    WAIVED = "vervallen", _("Vervallen")


class StepTemplate(models.Model):
    """A reusable scenario step per perspective (reference data, editable)."""

    perspective = models.CharField(_("perspectief"), max_length=20)
    description = models.CharField(_("stap"), max_length=300)
    responsible_type = models.CharField(_("verantwoordelijke partij"), max_length=20)
    due_after_days = models.PositiveSmallIntegerField(_("termijn (dagen)"), default=90)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["perspective", "order"]
        verbose_name = _("sjabloonstap")
        verbose_name_plural = _("sjabloonstappen")

    def __str__(self) -> str:
        return self.description


class ScenarioStep(models.Model):
    """One step of a trajectory's guidance scenario, with its sub-deadline (deeltermijn).

    "Overdue" is not stored: an open step whose due date has passed (by `core.clock`) is overdue."""

    trajectory = models.ForeignKey("trajectories.Trajectory", on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(_("stap"), max_length=300)
    responsible = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="scenario_steps",
        verbose_name=_("verantwoordelijk"),
    )
    due_date = models.DateField(_("deeltermijn"))
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.OPEN)
    done_on = models.DateField(_("gereed op"), null=True, blank=True)
    waiver_reason = models.TextField(_("reden vervallen"), blank=True)
    last_reviewed_on = models.DateField(_("laatst geëvalueerd"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    # Not stored: set on the steps a page shows (`selectors.trajectory_progress`, the meeting item view).
    is_late: bool
    may_complete: bool

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("scenariostap")
        verbose_name_plural = _("scenariostappen")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="vervallen") | ~models.Q(waiver_reason=""), name="waiver_needs_reason"
            )
        ]

    def __str__(self) -> str:
        return self.description


class EscalationLevel(models.TextChoices):
    MRT = "mrt", _("MRT (advies)")
    DECIDING = "beslisniveau", _("Beslissend niveau (knopendoorhakteam)")


class Escalation(models.Model):
    trajectory = models.ForeignKey("trajectories.Trajectory", on_delete=models.PROTECT, related_name="escalations")
    level = models.CharField(_("niveau"), max_length=20, choices=EscalationLevel.choices, default=EscalationLevel.MRT)
    question = models.TextField(_("vraag"))
    case_summary = models.TextField(_("casusoverzicht"))
    requested_on = models.DateField(_("aangevraagd op"))
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="escalation")
    advice = models.TextField(_("advies / uitkomst"), blank=True)
    advice_on = models.DateField(_("datum advies"), null=True, blank=True)
    follow_up = models.TextField(_("wat het LSO ermee deed"), blank=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("escalatie")
        verbose_name_plural = _("escalaties")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.trajectory} ({self.requested_on:%Y-%m-%d})"
