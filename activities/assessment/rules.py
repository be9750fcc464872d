"""What each assessment item measures, and the records that show it.

A rule has two reads, each a fixed number of queries over the whole branch, however many members:

- `measures(ctx)`: by member id, a `Measure` — what was achieved against what was expected (or, for
  bonuses and deductions, how much);
- `evidence(ctx, member_id=None)`: the rows behind the measures, ordered by member and date, streamed
  (`.iterator()`), for the review pages; `evidence_rows()` gives the same rows as plain tuples in
  `Evidence`'s field order, for the workbook's evidence sheets (hundreds of thousands of rows).

Labels and sentences are translated once per read, not once per row: at 10,000 members gettext was
the largest cost after the spreadsheet writer.

Scoring (`score()`) is the same for every rule of a kind: a base item gives its points times the
share achieved (full points when nothing was expected of the member — no meetings they were called
to, no well in their charge, no committee seat); a bonus gives its points per unit up to its cap;
deductions take off their sum up to the cap.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branch.models import Branch
from branch.quarters import Quarter
from members.models import CommitteeRole, StudyRecord

from ..models import (
    Activity,
    ActivityAttendance,
    Appeal,
    AssessmentItem,
    AssessmentPeriod,
    AssignmentTarget,
    CareVisit,
    Deduction,
    GuidanceVisit,
    Honor,
    MeetingAttendance,
    Patent,
    Publicity,
)
from ..selectors.redflag import attainment_sql

Rule = AssessmentItem.Rule
ZERO = Decimal(0)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Context:
    branch: Branch
    quarter: Quarter
    period: AssessmentPeriod | None
    today: dt.date

    @property
    def last_day(self) -> dt.date:
        """The quarter's last day, or today while it is still running."""
        return min(self.quarter.end, self.today)


@dataclass(frozen=True)
class Measure:
    achieved: Decimal = ZERO
    expected: Decimal = ZERO  # base items: 0 means nothing was expected (not applicable)
    text: str = ""
    count: int = 0  # evidence rows


@dataclass(frozen=True)
class Evidence:
    member_id: int
    date: dt.date | None
    what: str
    detail: str
    value: object
    ref: int | None = None  # the id the rule's link() turns into a URL


class WithDefault(dict):
    """Measures by member id where a member missing from the rows still has a measure (nothing of what
    was held attended)."""

    def __init__(self, default: Measure):
        super().__init__()
        self.default = default

    def get(self, key, default=None):
        return super().get(key, self.default)


def quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def score(item: AssessmentItem, measure: Measure | None) -> Decimal:
    measure = measure or Measure()
    if item.is_deduction:
        taken = measure.achieved if item.cap is None else min(measure.achieved, item.cap)
        return -quantize(taken)
    if item.is_bonus:
        points = item.points * measure.achieved
        return quantize(points if item.cap is None else min(points, item.cap))
    expected = (item.target or ZERO) if item.rule == Rule.STUDY_HOURS else measure.expected
    if expected <= 0:
        return quantize(item.points)
    return quantize(item.points * min(Decimal(1), Decimal(measure.achieved) / Decimal(expected)))


def _d(value) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


class BaseRule:
    rule: str
    unit: str = ""

    def measures(self, ctx: Context) -> dict[int, Measure]:
        raise NotImplementedError

    def evidence(self, ctx: Context, member_id: int | None = None) -> Iterator[Evidence]:
        for row in self.evidence_rows(ctx, member_id):
            yield Evidence(*row)

    def evidence_rows(self, ctx: Context, member_id: int | None = None) -> Iterator[tuple]:
        """(member_id, date, what, detail, value, ref) for each row of evidence()."""
        raise NotImplementedError

    def link(self, ref: int | None) -> str:
        return ""

    @staticmethod
    def _for_member(queryset, member_id, field="member_id"):
        return queryset.filter(**{field: member_id}) if member_id is not None else queryset


def _labels(choices) -> dict:
    """A field's choices as translated text, looked up once per read."""
    return {value: str(label) for value, label in choices}


class OrgLife(BaseRule):
    """Present at the meetings the member was called to (支部党员大会, 支委会 for the committee, their
    party group's meetings, 党课, 主题党日); excused absences are not held against them."""

    rule = Rule.ORG_LIFE

    def _rows(self, ctx):
        return MeetingAttendance.objects.filter(
            meeting__branch=ctx.branch, meeting__held_on__range=(ctx.quarter.start, ctx.last_day)
        )

    def measures(self, ctx):
        rows = (
            self._rows(ctx)
            .values("member_id")
            .annotate(
                present=Count("pk", filter=Q(presence=MeetingAttendance.Presence.PRESENT)),
                expected=Count("pk", filter=~Q(presence=MeetingAttendance.Presence.EXCUSED)),
                total=Count("pk"),
            )
            .order_by()
        )
        text = _("%(present)s of %(expected)s present")
        made: dict[tuple, Measure] = {}  # members with the same figures share one (frozen) Measure
        result = {}
        for r in rows:
            key = (r["present"], r["expected"], r["total"])
            measure = made.get(key)
            if measure is None:
                present, expected, total = key
                measure = made[key] = Measure(
                    _d(present), _d(expected), text % {"present": present, "expected": expected}, total
                )
            result[r["member_id"]] = measure
        return result

    def evidence_rows(self, ctx, member_id=None):
        labels = _labels(MeetingAttendance.Presence.choices)
        kinds = _labels(MeetingAttendance._meta.get_field("meeting").related_model.Kind.choices)
        rows = self._for_member(self._rows(ctx), member_id).order_by("member_id", "meeting__held_on", "pk")
        for member, day, kind, topic, presence, meeting in rows.values_list(
            "member_id", "meeting__held_on", "meeting__kind", "meeting__topic", "presence", "meeting_id"
        ).iterator(chunk_size=5000):
            yield (member, day, kinds.get(kind, str(kind)), topic, labels.get(presence, str(presence)), meeting)

    def link(self, ref):
        return reverse("activities:meeting_detail", args=[ref]) if ref else ""


class ActivityShare(BaseRule):
    """Present at the branch's held activities of some kinds, against how many were held."""

    kinds: tuple[str, ...] = ()

    def _held(self, ctx):
        return Activity.objects.filter(
            branch=ctx.branch,
            kind__in=self.kinds,
            state=Activity.State.HELD,
            starts_at__date__range=(ctx.quarter.start, ctx.last_day),
        )

    def _present(self, ctx):
        return ActivityAttendance.objects.filter(activity__in=self._held(ctx), present=True)

    def measures(self, ctx):
        held = self._held(ctx).count()
        rows = self._present(ctx).values("member_id").annotate(n=Count("pk")).order_by()
        present = {r["member_id"]: r["n"] for r in rows}
        text = _("%(present)s of %(held)s attended")
        result = WithDefault(Measure(ZERO, _d(held), text % {"present": 0, "held": held}, 0))
        made: dict[int, Measure] = {}
        for member_id, n in present.items():
            measure = made.get(n)
            if measure is None:
                measure = made[n] = Measure(_d(n), _d(held), text % {"present": n, "held": held}, n)
            result[member_id] = measure
        return result

    def evidence_rows(self, ctx, member_id=None):
        present = _("present")
        rows = self._for_member(self._present(ctx), member_id).order_by("member_id", "activity__starts_at", "pk")
        for member, starts, title, hours, activity in rows.values_list(
            "member_id", "activity__starts_at", "activity__title", "hours", "activity_id"
        ).iterator(chunk_size=5000):
            yield (member, timezone.localtime(starts).date() if starts else None, present, title, hours, activity)

    def link(self, ref):
        return reverse("activities:activity_detail", args=[ref]) if ref else ""


class Activities(ActivityShare):
    rule = Rule.ACTIVITIES
    kinds = (Activity.Kind.THEME_ACTIVITY, Activity.Kind.TOPIC_CLASS)


class Dedication(ActivityShare):
    rule = Rule.DEDICATION
    kinds = (Activity.Kind.DEDICATION_DAY,)


class StudyHours(BaseRule):
    """Hours of study records confirmed by the group leader or the secretary."""

    rule = Rule.STUDY_HOURS

    def _rows(self, ctx):
        return StudyRecord.objects.filter(
            member__branch=ctx.branch,
            status=StudyRecord.Status.CONFIRMED,
            studied_on__range=(ctx.quarter.start, ctx.last_day),
        )

    def measures(self, ctx):
        rows = self._rows(ctx).values("member_id").annotate(hours=Sum("hours"), n=Count("pk")).order_by()
        text = _("%(hours)s hours")
        made: dict[tuple, Measure] = {}
        result = {}
        for r in rows:
            hours = _d(r["hours"])
            key = (str(hours), r["n"])  # the text, so 3.0 and 3.00 hours stay apart
            measure = made.get(key)
            if measure is None:
                measure = made[key] = Measure(hours, ZERO, text % {"hours": hours}, r["n"])
            result[r["member_id"]] = measure
        return result

    def evidence_rows(self, ctx, member_id=None):
        rows = self._for_member(self._rows(ctx), member_id).order_by("member_id", "studied_on", "pk")
        forms = _labels(StudyRecord.Form.choices)
        for member, day, topic, form, hours in rows.values_list(
            "member_id", "studied_on", "topic", "form", "hours"
        ).iterator(chunk_size=5000):
            yield (member, day, forms.get(form, str(form)), topic, hours, member)

    def link(self, ref):
        return reverse("members:detail", args=[ref]) + "?section=study" if ref else ""


class RedFlag(BaseRule):
    """The member's red-flag assignments active in the quarter: each target's attainment over the
    quarter's readings (computed in SQL as on the board), capped at 100 %, averaged."""

    rule = Rule.RED_FLAG

    def _targets(self, ctx):
        read = "assignment__asset__readings__"
        return AssignmentTarget.objects.filter(
            Q(assignment__ended_on__isnull=True) | Q(**{f"{read}reading_on__lte": F("assignment__ended_on")}),
            assignment__asset__branch=ctx.branch,
            **{
                f"{read}indicator": F("indicator"),
                f"{read}reading_on__range": (ctx.quarter.start, ctx.last_day),
                f"{read}reading_on__gte": F("assignment__started_on"),
            },
        )

    def _rows(self, ctx, member_id=None):
        read = "assignment__asset__readings__"
        rows = self._for_member(self._targets(ctx), member_id, "assignment__member_id")
        return (
            rows.values(
                "pk",
                "assignment__member_id",
                "assignment__asset_id",
                "assignment__asset__code",
                "indicator",
                "target",
            )
            .annotate(
                percent=attainment_sql(F("target"), value=f"{read}value", indicator="indicator"),
                readings=Count(f"{read}pk"),
            )
            .order_by("assignment__member_id", "assignment__asset__code", "indicator")
        )

    def measures(self, ctx):
        sums: dict[int, list] = defaultdict(lambda: [ZERO, 0, 0])
        for r in self._rows(ctx):
            if r["percent"] is None:
                continue
            entry = sums[r["assignment__member_id"]]
            entry[0] += min(Decimal(1), Decimal(str(r["percent"])) / 100)
            entry[1] += 1
            entry[2] += 1
        text = _("%(count)s targets, %(percent)s %% of target on average")
        return {
            member: Measure(achieved, _d(n), text % {"count": n, "percent": quantize(achieved / n * 100)}, rows)
            for member, (achieved, n, rows) in sums.items()
        }

    def evidence_rows(self, ctx, member_id=None):
        from ..models import Indicator

        labels = {i.value: str(i.label) for i in Indicator}
        text = _("%(indicator)s, target %(target)s, %(readings)s readings")
        for r in self._rows(ctx, member_id).iterator(chunk_size=2000):
            percent = None if r["percent"] is None else quantize(Decimal(str(r["percent"])))
            detail = text % {
                "indicator": labels.get(r["indicator"], r["indicator"]),
                "target": r["target"],
                "readings": r["readings"],
            }
            yield (
                r["assignment__member_id"],
                None,
                r["assignment__asset__code"],
                detail,
                percent,
                r["assignment__asset_id"],
            )

    def link(self, ref):
        return reverse("activities:asset_chart", args=[ref]) if ref else ""


class Appeals(BaseRule):
    """Appeals the member handles that fell due in the quarter, answered by their deadline."""

    rule = Rule.APPEALS

    def _rows(self, ctx):
        return Appeal.objects.filter(branch=ctx.branch, deadline__range=(ctx.quarter.start, ctx.last_day))

    def measures(self, ctx):
        in_time = Q(answered_on__isnull=False, answered_on__lte=F("deadline"))
        rows = (
            self._rows(ctx)
            .values("handler_id")
            .annotate(due=Count("pk"), in_time=Count("pk", filter=in_time))
            .order_by()
        )
        text = _("%(in_time)s of %(due)s answered in time")
        return {
            r["handler_id"]: Measure(
                _d(r["in_time"]), _d(r["due"]), text % {"in_time": r["in_time"], "due": r["due"]}, r["due"]
            )
            for r in rows
        }

    def evidence_rows(self, ctx, member_id=None):
        not_answered, in_time, late = _("not answered"), _("answered in time (%(day)s)"), _("answered late (%(day)s)")
        what = _("answer by")
        rows = self._for_member(self._rows(ctx), member_id, "handler_id").order_by("handler_id", "deadline", "pk")
        for handler, deadline, content, answered, pk in rows.values_list(
            "handler_id", "deadline", "content", "answered_on", "pk"
        ).iterator(chunk_size=5000):
            if answered is None:
                value = not_answered
            elif answered <= deadline:
                value = in_time % {"day": answered.isoformat()}
            else:
                value = late % {"day": answered.isoformat()}
            yield (handler, deadline, what, content[:80], value, pk)

    def link(self, ref):
        return reverse("activities:appeal_detail", args=[ref]) if ref else ""


class Guidance(BaseRule):
    """A committee member guides their linked team at least once a month: months with a visit against
    the months of the quarter they held a seat (months not begun yet do not count)."""

    rule = Rule.GUIDANCE

    def _visits(self, ctx):
        return GuidanceVisit.objects.filter(
            work_team__branch=ctx.branch, visited_on__range=(ctx.quarter.start, ctx.last_day)
        )

    def measures(self, ctx):
        months = [m for m in ctx.quarter.months if m <= ctx.today]
        seats = CommitteeRole.objects.filter(branch=ctx.branch, started_on__lte=ctx.last_day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=ctx.quarter.start)
        )
        expected: dict[int, set] = defaultdict(set)
        for member_id, started, ended in seats.values_list("member_id", "started_on", "ended_on"):
            for month in months:
                month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                if started <= month_end and (ended is None or ended >= month):
                    expected[member_id].add(month)
        visited: dict[int, set] = defaultdict(set)
        counts: dict[int, int] = defaultdict(int)
        rows = self._visits(ctx).annotate(month=TruncMonth("visited_on")).values("member_id", "month")
        for r in rows.annotate(n=Count("pk")).order_by():
            month = r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"]
            visited[r["member_id"]].add(month)
            counts[r["member_id"]] += r["n"]
        result = {}
        text = _("visits in %(done)s of %(due)s months")
        for member_id in set(expected) | set(visited):
            due = expected.get(member_id, set())
            done = len(visited.get(member_id, set()) & due)
            result[member_id] = Measure(
                _d(done), _d(len(due)), text % {"done": done, "due": len(due)}, counts.get(member_id, 0)
            )
        return result

    def evidence_rows(self, ctx, member_id=None):
        rows = self._for_member(self._visits(ctx), member_id).order_by("member_id", "visited_on", "pk")
        for member, day, team, guidance, pk in rows.values_list(
            "member_id", "visited_on", "work_team__name", "guidance", "pk"
        ).iterator(chunk_size=5000):
            yield (member, day, team, guidance[:80], 1, pk)

    def link(self, ref):
        return reverse("activities:guidance_detail", args=[ref]) if ref else ""


class CountRule(BaseRule):
    """Bonuses: how many times, each worth the item's points."""

    def _counts(self, rows) -> dict[int, Measure]:
        """Measures from rows of member_id and n."""
        text = _("%(count)s times")
        return {r["member_id"]: Measure(_d(r["n"]), ZERO, text % {"count": r["n"]}, r["n"]) for r in rows}


class CareVisits(CountRule):
    rule = Rule.CARE_VISITS

    def _rows(self, ctx):
        return CareVisit.visitors.through.objects.filter(
            carevisit__occasion__branch=ctx.branch,
            carevisit__visited_on__range=(ctx.quarter.start, ctx.last_day),
        )

    def measures(self, ctx):
        return self._counts(self._rows(ctx).values("member_id").annotate(n=Count("pk")).order_by())

    def evidence_rows(self, ctx, member_id=None):
        from ..models import CareOccasion

        kinds = _labels(CareOccasion.Kind.choices)
        rows = self._for_member(self._rows(ctx), member_id).order_by("member_id", "carevisit__visited_on", "pk")
        for member, day, kind, brought, occasion in rows.values_list(
            "member_id",
            "carevisit__visited_on",
            "carevisit__occasion__kind",
            "carevisit__brought",
            "carevisit__occasion_id",
        ).iterator(chunk_size=5000):
            yield (member, day, kinds.get(kind, str(kind)), brought, 1, occasion)

    def link(self, ref):
        return reverse("activities:care_detail", args=[ref]) if ref else ""


# An honour from higher up counts for more: units per honour by level.
HONOUR_UNITS = {
    Honor.Level.OPERATION_AREA: 1,
    Honor.Level.PLANT: 2,
    Honor.Level.OILFIELD: 3,
    Honor.Level.GROUP_COMPANY: 4,
}


class Honours(CountRule):
    """Honours awarded in the quarter: 1 unit at operation-area level, 2 plant, 3 oilfield company,
    4 group company."""

    rule = Rule.HONOURS

    def _rows(self, ctx):
        return Honor.objects.filter(
            branch=ctx.branch, member__isnull=False, awarded_on__range=(ctx.quarter.start, ctx.last_day)
        )

    def measures(self, ctx):
        units: dict[int, list] = defaultdict(lambda: [0, 0])
        for member_id, level in self._rows(ctx).values_list("member_id", "level"):
            units[member_id][0] += HONOUR_UNITS.get(level, 1)
            units[member_id][1] += 1
        text = _("%(count)s honours")
        return {m: Measure(_d(u), ZERO, text % {"count": n}, n) for m, (u, n) in units.items()}

    def evidence_rows(self, ctx, member_id=None):
        levels = _labels(Honor.Level.choices)
        rows = self._for_member(self._rows(ctx), member_id).order_by("member_id", "awarded_on", "pk")
        for member, day, title, level in rows.values_list("member_id", "awarded_on", "title", "level").iterator():
            yield (member, day, levels.get(level, str(level)), title, HONOUR_UNITS.get(level, 1), None)

    def link(self, ref):
        return reverse("activities:honor_list")


class Patents(CountRule):
    """Patents granted in the quarter, counted for every member of the project."""

    rule = Rule.PATENTS

    def _rows(self, ctx):
        return Patent.objects.filter(
            innovation__branch=ctx.branch, granted_on__range=(ctx.quarter.start, ctx.last_day)
        ).filter(innovation__members__isnull=False)

    def measures(self, ctx):
        return self._counts(
            self._rows(ctx).values(member_id=F("innovation__members")).annotate(n=Count("pk")).order_by()
        )

    def evidence_rows(self, ctx, member_id=None):
        kinds = _labels(Patent.Kind.choices)
        rows = self._for_member(self._rows(ctx), member_id, "innovation__members")
        for member, day, number, kind, innovation in (
            rows.order_by("innovation__members", "granted_on", "pk")
            .values_list("innovation__members", "granted_on", "number", "kind", "innovation_id")
            .iterator()
        ):
            yield (member, day, kinds.get(kind, str(kind)), number, 1, innovation)

    def link(self, ref):
        return reverse("activities:innovation_detail", args=[ref]) if ref else ""


class PublicityRule(CountRule):
    """Experience the member shared that was publicised in the quarter (三级宣传)."""

    rule = Rule.PUBLICITY

    def _rows(self, ctx):
        return Publicity.objects.filter(
            branch=ctx.branch, member__isnull=False, shared_on__range=(ctx.quarter.start, ctx.last_day)
        )

    def measures(self, ctx):
        return self._counts(self._rows(ctx).values("member_id").annotate(n=Count("pk")).order_by())

    def evidence_rows(self, ctx, member_id=None):
        levels = _labels(Publicity.Level.choices)
        rows = self._for_member(self._rows(ctx), member_id).order_by("member_id", "shared_on", "pk")
        for member, day, title, level in rows.values_list("member_id", "shared_on", "title", "level").iterator():
            yield (member, day, levels.get(level, str(level)), title, 1, None)

    def link(self, ref):
        return reverse("activities:honor_list")


class Deductions(BaseRule):
    rule = Rule.DEDUCTIONS

    def _rows(self, ctx):
        if ctx.period is None:
            return Deduction.objects.none()
        return Deduction.objects.filter(period=ctx.period)

    def measures(self, ctx):
        rows = self._rows(ctx).values("member_id").annotate(points=Sum("points"), n=Count("pk")).order_by()
        text = _("%(points)s points off")
        return {
            r["member_id"]: Measure(_d(r["points"]), ZERO, text % {"points": _d(r["points"])}, r["n"]) for r in rows
        }

    def evidence_rows(self, ctx, member_id=None):
        what = _("deduction")
        rows = self._for_member(self._rows(ctx), member_id).order_by("member_id", "happened_on", "pk")
        for member, day, reason, points in rows.values_list("member_id", "happened_on", "reason", "points").iterator():
            yield (member, day, what, reason, -points, None)


RULES: dict[str, BaseRule] = {
    r.rule: r
    for r in (
        OrgLife(),
        Activities(),
        StudyHours(),
        Dedication(),
        RedFlag(),
        Appeals(),
        Guidance(),
        CareVisits(),
        Honours(),
        Patents(),
        PublicityRule(),
        Deductions(),
    )
}
