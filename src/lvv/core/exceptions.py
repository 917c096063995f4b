"""Errors the domain raises. Views map them to a Dutch message on the form; commands print them."""

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401  (re-exported)


class ApplicationError(Exception):
    """A business rule refused the action; `message` is Dutch and safe to show to the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
