"""The trajectory (traject): one stay of one person in one LVV, from application to outflow, with
its placements, perspectives, guidance instruments, outcome and timeline."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lvv.core.crypto import EncryptedBinaryField, EncryptedTextField


class Stage(models.TextChoices):
    AANGEMELD = "aangemeld", _("Aangemeld")
    IN_TOETSING = "in_toetsing", _("In toetsing")
    TOEGELATEN = "toegelaten", _("Toegelaten")
    INTAKE = "intake", _("Intake")
    PERSPECTIEF_BEPAALD = "perspectief_bepaald", _("Perspectief bepaald")
    UITGESTROOMD = "uitgestroomd", _("Uitgestroomd")
    GEWEIGERD = "geweigerd", _("Geweigerd")


#: Stages in which a trajectory is closed; a person has at most one trajectory outside these.
CLOSED_STAGES = (Stage.UITGESTROOMD, Stage.GEWEIGERD)
#: Stages in which the person has been admitted and not yet left.
ADMITTED_STAGES = (Stage.TOEGELATEN, Stage.INTAKE, Stage.PERSPECTIEF_BEPAALD)


class OutcomeCategory(models.TextChoices):
    BESTENDIG = "bestendig", _("Bestendig")
    SEMI_BESTENDIG = "semi_bestendig", _("Semi-bestendig")
    GEEN_OPLOSSING = "geen_oplossing", _("Geen oplossing")
    UITGESLOTEN = "uitgesloten", _("Uitgesloten van de statistiek")


class OutcomeCode(models.Model):
    """The standard outcome taxonomy (reference data, loaded by `lvv migrate`)."""

    code = models.CharField(_("code"), max_length=30, primary_key=True)
    label = models.CharField(_("omschrijving"), max_length=200)
    category = models.CharField(_("categorie"), max_length=20, choices=OutcomeCategory.choices)
    has_ind_decision = models.BooleanField(_("later IND-besluit"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("uitstroomreden")
        verbose_name_plural = _("uitstroomredenen")

    def __str__(self) -> str:
        return self.label


class Instrument(models.Model):
    """A guidance instrument (reference data)."""

    code = models.CharField(_("code"), max_length=40, primary_key=True)
    label = models.CharField(_("omschrijving"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("begeleidingsinstrument")
        verbose_name_plural = _("begeleidingsinstrumenten")

    def __str__(self) -> str:
        return self.label


class Trajectory(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="trajectories")
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, related_name="trajectories", verbose_name=_("gemeente")
    )
    location = models.ForeignKey(
        "shelter.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="trajectories"
    )
    external_id = models.CharField(_("trajectnummer"), max_length=40)
    stage = models.CharField(_("fase"), max_length=20, choices=Stage.choices, default=Stage.AANGEMELD)
    application_date = models.DateField(_("datum aanmelding"))
    admission_date = models.DateField(_("datum toelating"), null=True, blank=True)
    is_exception = models.BooleanField(_("toegelaten via LSO-uitzondering"), default=False)
    outflow_date = models.DateField(_("datum uitstroom"), null=True, blank=True)
    outcome = models.ForeignKey(
        OutcomeCode, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("uitstroomreden")
    )
    ind_decision = models.CharField(
        _("besluit IND na uitstroom"),
        max_length=20,
        blank=True,
        choices=[("inwilliging", _("Inwilliging")), ("afwijzing", _("Afwijzing"))],
    )
    ind_decision_date = models.DateField(_("datum besluit"), null=True, blank=True)
    #: End of the permitted stay (ProgressPolicy at admission, moved by LSO extensions); empty = no term.
    stay_until = models.DateField(_("verblijfstermijn tot en met"), null=True, blank=True)
    #: Why the case is stuck, as last recorded by the LSO (feeds the stuck-cases report).
    stuck_cause = models.CharField(_("reden vastgelopen"), max_length=30, blank=True)
    assigned_organisations = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="assigned_trajectories",
        verbose_name=_("betrokken ngo's"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: Optimistic locking: raised by every service write (lvv.core.concurrency.save_checked).
    version = models.PositiveIntegerField(_("versie"), default=0, editable=False)

    class Meta:
        ordering = ["-application_date", "-id"]
        verbose_name = _("traject")
        verbose_name_plural = _("trajecten")
        constraints = [
            # Never two open trajectories for one person (re-entry only after the previous one closed).
            models.UniqueConstraint(
                fields=["person"],
                condition=~models.Q(stage__in=["uitgestroomd", "geweigerd"]),
                name="one_open_trajectory_per_person",
            ),
            models.UniqueConstraint(fields=["municipality", "external_id"], name="unique_trajectory_id"),
            models.CheckConstraint(
                condition=models.Q(admission_date__isnull=True)
                | models.Q(admission_date__gte=models.F("application_date")),
                name="admission_not_before_application",
            ),
            models.CheckConstraint(
                condition=models.Q(outflow_date__isnull=True)
                | (models.Q(admission_date__isnull=False) & models.Q(outflow_date__gte=models.F("admission_date"))),
                name="outflow_not_before_admission",
            ),
            models.CheckConstraint(
                condition=models.Q(outflow_date__isnull=True, outcome__isnull=True)
                | models.Q(outflow_date__isnull=False, outcome__isnull=False),
                name="outflow_date_and_outcome_together",
            ),
            models.CheckConstraint(
                condition=models.Q(ind_decision_date__isnull=True)
                | models.Q(ind_decision_date__gte=models.F("outflow_date")),
                name="decision_not_before_outflow",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.municipality})"

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED_STAGES

    @property
    def is_admitted(self) -> bool:
        return self.stage in ADMITTED_STAGES

    def current_placement(self) -> "Placement | None":
        return self.placements.filter(end_date__isnull=True).order_by("-start_date", "-id").first()

    def current_perspective(self) -> "Perspective | None":
        return self.perspectives.order_by("-decided_on", "-id").first()


class ShelterForm(models.TextChoices):
    CENTRAAL = "centraal", _("Centrale locatie")
    DECENTRAAL = "decentraal", _("Decentrale woning")
    EIGEN_NETWERK = "eigen_netwerk", _("Eigen netwerk")
    NACHTOPVANG = "nachtopvang", _("Nachtopvang")
    TERUGKEERBED = "terugkeerbed", _("Terugkeerbed")


class ShelterHours(models.TextChoices):
    DAY_AND_NIGHT = "24uur", _("24-uursopvang")
    NIGHT = "nacht", _("Alleen nacht")


class Placement(models.Model):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="placements")
    location = models.ForeignKey("shelter.Location", on_delete=models.PROTECT, verbose_name=_("locatie"))
    shelter_form = models.CharField(_("opvangvorm"), max_length=20, choices=ShelterForm.choices)
    hours = models.CharField(_("openingstijden"), max_length=10, choices=ShelterHours.choices)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("plaatsing")
        verbose_name_plural = _("plaatsingen")

    def __str__(self) -> str:
        return f"{self.location} vanaf {self.start_date}"


class PerspectiveKind(models.TextChoices):
    TERUGKEER = "terugkeer", _("Terugkeer")
    LEGALISERING = "legalisering", _("Legalisering")
    DOORMIGRATIE = "doormigratie", _("Doormigratie")


class PerspectiveStatus(models.TextChoices):
    VOORLOPIG = "voorlopig", _("Voorlopig")
    DEFINITIEF = "definitief", _("Definitief")


class Perspective(models.Model):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="perspectives")
    perspective = models.CharField(_("perspectief"), max_length=20, choices=PerspectiveKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=PerspectiveStatus.choices)
    decided_on = models.DateField(_("datum besluit"))
    lso_meeting_date = models.DateField(_("datum LSO"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("perspectief")
        verbose_name_plural = _("perspectieven")

    def __str__(self) -> str:
        return f"{self.get_perspective_display()} ({self.get_status_display()}, {self.decided_on})"


class InstrumentValue(models.TextChoices):
    JA = "ja", _("Ja")
    NEE = "nee", _("Nee")
    NVT = "nvt", _("Niet van toepassing")
    ONBEKEND = "onbekend", _("Onbekend")


class InstrumentUse(models.Model):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="instruments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT)
    value = models.CharField(_("ingezet"), max_length=10, choices=InstrumentValue.choices)
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(_("einddatum"), null=True, blank=True)

    class Meta:
        ordering = ["instrument__order"]
        constraints = [
            models.UniqueConstraint(fields=["trajectory", "instrument"], name="one_value_per_instrument"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="instrument_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}: {self.value}"


class Visibility(models.TextChoices):
    """The visibility class of a piece of person data (docs/delen.md). From narrow to wide:

    - organisatie: only the authoring organisation;
    - keten: the authoring organisation, the municipality and the chain partners (IND, DT&V, AVIM)
      whose party type the consent covers, for their statutory task; not other NGOs;
    - lso: every party at the LSO table whose party type the consent covers;
    - aggregaat: never shown at person level, only counted (monitor, analyses). Free text cannot be
      counted, so notes and documents are never of this class; it is the class of the fields that
      leave the registry as numbers only (docs/delen.md, the field table).

    The access rule itself lives in `lvv.accounts.access.visibility_q`."""

    ORGANISATIE = "organisatie", _("Alleen eigen organisatie")
    KETEN = "keten", _("Gemeente en ketenpartners met toestemming")
    LSO = "lso", _("Partijen aan de LSO-tafel met toestemming")
    AGGREGAAT = "aggregaat", _("Alleen als aantallen")


#: Classes a note or document can have, narrow to wide (a move to the right is a downgrade).
ITEM_CLASSES = [Visibility.ORGANISATIE, Visibility.KETEN, Visibility.LSO]
#: Kept for the callers that name it so.
NoteVisibility = Visibility


def is_downgrade(old: str, new: str) -> bool:
    """Does moving from class `old` to class `new` widen who may read it?"""
    return ITEM_CLASSES.index(new) > ITEM_CLASSES.index(old)


class Note(models.Model):
    """A guidance note. Notes of class `organisatie` are never shown outside the authoring organisation."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="notes")
    #: Encrypted at rest: guidance notes hold medical and criminal-record information (docs/security.md).
    text = EncryptedTextField(_("notitie"))
    visibility = models.CharField(_("zichtbaarheid"), max_length=20, choices=Visibility.choices)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notitie")
        verbose_name_plural = _("notities")

    def __str__(self) -> str:
        return f"Notitie {self.pk} ({self.get_visibility_display()})"


class Document(models.Model):
    """An uploaded document (a letter, a medical statement, an identity paper). The file itself is
    kept in the database, so a transaction, a backup and the retention cover it like any other row."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titel"), max_length=200)
    filename = models.CharField(_("bestandsnaam"), max_length=200)
    content_type = models.CharField(_("bestandssoort"), max_length=100)
    size = models.PositiveIntegerField(_("grootte in bytes"))
    sha256 = models.CharField(max_length=64)
    #: Encrypted at rest, like the notes.
    content = EncryptedBinaryField(_("inhoud"))
    visibility = models.CharField(_("zichtbaarheid"), max_length=20, choices=Visibility.choices)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documenten")

    def __str__(self) -> str:
        return f"Document {self.pk} ({self.get_visibility_display()})"


class VisibilityChange(models.Model):
    """An explicit change of the class of a note or a document, with who, when and why."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, null=True, blank=True, related_name="class_changes")
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="class_changes"
    )
    old_visibility = models.CharField(_("oude zichtbaarheid"), max_length=20, choices=Visibility.choices)
    new_visibility = models.CharField(_("nieuwe zichtbaarheid"), max_length=20, choices=Visibility.choices)
    reason = models.CharField(_("reden"), max_length=500)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("tijdstip"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("wijziging van zichtbaarheid")
        verbose_name_plural = _("wijzigingen van zichtbaarheid")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(note__isnull=True, document__isnull=False)
                | models.Q(note__isnull=False, document__isnull=True),
                name="visibility_change_one_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_old_visibility_display()} → {self.get_new_visibility_display()}"


class TimelineEvent(models.Model):
    """One line in a trajectory's history: what happened, when, by whom. Written by the services only."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("tijdstip"))
    kind = models.CharField(_("soort"), max_length=40)
    description = models.CharField(_("omschrijving"), max_length=500)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    actor_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    #: Whether chain partners may see this event (e.g. not an NGO note).
    shared = models.BooleanField(default=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")

    def __str__(self) -> str:
        return self.description
