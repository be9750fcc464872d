"""Cells that name other records or hold numbers and times, for the admin's spreadsheets
(branch/spreadsheets/records.py): django-import-export widgets in the manner of cells.py, failing with
a CellError that carries a code.

A lookup column finds another record by what people call it (an employee number, a team's name, an
asset code) among the records loaded up front for the import, so reading a cell makes no query.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Manager
from django.utils.translation import gettext_lazy as _
from import_export import widgets

from .cells import CellError, cell_value, digits_text


def _plain(value) -> str:
    """Text as typed, folded for comparison: NFKC (full-width to half-width), no spaces."""
    text = digits_text(value) if not isinstance(value, str) else value
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class NumberWidget(widgets.Widget):
    """A decimal number with `places` decimals between `minimum` and `maximum`."""

    def __init__(self, *, places: int, minimum: Decimal, maximum: Decimal):
        super().__init__(coerce_to_string=True)
        self.places, self.minimum, self.maximum = places, Decimal(minimum), Decimal(maximum)

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        if isinstance(value, bool | dt.date):
            raise self.error(value)
        text = repr(value) if isinstance(value, float) else _plain(value)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise self.error(value) from None
        if not number.is_finite():
            raise self.error(value)
        if self.places == 0 and number != number.to_integral_value():
            raise CellError(_("Enter whole digits here, without a decimal point."), code="invalid")
        if not self.minimum <= number <= self.maximum:
            raise CellError(
                _("%(value)s is not between %(min)s and %(max)s."),
                code="out_of_range",
                params={"value": text, "min": self.minimum, "max": self.maximum},
            )
        return number.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)

    @staticmethod
    def error(value) -> CellError:
        return CellError(
            _("“%(value)s” is not a number; enter digits only, without the unit."),
            code="not_a_number",
            params={"value": value},
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type"):
            return value
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


class IntegerWidget(NumberWidget):
    def __init__(self, *, minimum: int = 0, maximum: int = 32767):
        super().__init__(places=0, minimum=Decimal(minimum), maximum=Decimal(maximum))

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        return None if number is None else int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


_TIME_TEXT = re.compile(r"^(\d{1,2})[:点时](\d{2})(?:[:分](\d{2}))?分?$")


class TimeWidget(widgets.Widget):
    """A time of day: 9:00, 09:00:00, 9点30, a time cell, or the fraction of a day a time cell holds."""

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.time()
        if isinstance(value, dt.time):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
            seconds = round(value * 86400)
            return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        if isinstance(value, str) and (match := _TIME_TEXT.match(_plain(value))):
            try:
                return dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
            except ValueError:
                pass
        raise CellError(
            _("“%(value)s” is not a time of day; write it as 9:00 or 14:30."),
            code="invalid_time",
            params={"value": value},
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")


class LookupWidget(widgets.Widget):
    """Another record by what people call it (a name, an employee number), among the records loaded for
    the import: `by_key` maps the folded text (see `_plain`) to the record, or to a list of records
    when several share it. Unknown text is an error; a typo must not create a record."""

    def __init__(
        self,
        *,
        label: Callable,
        message,
        code: str,
        ambiguous_message=None,
        text: bool = True,
        normalize: Callable[[str], str] | None = None,
        param: str = "value",
    ):
        super().__init__(coerce_to_string=True)
        self.label, self.message, self.code = label, message, code
        self.ambiguous_message = ambiguous_message
        self.normalize = normalize or _plain  # how labels and cells are compared
        self.param = param  # the message's parameter for the text that was not found
        self.text = text  # kept as text in .xlsx
        self.by_key: dict = {}
        self.known = "—"  # the labels there are, for messages that list them (param "known")

    def load(self, records: Iterable, *extra_labels: Callable) -> None:
        """Index records by their label and by any further labels (a name alone, say)."""
        by_key: dict = {}
        for record in records:
            for label in (self.label, *extra_labels):
                if (text := label(record)) is not None:
                    by_key.setdefault(self.normalize(text), []).append(record)
        self.by_key = {key: found[0] if len(found) == 1 else found for key, found in by_key.items()}
        if len(by_key) <= 30:
            self.known = "、".join(sorted({self.label(found[0]) for found in by_key.values()})) or "—"

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        return self.find(value)

    def find(self, value):
        text = (digits_text(value) if not isinstance(value, str) else value).strip()
        found = self.by_key.get(self.normalize(text))
        if found is None:
            raise CellError(self.message, code=self.code, params={self.param: text, "known": self.known})
        if isinstance(found, list):
            # The label itself is unique: only a second label (a name alone) can be shared.
            labels = "、".join(sorted({self.label(record) for record in found}))
            raise CellError(self.ambiguous_message, code="ambiguous", params={"value": text, "labels": labels})
        return found

    def render(self, value, obj=None, **kwargs):
        return self.label(value) if value is not None else ""


_LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")


class ManyLookupWidget(LookupWidget):
    """Several records in one cell, separated by 、 (or commas, semicolons, spaces); every unknown one
    is reported. Written back sorted, separated by 、."""

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        text = digits_text(value) if not isinstance(value, str) else value
        found, unknown = {}, []
        for part in filter(None, _LIST_SEPARATORS.split(text)):
            record = self.by_key.get(self.normalize(part))
            if record is None or isinstance(record, list):
                unknown.append(part)
            else:
                found[record.pk] = record
        if unknown:
            raise CellError(self.message, code=self.code, params={self.param: "、".join(unknown), "known": self.known})
        return list(found.values())

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        records = value.all() if isinstance(value, Manager) else value
        return "、".join(sorted(self.label(record) for record in records))
