"""Corrections to personal data: the member proposes, the secretary approves or rejects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..access import Capability
from ..forms import CorrectionForm, CorrectionRejectForm
from ..models import Member
from ..selectors import pending_corrections
from ..services import corrections as correction_service
from .roster import _save
from .study import _own_member


@login_required
def correction_request(request):
    member = _own_member(request)
    # A copy: the form must not touch the member object the page shows.
    form = CorrectionForm(request.POST or None, instance=Member.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        created = _save(
            form,
            lambda: correction_service.correction_request(
                member=member, proposed=form.proposed(), reason=form.cleaned_data["reason"]
            ),
        )
        if created:
            messages.success(request, _("Your correction was sent to the branch secretary."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Correct my information"),
            "intro": _("Change what is wrong and say why. The branch secretary checks and applies it."),
            "submit_label": _("Send to the secretary"),
            "cancel_url": reverse("members:detail", args=[member.pk]),
        },
    )


@login_required
def correction_list(request):
    request.actor.require(Capability.DECIDE_CORRECTIONS)
    pending = list(pending_corrections(request.actor))
    rows = []
    for correction in pending:
        changes = []
        for name, value in correction.changes.items():
            field = Member._meta.get_field(name)
            current = getattr(correction.member, name)
            display = dict(field.flatchoices).get(value, value) if field.choices else value
            current_display = dict(field.flatchoices).get(current, current) if field.choices else current
            changes.append((field.verbose_name, current_display, display))
        rows.append((correction, changes))
    return render(request, "members/correction_list.html", {"rows": rows, "reject_form": CorrectionRejectForm()})


@login_required
@require_POST
def correction_decide(request, pk: int, decision: str):
    request.actor.require(Capability.DECIDE_CORRECTIONS)
    correction = get_object_or_404(pending_corrections(request.actor), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        correction_service.correction_decide(
            request=correction, approve=decision == "approve", decided_by=request.user, reason=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if decision == "approve":
            messages.success(request, _("Correction applied to %(name)s's record.") % {"name": correction.member.name})
        else:
            messages.success(request, _("Correction rejected."))
    return redirect("members:corrections")
