"""Reading one cell as Excel, WPS and LibreOffice give it: django-import-export widgets that know the
tricks people use (="0123", a leading apostrophe, numbers stored as floats, dates as serial numbers or
text) and fail with a CellError that carries a code.

A blank cell reads as None everywhere, so that with `saves_null_values=False` it never overwrites what
is stored.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from openpyxl.utils.datetime import from_excel


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
SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")


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


def digits_text(value) -> str:
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
    if SCIENTIFIC.match(text):
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
        text = digits_text(value) if not isinstance(value, str) else value
        if self.normalize:
            text = self.normalize(text)
        if len(text) > self.max_length:
            raise CellError(
                _("At most %(limit)d characters; this has %(length)d."),
                code="too_long",
                params={"limit": self.max_length, "length": len(text)},
            )
        return text


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


YES, NO = "是", "否"
_YES_TEXT = frozenset({YES, "对", "Y", "YES", "TRUE", "T", "1", "√", "✓", "✔"})
_NO_TEXT = frozenset({NO, "不是", "N", "NO", "FALSE", "F", "0", "×", "✗", "✘"})


class YesNoWidget(widgets.Widget):
    """是 or 否, written as such; reads Excel's TRUE and FALSE, 1 and 0, Y and N, √ and × too."""

    def __init__(self, code: str = "invalid_yes_no"):
        super().__init__(coerce_to_string=True)
        self.code = code

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        text = re.sub(r"\s", "", str(value)).upper()
        if text in _YES_TEXT:
            return True
        if text in _NO_TEXT:
            return False
        raise CellError(_("“%(value)s” is neither 是 nor 否."), code=self.code, params={"value": text})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return YES if value else NO


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
