"""Optimistic locking: two users editing the same row cannot silently overwrite each other.

A model that takes part has an integer `version` (default 0). Every service write to such a row goes
through `save_checked`, which issues one

    UPDATE ... SET <fields>, version = version + 1 WHERE pk = %s AND version = <expected>

An edit form carries the version it showed as a hidden field (`add_version_field`); the view passes it
to the service. When someone else wrote the row in between, no row matches, `StaleVersion` (an
ApplicationError with a Dutch message) is raised, the service's transaction rolls back and the form is
shown again. A caller without a version (`expected_version=None`: a command, an import, the API) does
not check but still bumps, so that forms opened earlier notice its write.
"""

from django import forms
from django.db import models
from django.db.models import F

from .exceptions import ApplicationError

MSG_STALE = (
    "Iemand anders heeft {what} intussen gewijzigd (uw versie {expected}, nu versie {current}); "
    "laad de pagina opnieuw en voer uw wijziging opnieuw in."
)
WHAT = {"trajectory": "dit traject", "person": "deze persoonsgegevens"}


class StaleVersion(ApplicationError):
    """The row changed since the form was shown."""


def _what(obj: models.Model) -> str:
    return WHAT.get(obj._meta.model_name, "deze gegevens")


def check_version(obj: models.Model, expected_version: int | None) -> None:
    """Refuse early (before any other write) when `obj`, freshly read, is not at the expected version."""
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion(MSG_STALE.format(what=_what(obj), expected=expected_version, current=obj.version))


def save_checked(
    obj: models.Model, expected_version: int | None, update_fields: list[str] | tuple[str, ...] | None = None
) -> None:
    """Write `update_fields` of `obj` (None: every concrete field) and bump its version, only if the
    row is still at `expected_version` (None: no check). Raises StaleVersion when it is not; call it
    inside the service's transaction so that everything else rolls back with it."""
    model = type(obj)
    meta = model._meta
    if update_fields is None:
        fields = [f for f in meta.concrete_fields if not f.primary_key and f.name != "version"]
    else:
        fields = [meta.get_field(name) for name in update_fields if name != "version"]
    values = {}
    for field in fields:
        if getattr(field, "auto_now_add", False):
            continue
        values[field.attname] = field.pre_save(obj, add=False)  # auto_now fields get "now" here
    rows = model._default_manager.filter(pk=obj.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(**values, version=F("version") + 1) == 0:
        current = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        raise StaleVersion(MSG_STALE.format(what=_what(obj), expected=expected_version, current=current))
    obj.version = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).get()


def add_version_field(form: forms.Form, obj: models.Model) -> forms.Form:
    """Give `form` a hidden `version` holding the version of `obj` it shows (a POST keeps the one posted)."""
    form.fields["version"] = forms.IntegerField(
        label="Versie", widget=forms.HiddenInput, required=False, min_value=0, initial=obj.version
    )
    return form


def posted_version(form: forms.Form) -> int | None:
    """The version an edit form was shown with (None when it did not send one)."""
    return form.cleaned_data.get("version")


def service_kwargs(form: forms.Form) -> dict:
    """A valid form's cleaned data for a service: `version` becomes `expected_version`."""
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    data["expected_version"] = posted_version(form)
    return data
