"""Pages for the registry of wells and equipment (资产: 井和设备): the list, adding and changing an
asset, and importing and exporting the registry as a spreadsheet. `urlpatterns` is included by
activities/urls.py under the "activities" namespace.

Access: the committee (the secretary's included) and the administrator read the list, everyone else
gets 403; only the secretary adds, changes, imports and exports (403 for the others), always in their
own branch: another branch's asset is 404. The administrator changes and imports assets in the admin
site, choosing the branch there.

Between the preview and the confirmation the upload waits in a private temporary folder under a random
token kept in the session (branch/spreadsheets/uploads.py), as for the roster.
"""

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from branch.spreadsheets import CONTENT_TYPES, FILE_FORMATS

from ..access import Can, assets_visible_to, can, require
from ..forms_assets import AssetFilterForm, AssetForm, AssetUploadForm
from ..models import Asset, RedFlagAssignment
from ..services import asset_import as importing
from ..services import assets as asset_service
from ..services.assets import normalize_asset_code

PAGE_SIZE = 50
SESSION_KEY = "asset_import"


# ---- access ---------------------------------------------------------------------------------------


def _require_registry_reader(actor) -> None:
    """The registry is the committee's and the administrator's to read; members see the assets they
    are responsible for on the red-flag pages."""
    if not (actor.is_admin or actor.is_committee):
        raise PermissionDenied


def asset_manager_required(view):
    """Log in, hold MANAGE_ASSETS (403 otherwise), and work on your own branch, passed to the view."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        actor = request.actor
        require(actor, Can.MANAGE_ASSETS)
        if actor.member is None:  # no branch of one's own
            raise PermissionDenied
        return view(request, actor.member.branch, *args, **kwargs)

    return wrapper


# ---- the list -------------------------------------------------------------------------------------


def registry(actor, *, q: str = "", kind: str = "", status: str = "", hard: str = "") -> QuerySet[Asset]:
    """The assets the actor may see, filtered, each with its branch and its active red-flag assignment
    (`active_assignments`, with the member): three queries for a page, whatever its length."""
    active = RedFlagAssignment.objects.filter(ended_on__isnull=True).select_related("member")
    assets = (
        assets_visible_to(actor)
        .select_related("branch")
        .prefetch_related(Prefetch("assignments", queryset=active, to_attr="active_assignments"))
        .order_by("code", "pk")
    )
    if q := q.strip():
        assets = assets.filter(Q(code__icontains=normalize_asset_code(q)) | Q(station__icontains=q))
    if kind:
        assets = assets.filter(kind=kind)
    if status:
        assets = assets.filter(status=status)
    if hard:
        assets = assets.filter(hard_to_manage=hard == "yes")
    return assets


@login_required
def asset_list(request):
    actor = request.actor
    _require_registry_reader(actor)
    form = AssetFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(registry(actor, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "query_string": query.urlencode(),
        "can_manage": can(actor, Can.MANAGE_ASSETS) and actor.member is not None,
        "show_branch": actor.is_admin,
    }
    return render(request, "activities/assets/asset_list.html", context)


# ---- adding and changing --------------------------------------------------------------------------


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


@require_http_methods(["GET", "POST"])
@asset_manager_required
def asset_create(request, branch):
    form = AssetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _save(form, lambda: asset_service.asset_create(branch=branch, **form.cleaned_data))
        if created:
            messages.success(request, _("Asset %(code)s added.") % {"code": created.code})
            return redirect("activities:asset_list")
    context = {"form": form, "title": _("Add an asset"), "cancel_url": reverse("activities:asset_list")}
    return render(request, "form_page.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def asset_edit(request, pk: int):
    actor = request.actor
    asset = get_object_or_404(assets_visible_to(actor), pk=pk)  # 404 outside the actor's scope
    require(actor, Can.MANAGE_ASSETS)  # 403 for those who may see it but not change it
    form = AssetForm(request.POST or None, asset=asset)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: asset_service.asset_update(asset=asset, **form.cleaned_data))
        if saved:
            messages.success(request, _("Changes to %(code)s saved.") % {"code": saved.code})
            return redirect("activities:asset_list")
    context = {
        "form": form,
        "title": _("Edit %(code)s") % {"code": asset.code},
        "cancel_url": reverse("activities:asset_list"),
    }
    return render(request, "form_page.html", context)


# ---- import and export ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@asset_manager_required
def import_upload(request, branch):
    form = AssetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        try:
            importing.asset_read(content=content, filename=file.name)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            _forget_pending(request)
            token = importing.asset_upload_store(content)
            request.session[SESSION_KEY] = {"token": token, "filename": file.name, "branch": branch.pk}
            return redirect("activities:asset_import_confirm")
    context = {"form": form, "branch": branch, "asset_count": branch.assets.count()}
    return render(request, "activities/assets/asset_import.html", context)


@require_http_methods(["GET", "POST"])
@asset_manager_required
def import_confirm(request, branch):
    """GET: the preview of the pending upload. POST: import it, all or nothing."""
    pending = request.session.get(SESSION_KEY) or {}
    content = importing.asset_upload_load(pending.get("token", "")) if pending.get("branch") == branch.pk else None
    if content is None:
        messages.info(request, _("Upload an asset file first."))
        return redirect("activities:asset_import")
    if request.method == "POST":
        return _import(request, branch, pending, content)
    try:
        report = importing.asset_preview(branch=branch, content=content, filename=pending["filename"])
    except ValidationError as exc:
        _forget_pending(request)
        messages.error(request, " ".join(exc.messages))
        return redirect("activities:asset_import")
    context = {"branch": branch, "report": report, "filename": pending["filename"], "token": pending["token"]}
    return render(request, "activities/assets/asset_import_preview.html", context)


def _import(request, branch, pending, content):
    if request.POST.get("token") != pending["token"]:
        messages.error(request, _("Another file was uploaded after this preview; check its preview first."))
        return redirect("activities:asset_import_confirm")
    try:
        report = importing.asset_import(branch=branch, content=content, filename=pending["filename"], user=request.user)
    except ValidationError as exc:
        _forget_pending(request)
        messages.error(request, " ".join(exc.messages))
        return redirect("activities:asset_import")
    if not report.saved:
        messages.error(request, _("Nothing was saved: the file has errors, listed below."))
        return redirect("activities:asset_import_confirm")
    _forget_pending(request)
    messages.success(
        request,
        _("Assets imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("activities:asset_list")


def _forget_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        importing.asset_upload_discard(pending.get("token", ""))


@require_POST
@asset_manager_required
def import_cancel(request, branch):
    _forget_pending(request)
    return redirect("activities:asset_import")


@require_GET
@asset_manager_required
def import_template(request, branch):
    return _download(importing.asset_template(), f"{_('asset-template')}.xlsx", CONTENT_TYPES["xlsx"])


@require_GET
@asset_manager_required
def export(request, branch):
    file_format = request.GET.get("format", "xlsx")
    if file_format not in FILE_FORMATS:
        raise Http404
    content = importing.asset_export(branch=branch, file_format=file_format)
    filename = importing.asset_export_filename(branch=branch, file_format=file_format, today=timezone.localdate())
    return _download(content, filename, CONTENT_TYPES[file_format])


def _download(content: bytes, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("assets/", asset_list, name="asset_list"),
    path("assets/new/", asset_create, name="asset_create"),
    path("assets/<int:pk>/edit/", asset_edit, name="asset_edit"),
    path("assets/import/", import_upload, name="asset_import"),
    path("assets/import/confirm/", import_confirm, name="asset_import_confirm"),
    path("assets/import/cancel/", import_cancel, name="asset_import_cancel"),
    path("assets/import/template/", import_template, name="asset_import_template"),
    path("assets/export/", export, name="asset_export"),
]
