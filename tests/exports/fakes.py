"""Test-only exporters for the export machinery, so its tests do not depend on the real reports.

`fake_exporters` replaces the registry for one test with these (and whatever a test adds) and puts
the real one back afterwards.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django import forms
from django.utils import timezone

from branch.exports import base
from branch.exports.base import Column, Exporter, Sheet
from branch.quarters import Quarter, validate_past_or_current
from members.models import Member

PEOPLE_COLUMNS = [
    Column("工号", 10, "text"),
    Column("姓名", 12, "text"),
    Column("积分", 8, "int"),
    Column("金额", 10, "decimal"),
    Column("达标率", 9, "percent"),
    Column("入党日期", 12, "date"),
    Column("登记时间", 17, "datetime"),
]


class QuarterField(forms.Field):
    """Like the reports' own (members/forms_exports.py): reads "2026Q3" as a Quarter."""

    def to_python(self, value):
        text = str(value or "").strip()
        return Quarter.parse(text) if text else None

    def validate(self, value):
        super().validate(value)
        if value is not None:
            validate_past_or_current(value)


class QuarterForm(forms.Form):
    quarter = QuarterField(label="quarter")
    note = forms.CharField(label="note", required=False)

    def __init__(self, *args, actor=None, branch=None, **kwargs):
        super().__init__(*args, **kwargs)


def quarter_param(params: dict) -> Quarter:
    return validate_past_or_current(Quarter.parse(params.get("quarter")))


class PeopleExporter(Exporter):
    """The branch's members for a quarter: the secretary of the branch only."""

    identifier = "test-people"
    verbose_name = "测试名册"
    description = "Members of the branch, for the tests."
    form_class = QuarterForm

    def allowed(self, actor, branch) -> bool:
        return actor.is_secretary and actor.branch_id == branch.pk

    def clean_params(self, branch, params: dict) -> dict:
        return {"quarter": str(quarter_param(params))}

    def filename(self, branch, params: dict) -> str:
        return f"{branch.name}-测试名册-{params['quarter']}"

    def sheets(self, branch, params):
        members = Member.objects.filter(branch=branch).order_by("name")
        registered = timezone.make_aware(dt.datetime(2026, 7, 1, 8, 30))
        yield Sheet(
            name="名册",
            title=f"{branch.name} {params['quarter']} 名册",
            columns=PEOPLE_COLUMNS,
            row_count=members.count(),
            rows=(
                [m.employee_number, m.name, 12, Decimal("3.5"), 0.875, m.joined_on, registered]
                for m in members.iterator()
            ),
        )
        yield Sheet(name="名册", columns=[Column("合计", 10, "int")], rows=iter([[members.count()]]), row_count=1)


class OpenExporter(Exporter):
    """Any member of the branch may run it; it asks for nothing."""

    identifier = "test-open"
    verbose_name = "测试公开表"

    def allowed(self, actor, branch) -> bool:
        return actor.member is not None and actor.branch_id == branch.pk

    def sheets(self, branch, params):
        yield Sheet(name="表", columns=[Column("编号", 10, "text")], rows=[["007"]], row_count=1)


class BoomExporter(OpenExporter):
    """Fails half way through its rows."""

    identifier = "test-boom"
    verbose_name = "测试失败表"
    rows_before_failure = 1500

    def sheets(self, branch, params):
        def rows():
            for n in range(self.rows_before_failure):
                yield [f"{n:06d}"]
            raise RuntimeError("the database went away")

        yield Sheet(name="表", columns=[Column("编号", 10, "text")], rows=rows(), row_count=3000)


class BigExporter(OpenExporter):
    """Many rows, to see progress recorded on the way."""

    identifier = "test-big"
    verbose_name = "测试大表"
    rows = 5000

    def sheets(self, branch, params):
        yield Sheet(
            name="大表",
            columns=[Column("编号", 10, "text"), Column("数", 8, "int")],
            rows=([f"{n:06d}", n] for n in range(self.rows)),
            row_count=self.rows,
        )


class MeetingExporter(OpenExporter):
    """Two jobs of it run at once: each waits at the barrier after its first row, so both are
    half-written at the same moment."""

    identifier = "test-meeting"
    verbose_name = "测试并发表"
    barrier: threading.Barrier | None = None

    def sheets(self, branch, params):
        def rows():
            yield [params.get("tag", "")]
            if self.barrier is not None:
                self.barrier.wait(timeout=20)
            yield ["second row"]

        yield Sheet(name="表", columns=[Column("标记", 10, "text")], rows=rows(), row_count=2)


FAKES = [PeopleExporter, OpenExporter, BoomExporter, BigExporter, MeetingExporter]


@pytest.fixture
def fake_exporters(monkeypatch):
    """The registry holds only the test exporters for the test; returns it, to add more."""
    registry = {cls.identifier: cls for cls in FAKES}
    monkeypatch.setattr(base, "_registry", registry)
    monkeypatch.setattr(base, "_loaded", True)
    return registry


@pytest.fixture
def private_media(settings, tmp_path):
    """A MEDIA_ROOT of the test's own, so what one test stores is not seen by the next."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
