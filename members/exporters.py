"""The members' reports (branch/exports): the branch roster and one member's record book.

Headers and cell values are Chinese literals: they are the file format, whatever language the page is
in. The roster's first sheet has exactly the columns of the roster import (members/resources.py), so a
roster exported here imports again unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from branch.exports.base import Column, Exporter, Sheet, register
from branch.quarters import Quarter, validate_past_or_current

from .access import Capability, visible_members
from .forms_exports import RecordBookExportForm, RosterExportForm, validate_period
from .models import Member
from .recordbook import Period, record_book
from .resources import (
    COLUMNS,
    DATE_HEADERS,
    ETHNICITY_LABELS,
    GENDER_LABELS,
    HEADERS,
    ROSTER_LAYOUT,
    STATUS_LABELS,
)

NO_GROUP = "未分组"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# ---- shared by every exporter (activities/exporters.py imports these) --------------------------------


def quarter_text(quarter: Quarter) -> str:
    """2026年第3季度: a quarter as titles and file names write it."""
    return f"{quarter.year}年第{quarter.number}季度"


def sheet_name(text: str) -> str:
    """A worksheet tab: at most 31 characters, none of []:*?/\\."""
    return _SHEET_NAME_FORBIDDEN.sub("", str(text))[:31] or "Sheet"


def parse_quarter_param(params: dict) -> Quarter:
    """The stored "quarter" parameter, parsed and not in the future; ValidationError otherwise."""
    return validate_past_or_current(Quarter.parse(params.get("quarter")))


# ---- the roster ---------------------------------------------------------------------------------------

LEFT_ON, LEFT_REASON = "离开日期", "离开原因"
ARCHIVE_REASON_LABELS = {
    Member.ArchiveReason.TRANSFERRED_OUT: "转出",
    Member.ArchiveReason.DIED: "去世",
    Member.ArchiveReason.EXPELLED: "开除党籍",
    Member.ArchiveReason.WITHDREW: "退党",
    Member.ArchiveReason.DROPPED: "退出发展",
}
_TRUE, _FALSE = {"1", "true", "yes", "on", "是"}, {"", "0", "false", "no", "off", "否"}


def _roster_columns(include_archived: bool) -> list[Column]:
    widths = ROSTER_LAYOUT.widths
    columns = [
        Column(
            header,
            width=widths.get(header, ROSTER_LAYOUT.default_width),
            kind="date" if header in DATE_HEADERS else "text",
        )
        for header in HEADERS
    ]
    if include_archived:
        columns += [Column(LEFT_ON, width=12, kind="date"), Column(LEFT_REASON, width=12)]
    return columns


@register
class RosterExporter(Exporter):
    """The branch's members, one row each, with the roster import's headers. Members without a party
    group have an empty 党小组 cell (an import refuses a group the branch does not have, so 未分组
    there would stop the file from importing again); the second sheet counts members by party group,
    with 未分组 for those without one."""

    identifier = "roster"
    verbose_name = _("Member roster")
    description = _("The branch's members with the columns of the roster import, so the file imports again.")
    form_class = RosterExportForm

    def allowed(self, actor, branch, params=None) -> bool:
        return actor.is_admin or (actor.can(Capability.MANAGE_MEMBERS) and actor.branch_id == branch.pk)

    def params_from_form(self, cleaned_data: dict) -> dict:
        return {"include_archived": bool(cleaned_data.get("include_archived"))}

    def clean_params(self, branch, params: dict, actor=None) -> dict:
        value = params.get("include_archived", False)
        if not isinstance(value, bool):
            text = str(value).strip().lower()
            if text not in _TRUE | _FALSE:
                raise ValidationError(
                    _("“%(value)s” is not yes or no (include people who left)."),
                    code="include_archived",
                    params={"value": value},
                )
            value = text in _TRUE
        return {"include_archived": value}

    def filename(self, branch, params: dict) -> str:
        suffix = "（含已离开人员）" if self.clean_params(branch, params)["include_archived"] else ""
        return f"{branch.name}-党员名册{suffix}"

    def sheets(self, branch, params: dict) -> Iterator[Sheet]:
        include_archived = self.clean_params(branch, params)["include_archived"]
        members = Member.objects.filter(branch=branch)
        if not include_archived:
            members = members.active()
        today = timezone.localdate()
        title = f"{branch.name} 党员名册（{today.year}年{today.month}月{today.day}日）"
        yield Sheet(
            name="党员名册",
            columns=_roster_columns(include_archived),
            rows=_roster_rows(members, include_archived),
            title=title,
            row_count=members.count(),
        )
        yield Sheet(
            name="党小组人数",
            columns=[
                Column("党小组", width=16),
                Column("正式党员", width=10, kind="int"),
                Column("预备党员", width=10, kind="int"),
                Column("其他人员", width=10, kind="int"),
                Column("合计", width=10, kind="int"),
            ],
            rows=_group_rows(members),
            title=title,
        )


def _roster_rows(members, include_archived: bool):
    fields = [f"{name}__name" if name in ("party_group", "work_team") else name for name in COLUMNS]
    rows = members.order_by("employee_number").values_list(*fields, "archived_on", "archive_reason")
    for row in rows.iterator():
        (name, gender, ethnicity, birth, number, phone, id_card, status, joined, group, team, left, reason) = row
        cells = [
            name,
            GENDER_LABELS.get(gender, gender),
            ETHNICITY_LABELS.get(ethnicity, ethnicity),
            birth,
            number,
            phone or None,
            id_card,
            STATUS_LABELS.get(status, status),
            joined,
            group,
            team,
        ]
        if include_archived:
            cells += [left, ARCHIVE_REASON_LABELS.get(reason, reason) or None]
        yield cells


def _group_rows(members):
    """Members by party group, those without one as 未分组, then the total. One query."""
    counts = (
        members.values("party_group__name")
        .annotate(
            full=Count("pk", filter=Q(status=Member.Status.FULL)),
            probationary=Count("pk", filter=Q(status=Member.Status.PROBATIONARY)),
            total=Count("pk"),
        )
        .order_by(F("party_group__name").asc(nulls_last=True))
    )
    sums = [0, 0, 0, 0]
    for row in counts:
        figures = [row["full"], row["probationary"], row["total"] - row["full"] - row["probationary"], row["total"]]
        sums = [a + b for a, b in zip(sums, figures, strict=True)]
        yield [row["party_group__name"] or NO_GROUP, *figures]
    yield ["合计", *sums]


# ---- the record book ------------------------------------------------------------------------------

# The tabs of the exported book; a section added later without a name here keeps its (translated) title.
SECTION_NAMES = {
    "study": "学习记录",
    "meetings": "参加会议",
    "pairings": "结对帮扶",
    "red_flag": "红旗井和设备",
    "honors": "荣誉",
    "innovations": "创新创效",
    "model_members": "五带头标兵",
    "development": "入党历程",
    "appeals": "承办员工诉求",
    "committee": "支委工作",
    "guidance": "联点指导",
}
ENTRY_COLUMNS = [
    Column("日期", width=12, kind="date"),
    Column("事项", width=36),
    Column("详情", width=48),
    Column("状态", width=14),
]
TOTAL_COLUMNS = [Column("栏目", width=16), Column("项目", width=30), Column("数值", width=12), Column("单位", width=8)]


def parse_period(text) -> Period:
    """ "2026" or "2026Q3" as stored in the parameters; ValidationError otherwise."""
    text = str(text or "").strip()
    if re.fullmatch(r"\d{4}", text):
        return Period(int(text))
    quarter = Quarter.parse(text)
    return Period(quarter.year, quarter.number)


def period_text(period: Period) -> str:
    if period.quarter is None:
        return f"{period.year}年"
    return quarter_text(Quarter(period.year, period.quarter))


def _member_id(params: dict) -> int:
    value = params.get("member")
    if isinstance(value, bool) or not str(value or "").strip().isdigit():
        raise ValidationError(_("Choose the member whose record book to export."), code="member")
    return int(value)


@register
class RecordBookExporter(Exporter):
    """One member's record book (members/recordbook.py) for a year or a quarter: a first sheet of
    totals, then one sheet per section with its entries.

    Who may: the member, and whoever may see that member (Member.objects.visible_to). `allowed()` and
    `clean_params()` take the parameters / the actor as an optional extra argument: without them they
    can only say whether the actor may export some book of the branch, so the job machinery should pass
    them (a member must never get another member's book)."""

    identifier = "record_book"
    verbose_name = _("Record book")
    description = _("One member's record book for a year or a quarter: totals, then one sheet per section.")
    form_class = RecordBookExportForm

    def allowed(self, actor, branch, params: dict | None = None) -> bool:
        if not actor.is_authenticated:
            return False
        if not actor.is_admin and (actor.member is None or actor.branch_id != branch.pk):
            return False
        if params is None:
            return True  # any member of the branch may export at least their own book
        try:
            member_id = _member_id(params)
        except ValidationError:
            return False
        return visible_members(actor).filter(pk=member_id, branch=branch).exists()

    def params_from_form(self, cleaned_data: dict) -> dict:
        return {"member": cleaned_data["member"].pk, "period": cleaned_data["period"].label}

    def clean_params(self, branch, params: dict, actor=None) -> dict:
        member_id = _member_id(params)
        period = validate_period(parse_period(params.get("period")))
        if not Member.objects.filter(pk=member_id, branch=branch).exists():
            raise ValidationError(_("This member is not in the branch."), code="member_branch")
        cleaned = {"member": member_id, "period": period.label}
        if actor is not None and not self.allowed(actor, branch, cleaned):
            raise ValidationError(_("You may not see this member's record book."), code="member_scope")
        return cleaned

    def filename(self, branch, params: dict) -> str:
        name = Member.objects.filter(pk=_member_id(params), branch=branch).values_list("name", flat=True).first()
        return f"{branch.name}-{name or ''}-个人活动写实簿-{parse_period(params.get('period')).label}"

    def sheets(self, branch, params: dict) -> Iterator[Sheet]:
        member = Member.objects.get(pk=_member_id(params), branch=branch)
        period = parse_period(params.get("period"))
        # Entries and totals are worded through gettext; the file is Chinese whatever the job's language.
        with translation.override(settings.LANGUAGE_CODE):
            book = record_book(member, period)
            sections = [
                (
                    SECTION_NAMES.get(view.section.key) or str(view.section.title),
                    sorted(
                        ([e.date, str(e.title), str(e.detail) or None, str(e.status) or None] for e in view.entries),
                        key=lambda cells: cells[0],
                    ),
                    [(str(t.label), t.value, str(t.unit) or None) for t in view.totals],
                )
                for view in book.sections
            ]
        title = f"{branch.name} {member.name}（{member.employee_number}） {period_text(period)} 个人活动写实簿"
        totals = []
        for name, entries, section_totals in sections:
            totals.append([name, "记录条数", len(entries), "条"])
            totals += [[name, label, value, unit] for label, value, unit in section_totals]
        yield Sheet(name="汇总", columns=TOTAL_COLUMNS, rows=totals, title=title, row_count=len(totals))
        for name, entries, _totals in sections:
            yield Sheet(
                name=sheet_name(name),
                columns=ENTRY_COLUMNS,
                rows=entries,
                title=f"{title} · {name}",
                row_count=len(entries),
            )
