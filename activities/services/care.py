"""五一定 care visits: reporting an occasion and recording the visit it must get.

Rules, written once:

- Who: the committee and the secretary (Can.MANAGE_CARE) report occasions and record visits of
  their branch; anyone else gets PermissionDenied (403).
- An occasion has happened: it is not dated in the future, and it is reported on or after the day
  it happened (and not after today).
- A visit is not dated before its occasion, nor in the future; it has at least one visitor, every
  visitor a current member of the occasion's branch, and says what was brought or done.
- An occasion is open until it has a visit; see activities/selectors/care.py for when an open one is
  overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import Branch
from members.access import Actor
from members.models import Employee, Member

from ..access import Can, can
from ..models import CareOccasion, CareVisit


def may_manage(actor: Actor, branch_id: int) -> bool:
    return actor.member is not None and actor.branch_id == branch_id and can(actor, Can.MANAGE_CARE)


def _require_manager(actor: Actor, branch_id: int) -> None:
    if not may_manage(actor, branch_id):
        raise PermissionDenied


@transaction.atomic
def occasion_report(
    *,
    actor: Actor,
    branch: Branch,
    employee: Employee,
    kind: str,
    occurred_on: dt.date,
    reported_on: dt.date | None = None,
    details: str = "",
) -> CareOccasion:
    """Report a care occasion for an employee of the branch; `reported_on` defaults to today.

    Raises PermissionDenied, or ValidationError on `employee`, `occurred_on`, `reported_on`.
    """
    _require_manager(actor, branch.pk)
    today = timezone.localdate()
    reported_on = reported_on or today
    errors: dict = {}
    if employee.branch_id != branch.pk:
        errors["employee"] = [ValidationError(_("This employee is not in the branch."), code="other_branch")]
    if occurred_on > today:
        errors["occurred_on"] = [ValidationError(_("This date is in the future."), code="future")]
    if reported_on > today:
        errors["reported_on"] = [ValidationError(_("This date is in the future."), code="future")]
    elif reported_on < occurred_on and "occurred_on" not in errors:
        errors["reported_on"] = [ValidationError(_("An occasion cannot be reported before it happened."), code="early")]
    if errors:
        raise ValidationError(errors)
    return CareOccasion.objects.create(
        branch=branch,
        employee=employee,
        kind=kind,
        occurred_on=occurred_on,
        reported_on=reported_on,
        details=details.strip(),
        reported_by=actor.member,
    )


@transaction.atomic
def visit_add(
    *,
    actor: Actor,
    occasion: CareOccasion,
    visited_on: dt.date,
    visitors: Iterable[Member],
    brought: str,
    note: str = "",
) -> CareVisit:
    """Record a visit for an occasion.

    Raises PermissionDenied, or ValidationError on `visited_on`, `visitors`, `brought`.
    """
    _require_manager(actor, occasion.branch_id)
    visitors = list(visitors)
    errors: dict = {}
    if visited_on < occasion.occurred_on:
        errors["visited_on"] = [
            ValidationError(
                _("A visit cannot be dated before its occasion (%(date)s)."),
                code="before_occasion",
                params={"date": occasion.occurred_on.isoformat()},
            )
        ]
    elif visited_on > timezone.localdate():
        errors["visited_on"] = [ValidationError(_("This date is in the future."), code="future")]
    if not visitors:
        errors["visitors"] = [ValidationError(_("Choose who visited."), code="required")]
    elif any(m.branch_id != occasion.branch_id or m.is_archived for m in visitors):
        errors["visitors"] = [
            ValidationError(_("Every visitor must be a current member of the branch."), code="other_branch")
        ]
    if not (brought or "").strip():
        errors["brought"] = [ValidationError(_("Say what was brought or done."), code="required")]
    if errors:
        raise ValidationError(errors)
    visit = CareVisit.objects.create(occasion=occasion, visited_on=visited_on, brought=brought.strip(), note=note)
    visit.visitors.set(visitors)
    return visit
