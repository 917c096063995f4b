"""Application (aanmelding), identity check, consent and the admission decision; and the
criteria editor for functional administrators."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from lvv.accounts import access
from lvv.accounts.access import Action
from lvv.accounts.models import Municipality
from lvv.core.concurrency import add_version_field, service_kwargs
from lvv.core.forms import submit
from lvv.people.duplicates import duplicate_check, duplicate_check_log
from lvv.people.forms import IdentityCheckForm
from lvv.people.resolvers import visible_person
from lvv.people.services import identity_check_record
from lvv.trajectories.resolvers import visible_trajectory

from . import services
from .consent import covered_parties, parties_text
from .criteria import criteria_check
from .forms import (
    AdmissionDecisionForm,
    ApplicationForm,
    ConsentForm,
    ConsentWithdrawForm,
    CriterionRuleForm,
    ReentryForm,
)
from .models import CriterionRule


def _detail_url(trajectory) -> str:
    return reverse("trajectories:detail", kwargs={"pk": trajectory.pk})


@require_http_methods(["GET", "POST"])
def application_new(request):
    """A first application: person details + application facts, with the duplicate check."""
    municipality = request.user.municipality
    if not access.can_register(request.user) or municipality is None:
        raise PermissionDenied
    form = ApplicationForm(request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        duplicates = duplicate_check(
            municipality_id=municipality.pk,
            v_number=d["v_number"],
            given_names=d["given_names"],
            family_name=d["family_name"],
            birth_date=d["birth_date"],
            birth_year=d["birth_year"],
            country=d["country_of_origin"],
            aliases=form.alias_list(),
        )
        duplicate_check_log(request, duplicates)
        if duplicates.same_lvv and any(
            m.person.v_number and m.person.v_number == d["v_number"] for m in duplicates.same_lvv
        ):
            form.add_error(
                "v_number", "Dit V-nummer is al geregistreerd in deze gemeente; meld de bestaande persoon opnieuw aan."
            )
        elif duplicates.found and not d["confirm_duplicates"]:
            form.add_error(
                "confirm_duplicates",
                "Er zijn mogelijke dubbele registraties gevonden. Bekijk ze en "
                "bevestig dat u toch een nieuwe persoon registreert.",
            )
        else:
            done = submit(
                request,
                form,
                lambda: services.application_register_new_person(
                    actor=request.user,
                    municipality=municipality,
                    person_fields=form.person_fields(),
                    aliases=form.alias_list(),
                    application_date=d["application_date"],
                    **form.facts(),
                ),
                success="De aanmelding is geregistreerd.",
                then=_detail_url,
            )
            if done is not None:
                return done
    return render(
        request,
        "admissions/application_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "title": "Nieuwe aanmelding",
        },
    )


@require_http_methods(["GET", "POST"])
def application_reentry(request, pk: int):
    """A new application for a person already registered in this LVV (re-entry)."""
    person = visible_person(request, pk, edit=True)
    form = ReentryForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: services.application_register(
            actor=request.user,
            person=person,
            application_date=form.cleaned_data["application_date"],
            **form.facts(),
        ),
        success="De nieuwe aanmelding is geregistreerd.",
        then=_detail_url,
    )
    if done is not None:
        return done
    return render(
        request,
        "trajectories/form.html",
        {
            "form": form,
            "title": f"Nieuwe aanmelding voor {person.full_name}",
            "person": person,
        },
    )


@require_http_methods(["GET", "POST"])
def identity_check_new(request, pk: int):
    trajectory = visible_trajectory(request, pk, Action.REGISTER)
    form = IdentityCheckForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: identity_check_record(actor=request.user, trajectory=trajectory, **form.cleaned_data),
        success="De identiteitscontrole is vastgelegd.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request,
        "trajectories/form.html",
        {
            "trajectory": trajectory,
            "form": form,
            "title": "Identiteitscontrole aanmeldzuil",
            "intro": "Leg vast wat de controle bij de aanmeldzuil heeft opgeleverd.",
        },
    )


@require_http_methods(["GET", "POST"])
def consent_new(request, pk: int):
    trajectory = visible_trajectory(request, pk, Action.CONSENT)
    form = ConsentForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda: services.consent_record(actor=request.user, trajectory=trajectory, **form.cleaned_data),
        success="De toestemmingsverklaring is vastgelegd.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request,
        "trajectories/form.html",
        {
            "trajectory": trajectory,
            "form": form,
            "title": "Toestemmingsverklaring",
            "intro": "Met welke partijen mogen de gegevens van de deelnemer worden gedeeld? "
            "De gemeente ontvangt ze altijd. Een nieuwe verklaring vervangt de vorige.",
        },
    )


@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk: int, consent_pk: int):
    trajectory = visible_trajectory(request, pk, Action.CONSENT)
    consent = get_object_or_404(trajectory.consents, pk=consent_pk)
    form = ConsentWithdrawForm(request.POST or None, consent=consent)
    done = submit(
        request,
        form,
        lambda: services.consent_withdraw(actor=request.user, consent=consent, **form.cleaned_data),
        success="De toestemming is ingetrokken.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request,
        "trajectories/form.html",
        {
            "trajectory": trajectory,
            "form": form,
            "title": "Toestemming intrekken",
            "intro": "Zodra de intrekking is vastgelegd, verliezen de betreffende partijen hun toegang tot "
            "de gegevens van de deelnemer, ook wie op dat moment is ingelogd. De gemeente houdt toegang.",
        },
    )


@require_http_methods(["GET", "POST"])
def application_edit(request, pk: int):
    from .forms import ApplicationFactsForm
    from .models import Application

    trajectory = visible_trajectory(request, pk, Action.REGISTER)
    application = Application.objects.filter(trajectory=trajectory).first()
    initial = {f: getattr(application, f) for f in ApplicationFactsForm.base_fields} if application else {}
    for key in ("has_regiobinding", "long_bbb_elsewhere", "willing_to_cooperate", "safe_country", "vulnerable"):
        if initial.get(key) is not None:
            initial[key] = "true" if initial[key] else "false"
    form = add_version_field(ApplicationFactsForm(request.POST or None, initial=initial), trajectory)
    done = submit(
        request,
        form,
        lambda: services.application_update(actor=request.user, trajectory=trajectory, **service_kwargs(form)),
        success="De aanmeldgegevens zijn bijgewerkt.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request,
        "trajectories/form.html",
        {
            "trajectory": trajectory,
            "form": form,
            "title": "Aanmeldgegevens",
        },
    )


@require_http_methods(["GET", "POST"])
def admission_decide(request, pk: int):
    trajectory = visible_trajectory(request, pk, Action.ADMIT)
    form = add_version_field(AdmissionDecisionForm(request.POST or None), trajectory)
    done = submit(
        request,
        form,
        lambda: services.admission_decide(actor=request.user, trajectory=trajectory, **service_kwargs(form)),
        success="Het besluit over de toelating is vastgelegd.",
        then=_detail_url(trajectory),
    )
    if done is not None:
        return done
    return render(
        request,
        "admissions/decision_form.html",
        {
            "trajectory": trajectory,
            "form": form,
            "title": "Besluit over toelating",
            "criteria": criteria_check(trajectory),
            **consent_status(trajectory),
        },
    )


def consent_status(trajectory) -> dict:
    """For the decision page, in words: the declaration that can admit, what it covers, and the
    parties at the LSO table it leaves out (the rule: `services.admission_consent`)."""
    consent, missing = services.admission_consent(trajectory)
    return {
        "consent": consent,
        "consent_covers": parties_text(covered_parties(consent)),
        "consent_missing": parties_text(missing),
        "lso_table": parties_text(services.lso_table_parties(trajectory.municipality)),
    }


def _editable_scopes(user) -> list[Municipality | None]:
    if access.can_edit_criteria(user, None):
        return [None]
    if user.municipality and access.can_edit_criteria(user, user.municipality.pk):
        return [user.municipality]
    return []


def criteria_list(request):
    scopes = _editable_scopes(request.user)
    if not scopes:
        raise PermissionDenied
    groups = []
    for m in scopes:
        rules = CriterionRule.objects.filter(municipality=m).order_by("order", "id")
        groups.append({"municipality": m, "rules": rules})
    national = CriterionRule.objects.filter(municipality__isnull=True).order_by("order")
    return render(request, "admissions/criteria_list.html", {"groups": groups, "national": national})


@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk: int | None = None):
    if pk is None:
        rule = CriterionRule(municipality=request.user.municipality)
    else:
        rule = get_object_or_404(CriterionRule, pk=pk)
    if not access.can_edit_criteria(request.user, rule.municipality_id):
        raise PermissionDenied
    form = CriterionRuleForm(request.POST or None, instance=rule)
    done = submit(
        request,
        form,
        lambda: services.criterion_rule_save(actor=request.user, rule=form.save(commit=False)),
        success="Het criterium is opgeslagen.",
        then="admissions:criteria_list",
    )
    if done is not None:
        return done
    return render(
        request,
        "trajectories/form.html",
        {
            "form": form,
            "title": "Toelatingscriterium" + (f" – {rule.municipality}" if rule.municipality else " – landelijk"),
        },
    )
