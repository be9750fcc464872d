"""The record book (个人活动写实簿) as a timeline that every feature plugs its entries into.

A feature registers a `Section` (usually in its AppConfig.ready): a key, a title and a function that
returns the member's entries for a period in a fixed number of queries, plus optional totals computed
in the database. The record book page, its print view and the exports all read through
`record_book()`, so a new kind of record appears everywhere once its section is registered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Member


@dataclass(frozen=True)
class Period:
    """A calendar year, a quarter of it, or all time (year None)."""

    year: int | None = None
    quarter: int | None = None

    def __post_init__(self):
        if self.quarter is not None and (self.year is None or not 1 <= self.quarter <= 4):
            raise ValidationError(_("Choose a year and a quarter from 1 to 4."), code="period")

    @property
    def start(self) -> dt.date | None:
        if self.year is None:
            return None
        month = 1 if self.quarter is None else 3 * self.quarter - 2
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date | None:
        """The last day of the period."""
        if self.year is None:
            return None
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    def date_filter(self, field_name: str) -> dict:
        """Keyword arguments that restrict a queryset's date field to this period."""
        if self.year is None:
            return {}
        return {f"{field_name}__range": (self.start, self.end)}

    @property
    def label(self) -> str:
        if self.year is None:
            return str(_("all years"))
        if self.quarter is None:
            return str(self.year)
        return f"{self.year}Q{self.quarter}"


@dataclass(frozen=True)
class Entry:
    """One line of the record book."""

    section: str
    date: dt.date
    title: str
    detail: str = ""
    status: str = ""
    status_tone: str = "secondary"  # a Bootstrap colour name for the status badge
    url: str = ""


@dataclass(frozen=True)
class Total:
    label: str
    value: object
    unit: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    entries: Callable[[Member, Period], list[Entry]]
    totals: Callable[[Member, Period], list[Total]] | None = None


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    """Add a section to every record book. Registering the same key again replaces it."""
    _SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: s.order)


@dataclass
class SectionView:
    section: Section
    entries: list[Entry]
    totals: list[Total] = field(default_factory=list)


@dataclass
class RecordBook:
    member: Member
    period: Period
    sections: list[SectionView]

    @property
    def timeline(self) -> list[Entry]:
        """All entries of the chosen sections, newest first."""
        entries = [entry for view in self.sections for entry in view.entries]
        return sorted(entries, key=lambda e: e.date, reverse=True)

    @property
    def totals(self) -> list[Total]:
        return [total for view in self.sections for total in view.totals]


def record_book(member: Member, period: Period | None = None, only: str | None = None) -> RecordBook:
    """Gather a member's record book. Query count is fixed: each section costs the same whatever the
    number of entries. `only` picks one section by key (ValidationError when unknown)."""
    period = period or Period()
    chosen = sections()
    if only:
        chosen = [s for s in chosen if s.key == only]
        if not chosen:
            raise ValidationError(_("There is no such section in the record book."), code="section")
    views = [
        SectionView(
            section=s,
            entries=s.entries(member, period),
            totals=s.totals(member, period) if s.totals else [],
        )
        for s in chosen
    ]
    return RecordBook(member=member, period=period, sections=views)
