"""Pages for organisation life (三会一课 and 主题党日): the compliance calendar, meeting records with
their attendance and attachments, and the party group page. `urlpatterns` is included by
activities/urls.py under the "activities" namespace.

Access, as everywhere: a role without the capability gets 403 (a member on any of these pages);
something outside the actor's scope is 404 (another branch's meeting, another group's for a group
leader); something in scope the actor may not change is 403 (the administrator reads only).
"""

from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branch.models import Branch, PartyGroup
from members.access import Capability

from ..access import Can, can, meetings_visible_to, require
from ..forms_meetings import AttendanceForm, CalendarYearForm, MeetingFilterForm, MeetingForm
from ..models import Meeting, MeetingAttachment, MeetingAttendance
from ..selectors.meetings import compliance_calendar, group_page
from ..services import meetings as meeting_service

PAGE_SIZE = 50


# ---- access helpers ---------------------------------------------------------------------------


def _may_record_some(actor) -> bool:
    return actor.member is not None and (can(actor, Can.MANAGE_MEETINGS) or can(actor, Can.RECORD_GROUP_MEETINGS))


def _require_recorder(actor) -> None:
    if not _may_record_some(actor):
        raise PermissionDenied


def _branches_visible(actor):
    if actor.is_admin:
        return Branch.objects.all()
    if actor.member is not None:
        return Branch.objects.filter(pk=actor.branch_id)
    return Branch.objects.none()


def _groups_visible(actor):
    if actor.is_admin:
        return PartyGroup.objects.all()
    if actor.member is None:
        return PartyGroup.objects.none()
    if actor.is_committee:
        return PartyGroup.objects.filter(branch_id=actor.branch_id)
    return PartyGroup.objects.filter(pk=actor.leads_group_id)


def _visible_meeting(request, pk: int) -> Meeting:
    require(request.actor, Can.VIEW_MEETINGS)
    return get_object_or_404(meetings_visible_to(request.actor).select_related("branch", "party_group"), pk=pk)


def _meeting_to_record(request, pk: int) -> Meeting:
    """A meeting the actor may record: 403 without the role, 404 outside their scope, 403 when they
    may see it but not change it."""
    _require_recorder(request.actor)
    meeting = _visible_meeting(request, pk)
    if not meeting_service.may_record_meeting(request.actor, meeting):
        raise PermissionDenied
    return meeting


def _group_only(actor):
    """The one party group a group leader (without a committee seat) may record for; None for the
    committee, who record everything."""
    return None if can(actor, Can.MANAGE_MEETINGS) else actor.member.party_group


def _save(form, save):
    """Run a service with a validated form; put its ValidationError back onto the form."""
    try:
        return save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


# ---- the compliance calendar ------------------------------------------------------------------


@login_required
def calendar(request):
    actor = request.actor
    require(actor, Can.VIEW_MEETINGS)
    branch_id = request.GET.get("branch") or actor.branch_id
    if branch_id is not None and not str(branch_id).isdigit():
        raise Http404
    if branch_id is None:  # the administrator, above the branches, picks one first
        return render(request, "activities/meetings/choose_branch.html", {"branches": _branches_visible(actor)})
    branch = get_object_or_404(_branches_visible(actor), pk=branch_id)
    today = timezone.localdate()
    form = CalendarYearForm(request.GET if "year" in request.GET else None)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else today.year
    only_group = None if (actor.is_committee or actor.is_admin) else actor.leads_group_id
    cal = compliance_calendar(branch, year=year, today=today, only_group_id=only_group)
    for row in cal.rows:
        row.can_record = meeting_service.may_record(
            actor, branch_id=branch.pk, kind=row.kind, party_group_id=row.group_id
        )
    return render(
        request,
        "activities/meetings/calendar.html",
        {
            "calendar": cal,
            "branch_query": f"&branch={branch.pk}" if actor.is_admin else "",
            "can_create": _may_record_some(actor),
        },
    )


# ---- meeting records --------------------------------------------------------------------------


@login_required
def meeting_list(request):
    actor = request.actor
    require(actor, Can.VIEW_MEETINGS)
    meetings = (
        meetings_visible_to(actor)
        .select_related("branch", "party_group")
        .annotate(present_count=Count("attendance", filter=Q(attendance__presence=MeetingAttendance.Presence.PRESENT)))
        .order_by("-held_on", "-pk")
    )
    form = MeetingFilterForm(request.GET or None, groups=_groups_visible(actor).order_by("pk"))
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("year"):
        meetings = meetings.filter(held_on__year=filters["year"])
    if filters.get("kind"):
        meetings = meetings.filter(kind=filters["kind"])
    if filters.get("party_group"):
        meetings = meetings.filter(party_group=filters["party_group"])
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/meetings/meeting_list.html",
        {
            "page": page,
            "form": form,
            "query_string": query.urlencode(),
            "can_create": _may_record_some(actor),
            "show_branch": actor.is_admin,
        },
    )


def _initial_from_query(request) -> dict:
    """The calendar's "record it" links prefill the kind, the group and the date."""
    initial = {}
    if request.GET.get("kind") in Meeting.Kind.values:
        initial["kind"] = request.GET["kind"]
    for name in ("party_group", "held_on"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    return initial


@login_required
def meeting_create(request):
    actor = request.actor
    _require_recorder(actor)
    branch = actor.member.branch
    group_only = _group_only(actor)
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        branch=branch,
        group_only=group_only,
        initial=_initial_from_query(request),
    )
    if request.method == "POST" and form.is_valid():
        meeting = _save(form, lambda: meeting_service.meeting_create(actor=actor, branch=branch, **form.cleaned_data))
        if meeting:
            messages.success(request, _("Meeting recorded. Now take its attendance."))
            return redirect("activities:meeting_attendance", pk=meeting.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Record a meeting"),
            "intro": _(
                "A party group meeting names its group. A committee meeting needs more than half of the committee "
                "present; a general meeting that votes (tick “votes on a decision”) needs more than half of the "
                "full members. A meeting below quorum is recorded and flagged."
            ),
            "cancel_url": reverse("activities:calendar"),
        },
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = _visible_meeting(request, pk)
    attendance = list(meeting.attendance.select_related("member").order_by("member__employee_number"))
    counts = dict.fromkeys(MeetingAttendance.Presence.values, 0)
    for row in attendance:
        counts[row.presence] += 1
    return render(
        request,
        "activities/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "attendance": attendance,
            "counts": counts,
            "quorum": meeting_service.quorum_for(meeting),
            "attachments": [
                {"pk": a.pk, "url": a.file.url, "name": PurePosixPath(a.file.name).name}
                for a in meeting.attachments.order_by("pk")
            ],
            "can_record": meeting_service.may_record_meeting(request.actor, meeting),
        },
    )


@login_required
def meeting_edit(request, pk: int):
    meeting = _meeting_to_record(request, pk)
    actor = request.actor
    initial = {name: getattr(meeting, name) for name in meeting_service.MEETING_FIELDS}
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        branch=meeting.branch,
        group_only=_group_only(actor),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: meeting_service.meeting_update(actor=actor, meeting=meeting, **form.cleaned_data))
        if saved:
            messages.success(request, _("Changes to the meeting saved."))
            return redirect("activities:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Change the meeting of %(date)s") % {"date": meeting.held_on.isoformat()},
            "intro": _("New attachments are added to those already there."),
            "cancel_url": reverse("activities:meeting_detail", args=[meeting.pk]),
        },
    )


@login_required
def meeting_attendance(request, pk: int):
    meeting = _meeting_to_record(request, pk)
    actor = request.actor
    members = meeting_service.eligible_members(meeting)
    recorded = dict(meeting.attendance.values_list("member_id", "presence"))
    form = AttendanceForm(request.POST or None, members=members, recorded=recorded)
    if request.method == "POST":
        presence = None
        if "all_present" in request.POST:
            presence = {m.pk: MeetingAttendance.Presence.PRESENT for m in form.members}
        elif form.is_valid():
            presence = form.presence()
        if presence is not None:
            try:
                meeting_service.meeting_record_attendance(actor=actor, meeting=meeting, presence=presence)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Attendance saved."))
                if meeting.below_quorum:
                    messages.warning(request, _("This meeting is below quorum; it is recorded and flagged."))
                return redirect("activities:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "activities/meetings/attendance.html",
        {"meeting": meeting, "form": form, "recorded": bool(recorded)},
    )


@login_required
@require_POST
def attachment_delete(request, pk: int):
    _require_recorder(request.actor)
    require(request.actor, Can.VIEW_MEETINGS)
    attachment = get_object_or_404(
        MeetingAttachment.objects.select_related("meeting").filter(meeting__in=meetings_visible_to(request.actor)),
        pk=pk,
    )
    meeting_service.meeting_remove_attachment(actor=request.actor, attachment=attachment)
    messages.success(request, _("Attachment removed."))
    return redirect("activities:meeting_detail", pk=attachment.meeting_id)


@login_required
@require_POST
def meeting_delete(request, pk: int):
    meeting = _meeting_to_record(request, pk)
    meeting_service.meeting_delete(actor=request.actor, meeting=meeting)
    messages.success(request, _("The meeting record was deleted."))
    return redirect("activities:meeting_list")


# ---- the party group page ---------------------------------------------------------------------


@login_required
def group_detail(request, pk: int):
    actor = request.actor
    require(actor, Can.VIEW_MEETINGS)
    group = get_object_or_404(_groups_visible(actor).select_related("branch"), pk=pk)
    page = group_page(group, today=timezone.localdate())
    # Who confirms the group's study records: the secretary of the branch, or the group's leader.
    is_reviewer = actor.can(Capability.REVIEW_STUDY) and (
        (actor.is_secretary and group.branch_id == actor.branch_id) or actor.leads_group_id == group.pk
    )
    return render(
        request,
        "activities/meetings/group_detail.html",
        {
            "page": page,
            "can_record": meeting_service.may_record(
                actor, branch_id=group.branch_id, kind=Meeting.Kind.GROUP, party_group_id=group.pk
            ),
            "can_manage_members": actor.can(Capability.MANAGE_MEMBERS) and group.branch_id == actor.branch_id,
            "can_review_study": is_reviewer,
        },
    )


urlpatterns = [
    path("meetings/calendar/", calendar, name="calendar"),
    path("meetings/", meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/attendance/", meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/delete/", meeting_delete, name="meeting_delete"),
    path("meetings/attachments/<int:pk>/delete/", attachment_delete, name="meeting_attachment_delete"),
    path("groups/<int:pk>/", group_detail, name="group_detail"),
]
