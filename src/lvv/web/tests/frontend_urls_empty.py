"""A URLconf without any of the navigation routes."""

urlpatterns: list = []
