"""Home page and error pages."""

from django.shortcuts import redirect, render

from lvv.accounts import access


def home(request):
    if access.lands_on_overview(request.user):
        return render(request, "web/home.html")
    return redirect("trajectories:list")


def permission_denied(request, exception=None):
    return render(request, "web/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "web/404.html", status=404)
