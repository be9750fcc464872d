"""Pages for opinion forums (群众意见恳谈会) and employee appeals (员工诉求). `urlpatterns` is included
by activities/urls.py under the "activities" namespace.

Access: the committee and the secretary run forums and every appeal of their branch; a member sees
and answers the appeals they handle (联络员) and nothing else of anyone's appeals; the administrator
reads. As everywhere: 403 for a role without the capability, 404 for an object outside the scope.
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member

from ..access import Can, appeals_visible_to, can
from ..forms_appeals import AppealFilterForm, AppealForm, AppealUpdateForm, FiguresYearForm, ForumForm
from ..models import Appeal, Forum
from ..selectors import appeals as selectors
from ..services import appeals as services

PAGE_SIZE = 50


# ---- access helpers -----------------------------------------------------------------------------


def _require_manager(actor) -> None:
    if actor.member is None or not can(actor, Can.MANAGE_APPEALS):
        raise PermissionDenied


def _require_reader(actor) -> None:
    """Forums and figures: the committee, and the administrator who reads."""
    if not (actor.is_admin or (actor.member is not None and can(actor, Can.MANAGE_APPEALS))):
        raise PermissionDenied


def _forums_visible(actor):
    if actor.is_admin:
        return Forum.objects.all()
    return Forum.objects.filter(branch_id=actor.branch_id)


def _visible_appeal(request, pk: int) -> Appeal:
    return get_object_or_404(
        appeals_visible_to(request.actor).select_related(
            "branch", "requester", "requester__work_team", "handler", "forum", "forum__work_team"
        ),
        pk=pk,
    )


def _save(form, save):
    """Run a service (in one transaction) with a validated form; put its ValidationError on the form."""
    try:
        with transaction.atomic():
            return save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


def _requester(form, branch):
    data = form.cleaned_data
    return data["requester"] or services.employee_get_or_create(
        branch=branch, name=data["new_name"], work_team=data["new_team"]
    )


# ---- forums -------------------------------------------------------------------------------------


@login_required
def forum_list(request):
    _require_reader(request.actor)
    forums = (
        _forums_visible(request.actor)
        .select_related("branch", "work_team")
        .annotate(
            appeal_count=Count("appeals", distinct=True),
            attendee_count=Count("employees_present", distinct=True),
        )
        .order_by("-held_on", "-pk")
    )
    page = Paginator(forums, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/appeals/forum_list.html",
        {"page": page, "can_manage": request.actor.member is not None, "show_branch": request.actor.is_admin},
    )


@login_required
def forum_create(request):
    actor = request.actor
    _require_manager(actor)
    branch = actor.member.branch
    form = ForumForm(request.POST or None, branch=branch)
    if request.method == "POST" and form.is_valid():
        forum = _save(form, lambda: services.forum_create(actor=actor, branch=branch, **form.cleaned_data))
        if forum:
            messages.success(request, _("Forum recorded. Now record what was raised as appeals."))
            return redirect("activities:forum_detail", pk=forum.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Record an opinion forum"),
            "intro": _("Who came — employees need not be Party members. What they raise is recorded as appeals."),
            "cancel_url": reverse("activities:forum_list"),
        },
    )


@login_required
def forum_detail(request, pk: int):
    _require_reader(request.actor)
    forum = get_object_or_404(_forums_visible(request.actor).select_related("branch", "work_team"), pk=pk)
    appeals = forum.appeals.select_related("requester", "requester__work_team", "handler").order_by("pk")
    return render(
        request,
        "activities/appeals/forum_detail.html",
        {
            "forum": forum,
            "members_present": forum.members_present.order_by("employee_number"),
            "employees_present": forum.employees_present.select_related("work_team").order_by("name"),
            "appeals": appeals,
            "today": timezone.localdate(),
            "can_manage": services.may_manage(request.actor, forum.branch_id),
        },
    )


# ---- appeals ------------------------------------------------------------------------------------


@login_required
def appeal_list(request):
    actor = request.actor
    if actor.member is None and not actor.is_admin:
        raise PermissionDenied
    today = timezone.localdate()
    visible = appeals_visible_to(actor)
    handlers = Member.objects.filter(pk__in=visible.values("handler_id")).order_by("employee_number")
    form = AppealFilterForm(request.GET or None, handlers=handlers)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.appeal_list(visible, today=today, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/appeals/appeal_list.html",
        {
            "page": page,
            "form": form,
            "today": today,
            "query_string": query.urlencode(),
            "can_manage": actor.member is not None and can(actor, Can.MANAGE_APPEALS),
            "show_branch": actor.is_admin,
        },
    )


@login_required
def appeal_create(request):
    actor = request.actor
    _require_manager(actor)
    branch = actor.member.branch
    initial = {}
    forum_id = request.GET.get("forum")
    if forum_id and forum_id.isdigit():
        forum = get_object_or_404(Forum.objects.filter(branch=branch), pk=forum_id)
        initial = {"forum": forum.pk, "channel": Appeal.Channel.FORUM, "received_on": forum.held_on}
    form = AppealForm(request.POST or None, request.FILES or None, branch=branch, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save():
            return services.appeal_create(
                actor=actor,
                branch=branch,
                requester=_requester(form, branch),
                forum=data["forum"],
                channel=data["channel"],
                received_on=data["received_on"],
                content=data["content"],
                category=data["category"],
                handler=data["handler"],
                deadline=data["deadline"],
                attachments=data["attachments"],
            )

        appeal = _save(form, save)
        if appeal:
            messages.success(request, _("Appeal recorded and handed to %(name)s.") % {"name": appeal.handler.name})
            return redirect("activities:appeal_detail", pk=appeal.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Record an appeal"),
            "intro": _(
                "From a forum, the QQ group, a phone call, a visit or a letter. The member who handles it "
                "(联络员) answers it by the deadline."
            ),
            "cancel_url": reverse("activities:appeal_list"),
        },
    )


@login_required
def appeal_detail(request, pk: int):
    appeal = _visible_appeal(request, pk)
    return render(
        request,
        "activities/appeals/appeal_detail.html",
        {
            "appeal": appeal,
            "overdue": selectors.is_overdue(appeal, timezone.localdate()),
            "attachments": [
                {"url": a.file.url, "name": PurePosixPath(a.file.name).name, "uploaded_at": a.uploaded_at}
                for a in appeal.attachments.order_by("pk")
            ],
            "can_update": services.may_handle(request.actor, appeal),
        },
    )


@login_required
def appeal_update(request, pk: int):
    appeal = _visible_appeal(request, pk)
    actor = request.actor
    if not services.may_handle(actor, appeal):
        raise PermissionDenied
    may_reassign = services.may_manage(actor, appeal.branch_id)
    form = AppealUpdateForm(request.POST or None, request.FILES or None, appeal=appeal, may_reassign=may_reassign)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.appeal_update(actor=actor, appeal=appeal, **form.cleaned_data))
        if saved:
            messages.success(request, _("Appeal updated: %(status)s.") % {"status": saved.get_status_display()})
            return redirect("activities:appeal_detail", pk=appeal.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Update the appeal of %(name)s") % {"name": appeal.requester.name},
            "intro": _(
                "Status moves forward: received → in progress → answered → closed. Answering needs the answer; "
                "closing records the requester's satisfaction. New attachments are added to those already there."
            ),
            "cancel_url": reverse("activities:appeal_detail", args=[appeal.pk]),
        },
    )


@login_required
def appeal_figures(request):
    actor = request.actor
    _require_reader(actor)
    today = timezone.localdate()
    visible = appeals_visible_to(actor)
    form = FiguresYearForm(request.GET if "year" in request.GET else None)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else today.year
    return render(
        request,
        "activities/appeals/figures.html",
        {
            "form": form,
            "year": year,
            "quarters": selectors.quarter_figures(visible, year=year, today=today),
            "years": selectors.years_with_appeals(visible),
            "median_in_database": selectors.median_in_database(),
        },
    )


urlpatterns = [
    path("forums/", forum_list, name="forum_list"),
    path("forums/new/", forum_create, name="forum_create"),
    path("forums/<int:pk>/", forum_detail, name="forum_detail"),
    path("appeals/", appeal_list, name="appeal_list"),
    path("appeals/new/", appeal_create, name="appeal_create"),
    path("appeals/figures/", appeal_figures, name="appeal_figures"),
    path("appeals/<int:pk>/", appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/update/", appeal_update, name="appeal_update"),
]
