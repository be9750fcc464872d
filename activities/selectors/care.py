"""Reading care occasions (五一定): open ones, overdue ones, and the secretary's reminders.

An occasion is open until it has a visit. An open occasion is overdue once more than the branch's
`care_visit_within_days` have passed since it was reported (the branch cannot visit before it
knows): reported on the 1st with 7 days, it is due by the 8th and overdue from the 9th.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from activities.reminders import Reminder
from branch.models import Branch

from ..models import CareOccasion
from .appeals import secretary_user_id as _secretary_user_id

OPEN, OVERDUE, VISITED = "open", "overdue", "visited"


def due_on(occasion: CareOccasion) -> dt.date:
    return occasion.reported_on + dt.timedelta(days=occasion.branch.care_visit_within_days)


def is_overdue(occasion: CareOccasion, today: dt.date, *, visits: int) -> bool:
    return visits == 0 and today > due_on(occasion)


def past_window_q(branches, today: dt.date) -> Q:
    """Reported longer ago than each branch's own number of days (visited or not)."""
    by_branch = Q(pk__in=[])
    for branch_id, days in branches:
        by_branch |= Q(branch_id=branch_id, reported_on__lt=today - dt.timedelta(days=days))
    return by_branch


def occasion_list(
    occasions: QuerySet[CareOccasion], *, today: dt.date, state: str = "", kind: str = ""
) -> QuerySet[CareOccasion]:
    """The occasions (already scoped to the actor) with `visit_count` and `last_visit`, filtered by
    state (open, overdue, visited) and kind. Employee, team and branch come in the same query."""
    qs = occasions.select_related("branch", "employee", "employee__work_team").annotate(
        visit_count=Count("visits"), last_visit=Max("visits__visited_on")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if state == OPEN:
        qs = qs.filter(visit_count=0)
    elif state == VISITED:
        qs = qs.filter(visit_count__gt=0)
    elif state == OVERDUE:
        branches = Branch.objects.filter(pk__in=occasions.values("branch_id")).values_list(
            "pk", "care_visit_within_days"
        )
        qs = qs.filter(past_window_q(list(branches), today), visit_count=0)
    return qs.order_by("-reported_on", "-pk")


def overdue_occasions(branch: Branch, today: dt.date) -> QuerySet[CareOccasion]:
    return (
        CareOccasion.objects.filter(past_window_q([(branch.pk, branch.care_visit_within_days)], today))
        .filter(visits__isnull=True)
        .select_related("employee", "branch")
        .order_by("reported_on", "pk")
    )


def reminders(branch: Branch, today: dt.date) -> list[Reminder]:
    """Each overdue occasion, once, to the branch secretary. The title names the employee and the
    kind of occasion, never its private details. Two queries."""
    secretary_user_id = _secretary_user_id(branch)
    if secretary_user_id is None:
        return []
    return [
        Reminder(
            user_id=secretary_user_id,
            key=f"care:{occasion.pk}:overdue",
            title=_("%(name)s (%(kind)s) not visited since %(date)s")
            % {
                "name": occasion.employee.name,
                "kind": occasion.get_kind_display(),
                "date": f"{occasion.reported_on:%Y-%m-%d}",
            },
            body=_("Every care occasion gets a visit within %(days)s days of being reported.")
            % {"days": branch.care_visit_within_days},
            url=reverse("activities:care_detail", args=[occasion.pk]),
        )
        for occasion in overdue_occasions(branch, today)
    ]
