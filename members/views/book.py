"""The record book (个人活动写实簿): a member's own page, their group leader's and the committee's view."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from ..access import Capability, get_visible_member
from ..forms import BookFilterForm
from ..models import CorrectionRequest
from ..recordbook import Period, record_book
from ..selectors import member_history
from ..services.study import can_review_study


@login_required
def me(request):
    """A member's own record book; /me/ is the address members bookmark on their phones."""
    if request.actor.member is None:
        raise Http404
    return redirect("members:detail", pk=request.actor.member.pk)


def _book_context(request, pk: int) -> dict:
    member = get_visible_member(request.actor, pk)
    form = BookFilterForm(request.GET or None)
    period, only = Period(), None
    if form.is_bound and form.is_valid():
        period = Period(form.cleaned_data["year"], form.cleaned_data["quarter"])
        only = form.cleaned_data["section"] or None
    is_self = request.actor.member is not None and request.actor.member.pk == member.pk
    return {
        "member": member,
        "book": record_book(member, period, only),
        "timeline": only is None,
        "filter_form": form,
        "is_self": is_self,
        "can_manage": request.actor.can(Capability.MANAGE_MEMBERS) and not member.is_archived,
        "can_review_study": can_review_study(request.actor, member),
        "can_view_pipeline": request.actor.can(Capability.VIEW_PIPELINE) and member.status != member.Status.FULL,
        "pending_correction": is_self and member.corrections.filter(status=CorrectionRequest.Status.PENDING).exists(),
    }


@login_required
def member_detail(request, pk: int):
    context = _book_context(request, pk)
    if request.actor.can(Capability.VIEW_HISTORY):
        context["history"] = member_history(context["member"])
    return render(request, "members/record_book.html", context)


@login_required
def book_print(request, pk: int):
    """The same book laid out for A4 paper: the branch archives paper copies."""
    return render(request, "members/record_book_print.html", _book_context(request, pk))
