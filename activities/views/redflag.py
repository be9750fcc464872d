"""Red-flag pages (红旗井、红旗设备): the branch's board, an asset's chart, assigning and ending assignments,
their targets, and readings, on the phone and from a spreadsheet. `urlpatterns` is included by
activities/urls.py under the "activities" namespace.

Access (activities/access.py): the board and charts need VIEW_RED_FLAG and show what
assignments_visible_to / assets_visible_to give (a member: their own asset; a group leader: the
group's; the committee: the branch). Readings need ENTER_READINGS within the same scope; assigning,
ending and targets need MANAGE_ASSIGNMENTS. Outside the scope: 404; in scope without the capability: 403.
"""

from __future__ import annotations

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branch.spreadsheets import CONTENT_TYPES

from ..access import Can, assets_visible_to, assignments_visible_to, can, require
from ..forms_redflag import (
    AssignmentEndForm,
    AssignmentForm,
    BoardFilterForm,
    ReadingForm,
    ReadingsUploadForm,
    TargetsForm,
)
from ..models import Asset, Indicator, Reading, RedFlagAssignment
from ..selectors.redflag import (
    AMBER_FROM,
    COLOURS,
    GREEN_FROM,
    TONES,
    asset_series,
    assignment_statuses,
    colour_label,
    red_flag_board,
)
from ..services import redflag as service

SESSION_KEY = "readings_import"
RECENT_READINGS = 12


def needs(capability: Can):
    """Log in and hold the capability (403 otherwise)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            require(request.actor, capability)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _visible_asset(actor, pk: int) -> Asset:
    return get_object_or_404(assets_visible_to(actor).select_related("branch"), pk=pk)


def _assignment_to_manage(actor, pk: int) -> RedFlagAssignment:
    """An assignment the actor may see (else 404) and manage (else 403)."""
    assignment = get_object_or_404(assignments_visible_to(actor).select_related("asset", "member"), pk=pk)
    require(actor, Can.MANAGE_ASSIGNMENTS)
    if actor.branch_id != assignment.asset.branch_id:  # the administrator sees, but works in the admin
        raise PermissionDenied
    return assignment


def _own_branch(actor):
    if actor.member is None:
        raise PermissionDenied
    return actor.member.branch


def _asset_list_url() -> str:
    """The asset registry's page, when it exists (it is built separately)."""
    try:
        return reverse("activities:asset_list")
    except NoReverseMatch:
        return ""


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on a field when its key is one, else on the form."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _legend() -> list[tuple[str, str]]:
    return [
        (TONES["green"], _("on target: %(from)d %% or more") % {"from": GREEN_FROM}),
        (TONES["amber"], _("close: %(from)d–%(to)d %%") % {"from": AMBER_FROM, "to": GREEN_FROM}),
        (TONES["red"], _("below target: under %(to)d %%") % {"to": AMBER_FROM}),
    ]


# ---- the board and an asset's page ---------------------------------------------------------------


@require_GET
@needs(Can.VIEW_RED_FLAG)
def board(request):
    actor = request.actor
    today = timezone.localdate()
    form = BoardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    result = red_flag_board(actor, today=today, query=filters.get("q", ""), colour=filters.get("colour", ""))
    # Two links a row: reversed once and filled in, rather than reversed a thousand times on a big board.
    chart, reading = reverse("activities:asset_chart", args=[0]), reverse("activities:reading_add", args=[0])
    for row in result.rows:
        pk = f"/{row.asset.pk}/"
        row.chart_url, row.reading_url = chart.replace("/0/", pk), reading.replace("/0/", pk)
    return render(
        request,
        "activities/redflag/board.html",
        {
            "board": result,
            "form": form,
            "tiles": [(c, result.counts[c], TONES[c], colour_label(c)) for c in COLOURS],
            "legend": _legend(),
            "can_manage": can(actor, Can.MANAGE_ASSIGNMENTS) and actor.member is not None,
            "can_enter": can(actor, Can.ENTER_READINGS),
            "asset_list_url": _asset_list_url(),
            "today": today,
            # Translated once for the rows' loop.
            "no_month": colour_label("none"),
            "latest_label": _("latest reading"),
            "enter_label": _("Enter a reading"),
        },
    )


@require_GET
@needs(Can.VIEW_RED_FLAG)
def asset_chart(request, pk: int):
    actor = request.actor
    today = timezone.localdate()
    asset = _visible_asset(actor, pk)
    statuses = assignment_statuses(RedFlagAssignment.objects.filter(asset=asset).order_by("-started_on"), today)
    chosen = next((st for st in statuses if str(st.assignment.pk) == request.GET.get("assignment")), None)
    active = next((st.assignment for st in statuses if st.assignment.ended_on is None), None)
    chosen = chosen or next((st for st in statuses if st.assignment.ended_on is None), None)
    chosen = chosen or (statuses[0] if statuses else None)
    readings = list(
        Reading.objects.filter(asset=asset)
        .select_related("entered_by")
        .order_by("-reading_on", "indicator")[:RECENT_READINGS]
    )
    for reading in readings:
        reading.asset = asset  # for can_delete_reading, without a query per row
        reading.deletable = service.can_delete_reading(actor, reading, today)
    return render(
        request,
        "activities/redflag/asset_detail.html",
        {
            "asset": asset,
            "assignments": [st.assignment for st in statuses],
            "active": active,
            "chosen": chosen.assignment if chosen else None,
            "status": chosen,
            "series": asset_series(asset, chosen.assignment if chosen else None, today),
            "readings": readings,
            "legend": _legend(),
            "can_enter": can(actor, Can.ENTER_READINGS) and active is not None,
            "can_manage": can(actor, Can.MANAGE_ASSIGNMENTS) and actor.branch_id == asset.branch_id,
            "asset_list_url": _asset_list_url(),
        },
    )


# ---- readings ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def reading_add(request, pk: int):
    """The phone form: one day's readings of the asset's target indicators."""
    actor = request.actor
    asset = _visible_asset(actor, pk)
    require(actor, Can.ENTER_READINGS)
    assignment = (
        RedFlagAssignment.objects.filter(asset=asset, ended_on__isnull=True)
        .select_related("member")
        .prefetch_related("targets")
        .first()
    )
    if assignment is None:
        messages.error(
            request,
            _("%(asset)s has no responsible member now; readings are taken only for red-flag assets.")
            % {"asset": asset.code},
        )
        return redirect("activities:asset_chart", pk=asset.pk)
    today = timezone.localdate()
    targets = sorted(assignment.targets.all(), key=lambda t: Indicator.values.index(t.indicator))
    form = ReadingForm(request.POST or None, indicators=[t.indicator for t in targets], today=today)
    if request.method == "POST" and form.is_valid():
        try:
            saved = service.readings_record(
                asset=asset,
                reading_on=form.cleaned_data["reading_on"],
                values=form.values(),
                entered_by=actor.member,
                today=today,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Saved %(count)d readings of %(asset)s for %(date)s.")
                % {"count": len(saved), "asset": asset.code, "date": form.cleaned_data["reading_on"]},
            )
            return redirect("activities:asset_chart", pk=asset.pk)
    return render(
        request,
        "activities/redflag/reading_form.html",
        {"form": form, "asset": asset, "assignment": assignment, "targets": targets},
    )


@require_POST
@login_required
def reading_delete(request, pk: int):
    actor = request.actor
    reading = get_object_or_404(
        Reading.objects.select_related("asset").filter(asset__in=assets_visible_to(actor)), pk=pk
    )
    require(actor, Can.ENTER_READINGS)
    try:
        service.reading_delete(actor=actor, reading=reading)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Removed the reading of %(indicator)s for %(date)s; enter it again if it was wrong.")
            % {"indicator": reading.get_indicator_display(), "date": reading.reading_on},
        )
    return redirect("activities:asset_chart", pk=reading.asset_id)


# ---- assignments -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@needs(Can.MANAGE_ASSIGNMENTS)
def assignment_create(request):
    actor = request.actor
    branch = _own_branch(actor)
    initial = {}
    if (asset_id := request.GET.get("asset", "")).isdigit():
        initial["asset"] = int(asset_id)
    form = AssignmentForm(request.POST or None, branch=branch, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = service.assignment_create(
                asset=data["asset"],
                member=data["member"],
                schedule=data["schedule"],
                method=data["method"],
                fit_reason=data["fit_reason"],
                started_on=data["started_on"],
                targets=form.targets(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(member)s now takes charge of %(asset)s.")
                % {"member": assignment.member.name, "asset": assignment.asset.code},
            )
            return redirect("activities:asset_chart", pk=assignment.asset_id)
    return render(
        request,
        "activities/redflag/assignment_form.html",
        {
            "form": form,
            "title": _("New red-flag assignment (五定)"),
            "cancel_url": reverse("activities:red_flag_board"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def assignment_end(request, pk: int):
    assignment = _assignment_to_manage(request.actor, pk)
    asset_url = reverse("activities:asset_chart", args=[assignment.asset_id])
    if assignment.ended_on is not None:
        messages.info(request, _("This assignment has already ended."))
        return redirect(asset_url)
    form = AssignmentEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.assignment_end(
                assignment=assignment, ended_on=form.cleaned_data["ended_on"], reason=form.cleaned_data["end_reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The assignment of %(member)s to %(asset)s has ended. It stays in the asset's history.")
                % {"member": assignment.member.name, "asset": assignment.asset.code},
            )
            return redirect(asset_url)
    intro = _("%(asset)s — %(member)s, since %(date)s. Ending keeps the assignment in the asset's history.") % {
        "asset": assignment.asset.code,
        "member": assignment.member.name,
        "date": assignment.started_on,
    }
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("End a red-flag assignment"),
            "intro": intro,
            "submit_label": _("End the assignment"),
            "cancel_url": asset_url,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def assignment_targets(request, pk: int):
    assignment = _assignment_to_manage(request.actor, pk)
    asset_url = reverse("activities:asset_chart", args=[assignment.asset_id])
    if assignment.ended_on is not None:
        messages.info(request, _("The targets of an ended assignment cannot change."))
        return redirect(asset_url)
    current = {t.indicator: t.target for t in assignment.targets.all()}
    form = TargetsForm(request.POST or None, initial_targets=current)
    if request.method == "POST" and form.is_valid():
        try:
            service.assignment_targets_set(assignment=assignment, targets=form.targets())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Targets of %(asset)s saved.") % {"asset": assignment.asset.code})
            return redirect(asset_url)
    intro = _("%(asset)s — %(member)s. Leave a target empty to remove it.") % {
        "asset": assignment.asset.code,
        "member": assignment.member.name,
    }
    return render(
        request,
        "activities/redflag/assignment_form.html",
        {"form": form, "title": _("Targets (定指标)"), "intro": intro, "cancel_url": asset_url},
    )


# ---- importing readings ----------------------------------------------------------------------------


def _importer(view):
    """Log in, hold ENTER_READINGS (403 otherwise), and import into your own branch."""

    @needs(Can.ENTER_READINGS)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, _own_branch(request.actor), *args, **kwargs)

    return wrapper


def _forget_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        service.UPLOADS.discard(pending.get("token", ""))


@require_http_methods(["GET", "POST"])
@_importer
def readings_import(request, branch):
    form = ReadingsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            service.read_readings_file(content=content, filename=upload.name)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            _forget_pending(request)
            token = service.UPLOADS.store(content)
            request.session[SESSION_KEY] = {"token": token, "filename": upload.name, "branch": branch.pk}
            return redirect("activities:readings_import_confirm")
    names = [(name, Indicator(i).label, Indicator(i).spec.unit) for i, name in service.INDICATOR_NAMES.items()]
    return render(request, "activities/redflag/readings_import.html", {"form": form, "indicator_names": names})


@require_http_methods(["GET", "POST"])
@_importer
def readings_import_confirm(request, branch):
    """GET: the preview of the pending upload. POST: import it, all or nothing."""
    pending = request.session.get(SESSION_KEY) or {}
    content = service.UPLOADS.load(pending.get("token", "")) if pending.get("branch") == branch.pk else None
    if content is None:
        messages.info(request, _("Upload a file of readings first."))
        return redirect("activities:readings_import")
    run = service.readings_preview
    if request.method == "POST":
        if request.POST.get("token") != pending["token"]:
            messages.error(request, _("Another file was uploaded after this preview; check its preview first."))
            return redirect("activities:readings_import_confirm")
        run = service.readings_import
    try:
        report = run(actor=request.actor, branch=branch, content=content, filename=pending["filename"])
    except ValidationError as error:
        _forget_pending(request)
        messages.error(request, " ".join(error.messages))
        return redirect("activities:readings_import")
    if request.method == "POST":
        if not report.saved:
            messages.error(request, _("Nothing was saved: the file has errors, listed below."))
            return redirect("activities:readings_import_confirm")
        _forget_pending(request)
        messages.success(
            request,
            _("Imported %(count)d readings of %(assets)d assets.")
            % {"count": report.readings, "assets": report.assets},
        )
        return redirect("activities:red_flag_board")
    context = {"report": report, "filename": pending["filename"], "token": pending["token"]}
    return render(request, "activities/redflag/readings_import_preview.html", context)


@require_POST
@_importer
def readings_import_cancel(request, branch):
    _forget_pending(request)
    return redirect("activities:readings_import")


@require_GET
@_importer
def readings_import_template(request, branch):
    content = service.readings_template(actor=request.actor, branch=branch, today=timezone.localdate())
    filename = f"{_('readings-template')}.xlsx"
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"])


urlpatterns = [
    path("red-flag/", board, name="red_flag_board"),
    path("red-flag/assets/<int:pk>/", asset_chart, name="asset_chart"),
    path("red-flag/assets/<int:pk>/readings/new/", reading_add, name="reading_add"),
    path("red-flag/readings/<int:pk>/delete/", reading_delete, name="reading_delete"),
    path("red-flag/assignments/new/", assignment_create, name="assignment_create"),
    path("red-flag/assignments/<int:pk>/end/", assignment_end, name="assignment_end"),
    path("red-flag/assignments/<int:pk>/targets/", assignment_targets, name="assignment_targets"),
    path("red-flag/readings/import/", readings_import, name="readings_import"),
    path("red-flag/readings/import/confirm/", readings_import_confirm, name="readings_import_confirm"),
    path("red-flag/readings/import/cancel/", readings_import_cancel, name="readings_import_cancel"),
    path("red-flag/readings/import/template/", readings_import_template, name="readings_import_template"),
]
