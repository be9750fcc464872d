"""Roster import and export on the secretary's pages, always for the secretary's own branch.

The administrator, who is above the branches, imports and exports in the admin site (the same
resource, members/resources.py), where the branch is chosen on the import form.

Between the preview and the confirmation the upload waits in a private temporary folder under a random
token kept in the session (members/services/roster_import.py), rather than travelling back as a hidden
field: a roster of several MB would go through the browser twice, and the confirmation would trust
whatever the browser sent instead of the file that was previewed.
"""

import io
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..access import Capability
from ..services.roster_import import (
    CONTENT_TYPES,
    FILE_FORMATS,
    MAX_UPLOAD_BYTES,
    roster_export,
    roster_export_filename,
    roster_file_format,
    roster_import,
    roster_preview,
    roster_read,
    roster_template,
    roster_upload_discard,
    roster_upload_load,
    roster_upload_store,
)

SESSION_KEY = "roster_import"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An .xlsx or .csv file of at most 5 MB with the template's column names in its first row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        roster_file_format(upload.name)
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)d MB."), code="too_large", params={"limit": MAX_UPLOAD_BYTES >> 20}
            )
        return upload


def roster_manager_required(view):
    """Log in, hold MANAGE_MEMBERS (403 otherwise), and work on your own branch, passed to the view."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        actor = request.actor
        actor.require(Capability.MANAGE_MEMBERS)
        if actor.member is None:  # no branch of one's own to import into
            raise PermissionDenied
        return view(request, actor.member.branch, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@roster_manager_required
def upload(request, branch):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        try:
            roster_read(content=content, filename=file.name)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            _forget_pending(request)
            token = roster_upload_store(content)
            request.session[SESSION_KEY] = {"token": token, "filename": file.name, "branch": branch.pk}
            return redirect("members:import_confirm")
    context = {"form": form, "branch": branch, "member_count": branch.members.active().count()}
    return render(request, "members/roster_import.html", context)


@require_http_methods(["GET", "POST"])
@roster_manager_required
def confirm(request, branch):
    """GET: the preview of the pending upload. POST: import it, all or nothing."""
    pending = request.session.get(SESSION_KEY) or {}
    content = roster_upload_load(pending.get("token", "")) if pending.get("branch") == branch.pk else None
    if content is None:
        messages.info(request, gettext("Upload a roster file first."))
        return redirect("members:import")
    if request.method == "POST":
        return _import(request, branch, pending, content)
    try:
        report = roster_preview(branch=branch, content=content, filename=pending["filename"])
    except ValidationError as exc:
        _forget_pending(request)
        messages.error(request, " ".join(exc.messages))
        return redirect("members:import")
    context = {"branch": branch, "report": report, "filename": pending["filename"], "token": pending["token"]}
    return render(request, "members/roster_import_preview.html", context)


def _import(request, branch, pending, content):
    if request.POST.get("token") != pending["token"]:
        messages.error(request, gettext("Another file was uploaded after this preview; check its preview first."))
        return redirect("members:import_confirm")
    try:
        report = roster_import(branch=branch, content=content, filename=pending["filename"], user=request.user)
    except ValidationError as exc:
        _forget_pending(request)
        messages.error(request, " ".join(exc.messages))
        return redirect("members:import")
    if not report.saved:
        messages.error(request, gettext("Nothing was saved: the file has errors, listed below."))
        return redirect("members:import_confirm")
    _forget_pending(request)
    messages.success(
        request,
        gettext("Roster imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("members:import")


def _forget_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        roster_upload_discard(pending.get("token", ""))


@require_POST
@roster_manager_required
def cancel(request, branch):
    _forget_pending(request)
    return redirect("members:import")


@require_GET
@roster_manager_required
def template(request, branch):
    filename = f"{gettext('roster-template')}.xlsx"
    return _download(roster_template(branch=branch), filename, CONTENT_TYPES["xlsx"])


@require_GET
@roster_manager_required
def export(request, branch):
    file_format = request.GET.get("format", "xlsx")
    if file_format not in FILE_FORMATS:
        raise Http404
    content = roster_export(branch=branch, file_format=file_format)
    filename = roster_export_filename(branch=branch, file_format=file_format, today=timezone.localdate())
    return _download(content, filename, CONTENT_TYPES[file_format])


def _download(content: bytes, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store"  # ID card numbers: keep them out of shared caches
    return response


urlpatterns = [
    path("import/", upload, name="import"),
    path("import/confirm/", confirm, name="import_confirm"),
    path("import/cancel/", cancel, name="import_cancel"),
    path("import/template/", template, name="import_template"),
    path("export/", export, name="export"),
]
