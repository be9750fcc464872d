"""Pages of the quarterly assessment: the secretary's review of a quarter, a member's scores with the
evidence behind each, the scheme. `urlpatterns` is included by activities/urls.py ("activities").

Access: the committee reads the branch's review (Can.VIEW_ASSESSMENT); the secretary also adjusts,
deducts, locks and edits the scheme (Can.MANAGE_ASSESSMENT); a member opens their own scores page
(and whoever may read their record book: their group leader, the committee); the administrator
reads every branch (?branch=<id>). Anything else: 403, or 404 for a member outside one's scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branch.models import Branch
from branch.quarters import Quarter
from members.access import get_visible_member

from ..access import Can, can
from ..assessment.rules import RULES, Context
from ..assessment.scores import assess
from ..forms_assessment import AdjustmentForm, DeductionForm, ItemFormSet, SchemeForm
from ..models import AssessmentPeriod, Deduction, ScoreAdjustment
from ..services import assessment as services

EVIDENCE_LIMIT = 200  # rows shown per item on the page; the workbook has them all


def _branch(request) -> Branch:
    actor = request.actor
    if actor.member is not None:
        return actor.member.branch
    if actor.is_admin:
        pk = request.GET.get("branch")
        branch = Branch.objects.filter(pk=pk).first() if pk and pk.isdigit() else Branch.objects.first()
        if branch is None:
            raise Http404
        return branch
    raise PermissionDenied


def _quarter(text: str) -> Quarter:
    try:
        quarter = Quarter.parse(text)
    except ValidationError:
        raise Http404 from None
    return quarter


def _save(form, save):
    """Run a service; a ValidationError lands on the form instead of a 500."""
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


@login_required
def assessment_home(request):
    if not can(request.actor, Can.VIEW_ASSESSMENT):
        raise PermissionDenied
    today = timezone.localdate()
    return redirect("activities:assessment_review", str(Quarter.of(today).previous()))


@login_required
def assessment_review(request, quarter):
    actor = request.actor
    if not can(actor, Can.VIEW_ASSESSMENT):
        raise PermissionDenied
    branch = _branch(request)
    quarter = _quarter(quarter)
    today = timezone.localdate()
    if quarter.is_future(today):
        messages.error(
            request, _("%(quarter)s has not begun yet: there is nothing to assess.") % {"quarter": quarter.label}
        )
        return redirect("activities:assessment_review", str(Quarter.of(today)))
    result = assess(branch, quarter, today=today)
    return render(
        request,
        "activities/assessment/review.html",
        {
            "branch": branch,
            "quarter": quarter,
            "result": result,
            "can_manage": services.may_manage(actor, branch),
            "is_over": quarter.is_over(today),
            "previous": quarter.previous(),
            "next": None if quarter.next().is_future(today) else quarter.next(),
            "grade_counts": result.grade_counts(),
        },
    )


@login_required
def assessment_member(request, quarter, member_pk):
    actor = request.actor
    member = get_visible_member(actor, member_pk)
    quarter = _quarter(quarter)
    today = timezone.localdate()
    if quarter.is_future(today):
        raise Http404
    branch = member.branch
    result = assess(branch, quarter, today=today)
    row = result.member(member.pk)
    can_manage = services.may_manage(actor, branch) and not result.locked
    ctx = Context(branch=branch, quarter=quarter, period=result.period, today=today)
    sections = []
    for item_result in row.items if row else []:
        rule = RULES[item_result.item.rule]
        evidence = []
        for index, ev in enumerate(rule.evidence(ctx, member.pk)):
            if index >= EVIDENCE_LIMIT:
                break
            evidence.append((ev, rule.link(ev.ref)))
        sections.append((item_result, evidence))
    deductions = []
    if result.period is not None:
        deductions = list(Deduction.objects.filter(period=result.period, member=member).order_by("happened_on", "pk"))
    adjust_form = deduct_form = None
    if can_manage:
        adjust_form = AdjustmentForm(scheme=result.scheme, prefix="adjust")
        deduct_form = DeductionForm(prefix="deduct", initial={"happened_on": min(quarter.end, today)})
    return render(
        request,
        "activities/assessment/member.html",
        {
            "member": member,
            "quarter": quarter,
            "result": result,
            "row": row,
            "sections": sections,
            "deductions": deductions,
            "adjustments": _adjustments(result.period, member),
            "can_manage": can_manage,
            "can_review": can(actor, Can.VIEW_ASSESSMENT),
            "adjust_form": adjust_form,
            "deduct_form": deduct_form,
            "evidence_limit": EVIDENCE_LIMIT,
        },
    )


def _adjustments(period, member):
    if period is None:
        return []
    return list(ScoreAdjustment.objects.filter(period=period, member=member).select_related("item", "adjusted_by"))


def _manage(request, member_pk):
    actor = request.actor
    if not can(actor, Can.MANAGE_ASSESSMENT) or actor.member is None:
        raise PermissionDenied
    member = get_visible_member(actor, member_pk)
    if member.branch_id != actor.branch_id:
        raise Http404
    return member


def _member_page(request, quarter, member, form):
    """Show the member page again with a form's errors."""
    for error in form.non_field_errors():
        messages.error(request, error)
    for field, errors in form.errors.items():
        if field != "__all__":
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
    return redirect("activities:assessment_member", str(quarter), member.pk)


@login_required
@require_POST
def assessment_adjust(request, quarter, member_pk):
    member = _manage(request, member_pk)
    quarter = _quarter(quarter)
    scheme = services.ensure_scheme(member.branch)
    form = AdjustmentForm(request.POST, scheme=scheme, prefix="adjust")
    if form.is_valid() and _save(
        form,
        lambda: services.adjust_score(
            actor=request.actor,
            branch=member.branch,
            quarter=quarter,
            member=member,
            item=form.cleaned_data["item"],
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, _("The score was adjusted."))
        return redirect("activities:assessment_member", str(quarter), member.pk)
    return _member_page(request, quarter, member, form)


@login_required
@require_POST
def assessment_adjust_remove(request, pk):
    adjustment = get_object_or_404(ScoreAdjustment.objects.select_related("period__branch", "member"), pk=pk)
    _manage(request, adjustment.member_id)
    try:
        services.remove_adjustment(actor=request.actor, adjustment=adjustment)
        messages.success(request, _("The computed score applies again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("activities:assessment_member", str(adjustment.period.as_quarter), adjustment.member_id)


@login_required
@require_POST
def assessment_deduct(request, quarter, member_pk):
    member = _manage(request, member_pk)
    quarter = _quarter(quarter)
    form = DeductionForm(request.POST, prefix="deduct")
    if form.is_valid() and _save(
        form,
        lambda: services.add_deduction(
            actor=request.actor,
            branch=member.branch,
            quarter=quarter,
            member=member,
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
            happened_on=form.cleaned_data["happened_on"],
        ),
    ):
        messages.success(request, _("The deduction was recorded."))
        return redirect("activities:assessment_member", str(quarter), member.pk)
    return _member_page(request, quarter, member, form)


@login_required
@require_POST
def assessment_deduction_remove(request, pk):
    deduction = get_object_or_404(Deduction.objects.select_related("period__branch", "member"), pk=pk)
    _manage(request, deduction.member_id)
    try:
        services.remove_deduction(actor=request.actor, deduction=deduction)
        messages.success(request, _("The deduction was removed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("activities:assessment_member", str(deduction.period.as_quarter), deduction.member_id)


@login_required
@require_POST
def assessment_lock(request, quarter):
    actor = request.actor
    if not can(actor, Can.MANAGE_ASSESSMENT) or actor.member is None:
        raise PermissionDenied
    quarter = _quarter(quarter)
    try:
        services.lock_quarter(actor=actor, branch=actor.member.branch, quarter=quarter)
        messages.success(
            request, _("%(quarter)s is locked: these are now the figures of record.") % {"quarter": quarter.label}
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("activities:assessment_review", str(quarter))


@login_required
def assessment_scheme(request):
    actor = request.actor
    if not can(actor, Can.VIEW_ASSESSMENT):
        raise PermissionDenied
    branch = _branch(request)
    scheme = services.ensure_scheme(branch)
    can_manage = services.may_manage(actor, branch)
    items = scheme.items.order_by("position", "pk")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = SchemeForm(request.POST, instance=scheme)
        formset = ItemFormSet(request.POST, queryset=items, prefix="items")
        if form.is_valid() and formset.is_valid():
            saved = _save(
                form,
                lambda: services.update_scheme(
                    actor=actor, scheme=form.save(commit=False), items=formset.save(commit=False)
                ),
            )
            if saved:
                messages.success(request, _("The scheme was saved. Locked quarters keep their figures."))
                return redirect("activities:assessment_scheme")
    else:
        form = SchemeForm(instance=scheme)
        formset = ItemFormSet(queryset=items, prefix="items")
    locked = AssessmentPeriod.objects.filter(branch=branch, locked_at__isnull=False).order_by("-year", "-quarter")
    return render(
        request,
        "activities/assessment/scheme.html",
        {
            "branch": branch,
            "scheme": scheme,
            "form": form,
            "formset": formset,
            "can_manage": can_manage,
            "locked": locked,
        },
    )


urlpatterns = [
    path("assessment/", assessment_home, name="assessment"),
    path("assessment/scheme/", assessment_scheme, name="assessment_scheme"),
    path("assessment/<str:quarter>/", assessment_review, name="assessment_review"),
    path("assessment/<str:quarter>/lock/", assessment_lock, name="assessment_lock"),
    path("assessment/<str:quarter>/members/<int:member_pk>/", assessment_member, name="assessment_member"),
    path("assessment/<str:quarter>/members/<int:member_pk>/adjust/", assessment_adjust, name="assessment_adjust"),
    path("assessment/<str:quarter>/members/<int:member_pk>/deduct/", assessment_deduct, name="assessment_deduct"),
    path("assessment/adjustments/<int:pk>/remove/", assessment_adjust_remove, name="assessment_adjust_remove"),
    path("assessment/deductions/<int:pk>/remove/", assessment_deduction_remove, name="assessment_deduction_remove"),
]
