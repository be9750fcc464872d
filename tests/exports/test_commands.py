"""`manage.py export` and `manage.py export_assessment`: files written, errors refused, nothing left behind."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from branch.exports import base
from branch.exports.base import Column, Sheet
from branch.management.commands.export import Command as ExportCommand
from branch.models import ExportJob
from branch.quarters import Quarter, validate_past_or_current

from .fakes import OpenExporter, fake_exporters  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("fake_exporters")

LAST_QUARTER = str(Quarter.current().previous())
NEXT_QUARTER = str(Quarter.current().next())


def export(*args, **options):
    out = io.StringIO()
    call_command("export", *args, stdout=out, **options)
    return out.getvalue()


def test_export_writes_the_file(secretary, member, tmp_path):
    output = tmp_path / "名册.xlsx"
    said = export("test-people", branch=secretary.branch.name, quarter=LAST_QUARTER, output=str(output))
    assert "3 行" in said  # two members, then the totals sheet's row
    workbook = openpyxl.load_workbook(output)
    assert workbook["名册"]["A1"].value == f"{secretary.branch.name} {LAST_QUARTER} 名册"
    assert not ExportJob.objects.exists()  # the command never writes the job log


def test_export_as_csv_by_branch_id_with_the_format_from_the_extension(member, tmp_path):
    output = tmp_path / "out.csv"
    export("test-open", branch=str(member.branch.pk), output=str(output))
    with output.open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [["编号"], ["007"]]


def test_a_future_quarter_is_refused_and_nothing_is_written(secretary, tmp_path):
    output = tmp_path / "future.xlsx"
    with pytest.raises(CommandError) as error:
        export("test-people", branch=secretary.branch.name, quarter=NEXT_QUARTER, output=str(output))
    assert "尚未开始" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_exits_nonzero_on_a_refused_quarter(secretary, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's database connection
    output = tmp_path / "future.xlsx"
    argv = ["manage.py", "export", "test-people", "--branch", secretary.branch.name, "--quarter", NEXT_QUARTER]
    with pytest.raises(SystemExit) as exit_:
        ExportCommand().run_from_argv([*argv, "--output", str(output)])
    assert exit_.value.code == 1
    assert "尚未开始" in capsys.readouterr().err
    assert not output.exists()


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["no-such-report"], {}, "没有名为"),
        (["test-open"], {"branch": "不存在的支部"}, "没有党支部"),
        (["test-open"], {"param": ["novalue"]}, "key=value"),
        (["test-open"], {"file_format": "csv", "output": "/no/such/folder/x.csv"}, "不存在"),
    ],
)
def test_mistakes_are_command_errors(member, tmp_path, args, options, message):
    options = {"branch": member.branch.name, "output": str(tmp_path / "x.xlsx"), **options}
    with pytest.raises(CommandError, match=message):
        export(*args, **options)
    assert list(tmp_path.iterdir()) == []


def test_with_a_user_the_report_is_checked_against_their_rights(secretary, member, tmp_path):
    output = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match="无权"):
        export(
            "test-people",
            branch=secretary.branch.name,
            quarter=LAST_QUARTER,
            output=str(output),
            user=member.user.username,
        )
    assert not output.exists()
    export(
        "test-people",
        branch=secretary.branch.name,
        quarter=LAST_QUARTER,
        output=str(output),
        user=secretary.user.username,
    )
    assert output.exists()


def test_an_exporter_failing_half_way_keeps_the_older_file(member, tmp_path):
    output = tmp_path / "x.xlsx"
    output.write_bytes(b"yesterday")
    with pytest.raises(RuntimeError):
        export("test-boom", branch=member.branch.name, output=str(output))
    assert list(tmp_path.iterdir()) == [output]
    assert output.read_bytes() == b"yesterday"


class FakeAssessment(OpenExporter):
    identifier = "assessment"
    verbose_name = "季度考核"
    seen: list = []

    def clean_params(self, branch, params):
        return {"quarter": str(validate_past_or_current(Quarter.parse(params.get("quarter"))))}

    def sheets(self, branch, params):
        self.seen.append(params)
        yield Sheet(name="考核", columns=[Column("季度")], rows=[[params["quarter"]]], row_count=1)


def test_export_assessment_calls_the_assessment_exporter(member, tmp_path, monkeypatch):
    monkeypatch.setitem(base._registry, FakeAssessment.identifier, FakeAssessment)
    monkeypatch.setattr(FakeAssessment, "seen", [])
    output = tmp_path / "考核.xlsx"
    call_command(
        "export_assessment", branch=member.branch.name, quarter=LAST_QUARTER, output=str(output), stdout=io.StringIO()
    )
    assert FakeAssessment.seen == [{"quarter": LAST_QUARTER}]
    assert openpyxl.load_workbook(output)["考核"]["A2"].value == LAST_QUARTER

    with pytest.raises(CommandError, match="尚未开始"):
        call_command(
            "export_assessment", branch=member.branch.name, quarter=NEXT_QUARTER, output=str(tmp_path / "n.xlsx")
        )
    assert not (tmp_path / "n.xlsx").exists()
