"""The person page and editing person details."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from lvv.accounts import access
from lvv.core.concurrency import add_version_field, posted_version
from lvv.core.forms import submit
from lvv.trajectories.selectors import timeline_for, trajectory_scope

from .countries import country_name
from .forms import PERSON_FORM_FIELDS, PersonForm
from .resolvers import visible_person
from .services import person_update


@require_GET
def person_detail(request, pk: int):
    person = visible_person(request, pk)
    user = request.user
    trajectories = trajectory_scope(user).filter(person=person).select_related("municipality", "outcome")
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "country": country_name(person.country_of_origin),
            "show_contact": access.sees_contact_details(user),
            "trajectories": [(t, timeline_for(actor=user, trajectory=t)) for t in trajectories],
            "may_edit": access.can_register_in(user, person.municipality_id),
            "may_answer_subject_request": access.can_answer_subject_request(user, person),
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit(request, pk: int):
    person = visible_person(request, pk, edit=True)
    initial = {f: getattr(person, f) for f in PERSON_FORM_FIELDS}
    initial["aliases"] = "\n".join(a.name for a in person.aliases.all())
    form = add_version_field(PersonForm(request.POST or None, initial=initial), person)
    done = submit(
        request,
        form,
        lambda: person_update(
            actor=request.user,
            person=person,
            aliases=form.alias_list(),
            expected_version=posted_version(form),
            **form.person_fields(),
        ),
        success="De persoonsgegevens zijn bijgewerkt.",
        then=reverse("people:detail", kwargs={"pk": person.pk}),
    )
    if done is not None:
        return done
    return render(
        request, "trajectories/form.html", {"form": form, "title": "Persoonsgegevens wijzigen", "person": person}
    )
