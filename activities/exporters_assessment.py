"""The quarterly assessment workbook: a summary sheet with one row per member (each item's score, the
total, the grade) and one sheet per item with the evidence rows behind it.

Open quarters are exported with their current, provisional scores and say so in the title; locked
quarters with the locked figures. Queries: those of `assess()` plus one per item sheet, whatever the
number of members.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.exports.base import Column, Exporter, Sheet, register
from branch.quarters import Quarter, validate_past_or_current

from .access import Can, can
from .assessment.rules import RULES, Context
from .assessment.scores import assess


class QuarterForm(forms.Form):
    quarter = forms.CharField(label=_("quarter"), max_length=7, help_text=_("For example 2026Q3."))

    def __init__(self, *args, actor=None, branch=None, **kwargs):
        kwargs.setdefault("initial", {"quarter": str(Quarter.current().previous())})
        super().__init__(*args, **kwargs)

    def clean_quarter(self):
        return str(validate_past_or_current(Quarter.parse(self.cleaned_data["quarter"])))


def _quarter_title(quarter: Quarter) -> str:
    return f"{quarter.year}年第{quarter.number}季度"


@register
class AssessmentExporter(Exporter):
    identifier = "assessment"
    verbose_name = _("Quarterly assessment workbook")
    description = _("Every member's scores, total and grade, and a sheet of evidence per item.")
    form_class = QuarterForm

    def allowed(self, actor, branch, params=None) -> bool:
        return can(actor, Can.VIEW_ASSESSMENT) and (actor.is_admin or actor.branch_id == branch.pk)

    def clean_params(self, branch, params, actor=None):
        quarter = validate_past_or_current(Quarter.parse(params.get("quarter", "")))
        return {**params, "quarter": str(quarter)}

    def filename(self, branch, params) -> str:
        return f"{branch.name}-{params['quarter']}-目标管理考核"

    def sheets(self, branch, params) -> Iterator[Sheet]:
        quarter = Quarter.parse(params["quarter"])
        today = timezone.localdate()
        result = assess(branch, quarter, today=today)
        state = "已锁定" if result.locked else "未锁定，分数为暂定"
        title = f"{branch.name} {_quarter_title(quarter)}党员目标管理考核汇总表（{state}）"
        items = result.items
        columns = [
            Column("序号", 6, "int"),
            Column("姓名", 12),
            Column("员工编号", 12),
            Column("党小组", 12),
            Column("党员类别", 10),
            *(Column(item.name, max(8, len(item.name) * 2 + 2), "decimal") for item in items),
            Column("总分", 8, "decimal"),
            Column("等级", 10),
        ]
        statuses = {"full": "正式党员", "probationary": "预备党员"}
        grades = {"excellent": "优秀", "qualified": "合格", "basic": "基本合格", "unqualified": "不合格"}
        members = result.members

        def summary():
            for index, m in enumerate(members, start=1):
                yield (
                    index,
                    m.name,
                    m.employee_number,
                    m.group_name,
                    statuses.get(m.status, m.status),
                    *(r.points for r in m.items),
                    m.total,
                    grades.get(m.grade, "不定等级（预备党员）"),
                )

        yield Sheet("考核汇总", columns, summary(), title=title, row_count=len(members))

        people = {m.member_id: (m.name, m.employee_number, m.group_name) for m in members}
        ctx = Context(branch=branch, quarter=quarter, period=result.period, today=today)
        evidence_columns = [
            Column("姓名", 12),
            Column("员工编号", 12),
            Column("党小组", 12),
            Column("日期", 11, "date"),
            Column("事项", 18),
            Column("内容", 40),
            Column("数值", 9, "decimal"),
            Column("情况", 18),
        ]
        counts = dict.fromkeys((item.pk for item in items), 0)
        for m in members:
            for r in m.items:
                counts[r.item.pk] = counts.get(r.item.pk, 0) + r.evidence_count
        for item in items:
            yield Sheet(
                item.name[:31],
                evidence_columns,
                _evidence_rows(RULES[item.rule], ctx, people),
                title=f"{branch.name} {_quarter_title(quarter)} {item.name}：依据明细",
                row_count=counts[item.pk],
            )


NUMBERS = (int, float, Decimal)


def _evidence_rows(rule, ctx, people):
    # Plain tuples from the rule (no Evidence object per row): these sheets hold most of the workbook.
    for member_id, day, what, detail, value, _ref in rule.evidence_rows(ctx):
        person = people.get(member_id)
        if person is None:  # not assessed this quarter (left before it ended, not a party member)
            continue
        kind = value.__class__
        if kind is str:
            yield (*person, day, what, detail, None, value)
        elif kind in NUMBERS or isinstance(value, int | float) or hasattr(value, "quantize"):
            yield (*person, day, what, detail, value, None)
        else:
            yield (*person, day, what, detail, None, str(value))
