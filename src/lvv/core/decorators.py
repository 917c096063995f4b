"""View decorators every app may use."""

import functools

from django.utils.translation import override


def dutch(view):
    """Run the view in Dutch, whatever language the browser asks for: the application is Dutch-only,
    and month names end up in pages, PDFs and (through the services) in stored timeline texts."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        with override("nl"):
            return view(request, *args, **kwargs)

    return wrapper
