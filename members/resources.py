"""The branch roster as a spreadsheet: its columns, how its cells are read, and the django-import-export
resource that applies a roster to the members of one branch.

Headers and cell values (姓名, 男/女, 汉族, 正式党员 …) are the file format, not interface text: they stay
Chinese whatever language the page is shown in, so a file exported in English imports in Chinese and
back. Error messages are interface text and go through gettext.

What every spreadsheet import shares (reading files and cells, blank cells never overwriting, every bad
row reported, bulk writes with history, nothing written while any row is bad) is in branch/spreadsheets.
The roster's own rules live here, in one resource used by both the secretary's pages (through
members/services/roster_import.py) and the admin (RosterAdminMixin):

- a row is matched to an existing member by employee number or by ID card number, never by name; if the
  two point at different members the row is an error;
- party groups and work teams are found by name within the branch and are never created;
- every check runs in memory after four queries made up front, so the number of queries does not grow
  with the rows.
"""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branch.models import PartyGroup, WorkTeam
from branch.spreadsheets import (
    BranchSheetResource,
    CellError,
    ChoiceWidget,
    DateWidget,
    RowContext,
    SheetLayout,
    TextWidget,
    cell_value,
    column,
    digits_text,
)
from branch.spreadsheets.admin import BranchSheetAdminMixin, SheetCSV, SheetXLSX
from branch.spreadsheets.cells import SCIENTIFIC

from .ethnicities import Ethnicity
from .models import Member
from .names import normalize_name
from .validators import normalize_id_card, validate_id_card, validate_phone

# ---- the columns ---------------------------------------------------------------------------------

NAME, GENDER, ETHNICITY, BIRTH_DATE = "姓名", "性别", "民族", "出生日期"
EMPLOYEE_NUMBER, PHONE, ID_CARD = "员工编号", "手机号码", "身份证号码"
STATUS, JOINED_ON, PARTY_GROUP, WORK_TEAM = "党员状态", "入党日期", "党小组", "班组"

# Model field -> header, in the order the columns appear in exported files and the template.
COLUMNS = {
    "name": NAME,
    "gender": GENDER,
    "ethnicity": ETHNICITY,
    "birth_date": BIRTH_DATE,
    "employee_number": EMPLOYEE_NUMBER,
    "phone": PHONE,
    "id_card_number": ID_CARD,
    "status": STATUS,
    "joined_on": JOINED_ON,
    "party_group": PARTY_GROUP,
    "work_team": WORK_TEAM,
}
HEADERS = tuple(COLUMNS.values())
KEY_HEADERS = (EMPLOYEE_NUMBER, ID_CARD)
# A new member needs these; the model has defaults for some of them, but a silent 汉族 or 正式党员 for
# someone whose cell was left empty would be wrong more often than right.
REQUIRED_FOR_NEW = ("name", "gender", "ethnicity", "birth_date", "employee_number", "id_card_number", "status")
TEXT_HEADERS = (EMPLOYEE_NUMBER, PHONE, ID_CARD)  # kept as text in xlsx so no digit is lost
DATE_HEADERS = (BIRTH_DATE, JOINED_ON)

# Headers other rosters use for the same columns (HR exports, older branch sheets).
HEADER_ALIASES = {
    "名字": NAME,
    "出生年月": BIRTH_DATE,
    "出生年月日": BIRTH_DATE,
    "工号": EMPLOYEE_NUMBER,
    "员工号": EMPLOYEE_NUMBER,
    "职工编号": EMPLOYEE_NUMBER,
    "手机号": PHONE,
    "手机": PHONE,
    "联系电话": PHONE,
    "电话": PHONE,
    "身份证号": ID_CARD,
    "身份证": ID_CARD,
    "公民身份号码": ID_CARD,
    "政治面貌": STATUS,
    "入党时间": JOINED_ON,
    "所在党小组": PARTY_GROUP,
    "所在班组": WORK_TEAM,
    "所属班组": WORK_TEAM,
}

GENDER_LABELS = {Member.Gender.MALE: "男", Member.Gender.FEMALE: "女"}
STATUS_LABELS = {
    Member.Status.FULL: "正式党员",
    Member.Status.PROBATIONARY: "预备党员",
    Member.Status.CANDIDATE: "发展对象",
    Member.Status.ACTIVIST: "入党积极分子",
    Member.Status.APPLICANT: "入党申请人",
}
# GB/T 3304 names, by code; members/ethnicities.py holds the codes with English labels.
_ETHNICITY_NAMES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 "
    "黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 "
    "撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 "
    "京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
)
ETHNICITY_LABELS = dict(zip(Ethnicity.values, _ETHNICITY_NAMES.split(" "), strict=True))

# The template's example row carries the sample number from GB 11643 itself; a file that still holds
# it was sent before the example was replaced.
EXAMPLE_ID_CARD = "11010519491231002X"

ROSTER_LAYOUT = SheetLayout(
    headers=HEADERS,
    key_headers=KEY_HEADERS,
    no_key_message=_("The file needs a %(first)s or %(second)s column to know who each row is about."),
    aliases=HEADER_ALIASES,
    text_headers=TEXT_HEADERS,
    date_headers=DATE_HEADERS,
    widths={ID_CARD: 22, EMPLOYEE_NUMBER: 12, PHONE: 14, BIRTH_DATE: 12, JOINED_ON: 12, STATUS: 14},
)


# ---- reading the roster's own cells -----------------------------------------------------------------


class EmployeeNumberWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        return super().clean(digits_text(value) if value is not None else None)


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        text = re.sub(r"[\s\u3000]", "", digits_text(value))
        if text.startswith("+86"):
            text = text[3:]
        validate_phone(text)
        return text


class IdCardWidget(widgets.Widget):
    """An 18-character resident ID number.

    Spreadsheets keep 15 significant digits of a number, so an ID card number stored as a number has
    usually lost its last digits (650204198506150012 becomes 650204198506150000). A number cell is
    refused unless it visibly kept all its digits.
    """

    lost_digits_message = _(
        "The ID card number is stored as a number, and spreadsheets keep only 15 digits of a number. "
        "Format the column as text, enter the number again and save."
    )

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        if isinstance(value, float) or (isinstance(value, int) and _may_have_lost_digits(str(value))):
            raise CellError(self.lost_digits_message, code="id_as_number")
        if isinstance(value, str) and SCIENTIFIC.match(value):
            raise CellError(self.lost_digits_message, code="id_as_number")
        text = normalize_id_card(re.sub(r"\s", "", str(value)))
        try:
            validate_id_card(text)
        except ValidationError as exc:
            if exc.code == "id_checksum" and _may_have_lost_digits(text):
                raise CellError(self.lost_digits_message, code="id_as_number") from exc
            raise
        return text


def _may_have_lost_digits(digits: str) -> bool:
    return len(digits) > 15 and set(digits[15:]) == {"0"}


class EthnicityWidget(ChoiceWidget):
    def __init__(self):
        short = {label.removesuffix("族"): code for code, label in ETHNICITY_LABELS.items()}
        codes = {code: code for code in ETHNICITY_LABELS} | {str(int(code)): code for code in ETHNICITY_LABELS}
        super().__init__(ETHNICITY_LABELS, aliases=short | codes, code="invalid_ethnicity")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super().clean(value, row, **kwargs)

    def error(self, text: str) -> CellError:
        return CellError(
            _("“%(value)s” is not the name of an ethnic group, such as 汉族 or 维吾尔族."),
            code=self.code,
            params={"value": text},
        )


class BranchObjectWidget(widgets.Widget):
    """A party group or work team by its name within the importing branch. Unknown names are errors:
    a typo must not create a group nobody asked for."""

    def __init__(self, message, code: str):
        super().__init__(coerce_to_string=True)
        self.message, self.code = message, code
        self.by_name: dict[str, PartyGroup | WorkTeam] = {}  # filled by the resource, per import

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        text = " ".join((digits_text(value) if not isinstance(value, str) else value).split())
        try:
            return self.by_name[text]
        except KeyError:
            raise CellError(
                self.message, code=self.code, params={"value": text, "known": "、".join(self.by_name) or "—"}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


# ---- the resource ----------------------------------------------------------------------------------


def _column(attribute: str, widget: widgets.Widget):
    return column(attribute, COLUMNS[attribute], widget)


class MemberRosterResource(BranchSheetResource):
    """The roster of one branch. `branch` is required to import; export works without it."""

    layout = ROSTER_LAYOUT
    columns = COLUMNS
    key_attributes = ("employee_number", "id_card_number")
    required_for_new = REQUIRED_FOR_NEW
    required_message = _("%(column)s is required for a new member.")
    same_record_message = _("Row %(row)d is about the same member.")
    change_reason = _("Roster import")
    extra_update_fields = ("updated_at",)  # bulk_update() does not touch auto_now fields

    name = _column("name", TextWidget(50, normalize=normalize_name))
    gender = _column(
        "gender",
        ChoiceWidget(GENDER_LABELS, aliases={"男性": "M", "女性": "F", "M": "M", "F": "F"}, code="invalid_gender"),
    )
    ethnicity = _column("ethnicity", EthnicityWidget())
    birth_date = _column("birth_date", DateWidget())
    employee_number = _column("employee_number", EmployeeNumberWidget(20))
    phone = _column("phone", PhoneWidget())
    id_card_number = _column("id_card_number", IdCardWidget())
    status = _column(
        "status",
        ChoiceWidget(
            STATUS_LABELS,
            aliases={
                "中共党员": Member.Status.FULL,
                "中共预备党员": Member.Status.PROBATIONARY,
                "积极分子": Member.Status.ACTIVIST,
                "申请人": Member.Status.APPLICANT,
            },
            code="invalid_status",
        ),
    )
    joined_on = _column("joined_on", DateWidget())
    party_group = _column(
        "party_group",
        BranchObjectWidget(
            _("The branch has no party group named “%(value)s” (it has: %(known)s)."), code="unknown_party_group"
        ),
    )
    work_team = _column(
        "work_team",
        BranchObjectWidget(
            _("The branch has no work team named “%(value)s” (it has: %(known)s)."), code="unknown_work_team"
        ),
    )

    class Meta:
        model = Member
        fields = tuple(COLUMNS)
        import_order = export_order = tuple(COLUMNS)

    def before_import(self, dataset, **kwargs):
        """Load everything the checks need in four queries: the branch's members, the keys of every
        other branch's members, and the branch's party groups and work teams."""
        super().before_import(dataset, **kwargs)
        members = list(Member.objects.filter(branch=self.branch))
        self._by_employee_number = {m.employee_number: m for m in members}
        self._by_id_card = {m.id_card_number: m for m in members}
        others = Member.objects.exclude(branch=self.branch).values_list("employee_number", "id_card_number")
        self._elsewhere_employee_numbers, self._elsewhere_id_cards = set(), set()
        for employee_number, id_card in others:
            self._elsewhere_employee_numbers.add(employee_number)
            self._elsewhere_id_cards.add(id_card)
        self.fields["party_group"].widget.by_name = {g.name: g for g in PartyGroup.objects.filter(branch=self.branch)}
        self.fields["work_team"].widget.by_name = {t.name: t for t in WorkTeam.objects.filter(branch=self.branch)}

    def find_instance(self, ctx: RowContext, keys: dict) -> Member | None:
        """The existing member this row is about, found in memory by either key."""
        by_number = self._by_employee_number.get(keys["employee_number"])
        by_id_card = self._by_id_card.get(keys["id_card_number"])
        if by_number and by_id_card and by_number.pk != by_id_card.pk:
            ctx.add(
                NON_FIELD_ERRORS,
                _(
                    "The employee number belongs to %(first)s and the ID card number to %(second)s; "
                    "one of the two is wrong."
                ),
                code="key_conflict",
                first=str(by_number),
                second=str(by_id_card),
            )
        if keys["employee_number"] in self._elsewhere_employee_numbers:
            ctx.add(
                "employee_number",
                _("A member of another branch has this employee number."),
                code="other_branch",
            )
        if keys["id_card_number"] in self._elsewhere_id_cards:
            ctx.add("id_card_number", _("A member of another branch has this ID card number."), code="other_branch")
        member = by_number or by_id_card
        if member is not None and member.archived_on is not None:
            ctx.add(
                NON_FIELD_ERRORS,
                _("%(member)s left the branch on %(date)s; restore the record before importing changes to it."),
                code="archived",
                member=str(member),
                date=member.archived_on.isoformat(),
            )
        self.check_repeats(ctx, {**keys, "pk": member.pk if member else None})
        return member

    def check_instance(self, instance, errors) -> None:
        self._check_dates(instance, errors)
        if instance.id_card_number == EXAMPLE_ID_CARD:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(_("This is the template's example row; replace it or delete it."), code="example_row")
            )

    def _check_dates(self, instance, errors) -> None:
        today = self._today
        born, joined = instance.birth_date, instance.joined_on
        if born and "birth_date" not in errors and born > today:
            errors["birth_date"] = [ValidationError(_("The birth date is in the future."), code="future_date")]
        if joined and "joined_on" not in errors:
            if joined > today:
                errors["joined_on"] = [ValidationError(_("The date is in the future."), code="future_date")]
            elif born and "birth_date" not in errors and joined <= born:
                errors["joined_on"] = [
                    ValidationError(_("The member cannot have joined before being born."), code="joined_before_born")
                ]

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None:
            instance.updated_at = self._now  # bulk_update() does not touch auto_now fields

    # Looked up in this module when called, so that a test can make the write fail.
    def create_with_history(self, *args, **kwargs):
        return bulk_create_with_history(*args, **kwargs)

    def update_with_history(self, *args, **kwargs):
        return bulk_update_with_history(*args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("party_group", "work_team")


# ---- the admin -------------------------------------------------------------------------------------


class RosterXLSX(SheetXLSX):
    layout = ROSTER_LAYOUT
    sheet_title = _("Roster")


class RosterCSV(SheetCSV):
    layout = ROSTER_LAYOUT


class RosterAdminMixin(BranchSheetAdminMixin):
    """Roster import and export in the admin: the administrator picks the branch to import into."""

    resource_classes = [MemberRosterResource]
    import_formats = [RosterXLSX, RosterCSV]
    export_formats = [RosterXLSX, RosterCSV]
    export_select_related = ("party_group", "work_team")
