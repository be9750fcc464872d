"""The rules of the development pipeline, as plain functions over dates.

入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员. The intervals come from the branch
(branch.models.Branch: the national defaults, adjustable where a locality differs). This module only
reads; members/services/development.py enforces the rules when a step is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Development, Member

ADULT_AGE = 18


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def half_year_of(day: dt.date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def quarter_end(day: dt.date) -> dt.date:
    q = (day.month - 1) // 3 + 1
    return add_months(dt.date(day.year, 3 * q - 2, 1), 3) - dt.timedelta(days=1)


def half_year_end(day: dt.date) -> dt.date:
    return dt.date(day.year, 6, 30) if day.month <= 6 else dt.date(day.year, 12, 31)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Step:
    """Something the pipeline needs next, with its window and who must act."""

    key: str
    label: str
    who: str
    earliest: dt.date | None
    latest: dt.date | None

    def is_overdue(self, today: dt.date) -> bool:
        return self.latest is not None and today > self.latest

    def is_due_by(self, day: dt.date) -> bool:
        return self.latest is not None and self.latest <= day

    def tone(self, today: dt.date) -> str:
        if self.is_overdue(today):
            return "danger"
        if self.latest and (self.latest - today).days <= 30:
            return "warning"
        return "secondary"


def probation_end(dev: Development, probation_months: int) -> dt.date | None:
    if dev.admitted_on is None:
        return None
    return add_months(dev.admitted_on, probation_months + (dev.extension_months or 0))


def next_step(dev: Development, today: dt.date) -> Step | None:
    """The step that moves this person forward, or None once the pipeline is finished."""
    branch = dev.member.branch
    status = dev.member.status
    S = Member.Status
    if status == S.APPLICANT and dev.talked_on is None:
        return Step(
            "talk",
            str(_("Talk with the applicant")),
            str(_("branch committee")),
            dev.applied_on,
            dev.applied_on + dt.timedelta(days=branch.talk_within_days),
        )
    if status == S.APPLICANT:
        return Step(
            "activist", str(_("Decide on becoming an activist")), str(_("branch committee")), dev.talked_on, None
        )
    if status == S.ACTIVIST:
        earliest = add_months(dev.activist_on, branch.activist_min_months)
        return Step("candidate", str(_("Decide on becoming a candidate")), str(_("branch committee")), earliest, None)
    if status == S.CANDIDATE:
        return Step(
            "admit",
            str(_("Branch general meeting on admission")),
            str(_("branch general meeting")),
            dev.candidate_on,
            None,
        )
    if status == S.PROBATIONARY and dev.probation_outcome != Development.ProbationOutcome.FULL:
        end = probation_end(dev, branch.probation_months)
        if end is None:
            return None
        return Step(
            "probation",
            str(_("Decide on full membership at the end of probation")),
            str(_("branch general meeting")),
            end,
            end + dt.timedelta(days=branch.probation_decision_days),
        )
    return None


def due_reviews(dev: Development, today: dt.date) -> list[Step]:
    """Reviews owed for the current period: each contact's quarterly review of an activist or
    candidate, and the branch's half-yearly review. Uses prefetched contacts and reviews."""
    if dev.member.status not in (Member.Status.ACTIVIST, Member.Status.CANDIDATE) or dev.activist_on is None:
        return []
    steps = []
    quarter = quarter_of(today)
    written = {(r.contact_id, r.quarter) for r in dev.contact_reviews.all()}
    for contact in dev.contacts.all():
        if (contact.pk, quarter) not in written:
            steps.append(
                Step(
                    f"contact_review:{contact.pk}",
                    str(_("Quarterly review by %(name)s") % {"name": contact.name}),
                    contact.name,
                    max(dev.activist_on, add_months(quarter_end(today), -3) + dt.timedelta(days=1)),
                    quarter_end(today),
                )
            )
    half = half_year_of(today)
    if half not in {r.half_year for r in dev.branch_reviews.all()}:
        steps.append(
            Step(
                "branch_review",
                str(_("Half-yearly branch review")),
                str(_("branch committee")),
                max(dev.activist_on, add_months(half_year_end(today), -6) + dt.timedelta(days=1)),
                half_year_end(today),
            )
        )
    return steps


@dataclass
class PipelineRow:
    development: Development
    next: Step | None
    reviews: list[Step]

    @property
    def member(self) -> Member:
        return self.development.member

    def steps(self) -> list[Step]:
        return ([self.next] if self.next else []) + self.reviews


def pipeline_rows(branch, today: dt.date) -> list[PipelineRow]:
    """Everyone in the branch's pipeline with what they need next; five queries in all."""
    developments = (
        Development.objects.filter(member__branch=branch, member__archived_on__isnull=True)
        .exclude(member__status=Member.Status.FULL)
        .select_related("member", "member__branch", "member__party_group")
        .prefetch_related("contacts", "sponsors", "contact_reviews", "branch_reviews")
        .order_by("member__status", "applied_on")
    )
    return [PipelineRow(dev, next_step(dev, today), due_reviews(dev, today)) for dev in developments]


def due_this_month(rows: list[PipelineRow], today: dt.date) -> list[tuple[PipelineRow, Step]]:
    """Steps whose deadline falls by the end of this month, overdue ones included, soonest first."""
    month_end = add_months(today.replace(day=1), 1) - dt.timedelta(days=1)
    due = [(row, step) for row in rows for step in row.steps() if step.is_due_by(month_end)]
    return sorted(due, key=lambda pair: pair[1].latest)
