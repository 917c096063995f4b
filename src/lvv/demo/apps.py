from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Reference data, the demo registry and the test factories: the layer above every domain app
    (docs/architecture.md). `lvv migrate` loads the reference data from here; `lvv demo` the demo."""

    name = "lvv.demo"
    label = "demo"
    verbose_name = "Referentie- en demodata"
