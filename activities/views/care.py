"""Pages for 五一定 care: occasions reported for employees and the visits they get. `urlpatterns` is
included by activities/urls.py under the "activities" namespace.

Access: the committee and the secretary report occasions and record visits; a member sees the
occasions they went on a visit for; the administrator reads. The private details of illness and
hardship (the occasion's details and the visits' notes) are shown to the committee and the
secretary only (Can.VIEW_CARE_DETAILS), never to a group leader, a member or the administrator.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import Can, can, care_visible_to
from ..forms_care import CareFilterForm, CareReportForm, CareVisitForm
from ..models import CareOccasion
from ..selectors import care as selectors
from ..services import appeals as appeal_services
from ..services import care as services

PAGE_SIZE = 50


def _require_manager(actor) -> None:
    if actor.member is None or not can(actor, Can.MANAGE_CARE):
        raise PermissionDenied


def _visible_occasion(request, pk: int) -> CareOccasion:
    return get_object_or_404(
        care_visible_to(request.actor).select_related("branch", "employee", "employee__work_team", "reported_by"),
        pk=pk,
    )


def shows_details(actor, occasion: CareOccasion) -> bool:
    return occasion.kind not in CareOccasion.PRIVATE_KINDS or (
        actor.member is not None and can(actor, Can.VIEW_CARE_DETAILS)
    )


def _save(form, save):
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
def care_list(request):
    actor = request.actor
    if actor.member is None and not actor.is_admin:
        raise PermissionDenied
    today = timezone.localdate()
    form = CareFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    occasions = selectors.occasion_list(
        care_visible_to(actor), today=today, state=filters.get("state", ""), kind=filters.get("kind", "")
    )
    page = Paginator(occasions, PAGE_SIZE).get_page(request.GET.get("page"))
    for occasion in page:
        occasion.due_on = selectors.due_on(occasion)
        occasion.is_overdue = selectors.is_overdue(occasion, today, visits=occasion.visit_count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/care/care_list.html",
        {
            "page": page,
            "form": form,
            "query_string": query.urlencode(),
            "can_manage": actor.member is not None and can(actor, Can.MANAGE_CARE),
            "show_branch": actor.is_admin,
        },
    )


@login_required
def care_report(request):
    actor = request.actor
    _require_manager(actor)
    branch = actor.member.branch
    form = CareReportForm(request.POST or None, branch=branch)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save():
            employee = data["requester"] or appeal_services.employee_get_or_create(
                branch=branch, name=data["new_name"], work_team=data["new_team"]
            )
            return services.occasion_report(
                actor=actor,
                branch=branch,
                employee=employee,
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                reported_on=data["reported_on"],
                details=data["details"],
            )

        occasion = _save(form, save)
        if occasion:
            messages.success(
                request,
                _("Occasion reported. Visit by %(date)s.") % {"date": f"{selectors.due_on(occasion):%Y-%m-%d}"},
            )
            return redirect("activities:care_detail", pk=occasion.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Report a care occasion"),
            "intro": _(
                "五一定: the branch visits every employee who is in hospital, meets hardship, marries, has a child "
                "or has a child entering university."
            ),
            "cancel_url": reverse("activities:care_list"),
        },
    )


@login_required
def care_detail(request, pk: int):
    occasion = _visible_occasion(request, pk)
    actor = request.actor
    today = timezone.localdate()
    visits = list(occasion.visits.prefetch_related("visitors").order_by("-visited_on", "-pk"))
    return render(
        request,
        "activities/care/care_detail.html",
        {
            "occasion": occasion,
            "visits": visits,
            "due_on": selectors.due_on(occasion),
            "overdue": selectors.is_overdue(occasion, today, visits=len(visits)),
            "show_details": shows_details(actor, occasion),
            "can_manage": services.may_manage(actor, occasion.branch_id),
        },
    )


@login_required
def care_visit_add(request, pk: int):
    occasion = _visible_occasion(request, pk)
    actor = request.actor
    if not services.may_manage(actor, occasion.branch_id):
        raise PermissionDenied
    form = CareVisitForm(request.POST or None, branch=occasion.branch)
    if request.method == "POST" and form.is_valid():
        visit = _save(form, lambda: services.visit_add(actor=actor, occasion=occasion, **form.cleaned_data))
        if visit:
            messages.success(request, _("Visit recorded."))
            return redirect("activities:care_detail", pk=occasion.pk)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": _("Record a visit to %(name)s") % {"name": occasion.employee.name},
            "intro": _("%(kind)s, %(date)s.")
            % {"kind": occasion.get_kind_display(), "date": f"{occasion.occurred_on:%Y-%m-%d}"},
            "cancel_url": reverse("activities:care_detail", args=[occasion.pk]),
        },
    )


urlpatterns = [
    path("care/", care_list, name="care_list"),
    path("care/new/", care_report, name="care_report"),
    path("care/<int:pk>/", care_detail, name="care_detail"),
    path("care/<int:pk>/visit/", care_visit_add, name="care_visit_add"),
]
