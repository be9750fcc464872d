"""The assessment workbook reads the database in a fixed number of queries: as many for a branch of 400
members as for one of 40, with records behind every item (the year of data the benchmark builds,
bench/assessment_export.py)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.assessment_export import build
from branch.exports.base import get_exporter
from branch.exports.writers import write_xlsx
from branch.quarters import Quarter


def _workbook(branch, quarter, path):
    """Write the workbook; return its queries and the data rows of each sheet."""
    rows: dict[str, int] = {}
    with CaptureQueriesContext(connection) as queries:
        for sheet in get_exporter("assessment").sheets(branch, {"quarter": str(quarter)}):
            rows[sheet.name] = 0
            write_xlsx(path, [sheet], progress=lambda n, name=sheet.name: rows.__setitem__(name, n))
    return len(queries.captured_queries), rows


def _whole_workbook_queries(branch, quarter, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        write_xlsx(path, get_exporter("assessment").sheets(branch, {"quarter": str(quarter)}))
    return len(queries.captured_queries)


def test_workbook_queries_do_not_grow_with_members(db, tmp_path):
    today = timezone.localdate()
    quarter = Quarter.of(today).previous()
    small, _ = build(name="小支部", members=40, start=0, quarter=quarter, today=today)
    large, counts = build(name="大支部", members=400, start=40, quarter=quarter, today=today)
    assert counts["members"] == 400

    # Every item has evidence in both branches, so every rule's queries run.
    small_queries, small_rows = _workbook(small, quarter, tmp_path / "small-sheets.xlsx")
    large_queries, large_rows = _workbook(large, quarter, tmp_path / "large-sheets.xlsx")
    assert len(large_rows) == 13
    assert all(small_rows.values()) and all(large_rows.values()), (small_rows, large_rows)
    assert sum(large_rows.values()) > 5 * sum(small_rows.values())
    assert small_queries == large_queries

    # The workbook as the export job writes it: one file, every sheet.
    assert _whole_workbook_queries(small, quarter, tmp_path / "small.xlsx") == _whole_workbook_queries(
        large, quarter, tmp_path / "large.xlsx"
    )
