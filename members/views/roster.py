"""The roster: the secretary's list of members, and creating, changing and archiving records."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from branch.models import Branch

from ..access import Capability, get_member_to_change
from ..forms import ArchiveForm, MemberForm, RosterFilterForm
from ..selectors import roster
from ..services import roster as roster_service

PAGE_SIZE = 50


@login_required
def member_list(request):
    actor = request.actor
    actor.require(Capability.VIEW_MEMBERS)
    branch_ids = [actor.branch_id] if actor.branch_id else []
    if actor.is_admin:
        branch_ids = list(Branch.objects.values_list("pk", flat=True))
    form = RosterFilterForm(request.GET or None, branch_ids=branch_ids)
    filters = form.cleaned_data if form.is_valid() else {}
    members = roster(
        actor,
        query=filters.get("q", ""),
        party_group=filters.get("party_group"),
        work_team=filters.get("work_team"),
        status=filters.get("status", ""),
        ethnicity=filters.get("ethnicity", ""),
        committee_role=filters.get("committee_role", ""),
        archived=filters.get("archived", False),
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/member_list.html",
        {
            "page": page,
            "form": form,
            "query_string": query.urlencode(),
            "can_manage": actor.can(Capability.MANAGE_MEMBERS),
        },
    )


def _save(form, save):
    """Run a service with a validated form; map its ValidationError back onto the form."""
    try:
        return save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


@login_required
def member_create(request):
    actor = request.actor
    actor.require(Capability.MANAGE_MEMBERS)
    branch = actor.member.branch
    form = MemberForm(request.POST or None, request.FILES or None, branch=branch)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"photo", "remove_photo"}}
        created = _save(
            form, lambda: roster_service.member_create(branch=branch, photo=form.cleaned_data["photo"], **data)
        )
        if created:
            messages.success(request, _("Member %(name)s added.") % {"name": created.name})
            return redirect(created)
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("Add a member"), "cancel_url": reverse("members:list")},
    )


@login_required
def member_edit(request, pk: int):
    actor = request.actor
    member = get_member_to_change(actor, pk, Capability.MANAGE_MEMBERS)
    form = MemberForm(request.POST or None, request.FILES or None, instance=member, branch=member.branch)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"photo", "remove_photo"}}
        saved = _save(
            form,
            lambda: roster_service.member_update(
                member=member,
                photo=form.cleaned_data["photo"],
                remove_photo=form.cleaned_data.get("remove_photo", False),
                **data,
            ),
        )
        if saved:
            messages.success(request, _("Changes to %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": member.name}, "cancel_url": member.get_absolute_url()},
    )


@login_required
def member_archive_view(request, pk: int):
    member = get_member_to_change(request.actor, pk, Capability.MANAGE_MEMBERS)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _save(
            form,
            lambda: roster_service.member_archive(
                member=member,
                reason=form.cleaned_data["archive_reason"],
                left_on=form.cleaned_data["archived_on"],
                note=form.cleaned_data["archive_note"],
            ),
        )
        if done:
            messages.success(
                request, _("%(name)s is archived; the record book stays readable.") % {"name": member.name}
            )
            return redirect(member)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Archive %(name)s") % {"name": member.name},
            "intro": _(
                "An archived member drops out of lists and can no longer log in. Nothing is deleted: "
                "the record book stays readable."
            ),
            "submit_label": _("Archive"),
            "cancel_url": member.get_absolute_url(),
        },
    )
