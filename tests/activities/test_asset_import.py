"""Asset import and export: the resource's rules, the service, the secretary's pages and the admin.

Error messages are gettext strings translated in the catalogue, so the tests assert on row numbers,
error codes and database state, which do not depend on the language.
"""

import codecs
import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from activities import forms_assets
from activities.models import Asset
from activities.resources import CODE, EXAMPLE_CODE, HARD, HEADERS, KIND, REASON, STATION, STATUS, AssetResource
from activities.services import asset_import as importing
from activities.views import assets as asset_views
from branch.spreadsheets import resources as sheet_resources

from .factories_assets import AssetFactory, HardAssetFactory

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.HONGQI_ASSET_UPLOAD_DIR = tmp_path / "uploads"


# ---- building files -----------------------------------------------------------------------------


def well(n: int, **cells) -> dict:
    """A valid new asset's row, header -> cell value."""
    row = {CODE: f"J188-{n}", KIND: "油井", STATION: "检188-1计量站", STATUS: "在用", HARD: "否", REASON: None}
    return row | cells


def xlsx(rows, headers=HEADERS) -> bytes:
    """An .xlsx as openpyxl writes it (like Excel: numbers as numbers, TRUE as a boolean). None = empty row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([None if row is None else row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([] if row is None else ["" if row.get(h) is None else row.get(h) for h in headers])
    return buffer.getvalue().encode(encoding)


def preview(branch, content, filename="assets.xlsx"):
    return importing.asset_preview(branch=branch, content=content, filename=filename)


def run_import(branch, content, filename="assets.xlsx", user=None):
    return importing.asset_import(branch=branch, content=content, filename=filename, user=user)


def codes(report) -> set[tuple[int | None, str]]:
    return {(error.row, error.code) for error in report.errors}


# ---- preview and import ---------------------------------------------------------------------------


def test_preview_saves_nothing(branch):
    report = preview(branch, xlsx([well(1), well(2), well(3)]))
    assert (report.new, report.updated, report.unchanged, report.errors) == (3, 0, 0, [])
    assert not report.saved
    assert not Asset.objects.exists()
    assert not Asset.history.exists()


def test_import_creates_assets_with_history(secretary):
    rows = [well(1, **{HARD: "是", REASON: "出砂严重", KIND: "注水井", STATUS: "维修"}), well(2, **{STATUS: None})]
    report = run_import(secretary.branch, xlsx(rows), user=secretary.user)
    assert report.saved and report.new == 2
    first = Asset.objects.get(code="J188-1")
    assert (first.branch, first.kind, first.status) == (secretary.branch, Asset.Kind.INJECTION_WELL, "under_repair")
    assert (first.hard_to_manage, first.hard_reason, first.station) == (True, "出砂严重", "检188-1计量站")
    assert Asset.objects.get(code="J188-2").status == Asset.Status.IN_SERVICE  # an empty status: in service
    history = first.history.get()
    assert (history.history_type, history.history_user) == ("+", secretary.user)


def test_bad_rows_save_nothing_and_are_all_reported(secretary):
    rows = [well(n) for n in range(1, 9)]
    rows[1][KIND] = "油井吧"  # sheet row 3
    rows[4][HARD] = "是"  # row 6: hard to manage without a reason
    rows[6][STATUS] = "坏了"  # row 8
    rows[7][CODE] = "J188-" + "9" * 30  # row 9: too long
    report = run_import(secretary.branch, xlsx(rows))
    assert not report.saved
    assert codes(report) == {(3, "invalid_kind"), (6, "reason_required"), (8, "invalid_status"), (9, "too_long")}
    assert {e.column for e in report.errors} == {KIND, REASON, STATUS, CODE}
    assert not Asset.objects.exists()
    assert report.new == 4  # the good rows are counted, but nothing was written


def test_error_messages_are_gettext_strings_with_the_cell_value(branch):
    content = xlsx([well(1, **{KIND: "油井吧"})])
    with translation.override("en"):
        [error] = preview(branch, content).errors
    assert error.value == "油井吧"
    assert error.message.startswith("“油井吧” is not one of: 油井、注水井")
    with translation.override("zh-hans"):
        [error] = preview(branch, content).errors
    expected = translation.gettext("“%(value)s” is not one of: %(choices)s.")
    assert error.message == expected % {"value": "油井吧", "choices": "油井、注水井、抽油机、分离器、泵、其他设备"}


def test_blank_rows_are_ignored_and_do_not_shift_row_numbers(branch):
    rows = [well(1), None, dict.fromkeys(HEADERS, "  "), well(2, **{HARD: "也许"}), None, None]
    report = preview(branch, xlsx(rows))
    assert report.blank == 2
    assert codes(report) == {(5, "invalid_yes_no")}


def test_title_row_aliases_and_unknown_columns(branch):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["检188采油作业区 红旗井设备台账"])
    sheet.append(["序号", "井号", "井别", "站点", "运行状态", "是否难管", "难管理由", "备注"])
    sheet.append([1, "J188-1", "采油井", "1号站", "开井", "是", "结蜡", "重点"])
    sheet.append([2, "J188-2", "水井", "1号站", "关井", None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(branch, buffer.getvalue())
    assert report.saved, report.errors
    assert report.ignored_columns == ["序号", "备注"]
    stored = {a.code: (a.kind, a.status, a.hard_to_manage, a.hard_reason) for a in Asset.objects.all()}
    assert stored == {
        "J188-1": (Asset.Kind.OIL_WELL, Asset.Status.IN_SERVICE, True, "结蜡"),
        "J188-2": (Asset.Kind.INJECTION_WELL, Asset.Status.SHUT_IN, False, ""),
    }


def test_a_failed_write_rolls_everything_back(secretary, monkeypatch):
    """A code taken by someone else between our reads and our writes: nothing is kept."""
    asset = AssetFactory(branch=secretary.branch, station="旧站")

    def taken(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed: activities_asset.code")

    monkeypatch.setattr(sheet_resources, "bulk_create_with_history", taken)
    report = run_import(secretary.branch, xlsx([{CODE: asset.code, STATION: "新站"}, well(100)]))
    assert not report.saved
    assert codes(report) == {(None, "not_saved")}
    asset.refresh_from_db()
    assert asset.station == "旧站"


# ---- matching existing assets ---------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["J188-7", "j188-7", " J188 - 7 ", "Ｊ１８８－７", "J188—7"])
def test_existing_asset_is_matched_by_its_code_however_typed(secretary, typed):
    asset = AssetFactory(branch=secretary.branch, code="J188-7", station="旧站")
    report = run_import(secretary.branch, xlsx([{CODE: typed, STATION: "新站"}], headers=[CODE, STATION]))
    assert (report.new, report.updated) == (0, 1), report.errors
    asset.refresh_from_db()
    assert (asset.code, asset.station) == ("J188-7", "新站")
    assert [c.columns for c in report.changes] == [(STATION,)]
    assert [c.label for c in report.changes] == ["J188-7"]


def test_new_codes_are_stored_in_their_normal_form(branch):
    assert run_import(branch, xlsx([well(1, **{CODE: "ｊ１８８－２０"})])).saved
    assert Asset.objects.get().code == "J188-20"


def test_a_code_of_another_branch_is_a_new_asset(branch, outsider):
    theirs = AssetFactory(branch=outsider.branch, code="J188-1", station="外站")
    report = run_import(branch, xlsx([well(1)]))
    assert report.new == 1
    theirs.refresh_from_db()
    assert theirs.station == "外站"
    assert Asset.objects.filter(code="J188-1").count() == 2


def test_history_is_written_for_updates(secretary):
    asset = AssetFactory(branch=secretary.branch)
    run_import(secretary.branch, xlsx([{CODE: asset.code, STATUS: "报废"}]), user=secretary.user)
    latest = asset.history.latest()
    assert (latest.history_type, latest.status, latest.history_user) == ("~", "retired", secretary.user)


def test_blank_cells_never_overwrite(branch):
    asset = HardAssetFactory(branch=branch, kind=Asset.Kind.PUMP, status=Asset.Status.SHUT_IN)
    report = run_import(branch, xlsx([dict.fromkeys(HEADERS) | {CODE: asset.code}]))
    assert (report.updated, report.unchanged) == (0, 1)
    asset.refresh_from_db()
    assert (asset.kind, asset.status, asset.station) == (Asset.Kind.PUMP, Asset.Status.SHUT_IN, "检188-1计量站")
    assert (asset.hard_to_manage, asset.hard_reason) == (True, "出砂严重，易卡泵")


def test_the_same_code_twice_in_a_file(branch):
    asset = AssetFactory(branch=branch, code="J188-50")
    rows = [well(1), {CODE: "j188-50", STATION: "甲"}, well(1), {CODE: "J188-50", STATION: "乙"}]
    report = preview(branch, xlsx(rows))
    assert codes(report) == {(4, "duplicate_in_file"), (5, "duplicate_in_file")}
    assert asset.code == "J188-50"


def test_new_assets_need_a_code_and_a_kind(branch):
    report = preview(branch, xlsx([well(1, **{KIND: None}), {STATION: "只有站点", KIND: "油井"}]))
    assert codes(report) == {(2, "required"), (3, "required")}
    assert {(e.row, e.column) for e in report.errors} == {(2, KIND), (3, CODE)}


# ---- the hard-to-manage reason --------------------------------------------------------------------


def test_a_reason_without_hard_to_manage_is_refused(branch):
    asset = AssetFactory(branch=branch)  # not hard to manage
    rows = [well(1, **{HARD: "否", REASON: "结蜡"}), {CODE: asset.code, REASON: "结蜡"}]
    assert codes(preview(branch, xlsx(rows))) == {(2, "reason_without_hard"), (3, "reason_without_hard")}


def test_turning_hard_to_manage_off_clears_the_reason(branch):
    asset = HardAssetFactory(branch=branch)
    report = run_import(branch, xlsx([{CODE: asset.code, HARD: "否"}], headers=[CODE, HARD]))
    assert report.saved and report.updated == 1
    asset.refresh_from_db()
    assert (asset.hard_to_manage, asset.hard_reason) == (False, "")


def test_turning_hard_to_manage_on_needs_a_reason(branch):
    asset = AssetFactory(branch=branch)
    rows = [{CODE: asset.code, HARD: "是"}, well(2, **{HARD: "是", REASON: "高含水"})]
    assert codes(preview(branch, xlsx(rows))) == {(2, "reason_required")}
    report = run_import(branch, xlsx([{CODE: asset.code, HARD: "是", REASON: "偏磨"}]))
    assert report.saved
    asset.refresh_from_db()
    assert (asset.hard_to_manage, asset.hard_reason) == (True, "偏磨")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("是", True), ("否", False), (True, True), (False, False), (1, True), (0, False), ("Y", True), ("n", False)],
)
def test_yes_and_no_in_every_form(branch, cell, expected):
    reason = "结蜡" if expected else None
    assert run_import(branch, xlsx([well(1, **{HARD: cell, REASON: reason})])).saved
    assert Asset.objects.get().hard_to_manage is expected


# ---- labels and cells -----------------------------------------------------------------------------


def test_kind_and_status_aliases(branch):
    rows = [
        well(1, **{KIND: "三相分离器", STATUS: "停用"}),
        well(2, **{KIND: "注水泵", STATUS: "检修"}),
        well(3, **{KIND: "其它", STATUS: "已报废"}),
        well(4, **{KIND: "抽油机", STATUS: "in_service"}),
    ]
    assert run_import(branch, xlsx(rows)).saved
    stored = dict(Asset.objects.values_list("code", "kind"))
    assert stored == {"J188-1": "separator", "J188-2": "pump", "J188-3": "other", "J188-4": "pumping_unit"}
    statuses = dict(Asset.objects.values_list("code", "status"))
    assert statuses == {"J188-1": "shut_in", "J188-2": "under_repair", "J188-3": "retired", "J188-4": "in_service"}


def test_a_code_stored_as_a_number(branch):
    assert run_import(branch, xlsx([well(1, **{CODE: 1203.0})])).saved
    assert Asset.objects.get().code == "1203"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk", "utf-16"])
def test_csv_encodings(branch, encoding):
    content = csv_bytes([well(1, **{STATION: "检188-1计量站"}), well(2)], encoding=encoding)
    report = run_import(branch, content, filename="资产.CSV")
    assert report.saved, report.errors
    assert Asset.objects.filter(station="检188-1计量站").count() == 2


def test_a_file_from_libreoffice_imports_like_one_from_excel(branch):
    """tests/data/assets_libreoffice.xlsx was written by openpyxl and saved again by LibreOffice Calc
    (tests/data/make_assets_libreoffice.py): a title row, a 序号 column, codes typed in lower case,
    with full-width characters and as a number, TRUE/FALSE cells and 是/否 text, an empty row."""
    report = run_import(branch, (DATA / "assets_libreoffice.xlsx").read_bytes())
    assert report.saved, report.errors
    assert (report.new, report.blank) == (4, 1)
    assert report.ignored_columns == ["序号"]
    stored = {a.code: a for a in Asset.objects.all()}
    assert set(stored) == {"J188-12", "J188-13", "1203", "T88256"}
    assert (stored["J188-12"].hard_to_manage, stored["J188-12"].hard_reason) == (True, "出砂严重，易卡泵")
    assert stored["J188-13"].kind == Asset.Kind.INJECTION_WELL
    assert (stored["1203"].kind, stored["1203"].hard_to_manage) == (Asset.Kind.PUMPING_UNIT, False)
    assert (stored["T88256"].status, stored["T88256"].hard_to_manage) == (Asset.Status.SHUT_IN, True)


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"PK\x03\x04 not really a zip", "assets.xlsx", "unreadable"),
        (b"", "assets.csv", "empty"),
        ("编号,类型\n".encode(), "assets.xls", "extension"),
        ("台账\nJ188-1\n".encode(), "assets.csv", "no_header"),
        ("类型,状态\n油井,在用\n".encode(), "assets.csv", "no_key_column"),
        ("编号,类型,井号\n".encode(), "assets.csv", "duplicate_column"),
    ],
)
def test_unreadable_files_give_a_reason(branch, content, filename, code):
    with pytest.raises(ValidationError) as excinfo:
        preview(branch, content, filename=filename)
    assert excinfo.value.code == code


# ---- export, template, round trip -----------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(secretary, outsider, file_format):
    AssetFactory(branch=secretary.branch)
    HardAssetFactory(branch=secretary.branch, kind=Asset.Kind.SEPARATOR, status=Asset.Status.RETIRED)
    AssetFactory(branch=secretary.branch, code="1203", station="")
    AssetFactory(branch=outsider.branch)  # not exported
    history = Asset.history.count()

    content = importing.asset_export(branch=secretary.branch, file_format=file_format)
    report = run_import(secretary.branch, content, filename=f"assets.{file_format}")

    assert report.saved, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    assert Asset.history.count() == history


def test_export_has_the_headers_and_labels(secretary, outsider):
    mine = HardAssetFactory(branch=secretary.branch, code="J188-12", kind=Asset.Kind.PUMPING_UNIT)
    theirs = AssetFactory(branch=outsider.branch, code="W1")
    sheet = openpyxl.load_workbook(io.BytesIO(importing.asset_export(branch=secretary.branch, file_format="xlsx")))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1:] == [("J188-12", "抽油机", mine.station, "在用", "是", mine.hard_reason)]
    assert theirs.code not in {row[0] for row in rows}
    content = importing.asset_export(branch=secretary.branch, file_format="csv")
    assert content.startswith(codecs.BOM_UTF8)
    assert content[3:].decode().splitlines()[0] == ",".join(HEADERS)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_exported_text_never_becomes_a_formula(branch, file_format):
    AssetFactory(branch=branch, station='=HYPERLINK("http://example.com","点击")')
    content = importing.asset_export(branch=branch, file_format=file_format)
    if file_format == "xlsx":
        assert {cell.data_type for cell in openpyxl.load_workbook(io.BytesIO(content)).active["C"]} == {"s"}
    else:
        assert "'=HYPERLINK" in content.decode("utf-8-sig")
    assert run_import(branch, content, filename=f"assets.{file_format}").unchanged == 1


def test_template_is_importable_once_the_example_is_replaced(branch):
    content = importing.asset_template()
    assert codes(preview(branch, content)) == {(2, "example_row")}  # left as it is, the example is refused

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(HEADERS)
    assert sheet["A2"].value == EXAMPLE_CODE
    assert len(workbook.worksheets) == 3  # the assets, the hidden choices, the instructions
    sheet["A2"] = "J188-88"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run_import(branch, buffer.getvalue())
    assert report.saved and report.new == 1
    assert Asset.objects.get().hard_to_manage


# ---- queries --------------------------------------------------------------------------------------


def test_import_queries_do_not_grow_with_rows(branch):
    """Only the batched INSERTs grow; every lookup is made once."""
    AssetFactory.create_batch(5, branch=branch)

    def queries(first: int, count: int) -> tuple[int, int]:
        content = xlsx([well(n) for n in range(first, first + count)])
        with CaptureQueriesContext(connection) as captured:
            assert run_import(branch, content).saved
        inserts = sum(q["sql"].lstrip().upper().startswith("INSERT") for q in captured.captured_queries)
        return len(captured.captured_queries) - inserts, inserts

    other_10, inserts_10 = queries(1000, 10)
    other_200, inserts_200 = queries(2000, 200)
    assert other_10 == other_200 <= 10
    assert inserts_200 <= 200 / 10  # bulk, not one per row


# ---- the pages ------------------------------------------------------------------------------------


def _upload(content: bytes, name="assets.xlsx"):
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.mark.parametrize("persona", ["committee", "group_leader", "member", "admin"])
def test_others_cannot_post_a_file(client, personas, persona):
    client.force_login(personas[persona])
    response = client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(1)]))})
    assert response.status_code == 403
    assert not Asset.objects.exists()


def test_upload_preview_confirm(client, secretary, settings):
    client.force_login(secretary.user)
    assert client.get(reverse("activities:asset_import")).status_code == 200
    response = client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(1), well(2)]))})
    assert response["Location"] == reverse("activities:asset_import_confirm")

    response = client.get(reverse("activities:asset_import_confirm"))
    assert response.status_code == 200
    assert response.context["report"].new == 2
    assert b'data-testid="asset-confirm"' in response.content
    assert not Asset.objects.exists()

    token = client.session[asset_views.SESSION_KEY]["token"]
    response = client.post(reverse("activities:asset_import_confirm"), {"token": token})
    assert response["Location"] == reverse("activities:asset_list")
    assert Asset.objects.filter(branch=secretary.branch).count() == 2
    assert asset_views.SESSION_KEY not in client.session
    assert list(settings.HONGQI_ASSET_UPLOAD_DIR.iterdir()) == []  # the stored upload is gone


def test_the_preview_lists_changes(client, secretary):
    asset = AssetFactory(branch=secretary.branch, code="J188-5")
    client.force_login(secretary.user)
    client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([{CODE: asset.code, STATUS: "关停"}]))})
    response = client.get(reverse("activities:asset_import_confirm"))
    assert [(c.row, c.label, c.columns) for c in response.context["report"].changes] == [(2, "J188-5", (STATUS,))]
    assert b'id="asset-changes"' in response.content


def test_a_file_with_errors_cannot_be_confirmed(client, secretary):
    client.force_login(secretary.user)
    client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(1), well(2, **{KIND: "?"})]))})
    response = client.get(reverse("activities:asset_import_confirm"))
    assert [(e.row, e.code) for e in response.context["report"].errors] == [(3, "invalid_kind")]
    assert b'data-testid="asset-confirm"' not in response.content
    assert b'data-code="invalid_kind"' in response.content

    token = client.session[asset_views.SESSION_KEY]["token"]
    response = client.post(reverse("activities:asset_import_confirm"), {"token": token})
    assert response["Location"] == reverse("activities:asset_import_confirm")
    assert not Asset.objects.exists()


def test_confirming_an_older_preview_is_refused(client, secretary):
    client.force_login(secretary.user)
    client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(1)]))})
    old_token = client.session[asset_views.SESSION_KEY]["token"]
    client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(2)]))})
    response = client.post(reverse("activities:asset_import_confirm"), {"token": old_token})
    assert response.status_code == 302
    assert not Asset.objects.exists()


def test_cancel_forgets_the_upload(client, secretary, settings):
    client.force_login(secretary.user)
    client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(1)]))})
    response = client.post(reverse("activities:asset_import_cancel"))
    assert response["Location"] == reverse("activities:asset_import")
    assert asset_views.SESSION_KEY not in client.session
    assert list(settings.HONGQI_ASSET_UPLOAD_DIR.iterdir()) == []
    response = client.get(reverse("activities:asset_import_confirm"))
    assert response["Location"] == reverse("activities:asset_import")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("assets.txt", b"hello", "extension"),
        ("assets.xlsx", b"not a workbook", "unreadable"),
        ("assets.csv", "编号,类型\n".encode() + b"\xff\xfe\xfa", "encoding"),
        ("assets.csv", "台账\n".encode(), "no_header"),
    ],
)
def test_the_upload_form_explains_bad_files(client, secretary, name, content, code):
    client.force_login(secretary.user)
    response = client.post(reverse("activities:asset_import"), {"file": _upload(content, name)})
    assert response.status_code == 200
    assert response.context["form"].has_error("file", code)


def test_the_upload_form_refuses_large_files(client, secretary, monkeypatch):
    monkeypatch.setattr(forms_assets, "MAX_UPLOAD_BYTES", 100)
    client.force_login(secretary.user)
    response = client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(1)]))})
    assert response.context["form"].has_error("file", "too_large")


def test_outsider_imports_only_into_their_own_branch(client, secretary, outsider):
    ours = AssetFactory(branch=secretary.branch, code="J188-1", station="我们的站")
    client.force_login(outsider.user)
    client.post(reverse("activities:asset_import"), {"file": _upload(xlsx([well(1, **{STATION: "外站"})]))})
    client.post(reverse("activities:asset_import_confirm"), {"token": client.session[asset_views.SESSION_KEY]["token"]})
    assert Asset.objects.get(branch=outsider.branch).station == "外站"
    ours.refresh_from_db()
    assert ours.station == "我们的站"


def test_export_downloads(client, secretary):
    AssetFactory(branch=secretary.branch)
    client.force_login(secretary.user)
    response = client.get(reverse("activities:asset_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(codecs.BOM_UTF8)
    response = client.get(reverse("activities:asset_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("activities:asset_export"), {"format": "pdf"}).status_code == 404


def test_template_download(client, secretary):
    client.force_login(secretary.user)
    response = client.get(reverse("activities:asset_import_template"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["A1"].value == CODE


# ---- the admin ------------------------------------------------------------------------------------


def test_admin_imports_into_the_chosen_branch(client, admin_user, secretary):
    client.force_login(admin_user)
    url = reverse("admin:activities_asset_import")
    assert url.encode() in client.get(reverse("admin:activities_asset_changelist")).content
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"resource": "0", "format": "0", "branch": secretary.branch.pk, "import_file": _upload(xlsx([well(1)]))}
    )
    confirm = response.context["confirm_form"]
    assert confirm is not None, response.context["result"].invalid_rows
    response = client.post(reverse("admin:activities_asset_process_import"), confirm.initial)
    assert response.status_code == 302
    created = Asset.objects.get(code="J188-1")
    assert created.branch == secretary.branch
    assert created.history.get().history_user == admin_user


def test_admin_reports_spreadsheet_row_numbers_and_saves_nothing(client, admin_user, branch):
    client.force_login(admin_user)
    content = xlsx([well(1), None, well(2, **{STATUS: "?"})])
    response = client.post(
        reverse("admin:activities_asset_import"),
        {"resource": "0", "format": "0", "branch": branch.pk, "import_file": _upload(content)},
    )
    assert [row.number for row in response.context["result"].invalid_rows] == [4]
    assert response.context.get("confirm_form") is None
    assert not Asset.objects.exists()


def test_admin_export(client, admin_user, branch):
    AssetFactory(branch=branch, code="J188-9")
    client.force_login(admin_user)
    fields = {f"assetresource_{name}": "on" for name in AssetResource.fields}
    response = client.post(reverse("admin:activities_asset_export"), {"resource": "0", "format": "1", **fields})
    assert response.status_code == 200
    assert response.content.startswith(codecs.BOM_UTF8)
    assert "J188-9" in response.content.decode("utf-8-sig")
