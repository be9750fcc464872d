"""Study records: members add their own; group leaders and the secretary confirm or return them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import Capability
from ..forms import StudyRecordForm, StudyReturnForm
from ..models import StudyRecord
from ..selectors import study_waiting_for
from ..services import study as study_service
from .roster import _save


def _own_member(request):
    if request.actor.member is None or request.actor.member.is_archived:
        raise Http404
    return request.actor.member


@login_required
def study_add(request):
    member = _own_member(request)
    form = StudyRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = _save(form, lambda: study_service.study_record_create(member=member, **form.cleaned_data))
        if record:
            messages.success(request, _("Study record added; it counts once it is confirmed."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "form_page.html",
        {"form": form, "title": _("Add a study record"), "cancel_url": reverse("members:detail", args=[member.pk])},
    )


@login_required
def study_edit(request, pk: int):
    member = _own_member(request)
    # Only the member's own, not yet confirmed records: anything else is not there for them.
    record = get_object_or_404(StudyRecord.objects.exclude(status=StudyRecord.Status.CONFIRMED), pk=pk, member=member)
    form = StudyRecordForm(request.POST or None, request.FILES or None, instance=record)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: study_service.study_record_update(record=record, **form.cleaned_data))
        if saved:
            messages.success(request, _("Study record sent for confirmation again."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Change a study record"),
            "intro": record.return_reason and _("Returned: %(reason)s") % {"reason": record.return_reason},
            "submit_label": _("Send for confirmation"),
            "cancel_url": reverse("members:detail", args=[member.pk]),
        },
    )


@login_required
def study_queue(request):
    request.actor.require(Capability.REVIEW_STUDY)
    records = list(study_waiting_for(request.actor)[:200])
    return render(request, "members/study_queue.html", {"records": records, "return_form": StudyReturnForm()})


def _reviewable(request, pk: int) -> StudyRecord:
    request.actor.require(Capability.REVIEW_STUDY)
    # Records outside the reviewer's scope are "not found", like any other id guess.
    return get_object_or_404(study_waiting_for(request.actor), pk=pk)


@login_required
@require_POST
def study_confirm(request, pk: int):
    record = _reviewable(request, pk)
    try:
        study_service.study_record_review(actor=request.actor, record=record, confirm=True)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("Confirmed: %(topic)s (%(name)s).") % {"topic": record.topic, "name": record.member.name}
        )
    # Only a page of this site: `next` comes from the browser and must not send the reviewer elsewhere.
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "members:study_queue"
    return redirect(next_url)


@login_required
@require_POST
def study_return(request, pk: int):
    record = _reviewable(request, pk)
    form = StudyReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the record is returned, so the member can fix it."))
        return redirect("members:study_queue")
    study_service.study_record_review(
        actor=request.actor, record=record, confirm=False, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Returned to %(name)s with your reason.") % {"name": record.member.name})
    return redirect("members:study_queue")
