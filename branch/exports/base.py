"""Exporters: one class per report, registered by identifier.

An exporter says what it is (`identifier`, `verbose_name`), who may run it (`allowed(actor, branch)`,
asked when a job is started and again when the task runs, with the owner's rights at that moment),
what it asks for (`form_class`, whose cleaned data `params_from_form` turns into JSON-safe
parameters), and yields its content as `Sheet`s. Sheets stream their rows (generators), so a large
report never sits in memory; the writer asks `progress` as it goes.

Register with the `@register` decorator in an app's `exporters.py`.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

FORMATS = ("xlsx", "csv")


@dataclass
class Column:
    header: str  # Chinese: headers are the file format, whatever language the page is in
    width: float = 12
    # "text", "int", "decimal" (two places), "percent" (a 0–1 ratio shown as %), "date", "datetime".
    kind: str = "text"


@dataclass
class Sheet:
    """One worksheet (or the whole .csv when it is the first sheet).

    `rows` yields sequences of cell values in the order of `columns` (str, int, Decimal, float, date,
    datetime or None). `title` is a line written above the header row in .xlsx (branch and quarter);
    csv files carry only the header and the rows. `row_count`, when known up front, lets the job
    show a real progress bar.
    """

    name: str  # the worksheet tab: at most 31 characters, none of []:*?/\
    columns: Sequence[Column]
    rows: Iterable[Sequence]
    title: str = ""
    row_count: int | None = None
    freeze_header: bool = True


Progress = Callable[[int], None]  # called with the number of rows written so far


class Exporter:
    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    description: ClassVar[str] = ""
    formats: ClassVar[tuple[str, ...]] = FORMATS
    form_class: ClassVar[type[forms.Form] | None] = None  # built with form_class(data, actor=, branch=)

    def allowed(self, actor, branch, params: dict | None = None) -> bool:
        """May this actor run the report for this branch (and, when given, with these parameters —
        e.g. another member's record book)? Asked when a job starts and again when it runs."""
        raise NotImplementedError

    def params_from_form(self, cleaned_data: dict) -> dict:
        """JSON-safe parameters (quarters as "2026Q3", members as ids) stored on the job."""
        return {
            key: (value.pk if hasattr(value, "pk") else str(value) if value is not None else None)
            for key, value in cleaned_data.items()
            if key != "format"
        }

    def clean_params(self, branch, params: dict, actor=None) -> dict:
        """Check stored parameters again when the job runs (the command line, schedules); raise
        ValidationError with a Chinese message when they no longer make sense."""
        return params

    def filename(self, branch, params: dict) -> str:
        """Without extension, e.g. "检188采油作业区党支部-党员名册-2026Q3"."""
        return f"{branch.name}-{self.verbose_name}"

    def sheets(self, branch, params: dict) -> Iterator[Sheet]:
        raise NotImplementedError


_registry: dict[str, type[Exporter]] = {}
_loaded = False


def register(cls: type[Exporter]) -> type[Exporter]:
    _registry[cls.identifier] = cls
    return cls


def _load() -> None:
    global _loaded
    if not _loaded:
        for config in apps.get_app_configs():
            if importlib.util.find_spec(f"{config.name}.exporters") is not None:
                importlib.import_module(f"{config.name}.exporters")
        _loaded = True


def exporters() -> dict[str, type[Exporter]]:
    _load()
    return dict(_registry)


def get_exporter(identifier: str) -> Exporter:
    _load()
    try:
        return _registry[identifier]()
    except KeyError:
        raise LookupError(str(_("There is no report called “%(name)s”.") % {"name": identifier})) from None
