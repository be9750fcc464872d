"""Pages for service activities: the calendar of a year, an activity's page with its photos, the
create and edit forms, the phone-sized attendance checklist, and registering. `urlpatterns` is
included by activities/urls.py under the "activities" namespace.

Access, as everywhere: another branch's activity is 404; a role without the capability is 403 (a
member on the attendance page, a group leader on the edit form, the administrator on any change).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import Can, activities_visible_to, attendance_scope, can
from ..forms_service import ActivityForm, AttendanceForm, CalendarFilterForm, PhotoForm
from ..models import Activity
from ..selectors.service import activity_calendar, attendance_list, attendance_sheet
from ..services import service as activity_service


def _require_viewer(actor) -> None:
    if actor.member is None and not actor.is_admin:
        raise PermissionDenied


def _visible_activity(request, pk: int) -> Activity:
    _require_viewer(request.actor)
    return get_object_or_404(activities_visible_to(request.actor).select_related("branch", "organiser"), pk=pk)


def _posted(request):
    """The POST data of a POST, even an empty one (an empty checklist is an answer too)."""
    return request.POST if request.method == "POST" else None


def _save(form, save, field_for: dict | None = None):
    """Run a service with a validated form; put its ValidationError back onto the form."""
    field_for = field_for or {}
    try:
        return save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                name = field_for.get(name, name)
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None


# ---- the calendar ------------------------------------------------------------------------------


@login_required
def activity_calendar_view(request):
    actor = request.actor
    _require_viewer(actor)
    form = CalendarFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = filters.get("year") or timezone.localdate().year
    calendar = activity_calendar(actor, year=year, kind=filters.get("kind") or None)
    now = timezone.now()
    for month in calendar.months:
        for activity in month.activities:
            activity.open_for_registration = activity_service.is_open_for_registration(activity, now)
    return render(
        request,
        "activities/service/calendar.html",
        {
            "calendar": calendar,
            "form": form,
            "kind_query": f"&kind={calendar.kind}" if calendar.kind else "",
            "can_create": actor.member is not None and activity_service.may_manage(actor, actor.branch_id),
            "can_register": actor.member is not None and can(actor, Can.REGISTER_FOR_ACTIVITY),
            "show_branch": actor.is_admin,
        },
    )


# ---- one activity ------------------------------------------------------------------------------


@login_required
def activity_detail(request, pk: int):
    actor = request.actor
    activity = _visible_activity(request, pk)
    rows = attendance_list(activity, actor)
    mine = next((row for row in rows if actor.member and row.member_id == actor.member.pk), None)
    counts = activity.attendance.aggregate(
        present=Count("pk", filter=Q(present=True)),
        registered=Count("pk", filter=Q(registered=True)),
    )
    return render(
        request,
        "activities/service/detail.html",
        {
            "activity": activity,
            "attendance": rows,
            "mine": mine,
            "counts": counts,
            "photos": list(activity.photos.all()),
            "photo_form": PhotoForm(),
            "can_manage": activity_service.may_manage(actor, activity),
            "can_take_attendance": activity_service.may_take_attendance(actor, activity)
            and activity.state != Activity.State.CANCELLED
            and activity_service.has_started(activity),
            "can_add_photos": activity_service.may_add_photos(actor, activity),
            "can_register": activity_service.may_register(actor, activity),
        },
    )


@login_required
def activity_create(request):
    actor = request.actor
    if actor.member is None or not activity_service.may_manage(actor, actor.branch_id):
        raise PermissionDenied
    branch = actor.member.branch
    initial = {"organiser": actor.member.pk, "day": timezone.localdate()}
    if request.GET.get("kind") in Activity.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = ActivityForm(_posted(request), branch=branch, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = _save(
            form,
            lambda: activity_service.activity_create(actor=actor, branch=branch, **form.activity_fields()),
            ActivityForm.FIELD_FOR,
        )
        if activity:
            messages.success(request, _("Activity saved."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("New activity"),
            "intro": _(
                "Dedication days name their task; topic classes their teacher. Hours of attendance default to "
                "the time from start to end."
            ),
            "cancel_url": reverse("activities:activity_calendar"),
        },
    )


@login_required
def activity_edit(request, pk: int):
    actor = request.actor
    activity = _visible_activity(request, pk)
    if not activity_service.may_manage(actor, activity):
        raise PermissionDenied
    form = ActivityForm(_posted(request), branch=activity.branch, initial=ActivityForm.initial_for(activity))
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form,
            lambda: activity_service.activity_update(actor=actor, activity=activity, **form.activity_fields()),
            ActivityForm.FIELD_FOR,
        )
        if saved:
            messages.success(request, _("Changes to the activity saved."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Change the activity"),
            "intro": _("Attendees credited with the activity's length follow a new start or end time."),
            "cancel_url": reverse("activities:activity_detail", args=[activity.pk]),
        },
    )


# ---- attendance --------------------------------------------------------------------------------


@login_required
def activity_attendance(request, pk: int):
    actor = request.actor
    activity = _visible_activity(request, pk)
    scope = attendance_scope(actor, activity)
    if scope is False:
        raise PermissionDenied
    if activity.state == Activity.State.CANCELLED or not activity_service.has_started(activity):
        messages.error(
            request,
            _("The activity was cancelled; it has no attendance.")
            if activity.state == Activity.State.CANCELLED
            else _("Attendance can be taken once the activity has started."),
        )
        return redirect("activities:activity_detail", pk=activity.pk)
    sheet = attendance_sheet(activity, activity_service.attendance_members(activity, scope))
    form = AttendanceForm(_posted(request), sheet=sheet, default_hours=activity_service.default_hours(activity))
    if request.method == "POST" and form.is_valid():
        all_present = request.POST.get("all_present")
        saved = _save(
            form,
            lambda: activity_service.activity_take_attendance(
                actor=actor, activity=activity, marks=form.marks(all_present_group=all_present)
            ),
        )
        if saved:
            if all_present:
                # Without JavaScript, "all present" saves the group and comes back for the exceptions.
                messages.success(request, _("Everyone in the group is marked present; untick whoever was not there."))
                return redirect("activities:activity_attendance", pk=activity.pk)
            messages.success(request, _("Attendance saved."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request,
        "activities/service/attendance.html",
        {"activity": activity, "form": form, "sheet": sheet, "length": activity_service.default_hours(activity)},
    )


@login_required
@require_POST
def activity_register(request, pk: int):
    activity = _visible_activity(request, pk)
    withdraw = request.POST.get("action") == "withdraw"
    service = activity_service.activity_unregister if withdraw else activity_service.activity_register
    try:
        service(actor=request.actor, activity=activity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Registration withdrawn.") if withdraw else _("You are registered."))
    return redirect("activities:activity_detail", pk=activity.pk)


@login_required
def activity_photo_add(request, pk: int):
    actor = request.actor
    activity = _visible_activity(request, pk)
    if not activity_service.may_add_photos(actor, activity):
        raise PermissionDenied
    form = PhotoForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        photo = _save(
            form,
            lambda: activity_service.activity_add_photo(
                actor=actor, activity=activity, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"]
            ),
        )
        if photo:
            messages.success(request, _("Photo added."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Add a photo"),
            "intro": activity.title,
            "cancel_url": reverse("activities:activity_detail", args=[activity.pk]),
            "submit_label": _("Upload"),
        },
    )


urlpatterns = [
    path("service/", activity_calendar_view, name="activity_calendar"),
    path("service/new/", activity_create, name="activity_create"),
    path("service/<int:pk>/", activity_detail, name="activity_detail"),
    path("service/<int:pk>/edit/", activity_edit, name="activity_edit"),
    path("service/<int:pk>/attendance/", activity_attendance, name="activity_attendance"),
    path("service/<int:pk>/register/", activity_register, name="activity_register"),
    path("service/<int:pk>/photos/add/", activity_photo_add, name="activity_photo_add"),
]
