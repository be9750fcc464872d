"""The export pages: the reports you may make, a report's form, the job page with its progress and
download, and your scheduled exports. Business rules live in services.py and schedules.py.

Access: anyone logged in; each report is offered only to the roles its exporter `allowed`s (a report
refused is 403). Jobs and schedules belong to the person who made them: anyone else, the secretary
and the administrator included, gets "not found".

The branch is the actor's own; the administrator, who belongs to none, picks one (`?branch=<id>`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from branch.models import Branch, ExportJob, ScheduledExport

from . import schedules, services
from .base import Exporter, exporters, get_exporter
from .forms import FormatForm, ScheduleForm, asks_for_quarter, exporter_form
from .writers import CONTENT_TYPES

RECENT_JOBS = 20


# ---- helpers -------------------------------------------------------------------------------------


def _branch_choice(request) -> tuple[Branch | None, list[Branch]]:
    """The branch the pages work on, and the branches to choose from (the administrator's only)."""
    actor = request.actor
    if actor.member is not None:
        return actor.member.branch, []
    if actor.is_admin:
        branches = list(Branch.objects.order_by("plant", "name"))
        wanted = request.GET.get("branch", "")
        chosen = next((b for b in branches if str(b.pk) == wanted), branches[0] if branches else None)
        return chosen, branches
    return None, []


def _exporter_or_404(identifier: str) -> Exporter:
    try:
        return get_exporter(identifier)
    except LookupError:
        raise Http404 from None


def _allowed_exporter(request, identifier: str) -> tuple[Exporter, Branch]:
    exporter = _exporter_or_404(identifier)
    branch, _branches = _branch_choice(request)
    if branch is None or not services.may_run(exporter, request.actor, branch):
        raise PermissionDenied
    return exporter, branch


def _reports(actor, branch) -> list[Exporter]:
    if branch is None:
        return []
    found = [cls() for cls in exporters().values()]
    return sorted((e for e in found if services.may_run(e, actor, branch)), key=lambda e: str(e.verbose_name))


def _named(rows):
    """The rows (jobs or schedules) with `report_name` set from the registry, for the templates."""
    names = {identifier: cls.verbose_name for identifier, cls in exporters().items()}
    rows = list(rows)
    for row in rows:
        row.report_name = names.get(row.exporter, row.exporter)
    return rows


def _own_job(request, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("branch"), pk=pk, owner=request.user)
    return services.fail_if_stale(job)


def _all_valid(*forms) -> bool:
    """Validate every form (so each shows its errors), then say whether all passed."""
    results = [form.is_valid() for form in forms if form is not None]  # a list: no short-circuit
    return all(results)


def _branch_query(branch: Branch | None, branches: list[Branch]) -> str:
    return f"?branch={branch.pk}" if branch is not None and branches else ""


# ---- reports and jobs ----------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    branch, branches = _branch_choice(request)
    mine = ExportJob.objects.filter(owner=request.user)
    services.fail_stale_jobs(jobs=mine)  # so no job of the list shows "waiting" for ever
    context = {
        "branch": branch,
        "branches": branches,
        "branch_query": _branch_query(branch, branches),
        "reports": _reports(request.actor, branch),
        "jobs": _named(mine.select_related("branch")[:RECENT_JOBS]),
    }
    return render(request, "exports/index.html", context)


@login_required
def export_form(request, identifier: str):
    exporter, branch = _allowed_exporter(request, identifier)
    data = request.POST if request.method == "POST" else None
    form = exporter_form(exporter, data, actor=request.actor, branch=branch, query=request.GET)
    format_form = FormatForm(data, formats=exporter.formats)
    if data is not None and _all_valid(form, format_form):
        params = exporter.params_from_form(form.cleaned_data) if form is not None else {}
        try:
            job = services.start_export(
                actor=request.actor,
                branch=branch,
                exporter_id=exporter.identifier,
                params=params,
                file_format=format_form.cleaned_data["file_format"],
            )
        except ValidationError as error:
            format_form.add_error(None, error.messages)
        else:
            return redirect(job)
    context = {
        "exporter": exporter,
        "branch": branch,
        "form": form,
        "format_form": format_form,
        "title": exporter.verbose_name,
        "submit_label": _("Make the file"),
        "schedule_url": reverse("exports:schedule_create", args=[exporter.identifier])
        + (f"?{request.GET.urlencode()}" if request.GET else ""),
    }
    return render(request, "exports/export_form.html", context)


@login_required
@require_GET
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    return render(request, "exports/job.html", {"job": _named([job])[0]})


@login_required
@require_GET
def job_status(request, pk: int):
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "row_count": job.row_count,
            "rows_label": ngettext("%(count)s row written", "%(count)s rows written", job.row_count)
            % {"count": job.row_count},
            "finished": job.is_finished,
            "error": job.error,
            "download_url": reverse("exports:download", args=[job.pk]) if job.can_download else None,
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_GET
def download(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
    # Past its keeping time the file is gone, even if the hourly cleanup has not deleted it yet.
    if not job.can_download or (job.expires_at and job.expires_at <= timezone.now()):
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.file_format]
    )
    response["Cache-Control"] = "no-store"  # ID card numbers: keep them out of shared caches
    return response


# ---- schedules -----------------------------------------------------------------------------------


@login_required
@require_GET
def schedule_list(request):
    branch, branches = _branch_choice(request)
    context = {
        "schedules": _named(ScheduledExport.objects.filter(owner=request.user).select_related("branch")),
        "reports": _reports(request.actor, branch),
        "branch": branch,
        "branches": branches,
        "branch_query": _branch_query(branch, branches),
    }
    return render(request, "exports/schedules.html", context)


@login_required
def schedule_create(request, identifier: str):
    exporter, branch = _allowed_exporter(request, identifier)
    data = request.POST if request.method == "POST" else None
    form = exporter_form(exporter, data, actor=request.actor, branch=branch, query=request.GET)
    schedule_form = ScheduleForm(data, formats=exporter.formats, offer_rolling_quarter=asks_for_quarter(form))
    if data is not None and _all_valid(form, schedule_form):
        params = exporter.params_from_form(form.cleaned_data) if form is not None else {}
        if schedule_form.cleaned_data.get("rolling_quarter"):
            params = schedules.roll_quarters(params)
        try:
            schedules.schedule_create(
                actor=request.actor,
                branch=branch,
                exporter_id=exporter.identifier,
                params=params,
                file_format=schedule_form.cleaned_data["file_format"],
                frequency=schedule_form.cleaned_data["frequency"],
            )
        except ValidationError as error:
            schedule_form.add_error(None, error.messages)
        else:
            messages.success(request, _("The report will be made on the days you chose."))
            return redirect("exports:schedules")
    context = {
        "exporter": exporter,
        "branch": branch,
        "form": form,
        "format_form": schedule_form,
        "title": _("Make “%(name)s” regularly") % {"name": exporter.verbose_name},
        "submit_label": _("Save the schedule"),
        "scheduling": True,
    }
    return render(request, "exports/export_form.html", context)


def _own_schedule(request, pk: int) -> ScheduledExport:
    return get_object_or_404(ScheduledExport, pk=pk, owner=request.user)


@login_required
@require_POST
def schedule_stop(request, pk: int):
    schedules.schedule_set_active(schedule=_own_schedule(request, pk), active=False)
    messages.success(request, _("The schedule is stopped."))
    return redirect("exports:schedules")


@login_required
@require_POST
def schedule_start(request, pk: int):
    schedules.schedule_set_active(schedule=_own_schedule(request, pk), active=True)
    messages.success(request, _("The schedule runs again from its next due day."))
    return redirect("exports:schedules")


@login_required
@require_POST
def schedule_delete(request, pk: int):
    schedules.schedule_delete(schedule=_own_schedule(request, pk))
    messages.success(request, _("The schedule is deleted; the files it made stay in your exports."))
    return redirect("exports:schedules")
