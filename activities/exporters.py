"""The activities' reports (branch/exports): a quarter's employee appeals and its red-flag attainment.

Headers and cell values are Chinese literals (the file format). Each report reads in a fixed number of
queries whatever the number of rows: the rows stream from one `.values_list().iterator()`, and what is
aggregated (attainment, the appeals' figures) comes from grouped queries made once.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Avg, Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.exports.base import Column, Exporter, Sheet, register
from branch.quarters import Quarter
from members.exporters import NO_GROUP, parse_quarter_param, quarter_text
from members.forms_exports import QuarterExportForm

from .access import Can, can
from .models import Appeal, AssignmentTarget, Indicator
from .resources import KIND_LABELS
from .selectors.appeals import quarter_figures
from .selectors.redflag import GREEN_FROM, UNITS, attainment_sql
from .services.redflag import INDICATOR_NAMES


class QuarterExporter(Exporter):
    """A report of one quarter: the form asks for it, the parameters keep it as "2026Q3"."""

    form_class = QuarterExportForm
    report_name: str  # Chinese, in titles and file names

    def params_from_form(self, cleaned_data: dict) -> dict:
        return {"quarter": str(cleaned_data["quarter"])}

    def clean_params(self, branch, params: dict, actor=None) -> dict:
        return {"quarter": str(parse_quarter_param(params))}

    def quarter(self, params: dict) -> Quarter:
        return Quarter.parse(params.get("quarter"))

    def filename(self, branch, params: dict) -> str:
        return f"{branch.name}-{self.report_name}-{self.quarter(params)}"

    def title(self, branch, quarter: Quarter) -> str:
        return f"{branch.name} {quarter_text(quarter)} {self.report_name}"


# ---- appeals --------------------------------------------------------------------------------------

CHANNEL_LABELS = {
    Appeal.Channel.FORUM: "恳谈会",
    Appeal.Channel.QQ: "QQ群",
    Appeal.Channel.PHONE: "电话",
    Appeal.Channel.IN_PERSON: "当面反映",
    Appeal.Channel.LETTER: "来信",
}
CATEGORY_LABELS = {
    Appeal.Category.WORK: "工作生产",
    Appeal.Category.SAFETY: "安全",
    Appeal.Category.WELFARE: "薪酬福利",
    Appeal.Category.LIVING: "生活条件",
    Appeal.Category.TRAINING: "培训成长",
    Appeal.Category.OTHER: "其他",
}
APPEAL_STATUS_LABELS = {
    Appeal.Status.RECEIVED: "已受理",
    Appeal.Status.IN_PROGRESS: "办理中",
    Appeal.Status.ANSWERED: "已答复",
    Appeal.Status.CLOSED: "已办结",
}
SATISFACTION_LABELS = {
    Appeal.Satisfaction.VERY_SATISFIED: "满意",
    Appeal.Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Appeal.Satisfaction.NOT_SATISFIED: "不满意",
}
YES, NO = "是", "否"

APPEAL_COLUMNS = [
    Column("受理日期", width=12, kind="date"),
    Column("恳谈会", width=20),
    Column("渠道", width=10),
    Column("类别", width=10),
    Column("诉求人", width=10),
    Column("诉求人班组", width=12),
    Column("诉求内容", width=48),
    Column("承办人", width=10),
    Column("状态", width=8),
    Column("答复期限", width=12, kind="date"),
    Column("答复日期", width=12, kind="date"),
    Column("答复用时（天）", width=10, kind="int"),
    Column("按期答复", width=10),
    Column("满意度", width=10),
]
FIGURE_COLUMNS = [Column("项目", width=24), Column("数值", width=12, kind="decimal")]


@register
class AppealsExporter(QuarterExporter):
    """The appeals received in a quarter, one row each, then the quarter's figures.

    答复用时 is the days from received to answered; 按期答复 is 是 when answered on or before the
    deadline, 否 when answered after it or still open past it, empty while an open appeal is in time."""

    identifier = "appeals"
    verbose_name = _("Employee appeals")
    description = _("The appeals received in a quarter: who asked what, who handled it, when it was answered.")
    report_name = "员工诉求"

    def allowed(self, actor, branch, params=None) -> bool:
        return actor.is_admin or (can(actor, Can.MANAGE_APPEALS) and actor.branch_id == branch.pk)

    def sheets(self, branch, params: dict) -> Iterator[Sheet]:
        quarter = self.quarter(params)
        appeals = Appeal.objects.filter(branch=branch, **quarter.date_filter("received_on"))
        title = self.title(branch, quarter)
        today = timezone.localdate()
        yield Sheet(
            name="员工诉求",
            columns=APPEAL_COLUMNS,
            rows=_appeal_rows(appeals, today),
            title=title,
            row_count=appeals.count(),
        )
        yield Sheet(name="季度汇总", columns=FIGURE_COLUMNS, rows=_appeal_figures(branch, quarter, today), title=title)


def _appeal_rows(appeals, today):
    rows = appeals.order_by("received_on", "pk").values_list(
        "received_on",
        "forum__held_on",
        "forum__work_team__name",
        "channel",
        "category",
        "requester__name",
        "requester__work_team__name",
        "content",
        "handler__name",
        "status",
        "deadline",
        "answered_on",
        "satisfaction",
    )
    for row in rows.iterator():
        (received, forum_on, forum_team, channel, category, name, team, content, handler, status, deadline) = row[:11]
        answered, satisfaction = row[11:]
        if answered is not None:
            days, in_time = (answered - received).days, YES if answered <= deadline else NO
        else:
            days, in_time = None, NO if deadline < today else None
        yield [
            received,
            f"{forum_on:%Y-%m-%d} {forum_team}" if forum_on else None,
            CHANNEL_LABELS.get(channel, channel),
            CATEGORY_LABELS.get(category, category),
            name,
            team,
            content,
            handler,
            APPEAL_STATUS_LABELS.get(status, status),
            deadline,
            answered,
            days,
            in_time,
            SATISFACTION_LABELS.get(satisfaction),
        ]


def _appeal_figures(branch, quarter: Quarter, today):
    """The quarter's figures as the appeals page computes them (activities/selectors/appeals.py)."""
    figures = quarter_figures(Appeal.objects.filter(branch=branch), year=quarter.year, today=today)
    f = figures[quarter.number - 1]
    satisfied = None if f.satisfied_percent is None else Decimal(f.satisfied_percent)
    median = None if f.median_days is None else Decimal(str(f.median_days))
    return [
        ["受理诉求（件）", f.received],
        ["未答复（件）", f.open],
        ["逾期未答复（件）", f.overdue],
        ["已答复（含办结）（件）", f.answered],
        ["已办结（件）", f.closed],
        ["答复用时中位数（天）", median],
        ["已评价（件）", f.rated],
        ["满意（件）", f.satisfied],
        ["基本满意（件）", f.basically_satisfied],
        ["不满意（件）", f.not_satisfied],
        ["满意率（%）", satisfied],
    ]


# ---- red-flag attainment -----------------------------------------------------------------------------

ATTAINED, NOT_ATTAINED, NO_READING = "达标", "未达标", "无读数"
_READ = "assignment__asset__readings__"
_INDICATOR_ORDER = Case(
    *[When(indicator=value, then=Value(index)) for index, value in enumerate(Indicator.values)],
    output_field=IntegerField(),
)


def _attainment_columns(quarter: Quarter) -> list[Column]:
    columns = [
        Column("编号", width=12),
        Column("类型", width=10),
        Column("站点/区域", width=16),
        Column("责任党员", width=10),
        Column("员工编号", width=12),
        Column("党小组", width=14),
        Column("承包开始", width=12, kind="date"),
        Column("承包结束", width=12, kind="date"),
        Column("指标", width=12),
        Column("目标值", width=10, kind="decimal"),
        Column("单位", width=8),
    ]
    for month in quarter.months:
        columns += [Column(f"{month.month}月实际", width=10, kind="decimal"), Column(f"{month.month}月达标", width=9)]
    columns += [Column("季度实际", width=10, kind="decimal"), Column("季度达标率", width=11, kind="percent")]
    return columns


@register
class RedFlagAttainmentExporter(QuarterExporter):
    """Each target of each red-flag assignment active in the quarter: the month's average of the
    readings taken under the assignment and whether it attained the target (达标 from 100 % of it,
    as on the board), then the quarter's average and attainment. The averages and percentages are
    computed in the database with the board's formula (activities/selectors/redflag.py)."""

    identifier = "redflag_attainment"
    verbose_name = _("Red-flag attainment")
    description = _("The red-flag wells and equipment of a quarter: targets, monthly readings and attainment.")
    report_name = "红旗井设备达标情况"

    def allowed(self, actor, branch, params=None) -> bool:
        if actor.is_admin:
            return True
        return can(actor, Can.VIEW_RED_FLAG) and actor.is_committee and actor.branch_id == branch.pk

    def sheets(self, branch, params: dict) -> Iterator[Sheet]:
        quarter = self.quarter(params)
        targets = AssignmentTarget.objects.filter(
            Q(assignment__ended_on__isnull=True) | Q(assignment__ended_on__gte=quarter.start),
            assignment__asset__branch=branch,
            assignment__started_on__lte=quarter.end,
        )
        yield Sheet(
            name="红旗井设备达标",
            columns=_attainment_columns(quarter),
            rows=_attainment_rows(targets, quarter),
            title=self.title(branch, quarter),
            row_count=targets.count(),
        )


def _figures(targets, quarter: Quarter) -> tuple[dict, dict]:
    """{(target id, month): (average, percent)} and {target id: (average, percent)} of the readings of
    each target's indicator taken in the quarter while its assignment ran. Two grouped queries."""
    under = targets.filter(
        **{
            f"{_READ}indicator": F("indicator"),
            f"{_READ}reading_on__range": (quarter.start, quarter.end),
            f"{_READ}reading_on__gte": F("assignment__started_on"),
            f"{_READ}reading_on__lte": Coalesce(F("assignment__ended_on"), Value(quarter.end)),
        }
    )
    aggregates = {
        "average": Avg(f"{_READ}value"),
        "percent": attainment_sql(F("target"), value=f"{_READ}value", indicator="indicator"),
    }
    monthly = under.values("pk", month=TruncMonth(f"{_READ}reading_on")).annotate(**aggregates).order_by()
    whole = under.values("pk").annotate(**aggregates).order_by()
    by_month = {(row["pk"], row["month"]): (row["average"], row["percent"]) for row in monthly}
    by_target = {row["pk"]: (row["average"], row["percent"]) for row in whole}
    return by_month, by_target


def _attainment_rows(targets, quarter: Quarter):
    by_month, by_target = _figures(targets, quarter)
    rows = targets.order_by("assignment__asset__code", "assignment__started_on", _INDICATOR_ORDER).values_list(
        "pk",
        "assignment__asset__code",
        "assignment__asset__kind",
        "assignment__asset__station",
        "assignment__member__name",
        "assignment__member__employee_number",
        "assignment__member__party_group__name",
        "assignment__started_on",
        "assignment__ended_on",
        "indicator",
        "target",
    )
    for pk, code, kind, station, name, number, group, started, ended, indicator, target in rows.iterator():
        cells = [
            code,
            KIND_LABELS.get(kind, kind),
            station or None,
            name,
            number,
            group or NO_GROUP,
            started,
            ended,
            INDICATOR_NAMES.get(indicator, indicator),
            target,
            UNITS.get(indicator, ""),
        ]
        for month in quarter.months:
            average, percent = by_month.get((pk, month), (None, None))
            cells += [_two_places(average), _attained(percent)]
        average, percent = by_target.get(pk, (None, None))
        cells += [_two_places(average), None if percent is None else round(float(percent) / 100, 4)]
        yield cells


def _two_places(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _attained(percent) -> str:
    if percent is None:
        return NO_READING
    return ATTAINED if float(percent) >= GREEN_FROM else NOT_ATTAINED


from .exporters_assessment import AssessmentExporter  # noqa: E402, F401  (registers the workbook)
