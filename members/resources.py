"""The branch roster as a spreadsheet: its columns, how cells are read, and the django-import-export
resource that applies a roster to the members of one branch.

Headers and cell values (姓名, 男/女, 汉族, 正式党员 …) are the file format, not interface text: they stay
Chinese whatever language the page is shown in, so a file exported in English imports in Chinese and
back. Error messages are interface text and go through gettext.

The rules of an import live here, in one resource used by both the secretary's pages (through
members/services/roster_import.py) and the admin (RosterAdminMixin):

- a row is matched to an existing member by employee number or by ID card number, never by name; if the
  two point at different members the row is an error;
- a blank cell never overwrites what is stored; a fully blank row is ignored;
- party groups and work teams are found by name within the branch and are never created;
- every check runs in memory after a handful of queries made up front, so the number of queries does
  not grow with the rows; writes are bulk and keep django-simple-history rows;
- nothing is written while any row is bad.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import io
import itertools
import logging
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import Result
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from tablib import Dataset

from branch.models import Branch, PartyGroup, WorkTeam

from .ethnicities import Ethnicity
from .models import Member
from .names import normalize_name
from .validators import normalize_id_card, validate_id_card, validate_phone

logger = logging.getLogger(__name__)

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
_HEADER_NOISE = re.compile(r"\s|[*＊:：]|[(（]必填[)）]")

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

MAX_DATA_ROWS = 20_000
_MAX_SHEET_ROWS = 200_000  # blank rows included; guards against sheets formatted down to row 1,048,576
_HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the headers


def canonical_header(value) -> str | None:
    """The roster header a header cell stands for, or None when it is not one of ours."""
    if not isinstance(value, str):
        return None
    text = _HEADER_NOISE.sub("", value)
    text = HEADER_ALIASES.get(text, text)
    return text if text in HEADERS else None


# ---- reading cells ---------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be used. A ValueError, as django-import-export expects from widgets, with a
    code so that callers and tests need not match on wording."""

    def __init__(self, message, code: str, params: dict | None = None):
        super().__init__(message)
        self.message, self.code, self.params = message, code, params or {}

    def as_validation_error(self) -> ValidationError:
        return ValidationError(self.message, code=self.code, params=self.params)


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_INTEGRAL_TEXT = re.compile(r"^(\d+)\.0*$")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")


def cell_value(value):
    """A cell with text trimmed, or None when it is blank. Numbers and dates are returned as they are."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text.isprintable():  # zero-width spaces and BOMs pasted from web pages and chat apps
        text = text.translate(_INVISIBLE).strip()
    # The tricks people use to keep long numbers as text: ="0123" and a leading apostrophe.
    if text[:1] in ("=", "'"):
        if text.startswith('="') and text.endswith('"'):
            text = text[2:-1].strip()
        elif text.startswith("'"):
            text = text[1:].strip()
    return text or None


def is_blank(value) -> bool:
    return cell_value(value) is None


def _digits_text(value) -> str:
    """A number-like cell as text: spreadsheets store 13912345678 as the float 13912345678.0."""
    if isinstance(value, bool):
        raise CellError(_("Enter text here, not TRUE or FALSE."), code="invalid")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise CellError(_("Enter whole digits here, without a decimal point."), code="invalid")
    if isinstance(value, dt.date):
        raise CellError(_("This cell holds a date; enter the number as text."), code="invalid")
    text = str(value)
    if match := _INTEGRAL_TEXT.match(text):
        return match[1]
    if _SCIENTIFIC.match(text):
        raise CellError(
            _(
                "The number is shown in scientific notation (%(value)s), so digits have been lost. "
                "Format the column as text, enter the number again and save."
            ),
            code="scientific",
            params={"value": text},
        )
    return text


class TextWidget(widgets.Widget):
    """Trimmed text up to a length; blank reads as None so it never overwrites."""

    def __init__(self, max_length: int, normalize=None):
        super().__init__(coerce_to_string=True)
        self.max_length, self.normalize = max_length, normalize

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        text = _digits_text(value) if not isinstance(value, str) else value
        if self.normalize:
            text = self.normalize(text)
        if len(text) > self.max_length:
            raise CellError(
                _("At most %(limit)d characters; this has %(length)d."),
                code="too_long",
                params={"limit": self.max_length, "length": len(text)},
            )
        return text


class EmployeeNumberWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        return super().clean(_digits_text(value) if value is not None else None)


class PhoneWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        text = re.sub(r"[\s\u3000]", "", _digits_text(value))
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
        if isinstance(value, str) and _SCIENTIFIC.match(value):
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


class ChoiceWidget(widgets.Widget):
    """One of a fixed list of Chinese labels, read into the stored code and written back as the label."""

    def __init__(self, labels: dict[str, str], aliases: dict[str, str] | None = None, code: str = "invalid_choice"):
        super().__init__(coerce_to_string=True)
        self.labels = labels
        self.lookup = {label: value for value, label in labels.items()} | (aliases or {})
        self.code = code

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        text = re.sub(r"\s", "", str(value))
        try:
            return self.lookup[text]
        except KeyError:
            raise self.error(text) from None

    def error(self, text: str) -> CellError:
        return CellError(
            _("“%(value)s” is not one of: %(choices)s."),
            code=self.code,
            params={"value": text, "choices": "、".join(self.labels.values())},
        )

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


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


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{1,5}(\.\d+)?$")
_LAST_EXCEL_SERIAL = 2958465  # 9999-12-31


class DateWidget(widgets.Widget):
    """A date as Excel, WPS and LibreOffice give it: a real date, a serial number (a date cell that
    lost its format), or text such as 1985-06-15, 1985/6/15, 1985.6.15, 19850615 or 1985年6月15日."""

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, bool):
            raise self.error(value)
        if isinstance(value, int | float):
            return self.from_serial(value)
        text = str(value)
        if match := _DATE_TEXT.match(text) or _DATE_COMPACT.match(text):
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise self.error(text) from None
        if _SERIAL_TEXT.match(text):
            return self.from_serial(float(text))
        raise self.error(text)

    def from_serial(self, number: float) -> dt.date:
        if not 1 <= number <= _LAST_EXCEL_SERIAL:
            raise self.error(number)
        return from_excel(number).date()

    @staticmethod
    def error(value) -> CellError:
        return CellError(
            _("“%(value)s” is not a date; write it as 1985-06-15, 1985/6/15 or 1985年6月15日."),
            code="invalid_date",
            params={"value": value},
        )

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return value.isoformat() if value else ""


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
        text = " ".join((_digits_text(value) if not isinstance(value, str) else value).split())
        try:
            return self.by_name[text]
        except KeyError:
            raise CellError(
                self.message, code=self.code, params={"value": text, "known": "、".join(self.by_name) or "—"}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


# ---- the resource ----------------------------------------------------------------------------------


def _column(attribute: str, widget: widgets.Widget) -> fields.Field:
    # saves_null_values=False: a blank cell (None) leaves the stored value alone.
    return fields.Field(attribute=attribute, column_name=COLUMNS[attribute], widget=widget, saves_null_values=False)


@dataclass
class _RowContext:
    """What the resource learns about the row being imported before the model instance is checked."""

    number: int  # as the spreadsheet shows it, the header being row 1
    blank: bool
    keys: dict = field(default_factory=dict)  # employee number and ID card number, once read
    filled: set = field(default_factory=set)  # attributes the row gives a value
    before: tuple | None = None  # an existing member's values before the row was applied
    problems: dict[str, list[ValidationError]] = field(default_factory=dict)

    def add(self, key: str, message, code: str, **params) -> None:
        self.problems.setdefault(key, []).append(ValidationError(message, code=code, params=params))


class RosterResult(Result):
    """django-import-export numbers data rows from 1; the admin and our reports show spreadsheet rows."""

    def __init__(self, *args, row_offset: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_offset = row_offset

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + self.row_offset, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + self.row_offset, row, errors)


class MemberRosterResource(resources.ModelResource):
    """The roster of one branch. `branch` is required to import; export works without it."""

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
        use_bulk = True
        batch_size = None  # write once, after every row has been checked
        skip_diff = True  # we compare the few imported fields ourselves (see skip_row)
        skip_html_diff = True
        clean_model_instances = False  # full_clean() would query per row for the unique fields
        use_transactions = True
        report_skipped = True

    def __init__(self, *, branch: Branch | None = None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.branch, self.user = branch, user
        self.blank_rows = 0
        self.bad_rows = 0
        self.changes: dict[int, list[str]] = {}  # row number -> headers an update changes
        self._row_offset = 1
        self._write_failed = False

    # -- setting up ----------------------------------------------------------------------------------

    def import_data(self, dataset, *args, **kwargs):
        self._row_offset = getattr(dataset, "header_row", 1)
        return super().import_data(dataset, *args, **kwargs)

    def get_result_class(self):
        return functools.partial(RosterResult, row_offset=self._row_offset)

    def before_import(self, dataset, **kwargs):
        """Load everything the checks need in four queries: the branch's members, the keys of every
        other branch's members, and the branch's party groups and work teams."""
        if self.branch is None:
            raise ValueError("MemberRosterResource needs a branch to import into.")
        self.user = kwargs.get("user") or self.user
        self._now = timezone.now()
        self._today = timezone.localdate()
        dataset.headers = [canonical_header(header) or header for header in dataset.headers]
        present = set(dataset.headers)
        self._fields = [f for f in self.get_import_fields() if f.column_name in present]
        self._update_fields = [f.attribute for f in self._fields] + ["updated_at"]
        self._compared = [Member._meta.get_field(f.attribute).attname for f in self._fields]
        # Foreign keys are set by id: the descriptor's checks cost more than the rest of a cell.
        self._targets = [
            (f, f.attribute, attname if attname != f.attribute else None)
            for f, attname in zip(self._fields, self._compared, strict=True)
        ]
        self._key_fields = [self.fields["employee_number"], self.fields["id_card_number"]]

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
        # value -> first row it appeared on, to report repeats within the file
        self._seen = {"employee_number": {}, "id_card_number": {}, "pk": {}}

    def after_import(self, dataset, result, **kwargs):
        pass  # ModelResource resets primary-key sequences here; we never import primary keys

    # -- one row ---------------------------------------------------------------------------------------

    def import_row(self, row, instance_loader, **kwargs):
        self._row = _RowContext(
            number=kwargs["row_number"] + self._row_offset, blank=all(is_blank(v) for v in row.values())
        )
        row_result = super().import_row(row, instance_loader, **kwargs)
        if not row_result.is_valid():
            self.bad_rows += 1
            self.changes.pop(self._row.number, None)
        elif self._row.blank:
            self.blank_rows += 1
        return row_result

    def init_instance(self, row=None):
        return Member(branch_id=self.branch.pk)

    def get_instance(self, instance_loader, row):
        """The existing member this row is about, found in memory by either key."""
        ctx = self._row
        if ctx.blank:
            return None
        keys = self._read_keys(ctx, row)
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
        self._check_repeats(ctx, {**keys, "pk": member.pk if member else None})
        return member

    def _check_repeats(self, ctx: _RowContext, keys: dict) -> None:
        """Each member and each key value may appear on one row of the file only."""
        repeats = {}
        for attribute, value in keys.items():
            if value is not None:
                first = self._seen[attribute].setdefault(value, ctx.number)
                if first != ctx.number:
                    repeats[attribute] = first
        if "pk" in repeats:
            message = _("Row %(row)d is about the same member.")
            ctx.add(NON_FIELD_ERRORS, message, code="duplicate_in_file", row=repeats["pk"])
            return
        for attribute, first in repeats.items():
            ctx.add(
                attribute,
                _("Row %(row)d has the same %(column)s."),
                code="duplicate_in_file",
                row=first,
                column=COLUMNS[attribute],
            )

    def _read_keys(self, ctx: _RowContext, row) -> dict:
        """The row's employee number and ID card number (None when blank, absent or unreadable). The
        values read are kept for import_instance(); unreadable ones are read again there, to report."""
        keys = {}
        for field_ in self._key_fields:
            keys[field_.attribute] = None
            if field_.column_name in row:
                with contextlib.suppress(ValueError, ValidationError):
                    keys[field_.attribute] = ctx.keys[field_.attribute] = field_.widget.clean(row[field_.column_name])
        return keys

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            self._row.before = self._snapshot(instance)

    def _snapshot(self, instance) -> tuple:
        return tuple(getattr(instance, attname) for attname in self._compared)

    def import_instance(self, instance, row, **kwargs):
        """Apply every cell, collecting all errors of the row (with their codes) rather than the first.

        Equivalent to Field.save() for our fields (no defaults, no readonly, saves_null_values=False),
        called directly because this loop runs for every cell of 10,000-row files."""
        errors = {}
        known, filled = self._row.keys, self._row.filled
        for field_, attribute, id_attribute in self._targets:
            try:
                value = known[attribute] if attribute in known else field_.widget.clean(row[field_.column_name])
            except CellError as exc:
                errors[attribute] = exc.as_validation_error()
            except ValidationError as exc:
                errors[attribute] = exc
            else:
                if value is not None:  # a blank cell leaves the stored value alone
                    filled.add(attribute)
                    if id_attribute:
                        setattr(instance, id_attribute, value.pk)
                    else:
                        setattr(instance, attribute, value)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        ctx = self._row
        if ctx.blank:
            return True
        if import_validation_errors or ctx.problems or instance.pk is None:
            return False
        after = self._snapshot(instance)
        if after == ctx.before:
            return True
        self.changes[ctx.number] = [
            f.column_name for f, old, new in zip(self._fields, ctx.before, after, strict=True) if old != new
        ]
        return False

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors: dict[str, list[ValidationError]] = {}
        for key, error in (import_validation_errors or {}).items():
            errors.setdefault(key, []).extend(error if isinstance(error, list) else error.error_list)
        for key, problems in self._row.problems.items():
            errors.setdefault(key, []).extend(problems)
        if instance.pk is None:
            # The cells, not the instance: the model's defaults (汉族, 正式党员) must not fill in a blank.
            for attribute in REQUIRED_FOR_NEW:
                if attribute not in errors and attribute not in self._row.filled:
                    errors[attribute] = [
                        ValidationError(
                            _("%(column)s is required for a new member."),
                            code="required",
                            params={"column": COLUMNS[attribute]},
                        )
                    ]
        self._check_dates(instance, errors)
        if instance.id_card_number == EXAMPLE_ID_CARD:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(_("This is the template's example row; replace it or delete it."), code="example_row")
            )
        if errors:
            raise ValidationError(errors)

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

    # -- writing ---------------------------------------------------------------------------------------

    def _may_write(self, dry_run: bool) -> bool:
        return not (dry_run or self.bad_rows or self._write_failed)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and self._may_write(dry_run):
            self._write(result, raise_errors, bulk_create_with_history, self.create_instances, Member)
        self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and self._may_write(dry_run):
            self._write(
                result, raise_errors, bulk_update_with_history, self.update_instances, Member, self._update_fields
            )
        self.update_instances.clear()

    def _write(self, result, raise_errors, write, *args):
        try:
            write(
                *args,
                batch_size=500,
                default_user=self.user,
                default_change_reason=gettext("Roster import"),
                default_date=self._now,
            )
        except DatabaseError as exc:
            # Someone changed the roster between our reads and this write (a unique key taken). The
            # whole import is rolled back; the caller reports it.
            self._write_failed = True
            self.handle_import_error(result, exc, raise_errors)

    # -- export ----------------------------------------------------------------------------------------

    def get_queryset(self):
        queryset = Member.objects.select_related("party_group", "work_team")
        return queryset.filter(branch=self.branch) if self.branch else queryset


# ---- files -----------------------------------------------------------------------------------------


class RosterDataset(Dataset):
    """A roster read from a file: the recognised columns only, with where the header was found."""

    def __init__(self, *rows, headers, header_row: int, ignored_columns: list[str]):
        super().__init__(*rows, headers=headers)
        self.header_row = header_row
        self.ignored_columns = ignored_columns


def _unreadable(kind: str) -> ValidationError:
    if kind == "xlsx":
        message = _(
            "This file cannot be read as an Excel workbook (.xlsx). If it is an old .xls or a WPS .et file, "
            "open it and save it as .xlsx."
        )
    else:
        message = _("This file cannot be read as a CSV file. Save the sheet as “CSV UTF-8” and try again.")
    return ValidationError(message, code="unreadable")


def read_roster(content: bytes, file_format: str) -> RosterDataset:
    """Read a roster from the bytes of an .xlsx or .csv file.

    The header row is the first row (of the first ten) naming at least two roster columns, on the first
    sheet that has one: an instructions sheet or a title row above the headers does not get in the way.
    Unknown columns are dropped and listed in `ignored_columns`. Raises ValidationError (in the user's
    language) when the file cannot be read or has no usable header.
    """
    try:
        if file_format == "xlsx":
            dataset = next(filter(None, map(_read_table, _xlsx_sheets(content))), None)
        else:
            dataset = _read_table(_csv_rows(content))
    except ValidationError:
        raise
    except Exception as exc:  # a parser fed an arbitrary upload can fail in many ways; none is our bug
        logger.info("Unreadable roster file (%s)", file_format, exc_info=True)
        raise _unreadable(file_format) from exc
    if dataset is None:
        raise ValidationError(
            _("No header row found. The first row must name the columns: %(headers)s."),
            code="no_header",
            params={"headers": "、".join(HEADERS)},
        )
    return dataset


def _xlsx_sheets(content: bytes):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        if getattr(sheet, "sheet_state", "visible") != "visible" or not hasattr(sheet, "iter_rows"):
            continue
        sheet.reset_dimensions()  # some writers record wrong dimensions, which truncates rows
        yield sheet.iter_rows(values_only=True)


def _csv_rows(content: bytes):
    text = _decode_csv(content)
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max(",\t;", key=lambda d: sum(canonical_header(cell) is not None for cell in first_line.split(d)))
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _decode_csv(content: bytes) -> str:
    """UTF-8 with or without BOM (Excel's “CSV UTF-8”, LibreOffice, WPS), UTF-16 (Excel's “Unicode
    text”) and GB 18030, a superset of GBK (the plain “CSV” of Excel on Chinese Windows)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The text encoding of this CSV file is not recognised. Save it as “CSV UTF-8” and try again."),
        code="encoding",
    )


def _find_header(rows) -> tuple[int, tuple, list[str | None]] | None:
    for number, cells in enumerate(itertools.islice(rows, _HEADER_SEARCH_ROWS), start=1):
        columns = [canonical_header(cell) for cell in cells]
        if sum(column is not None for column in columns) >= 2:
            return number, cells, columns
    return None


def _read_table(rows) -> RosterDataset | None:
    rows = iter(rows)
    found = _find_header(rows)
    if found is None:
        return None
    header_row, cells, columns = found
    keep = [i for i, column in enumerate(columns) if column]
    headers = [columns[i] for i in keep]
    if duplicates := sorted({h for h in headers if headers.count(h) > 1}, key=HEADERS.index):
        raise ValidationError(
            _("These columns appear more than once: %(columns)s."),
            code="duplicate_column",
            params={"columns": "、".join(duplicates)},
        )
    if not set(KEY_HEADERS) & set(headers):
        raise ValidationError(
            _("The file needs a %(first)s or %(second)s column to know who each row is about."),
            code="no_key_column",
            params={"first": EMPLOYEE_NUMBER, "second": ID_CARD},
        )
    ignored = [str(cell).strip() for cell, col in zip(cells, columns, strict=True) if not col and not is_blank(cell)]
    data, pending_blank, blank_row = [], 0, (None,) * len(keep)
    width, every_column = len(columns), keep == list(range(len(columns)))
    for number, cells in enumerate(rows, start=header_row + 1):
        if every_column and len(cells) == width:
            values = tuple(cells)
        else:
            values = tuple(cells[i] if i < len(cells) else None for i in keep)
        if all(is_blank(v) for v in values):
            pending_blank += 1  # kept only if data follows, so trailing formatted rows cost nothing
        else:
            data.extend(itertools.repeat(blank_row, pending_blank))
            pending_blank = 0
            data.append(values)
        if len(data) > MAX_DATA_ROWS or number > _MAX_SHEET_ROWS:
            raise ValidationError(
                _("The file has more than %(limit)d rows; split it into smaller files."),
                code="too_many_rows",
                params={"limit": MAX_DATA_ROWS},
            )
    return RosterDataset(*data, headers=headers, header_row=header_row, ignored_columns=ignored)


def write_roster_xlsx(dataset: Dataset, *, sheet_title: str) -> bytes:
    """An .xlsx of the roster: text columns stored as text, dates as dates, the header row frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    sheet.freeze_panes = "A2"
    for letter, width in column_widths(dataset.headers).items():
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header_cells = []
    for header in dataset.headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = [cell_number_format(header) for header in dataset.headers]
    for row in dataset:
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            cell = WriteOnlyCell(sheet, value=None if value == "" else value)
            if cell.data_type == "f":  # openpyxl takes text starting with = for a formula; a name is text
                cell.data_type = "s"
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_roster_csv(dataset: Dataset) -> bytes:
    """CSV in UTF-8 with a BOM, which Excel needs to show Chinese; dates as 1985-06-15."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(dataset.headers)
    for row in dataset:
        writer.writerow([_csv_cell(value) for value in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    # A spreadsheet would run "=…", "+…", "-…" and "@…" as formulas; the apostrophe keeps them text, and
    # cell_value() drops it again on import.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def cell_number_format(header: str) -> str | None:
    if header in TEXT_HEADERS:
        return "@"
    if header in DATE_HEADERS:
        return "yyyy-mm-dd"
    return None


def column_widths(headers) -> dict[str, float]:
    from openpyxl.utils import get_column_letter

    wide = {ID_CARD: 22, EMPLOYEE_NUMBER: 12, PHONE: 14, BIRTH_DATE: 12, JOINED_ON: 12, STATUS: 14}
    return {get_column_letter(i): wide.get(h, 11) for i, h in enumerate(headers, start=1)}


# ---- the admin -------------------------------------------------------------------------------------


class RosterXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        return read_roster(in_stream, "xlsx")

    def export_data(self, dataset, **kwargs):
        return write_roster_xlsx(dataset, sheet_title=gettext("Roster"))


class RosterCSV(base_formats.CSV):
    """Read as bytes so that we, not the admin, pick the encoding (GBK files are common)."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return read_roster(in_stream, "csv")

    def export_data(self, dataset, **kwargs):
        return write_roster_csv(dataset)


class RosterAdminImportForm(ImportForm):
    branch = forms.ModelChoiceField(queryset=Branch.objects.all(), label=_("Branch"))


class RosterAdminConfirmForm(ConfirmImportForm):
    branch = forms.ModelChoiceField(queryset=Branch.objects.all(), widget=forms.HiddenInput)


class RosterAdminMixin(ImportExportMixin):
    """Roster import and export in the admin: the administrator picks the branch to import into."""

    resource_classes = [MemberRosterResource]
    import_formats = [RosterXLSX, RosterCSV]
    export_formats = [RosterXLSX, RosterCSV]
    import_form_class = RosterAdminImportForm
    confirm_form_class = RosterAdminConfirmForm

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        branch = getattr(form, "cleaned_data", {}).get("branch") if form is not None else None
        return {"branch": branch, "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["branch"] = import_form.cleaned_data["branch"].pk
        return initial

    def get_export_data(self, file_format, request, queryset, **kwargs):
        # django-import-export keeps dates as dates only for its own xlsx class, not for subclasses.
        if not self.has_export_permission(request):
            raise PermissionDenied
        kwargs.pop("encoding", None)
        queryset = queryset.select_related("party_group", "work_team")
        data = self.get_data_for_export(
            request, queryset, force_native_type=isinstance(file_format, RosterXLSX), **kwargs
        )
        return file_format.export_data(data)
