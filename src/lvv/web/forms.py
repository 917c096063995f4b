"""Render every Django form as NL Design System (Utrecht component library) markup.

Enable it project-wide with ``FORM_RENDERER = "lvv.web.forms.LvvFormRenderer"``. Then ``{{ form }}``
renders an error summary and every field as an ``utrecht-form-field`` (label, description, error
message, widget), and ``{{ form.some_field }}`` / ``{{ form.some_field.as_field_group }}`` get the
Utrecht CSS classes as well.

The renderer is based on ``DjangoTemplates``: it finds ``web/forms/*.html`` through the app template
folders and Django's own widget templates without "django.forms" in INSTALLED_APPS. The Utrecht CSS
classes are added to the widget attributes by :class:`LvvBoundField`, so no widget template is overridden.
"""

from django.forms import widgets
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

# Ordered: the first matching widget class wins (CheckboxSelectMultiple is a RadioSelect subclass,
# every *Input is an Input).
_WIDGET_CLASSES: list[tuple[type[widgets.Widget], str, str]] = [
    (widgets.HiddenInput, "", ""),
    (widgets.MultipleHiddenInput, "", ""),
    (widgets.FileInput, "lvv-file-input", ""),
    (
        widgets.CheckboxSelectMultiple,
        "utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom",
        "utrecht-checkbox--invalid",
    ),
    (
        widgets.RadioSelect,
        "utrecht-radio-button utrecht-radio-button--html-input",
        "utrecht-radio-button--invalid",
    ),
    (
        widgets.CheckboxInput,
        "utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom",
        "utrecht-checkbox--invalid",
    ),
    (widgets.Textarea, "utrecht-textarea utrecht-textarea--html-textarea", "utrecht-textarea--invalid"),
    (widgets.Select, "utrecht-select utrecht-select--html-select", "utrecht-select--invalid"),
    (
        widgets.NumberInput,
        "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--numeric",
        "utrecht-textbox--invalid",
    ),
    (
        widgets.PasswordInput,
        "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--password",
        "utrecht-textbox--invalid",
    ),
    (widgets.Input, "utrecht-textbox utrecht-textbox--html-input", "utrecht-textbox--invalid"),
]


def utrecht_classes(widget: widgets.Widget, invalid: bool = False) -> str:
    """The Utrecht component CSS classes for a widget ("" for hidden and unknown widgets)."""
    if isinstance(widget, widgets.MultiWidget):
        return ""  # its subwidgets get their classes in LvvBoundField.build_widget_attrs
    for widget_class, classes, invalid_class in _WIDGET_CLASSES:
        if isinstance(widget, widget_class):
            return f"{classes} {invalid_class}" if invalid and invalid_class else classes
    return ""


def _merge_classes(*values: str | None) -> str:
    seen: list[str] = []
    for value in values:
        for name in (value or "").split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


class LvvBoundField(BoundField):
    """A BoundField whose widgets carry the Utrecht component classes (kept next to any own class)."""

    def build_widget_attrs(self, attrs, widget=None):
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if widget.is_hidden:
            return attrs
        invalid = bool(self.errors)
        if isinstance(widget, widgets.MultiWidget):
            for subwidget in widget.widgets:
                subwidget.attrs["class"] = _merge_classes(
                    subwidget.attrs.get("class"), utrecht_classes(subwidget, invalid)
                )
            return attrs
        classes = utrecht_classes(widget, invalid)
        if classes:
            attrs["class"] = _merge_classes(widget.attrs.get("class"), attrs.get("class"), classes)
        return attrs


class LvvFormRenderer(DjangoTemplates):
    form_template_name = "web/forms/form.html"
    field_template_name = "web/forms/field.html"
    bound_field_class = LvvBoundField
