"""The access log's part of every request: open the request's log context, and when the answer is
ready add its rows in one INSERT — the reads if the answer is delivered, a refusal row per concerned
person if it is refused (`audit.services`).

The rows are added before the answer leaves the server: if the INSERT fails, the user gets an error
page instead of data that was not logged. Place it after the authentication middleware (it needs
`request.user`) in settings.MIDDLEWARE."""

from __future__ import annotations

from . import services


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = services.begin_request(request)
        try:
            response = self.get_response(request)
            services.flush(request._lvv_audit, response.status_code)
        finally:
            services.end_request(token)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        audit = getattr(request, "_lvv_audit", None)
        match = request.resolver_match
        if audit is not None and match is not None:
            audit.view_name = match.view_name
        return None
