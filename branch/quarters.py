"""Calendar quarters, the period the branch is assessed and reports by.

`Quarter.parse("2026Q3")` reads the form operators type on the command line and in URLs; `str()` gives
it back. Everything that asks for "a quarter" — the assessment, the exporters, the dashboard — uses
this one type.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-Qq]?\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    def __post_init__(self):
        if not 1 <= self.number <= 4 or not 2000 <= self.year <= 2100:
            raise ValidationError(_("Give a quarter as 2026Q3: a year and a quarter from 1 to 4."), code="quarter")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(str(text or ""))
        if not match:
            raise ValidationError(
                _("“%(value)s” is not a quarter: write it as 2026Q3."), code="quarter", params={"value": text}
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(timezone.localdate())

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def is_future(self, today: dt.date | None = None) -> bool:
        """True when the quarter has not begun yet."""
        return self.start > (today or timezone.localdate())

    def is_over(self, today: dt.date | None = None) -> bool:
        return self.end < (today or timezone.localdate())

    def date_filter(self, field_name: str) -> dict:
        return {f"{field_name}__range": (self.start, self.end)}

    @property
    def months(self) -> list[dt.date]:
        return [dt.date(self.year, 3 * self.number - 2 + i, 1) for i in range(3)]

    @property
    def label(self) -> str:
        return gettext("%(year)s Q%(number)s") % {"year": self.year, "number": self.number}

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def validate_past_or_current(quarter: Quarter, today: dt.date | None = None) -> Quarter:
    """Refuse a quarter that has not begun: there is nothing to assess or report yet."""
    if quarter.is_future(today):
        raise ValidationError(
            _("%(quarter)s has not begun yet: choose this quarter or an earlier one."),
            code="future_quarter",
            params={"quarter": quarter.label},
        )
    return quarter
