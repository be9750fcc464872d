"""Reading appeals: the filtered list, the quarter's figures and the overdue reminders.

- Overdue: an appeal still received or in progress after its deadline (the deadline day itself is
  not overdue).
- Figures count an appeal in the quarter it was received. Counts and satisfaction are computed in
  the database (one grouped query). The median time to answer — days from received to answered, over
  the answered and closed appeals — is computed in the database on PostgreSQL (`percentile_cont`,
  in the same grouped query); SQLite has no median, so there it is computed in Python over one query
  of the durations. Both give the same number (the middle value, or the mean of the two middle ones).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Func, IntegerField, Q, QuerySet
from django.db.models.functions import ExtractQuarter
from django.urls import reverse
from django.utils.translation import gettext as _

from activities.reminders import Reminder
from branch.models import Branch
from members.models import CommitteeRole

from ..models import Appeal

Status = Appeal.Status
OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS)
ANSWERED_STATUSES = (Status.ANSWERED, Status.CLOSED)
Satisfaction = Appeal.Satisfaction


def overdue_q(today: dt.date) -> Q:
    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def appeal_list(appeals: QuerySet[Appeal], *, today: dt.date, filters: dict | None = None) -> QuerySet[Appeal]:
    """The appeals (already scoped to the actor) with what the list shows, filtered. Each row carries
    `attachment_count`; requester, team, handler and forum come in the same query, so a page costs
    the same whatever the number of appeals."""
    filters = filters or {}
    qs = appeals.select_related("branch", "requester", "requester__work_team", "handler", "forum").annotate(
        attachment_count=Count("attachments")
    )
    for name in ("status", "category", "channel", "handler", "forum"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("overdue"):
        qs = qs.filter(overdue_q(today))
    if filters.get("year"):
        qs = qs.filter(received_on__year=filters["year"])
        if filters.get("quarter"):
            qs = qs.filter(received_on__quarter=filters["quarter"])
    if filters.get("q"):
        text = filters["q"].strip()
        qs = qs.filter(Q(content__icontains=text) | Q(requester__name__icontains=text))
    return qs.order_by("-received_on", "-pk")


def is_overdue(appeal: Appeal, today: dt.date) -> bool:
    return appeal.status in OPEN_STATUSES and appeal.deadline < today


# ---- the quarter's figures ------------------------------------------------------------------------


class _AnswerDays(Func):
    """Days from received to answered. On PostgreSQL date minus date is a whole number of days."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


class _Median(Aggregate):
    """PostgreSQL's continuous median; its FILTER clause goes after WITHIN GROUP."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class QuarterFigures:
    year: int
    quarter: int
    received: int = 0
    open: int = 0
    overdue: int = 0
    answered: int = 0  # answered or closed
    closed: int = 0
    median_days: float | None = None  # to answer, over the answered and closed
    rated: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    not_satisfied: int = 0
    average_satisfaction: float | None = None  # 1–3

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def satisfied_percent(self) -> int | None:
        """Share of rated appeals whose requester was satisfied or basically satisfied."""
        if not self.rated:
            return None
        return round(100 * (self.satisfied + self.basically_satisfied) / self.rated)


def median_in_database() -> bool:
    return connection.vendor == "postgresql"


def quarter_figures(appeals: QuerySet[Appeal], *, year: int, today: dt.date) -> list[QuarterFigures]:
    """The four quarters of the year for these appeals (already scoped). One query on PostgreSQL,
    two on SQLite (the durations for the median)."""
    answered = Q(status__in=ANSWERED_STATUSES)
    aggregates = {
        "received": Count("pk"),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=overdue_q(today)),
        "answered": Count("pk", filter=answered),
        "closed": Count("pk", filter=Q(status=Status.CLOSED)),
        "rated": Count("pk", filter=Q(satisfaction__isnull=False)),
        "satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.VERY_SATISFIED)),
        "basically_satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        "not_satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.NOT_SATISFIED)),
        "average_satisfaction": Avg("satisfaction"),
    }
    if median_in_database():
        aggregates["median_days"] = _Median(_AnswerDays(F("answered_on"), F("received_on")), filter=answered)
    in_year = appeals.filter(received_on__year=year)
    rows = in_year.annotate(q=ExtractQuarter("received_on")).values("q").annotate(**aggregates).order_by("q")
    figures = {q: QuarterFigures(year=year, quarter=q) for q in range(1, 5)}
    for row in rows:
        quarter = figures[row.pop("q")]
        for name, value in row.items():
            setattr(quarter, name, value)
    if not median_in_database():
        durations = defaultdict(list)
        for received_on, answered_on in in_year.filter(answered).values_list("received_on", "answered_on"):
            durations[(received_on.month - 1) // 3 + 1].append((answered_on - received_on).days)
        for q, days in durations.items():
            figures[q].median_days = float(statistics.median(days))
    return list(figures.values())


def years_with_appeals(appeals: QuerySet[Appeal]) -> list[int]:
    return sorted({d.year for d in appeals.dates("received_on", "year")}, reverse=True)


# ---- reminders ----------------------------------------------------------------------------------


def overdue_key(appeal_id: int) -> str:
    return f"appeal:{appeal_id}:overdue"


def secretary_user_id(branch: Branch) -> int | None:
    return (
        CommitteeRole.objects.filter(
            branch=branch,
            role=CommitteeRole.Role.SECRETARY,
            ended_on__isnull=True,
            member__archived_on__isnull=True,
            member__user__isnull=False,
        )
        .values_list("member__user_id", flat=True)
        .first()
    )


def reminders(branch: Branch, today: dt.date) -> list[Reminder]:
    """Each overdue appeal, once: to its handler and to the branch secretary. Two queries."""
    secretary_id = secretary_user_id(branch)
    out = []
    overdue = (
        Appeal.objects.filter(branch=branch)
        .filter(overdue_q(today))
        .select_related("requester", "handler")
        .order_by("deadline", "pk")
    )
    for appeal in overdue:
        title = _("Appeal from %(name)s overdue since %(date)s") % {
            "name": appeal.requester.name,
            "date": f"{appeal.deadline:%Y-%m-%d}",
        }
        body = _("Handled by %(handler)s. Answer the requester and record the answer.") % {
            "handler": appeal.handler.name
        }
        url = reverse("activities:appeal_detail", args=[appeal.pk])
        for user_id in dict.fromkeys([appeal.handler.user_id, secretary_id]):
            if user_id is not None:
                out.append(Reminder(user_id=user_id, key=overdue_key(appeal.pk), title=title, body=body, url=url))
    return out
