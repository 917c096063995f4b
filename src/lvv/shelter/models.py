"""Shelter locations and the capacity register."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Location(models.Model):
    """A shelter location of an LVV, e.g. Groningen with its satellite Emmen."""

    municipality = models.ForeignKey("accounts.Municipality", on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(_("naam"), max_length=100)

    class Meta:
        ordering = ["municipality__name", "name"]
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unique_location_name")]

    def __str__(self) -> str:
        return self.name


class CapacityPeriod(models.Model):
    """Places available at a location from `valid_from` up to and including `valid_to` (open if empty)."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="capacity_periods")
    places = models.PositiveIntegerField(_("plaatsen"))
    valid_from = models.DateField(_("geldig vanaf"))
    valid_to = models.DateField(_("geldig tot en met"), null=True, blank=True)

    class Meta:
        ordering = ["location", "valid_from"]
        verbose_name = _("capaciteit")
        verbose_name_plural = _("capaciteit")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="capacity_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.location}: {self.places} plaatsen vanaf {self.valid_from}"
