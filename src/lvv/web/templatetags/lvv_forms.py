"""Template helpers for the NL Design System form templates in web/forms/."""

from django import template
from django.forms import widgets

register = template.Library()

_SUMMARY_FLAG = "_lvv_error_summary_rendered"


@register.filter
def lvv_field_layout(field) -> str:
    """How web/forms/field.html lays out a bound field.

    "hidden": no markup of its own; "checkbox": one checkbox with its label after it;
    "choices": radio buttons or checkboxes in a fieldset; "fieldset": a multi-part widget
    (e.g. SplitDateTimeWidget) in a fieldset; "field": label above one widget.
    """
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, widgets.RadioSelect):  # includes CheckboxSelectMultiple
        return "choices"
    if isinstance(widget, widgets.CheckboxInput):
        return "checkbox"
    if field.use_fieldset:
        return "fieldset"
    return "field"


@register.filter
def lvv_choice_kind(field) -> str:
    """Return "checkbox" for CheckboxSelectMultiple, else "radio" (as in utrecht-form-field--*)."""
    return "checkbox" if isinstance(field.field.widget, widgets.CheckboxSelectMultiple) else "radio"


@register.filter
def lvv_error_target(field) -> str:
    """The element id an error summary link should point at: the input, or a group's first option."""
    widget = field.field.widget
    if isinstance(widget, (widgets.RadioSelect, widgets.MultiWidget)):
        for subwidget in field.subwidgets:
            if subwidget.id_for_label:
                return subwidget.id_for_label
        return field.auto_id or ""
    return field.id_for_label or field.auto_id or ""


@register.filter
def lvv_claim_error_summary(form) -> bool:
    """True the first time it is asked for a form, so the summary shows once.

    web/forms/form.html includes the summary itself; when a view already put it higher up the page
    (``{% include "web/forms/error_summary.html" %}``) the form does not repeat it.
    """
    if getattr(form, _SUMMARY_FLAG, False):
        return False
    try:
        setattr(form, _SUMMARY_FLAG, True)
    except AttributeError:
        return True
    return True


@register.filter
def lvv_hidden_field_errors(form) -> list[tuple[str, str]]:
    """(label, message) pairs for errors on hidden fields; they have no input to link to."""
    return [(str(field.label or field.name), str(error)) for field in form.hidden_fields() for error in field.errors]
