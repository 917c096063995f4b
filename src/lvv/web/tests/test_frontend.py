"""Front-end foundation: navigation, the NL Design System form renderer and the base templates.

These tests need no database: they use stand-in user objects and their own URLconf.
"""

import re
from types import SimpleNamespace

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory, SimpleTestCase, override_settings

from lvv.web.context_processors import navigation
from lvv.web.forms import LvvFormRenderer

URLCONF = "lvv.web.tests.frontend_urls"


class StandInUser:
    is_authenticated = True
    is_anonymous = False

    def __init__(self, role="gemeente", is_functional_admin=False, organisation="Gemeente Utrecht"):
        self.role = role
        self.is_functional_admin = is_functional_admin
        self.organisation = SimpleNamespace(name=organisation) if organisation else None

    def get_full_name(self):
        return "Anna de Vries"

    def get_username(self):
        return "anna"


def make_request(path="/", user=None, data=None):
    request = RequestFactory().get(path, data or {})
    request.user = user if user is not None else StandInUser()
    return request


@override_settings(ROOT_URLCONF=URLCONF)
class NavigationTests(SimpleTestCase):
    def labels(self, request):
        return [item["label"] for item in navigation(request)["nav_items"]]

    def test_anonymous_user_gets_no_items(self):
        self.assertEqual(navigation(make_request(user=AnonymousUser())), {"nav_items": []})

    def test_caseworker_gets_work_list_and_new_application(self):
        self.assertEqual(self.labels(make_request()), ["Werklijst", "Nieuwe aanmelding"])

    def test_functional_admin_also_gets_criteria(self):
        request = make_request(user=StandInUser(is_functional_admin=True))
        self.assertEqual(self.labels(request), ["Werklijst", "Nieuwe aanmelding", "Toelatingscriteria"])

    def test_programmabureau_gets_no_casework_items(self):
        self.assertEqual(self.labels(make_request(user=StandInUser(role="programmabureau"))), [])
        admin = StandInUser(role="programmabureau", is_functional_admin=True)
        self.assertEqual(self.labels(make_request(user=admin)), ["Toelatingscriteria"])

    def test_active_item_follows_the_path(self):
        items = navigation(make_request("/trajecten/12/"))["nav_items"]
        self.assertEqual([item["active"] for item in items], [True, False])
        self.assertEqual(items[0]["url"], "/trajecten/")

    @override_settings(ROOT_URLCONF="lvv.web.tests.frontend_urls_empty")
    def test_missing_routes_are_skipped(self):
        self.assertEqual(navigation(make_request())["nav_items"], [])


class SampleForm(forms.Form):
    renderer = LvvFormRenderer()

    name = forms.CharField(label="Achternaam", help_text="Zoals in het document.")
    remark = forms.CharField(label="Toelichting", widget=forms.Textarea, required=False)
    municipality = forms.ChoiceField(label="Gemeente", choices=[("", "Kies"), ("utr", "Utrecht")])
    kind = forms.ChoiceField(label="Soort", widget=forms.RadioSelect, choices=[("a", "Eerste"), ("b", "Herhaald")])
    traits = forms.MultipleChoiceField(
        label="Kenmerken", widget=forms.CheckboxSelectMultiple, choices=[("m", "Medisch")], required=False
    )
    consent = forms.BooleanField(label="Toestemming")
    born = forms.DateField(label="Geboortedatum", widget=forms.DateInput(attrs={"class": "own"}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Dit klopt niet.")


class FormRendererTests(SimpleTestCase):
    def bound_form(self):
        form = SampleForm(data={"name": "", "municipality": "", "born": "gisteren"})
        form.is_valid()
        return form

    def test_fields_get_utrecht_classes(self):
        html = str(SampleForm())
        self.assertIn('class="utrecht-textbox utrecht-textbox--html-input" id="id_name"', html)
        self.assertIn("utrecht-textarea utrecht-textarea--html-textarea", html)
        self.assertIn("utrecht-select utrecht-select--html-select", html)
        self.assertIn("utrecht-radio-button utrecht-radio-button--html-input", html)
        self.assertIn("utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom", html)
        self.assertIn('class="own utrecht-textbox', html)  # a widget's own class is kept
        self.assertIn('<input type="hidden" name="token" id="id_token">', html)
        self.assertIn('<label class="utrecht-form-label" for="id_name">Achternaam</label>', html)
        self.assertIn('id="id_name_helptext"', html)
        self.assertIn("(niet verplicht)", html)  # optional fields are marked
        self.assertNotIn("Er is iets niet goed ingevuld", html)

    def test_choice_groups_are_fieldsets_with_legend(self):
        html = str(SampleForm())
        self.assertRegex(html, r"<fieldset[^>]*>\s*<legend[^>]*>Soort</legend>")
        label = '<label class="utrecht-form-label utrecht-form-label--radio" for="id_kind_0">Eerste</label>'
        self.assertIn(label, html)

    def test_errors_are_linked_to_their_inputs(self):
        html = str(self.bound_form())
        self.assertEqual(html.count("Er is iets niet goed ingevuld"), 1)
        self.assertIn('role="alert"', html)
        self.assertIn('<li class="utrecht-unordered-list__item">Dit klopt niet.</li>', html)
        self.assertIn('href="#id_name"', html)
        self.assertIn('href="#id_kind_0"', html)  # a radio group links to its first option
        self.assertIn('id="id_name_error"', html)
        name_input = re.search(r'<input type="text" name="name"[^>]*>', html).group(0)
        self.assertIn('aria-invalid="true"', name_input)
        self.assertIn('aria-describedby="id_name_helptext id_name_error"', name_input)
        self.assertIn("utrecht-textbox--invalid", name_input)
        self.assertIn("utrecht-form-field--invalid", html)
        self.assertRegex(html, r'<fieldset[^>]*aria-describedby="id_kind_error"')

    def test_summary_included_by_the_page_is_not_repeated_by_the_form(self):
        template = engines["django"].from_string('{% include "web/forms/error_summary.html" %}<form>{{ form }}</form>')
        html = template.render({"form": self.bound_form()})
        self.assertEqual(html.count("Er is iets niet goed ingevuld"), 1)
        self.assertLess(html.index("Er is iets niet goed ingevuld"), html.index("<form>"))


@override_settings(ROOT_URLCONF=URLCONF)
class PageTemplateTests(SimpleTestCase):
    def test_base_for_a_logged_in_user(self):
        request = make_request("/trajecten/")
        context = navigation(request)
        html = render_to_string("web/home.html", context, request)
        self.assertIn('<html lang="nl" class="voorbeeld-theme">', html)
        self.assertIn('class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud"', html)
        self.assertIn('<main id="inhoud"', html)
        self.assertIn("Anna de Vries", html)
        self.assertIn("Gemeente Utrecht", html)
        self.assertIn('action="/uitloggen/"', html)
        self.assertIn('name="csrfmiddlewaretoken"', html)
        self.assertIn('href="/trajecten/" aria-current="page"', html)
        self.assertIn("<title>Start – LVV</title>", html)
        self.assertNotIn("<script>", html)
        self.assertNotIn("style=", html)

    def test_login_page(self):
        from django.contrib.auth.forms import AuthenticationForm

        request = make_request("/inloggen/", user=AnonymousUser())
        form = AuthenticationForm(request, data={"username": "", "password": ""}, renderer=LvvFormRenderer())
        form.is_valid()
        html = render_to_string("registration/login.html", {"form": form}, request)
        for text in ("Gebruikersnaam", "Wachtwoord", "Inloggen", "Er is iets niet goed ingevuld"):
            self.assertIn(text, html)
        self.assertNotIn("Uitloggen", html)
        self.assertNotIn("registreren", html.lower())

    def test_pagination_keeps_filters(self):
        # The views read the page number from `pagina` (web.trajectory_views.worklist, meetings list).
        request = make_request("/trajecten/", data={"fase": "intake", "pagina": "3"})
        page_obj = Paginator(list(range(100)), 10).page(3)
        html = render_to_string("web/pagination.html", {"page_obj": page_obj}, request)
        self.assertIn('href="?fase=intake&amp;pagina=4"', html)
        self.assertIn('href="?fase=intake&amp;pagina=2"', html)
        self.assertNotIn("page=", html.replace("utrecht-pagination", ""))
        self.assertIn('aria-current="page"', html)

    def test_stage_badge(self):
        html = render_to_string("web/stage_badge.html", {"stage": "in_toetsing", "label": "In toetsing"})
        self.assertIn('class="utrecht-status-badge lvv-stage lvv-stage--in_toetsing"', html)

    def test_error_pages_render(self):
        request = make_request("/bestaat-niet/")
        for name in ("web/403.html", "web/404.html", "500.html"):
            with self.subTest(name=name):
                self.assertIn("utrecht-heading-1", render_to_string(name, {}, request))
