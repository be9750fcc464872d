"""The record book's "target-management assessment" section (目标管理考核): the member's locked
quarterly results — total, grade and each item — linking to the evidence behind them. Only locked
quarters are shown: they are the figures of record; an open quarter's scores still move.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branch.quarters import Quarter
from members.models import Member
from members.recordbook import Entry, Period, Section, Total, register

from ..models import Grade, MemberScore

_TONES = {Grade.EXCELLENT: "success", Grade.QUALIFIED: "primary", Grade.BASIC: "warning", Grade.UNQUALIFIED: "danger"}


def _scores(member: Member, period: Period):
    scores = MemberScore.objects.filter(member=member, period__locked_at__isnull=False).select_related("period")
    if period.year is not None:
        scores = scores.filter(period__year=period.year)
        if period.quarter is not None:
            scores = scores.filter(period__quarter=period.quarter)
    return scores.order_by("-period__year", "-period__quarter")


def assessment_entries(member: Member, period: Period) -> list[Entry]:
    """Two queries: the locked results and their items."""
    entries = []
    for score in _scores(member, period).prefetch_related("items"):
        quarter = Quarter(score.period.year, score.period.quarter)
        items = sorted(score.items.all(), key=lambda s: s.pk)
        entries.append(
            Entry(
                section="assessment",
                date=quarter.end,
                title=_("Assessment %(quarter)s: %(total)s points") % {"quarter": quarter.label, "total": score.total},
                detail="; ".join(f"{s.item_name} {s.points}" for s in items),
                status=score.get_grade_display() if score.grade else _("not graded (probationary)"),
                status_tone=_TONES.get(score.grade, "secondary"),
                url=reverse("activities:assessment_member", args=[str(quarter), member.pk]),
            )
        )
    return entries


def assessment_totals(member: Member, period: Period) -> list[Total]:
    latest = _scores(member, period).first()
    if latest is None:
        return []
    quarter = Quarter(latest.period.year, latest.period.quarter)
    grade = latest.get_grade_display() if latest.grade else _("not graded")
    return [Total(_("Assessment %(quarter)s") % {"quarter": quarter.label}, f"{latest.total} ({grade})")]


def register_sections() -> None:
    register(
        Section("assessment", gettext_lazy("Target-management assessment"), 90, assessment_entries, assessment_totals)
    )
