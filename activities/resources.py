"""The asset registry as a spreadsheet: its columns, and the django-import-export resource that
applies a file of wells and equipment to the assets of one branch.

Headers and cell values (编号, 油井, 在用, 是/否 …) are the file format, not interface text: they stay
Chinese whatever language the page is shown in. Error messages are interface text and go through
gettext.

What every spreadsheet import shares (reading .xlsx and .csv, blank cells never overwriting, every bad
row reported with its row number, bulk writes with history, nothing written while any row is bad) is in
branch/spreadsheets. The registry's own rules, shared by the secretary's pages (through
activities/services/asset_import.py) and the admin (AssetAdminMixin):

- a row is matched to an existing asset of the branch by its code (编号), compared as
  activities/services/assets.py normalises it: j188-12 and Ｊ188－12 are J188-12;
- a new asset needs a code and a kind; its status defaults to 在用 and 难管 to 否;
- a hard-to-manage asset needs a reason; a row that gives a reason and says 否 is refused, rather than
  its reason silently dropped; a row that turns an asset to 否 clears the stored reason;
- one query up front (the branch's assets), whatever the number of rows.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from branch.spreadsheets import (
    BranchSheetResource,
    ChoiceWidget,
    RowContext,
    SheetLayout,
    TextWidget,
    YesNoWidget,
    column,
)
from branch.spreadsheets.admin import BranchSheetAdminMixin, SheetCSV, SheetXLSX

from .models import Asset
from .services.assets import clean_hard_reason, normalize_asset_code, normalize_station

# ---- the columns ---------------------------------------------------------------------------------

CODE, KIND, STATION, STATUS, HARD, REASON = "编号", "类型", "站点/区域", "状态", "难管", "难管原因"

# Model field -> header, in the order the columns appear in exported files and the template.
COLUMNS = {
    "code": CODE,
    "kind": KIND,
    "station": STATION,
    "status": STATUS,
    "hard_to_manage": HARD,
    "hard_reason": REASON,
}
HEADERS = tuple(COLUMNS.values())
REQUIRED_FOR_NEW = ("code", "kind")

# Headers other registers use for the same columns (production reports, equipment ledgers).
HEADER_ALIASES = {
    "井号": CODE,
    "设备编号": CODE,
    "资产编号": CODE,
    "井号/设备编号": CODE,
    "编码": CODE,
    "类别": KIND,
    "井别": KIND,
    "设备类型": KIND,
    "资产类型": KIND,
    "站点": STATION,
    "区域": STATION,
    "站点区域": STATION,
    "站点／区域": STATION,
    "站点、区域": STATION,
    "所属站点": STATION,
    "所在站点": STATION,
    "运行状态": STATUS,
    "设备状态": STATUS,
    "生产状态": STATUS,
    "是否难管": HARD,
    "难管井": HARD,
    "难管理": HARD,
    "是否难管理": HARD,
    "难管理由": REASON,
    "难管理原因": REASON,
    "原因": REASON,
}

KIND_LABELS = {
    Asset.Kind.OIL_WELL: "油井",
    Asset.Kind.INJECTION_WELL: "注水井",
    Asset.Kind.PUMPING_UNIT: "抽油机",
    Asset.Kind.SEPARATOR: "分离器",
    Asset.Kind.PUMP: "泵",
    Asset.Kind.OTHER: "其他设备",
}
KIND_ALIASES = {
    "采油井": Asset.Kind.OIL_WELL,
    "生产井": Asset.Kind.OIL_WELL,
    "水井": Asset.Kind.INJECTION_WELL,
    "注入井": Asset.Kind.INJECTION_WELL,
    "油气分离器": Asset.Kind.SEPARATOR,
    "三相分离器": Asset.Kind.SEPARATOR,
    "机泵": Asset.Kind.PUMP,
    "输油泵": Asset.Kind.PUMP,
    "注水泵": Asset.Kind.PUMP,
    "其他": Asset.Kind.OTHER,
    "其它": Asset.Kind.OTHER,
    "其它设备": Asset.Kind.OTHER,
} | {kind.value: kind.value for kind in Asset.Kind}

STATUS_LABELS = {
    Asset.Status.IN_SERVICE: "在用",
    Asset.Status.SHUT_IN: "关停",
    Asset.Status.UNDER_REPAIR: "维修",
    Asset.Status.RETIRED: "报废",
}
STATUS_ALIASES = {
    "正常": Asset.Status.IN_SERVICE,
    "运行": Asset.Status.IN_SERVICE,
    "在役": Asset.Status.IN_SERVICE,
    "生产": Asset.Status.IN_SERVICE,
    "开井": Asset.Status.IN_SERVICE,
    "关井": Asset.Status.SHUT_IN,
    "停井": Asset.Status.SHUT_IN,
    "停用": Asset.Status.SHUT_IN,
    "停运": Asset.Status.SHUT_IN,
    "维修中": Asset.Status.UNDER_REPAIR,
    "检修": Asset.Status.UNDER_REPAIR,
    "修井": Asset.Status.UNDER_REPAIR,
    "待修": Asset.Status.UNDER_REPAIR,
    "已报废": Asset.Status.RETIRED,
    "废弃": Asset.Status.RETIRED,
} | {status.value: status.value for status in Asset.Status}

# The template's example row; a file that still holds it was sent before the example was replaced.
EXAMPLE_CODE = "J188-XX"

ASSET_LAYOUT = SheetLayout(
    headers=HEADERS,
    key_headers=(CODE,),
    no_key_message=_("The file needs a %(columns)s column to know which asset each row is about."),
    aliases=HEADER_ALIASES,
    text_headers=(CODE,),  # a code of digits only must not turn into a number
    widths={CODE: 12, KIND: 10, STATION: 18, STATUS: 8, HARD: 6, REASON: 40},
)

REASON_WITHOUT_HARD = _(
    "A reason is given, but the asset is not marked as hard to manage; empty the reason or write 是 under %(column)s."
)


# ---- the resource ----------------------------------------------------------------------------------


def _single_line(text: str) -> str:
    return " ".join(text.split())


def _column(attribute: str, widget):
    return column(attribute, COLUMNS[attribute], widget)


class AssetResource(BranchSheetResource):
    """The wells and equipment of one branch. `branch` is required to import; export works without it."""

    layout = ASSET_LAYOUT
    columns = COLUMNS
    key_attributes = ("code",)
    required_for_new = REQUIRED_FOR_NEW
    required_message = _("%(column)s is required for a new asset.")
    same_record_message = _("Row %(row)d is about the same asset.")
    change_reason = _("Asset import")
    # Turning an asset to 否 clears its reason, even when the file has no reason column.
    extra_update_fields = ("hard_reason",)

    code = _column("code", TextWidget(30, normalize=normalize_asset_code))
    kind = _column("kind", ChoiceWidget(KIND_LABELS, aliases=KIND_ALIASES, code="invalid_kind"))
    station = _column("station", TextWidget(100, normalize=normalize_station))
    status = _column("status", ChoiceWidget(STATUS_LABELS, aliases=STATUS_ALIASES, code="invalid_status"))
    hard_to_manage = _column("hard_to_manage", YesNoWidget())
    hard_reason = _column("hard_reason", TextWidget(200, normalize=_single_line))

    class Meta:
        model = Asset
        fields = tuple(COLUMNS)
        import_order = export_order = tuple(COLUMNS)

    def before_import(self, dataset, **kwargs):
        """Load the branch's assets, by normalised code: the one query of an import."""
        super().before_import(dataset, **kwargs)
        self._by_code = {normalize_asset_code(a.code): a for a in Asset.objects.filter(branch=self.branch)}

    def find_instance(self, ctx: RowContext, keys: dict) -> Asset | None:
        self.check_repeats(ctx, keys)
        return self._by_code.get(keys["code"])

    def complete_instance(self, instance, ctx: RowContext) -> None:
        if not instance.hard_to_manage:
            if "hard_reason" in ctx.filled:
                ctx.add("hard_reason", REASON_WITHOUT_HARD, code="reason_without_hard", column=HARD)
            instance.hard_reason = ""

    def check_instance(self, instance, errors) -> None:
        if "hard_to_manage" not in errors and "hard_reason" not in errors:
            try:
                clean_hard_reason(hard_to_manage=instance.hard_to_manage, hard_reason=instance.hard_reason)
            except ValidationError as exc:
                errors["hard_reason"] = exc.error_list
        if instance.code == EXAMPLE_CODE:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(_("This is the template's example row; replace it or delete it."), code="example_row")
            )

    def get_queryset(self):
        return super().get_queryset().order_by("code")


# ---- the admin -------------------------------------------------------------------------------------


class AssetXLSX(SheetXLSX):
    layout = ASSET_LAYOUT
    sheet_title = _("Assets")


class AssetCSV(SheetCSV):
    layout = ASSET_LAYOUT


class AssetAdminMixin(BranchSheetAdminMixin):
    """Asset import and export in the admin: the administrator picks the branch to import into."""

    resource_classes = [AssetResource]
    import_formats = [AssetXLSX, AssetCSV]
    export_formats = [AssetXLSX, AssetCSV]
    export_select_related = ("branch",)
