"""Import and export in the admin for every main model (tests/admin/cases.py holds the table): a good
file imports every row; a file with bad rows imports nothing and lists each bad row with its
spreadsheet row number and the reason in Chinese; export, then import of the export, changes nothing;
the number of queries does not grow with the rows; only the administrator gets in."""

from __future__ import annotations

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MemberFactory

from .cases import CASES
from .helpers import cell_text, confirm, export, import_rows, preview, resource_of, snapshot, upload, xlsx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_good_file_imports_every_row(client, world, case):
    case.setup(world, 3)
    before = case.model.objects.count()
    import_rows(client, case, world, [case.row(world, i) for i in range(3)])
    assert case.model.objects.count() == before + 3
    if hasattr(case.model, "history"):
        latest = case.model.history.order_by("-history_id")[:3]
        assert {(h.history_type, h.history_user_id) for h in latest} == {("+", world.admin.pk)}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_file_with_bad_rows_imports_nothing_and_lists_them(client, world, case):
    case.setup(world, 2 + len(case.bad))
    rows = [case.row(world, 0), case.row(world, 1)]
    rows += [{**case.row(world, 2 + k), **changes} for k, (changes, _, _) in enumerate(case.bad)]
    before = snapshot(case)
    response = preview(client, case, world, xlsx(rows))
    invalid = response.context["result"].invalid_rows
    # The header is row 1 and the good rows are 2 and 3: the bad ones are 4, 5 …
    assert [row.number for row in invalid] == list(range(4, 4 + len(case.bad)))
    page = response.content.decode()
    for row, (_, header, message) in zip(invalid, case.bad, strict=True):
        message = message() if callable(message) else message
        assert message in row.error_dict[header], row.error_dict
        assert message in page
    assert response.context.get("confirm_form") is None
    assert snapshot(case) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_export_then_import_of_the_export_changes_nothing(client, world, case):
    case.setup(world, 3)
    first = case.row(world, 0)
    import_rows(client, case, world, [first, case.row(world, 1), case.row(world, 2)])
    before = snapshot(case)
    exported = export(client, case)
    assert exported[0] == resource_of(case).sheet_layout().headers
    key_header = next(header for header, value in first.items() if value is not None)
    column = exported[0].index(key_header)
    assert cell_text(first[key_header]) in {cell_text(row[column]) for row in exported[1:]}

    workbook = openpyxl.Workbook()
    for row in exported:
        workbook.active.append(row)
    response = preview(client, case, world, upload(workbook))
    totals = response.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (0, 0, len(exported) - 1)
    confirm(client, case, response)
    assert snapshot(case) == before


# The session and the content type cache are the test client's and Django's, not the import's.
_FRAMEWORK = ("django_session", "django_content_type")


def _statements(captured: CaptureQueriesContext) -> list[str]:
    """The queries, the batches of one bulk write counted once (SQLite takes at most 999 parameters a
    query, so 100 history rows are two INSERTs there and one on PostgreSQL)."""
    statements = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if any(table in sql for table in _FRAMEWORK):
            continue
        head = sql.split("(", 1)[0] if sql.startswith(("INSERT", "UPDATE")) else sql
        if not statements or statements[-1] != head or head == sql:
            statements.append(head)
    return statements


@pytest.mark.parametrize("case", CASES, ids=str)
def test_queries_do_not_grow_with_the_rows(client, world, case):
    case.setup(world, 115)
    import_rows(client, case, world, [case.row(world, i) for i in range(5)])  # records there already

    def queries(rows) -> tuple[list, list, list]:
        with CaptureQueriesContext(connection) as checking:
            response = preview(client, case, world, xlsx(rows))
        with CaptureQueriesContext(connection) as saving:
            confirm(client, case, response)
        with CaptureQueriesContext(connection) as exporting:
            export(client, case)
        return _statements(checking), _statements(saving), _statements(exporting)

    ten = queries([case.row(world, i) for i in range(5, 15)])
    hundred = queries([case.row(world, i) for i in range(15, 115)])
    assert [len(step) for step in hundred] == [len(step) for step in ten], (ten, hundred)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_only_the_administrator_gets_in(client, world, case):
    changelist = client.get(reverse(f"admin:{case.admin}_changelist")).content.decode()
    for url in (reverse(f"admin:{case.admin}_import"), reverse(f"admin:{case.admin}_export")):
        assert url in changelist
        assert client.get(url).status_code == 200
    secretary = world.secretary
    client.force_login(secretary.user)
    login = reverse("admin:login")
    for url in (reverse(f"admin:{case.admin}_import"), reverse(f"admin:{case.admin}_export")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(login)
    response = client.post(reverse(f"admin:{case.admin}_import"), {"resource": "0", "format": "0"})
    assert response.status_code == 302 and response.url.startswith(login)
    staff = MemberFactory(branch=world.branch).user
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(reverse(f"admin:{case.admin}_import")).status_code == 302


@pytest.mark.parametrize("case", CASES, ids=str)
def test_blank_cells_never_overwrite(client, world, case):
    case.setup(world, 1)
    row = case.row(world, 0)
    import_rows(client, case, world, [row])
    before = snapshot(case)
    resource = resource_of(case)
    keys = {resource.fields[attribute].column_name for attribute in resource.key_attributes}
    blanked = {header: value if header in keys else None for header, value in row.items()}
    response = preview(client, case, world, xlsx([blanked]))
    totals = response.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (0, 0, 1)
    confirm(client, case, response)
    assert snapshot(case) == before
