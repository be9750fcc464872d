"""Red-flag work (五定): assignments, their targets and readings. Every write goes through here.

The rules, each written once:

- An asset has at most one active assignment (also a database constraint) and its assignments never
  overlap; a handover on the same day is allowed. Ending an assignment closes it; nothing overwrites it.
- Targets (定指标): at least one, in the indicator's unit, not negative, within the indicator's limit.
- Readings: only for an asset that has an active assignment now, only for one of that assignment's
  target indicators, in the indicator's unit, not negative, not above its limit (percentages), whole
  numbers for counts, not in the future, and not earlier than 12 months before the asset's first
  assignment started (readings before the start are the chart's "before" baseline). One reading per
  day; monthly indicators are dated the 1st of their month, so one per month.
- An import of readings saves every row or none, and reports every bad row.

Errors are ValidationErrors with English source strings through gettext (the interface shows Chinese).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branch.spreadsheets import (
    CellError,
    DateWidget,
    RowError,
    SheetLayout,
    UploadStore,
    cell_value,
    is_blank,
    read_upload,
)
from members.access import Actor
from members.models import Member

from ..access import Can, assets_visible_to, can
from ..models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment

logger = logging.getLogger(__name__)

BASELINE_MONTHS = 12  # how far before the first assignment readings may reach
MAX_VALUE = Decimal("99999999.99")  # what Reading.value can hold
CENT = Decimal("0.01")


# ---- units and values ------------------------------------------------------------------------------

# Other ways people write the units, after NFKC folding (m³ -> m3, ％ -> %) and lower-casing.
_UNIT_ALIASES = {
    "吨/天": "t/d",
    "吨/日": "t/d",
    "t/天": "t/d",
    "方/天": "m3/d",
    "方/日": "m3/d",
    "m3/天": "m3/d",
    "立方米/天": "m3/d",
    "次": "次/月",
    "次/月": "次/月",
}


def _unit_key(unit: str) -> str:
    text = unicodedata.normalize("NFKC", str(unit)).strip().lower().replace(" ", "")
    return _UNIT_ALIASES.get(text, text)


def unit_matches(indicator: str, unit: str | None) -> bool:
    """True when `unit` is empty or names the indicator's unit (t/d, 吨/天, m³/d, m3/d, %, ％ …)."""
    if unit is None or not str(unit).strip():
        return True
    return _unit_key(unit) == _unit_key(Indicator(indicator).spec.unit)


def _unit_error(indicator: str, unit) -> ValidationError:
    return ValidationError(
        _("The unit of %(indicator)s is %(expected)s, not %(given)s."),
        code="unit",
        params={"indicator": Indicator(indicator).label, "expected": Indicator(indicator).spec.unit, "given": unit},
    )


def _value_errors(indicator: str, value: Decimal, *, what: str) -> list[ValidationError]:
    """What is impossible about a value of this indicator. `what` is "reading" or "target"."""
    spec = Indicator(indicator).spec
    label = Indicator(indicator).label
    errors = []
    if value < 0:
        message = _("A reading cannot be negative.") if what == "reading" else _("A target cannot be negative.")
        errors.append(ValidationError(message, code="negative"))
    elif spec.max_value is not None and value > spec.max_value:
        errors.append(
            ValidationError(
                _("%(indicator)s cannot be above %(limit)s %(unit)s."),
                code="above_limit",
                params={"indicator": label, "limit": spec.max_value, "unit": spec.unit},
            )
        )
    elif value > MAX_VALUE:
        errors.append(ValidationError(_("%(value)s is too large."), code="too_large", params={"value": value}))
    if what == "reading" and spec.monthly and value != value.to_integral_value():
        errors.append(
            ValidationError(_("%(indicator)s is counted in whole numbers."), code="whole", params={"indicator": label})
        )
    return errors


def _cents(value) -> Decimal:
    """Rounded to hundredths, as stored; a value too large to store is left for _value_errors to refuse."""
    value = Decimal(value)
    return value if abs(value) > MAX_VALUE else value.quantize(CENT, rounding=ROUND_HALF_UP)


def period_start(indicator: str, day: dt.date) -> dt.date:
    """The date a reading is stored under: the day itself, or the 1st of the month for monthly indicators."""
    return day.replace(day=1) if Indicator(indicator).spec.monthly else day


def period_label(indicator: str, day: dt.date) -> str:
    return f"{day:%Y-%m}" if Indicator(indicator).spec.monthly else day.isoformat()


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# ---- assignments and targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class TargetInput:
    """One 定指标 line as a caller gives it; `unit`, when given, must be the indicator's unit."""

    indicator: str
    target: Decimal
    unit: str | None = None


def _clean_targets(targets: Iterable[TargetInput]) -> list[TargetInput]:
    """Check targets and return them rounded to cents. Error keys are `target_<indicator>`."""
    targets = list(targets)
    errors: dict[str, list[ValidationError]] = {}
    if not targets:
        raise ValidationError({"targets": ValidationError(_("Set at least one target (定指标)."), code="no_targets")})
    seen, cleaned = set(), []
    for item in targets:
        key = f"target_{item.indicator}"
        if item.indicator not in Indicator.values:
            errors.setdefault("targets", []).append(
                ValidationError(_("Unknown indicator “%(value)s”."), code="indicator", params={"value": item.indicator})
            )
            continue
        if item.indicator in seen:
            errors.setdefault(key, []).append(
                ValidationError(_("Each indicator takes one target."), code="duplicate_target")
            )
            continue
        seen.add(item.indicator)
        if not unit_matches(item.indicator, item.unit):
            errors.setdefault(key, []).append(_unit_error(item.indicator, item.unit))
        value = _cents(item.target)
        if problems := _value_errors(item.indicator, value, what="target"):
            errors.setdefault(key, []).extend(problems)
        cleaned.append(TargetInput(item.indicator, value, Indicator(item.indicator).spec.unit))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_no_overlap(asset: Asset, started_on: dt.date) -> None:
    others = RedFlagAssignment.objects.filter(asset=asset).select_related("member").order_by("-started_on")
    for other in others:
        if other.ended_on is None:
            raise ValidationError(
                _("%(asset)s already has a responsible member: %(member)s since %(date)s. End that assignment first."),
                code="active_exists",
                params={"asset": asset.code, "member": other.member.name, "date": other.started_on},
            )
        if other.ended_on > started_on:
            raise ValidationError(
                {
                    "started_on": ValidationError(
                        _(
                            "This would overlap the assignment of %(member)s (%(start)s to %(end)s); "
                            "start on %(end)s or later."
                        ),
                        code="overlap",
                        params={"member": other.member.name, "start": other.started_on, "end": other.ended_on},
                    )
                }
            )


@transaction.atomic
def assignment_create(
    *,
    asset: Asset,
    member: Member,
    schedule: str,
    method: str,
    fit_reason: str,
    started_on: dt.date,
    targets: Iterable[TargetInput],
    today: dt.date | None = None,
) -> RedFlagAssignment:
    """Put a member in charge of an asset under the five fixes, with its targets.

    Raises ValidationError when the asset already has an active assignment or an earlier one would
    overlap, when the member is of another branch, has left or is not a Party member, when the asset is
    retired, when the start is in the future, or when a target is missing or impossible."""
    today = today or timezone.localdate()
    # Lock the asset so two secretaries assigning it at once are serialised; the unique constraint
    # catches the rest (SQLite has no row locks).
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if member.branch_id != asset.branch_id:
        raise ValidationError({"member": _("The member and the asset must belong to the same branch.")})
    if member.is_archived:
        raise ValidationError({"member": _("%(name)s has left the branch.") % {"name": member.name}})
    if not member.is_party_member:
        raise ValidationError({"member": _("Only Party members take charge of red-flag assets.")})
    if asset.status == Asset.Status.RETIRED:
        raise ValidationError({"asset": _("A retired asset cannot be assigned.")})
    if started_on > today:
        raise ValidationError({"started_on": _("An assignment cannot start in the future.")})
    cleaned = _clean_targets(targets)
    _check_no_overlap(asset, started_on)
    assignment = RedFlagAssignment(
        asset=asset,
        member=member,
        schedule=schedule.strip(),
        method=method.strip(),
        fit_reason=fit_reason.strip(),
        started_on=started_on,
    )
    assignment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(
            _("%(asset)s already has a responsible member."), code="active_exists", params={"asset": asset.code}
        ) from None
    AssignmentTarget.objects.bulk_create(
        AssignmentTarget(assignment=assignment, indicator=t.indicator, target=t.target) for t in cleaned
    )
    return assignment


@transaction.atomic
def assignment_end(
    *, assignment: RedFlagAssignment, ended_on: dt.date, reason: str, today: dt.date | None = None
) -> RedFlagAssignment:
    """Close an assignment on a date with a reason; it stays in the asset's history.

    Raises ValidationError when it has already ended, when the date is before the start or in the
    future, or when no reason is given."""
    today = today or timezone.localdate()
    given, assignment = assignment, RedFlagAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_on is not None:
        raise ValidationError(_("This assignment has already ended."), code="ended")
    if ended_on < assignment.started_on:
        raise ValidationError({"ended_on": _("An assignment cannot end before it starts.")})
    if ended_on > today:
        raise ValidationError({"ended_on": _("An assignment cannot end in the future.")})
    if not reason.strip():
        raise ValidationError({"end_reason": _("Say why the assignment ends.")})
    for instance in (assignment, given):
        instance.ended_on, instance.end_reason = ended_on, reason.strip()
    assignment.save(update_fields=["ended_on", "end_reason"])
    return assignment


@transaction.atomic
def assignment_targets_set(*, assignment: RedFlagAssignment, targets: Iterable[TargetInput]) -> list[AssignmentTarget]:
    """Replace the targets of an active assignment: given indicators are set, the others removed.

    Raises ValidationError for an ended assignment or a missing or impossible target."""
    assignment = RedFlagAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_on is not None:
        raise ValidationError(_("The targets of an ended assignment cannot change."), code="ended")
    cleaned = {t.indicator: t.target for t in _clean_targets(targets)}
    AssignmentTarget.objects.filter(assignment=assignment).exclude(indicator__in=cleaned).delete()
    existing = {t.indicator: t for t in AssignmentTarget.objects.filter(assignment=assignment)}
    changed = []
    for indicator, value in cleaned.items():
        if indicator in existing:
            if existing[indicator].target != value:
                existing[indicator].target = value
                changed.append(existing[indicator])
        else:
            existing[indicator] = AssignmentTarget(assignment=assignment, indicator=indicator, target=value)
            existing[indicator].save()
    AssignmentTarget.objects.bulk_update(changed, ["target"])
    return sorted(existing.values(), key=lambda t: Indicator.values.index(t.indicator))


# ---- readings: the rules ---------------------------------------------------------------------------


@dataclass
class AssetState:
    """What the reading rules need to know about one asset, loaded in a fixed number of queries."""

    asset: Asset
    assignment: RedFlagAssignment | None  # the active one
    targets: dict[str, AssignmentTarget]
    first_started_on: dt.date | None

    @property
    def earliest(self) -> dt.date | None:
        """The first day a reading may be dated."""
        return months_before(self.first_started_on, BASELINE_MONTHS) if self.first_started_on else None


def asset_states(assets) -> dict[int, AssetState]:
    """AssetState for each asset of a queryset (3 queries whatever the number of assets)."""
    # A subquery rather than Min("assignments__…"): a scope that filters on assignments (a member's
    # active one) would otherwise narrow the minimum to the assignments it matched.
    first = RedFlagAssignment.objects.filter(asset=OuterRef("pk")).order_by("started_on").values("started_on")[:1]
    assets = list(assets.annotate(first_started_on=Subquery(first)).order_by())
    active = (
        RedFlagAssignment.objects.filter(asset__in=[a.pk for a in assets], ended_on__isnull=True)
        .select_related("member")
        .prefetch_related("targets")
    )
    by_asset = {a.asset_id: a for a in active}
    states = {}
    for asset in assets:
        assignment = by_asset.get(asset.pk)
        targets = {t.indicator: t for t in assignment.targets.all()} if assignment else {}
        states[asset.pk] = AssetState(asset, assignment, targets, asset.first_started_on)
    return states


@dataclass(frozen=True)
class ReadingInput:
    indicator: str
    reading_on: dt.date
    value: Decimal
    unit: str | None = None


def check_reading(state: AssetState, item: ReadingInput, today: dt.date) -> tuple[dt.date, dict[str, list]]:
    """Check one reading against the rules (not against stored readings). Returns the date it is stored
    under and its errors by part: "asset", "indicator", "reading_on", "value", "unit"."""
    errors: dict[str, list[ValidationError]] = {}
    code = state.asset.code
    if item.indicator not in Indicator.values:
        message = _("Unknown indicator “%(value)s”.")
        errors["indicator"] = [ValidationError(message, code="indicator", params={"value": item.indicator})]
        return item.reading_on, errors
    if state.assignment is None:
        errors["asset"] = [
            ValidationError(
                _("%(asset)s has no responsible member now; readings are taken only for red-flag assets."),
                code="no_assignment",
                params={"asset": code},
            )
        ]
        return item.reading_on, errors
    if item.indicator not in state.targets:
        targets = "、".join(str(Indicator(i).label) for i in state.targets)
        errors["indicator"] = [
            ValidationError(
                _("%(indicator)s is not one of the targets of %(asset)s (%(targets)s)."),
                code="not_a_target",
                params={"indicator": Indicator(item.indicator).label, "asset": code, "targets": targets},
            )
        ]
    day = item.reading_on
    if day > today:
        errors.setdefault("reading_on", []).append(
            ValidationError(_("A reading cannot be dated in the future."), code="future")
        )
    elif state.earliest and day < state.earliest:
        errors.setdefault("reading_on", []).append(
            ValidationError(
                _("Readings of %(asset)s go back at most 12 months before its first assignment, that is to %(date)s."),
                code="too_early",
                params={"asset": code, "date": state.earliest},
            )
        )
    if not unit_matches(item.indicator, item.unit):
        errors.setdefault("unit", []).append(_unit_error(item.indicator, item.unit))
    if problems := _value_errors(item.indicator, item.value, what="reading"):
        errors.setdefault("value", []).extend(problems)
    return period_start(item.indicator, day), errors


def _duplicate_error(asset: Asset, indicator: str, day: dt.date) -> ValidationError:
    return ValidationError(
        _("There is already a reading of %(indicator)s for %(asset)s for %(period)s."),
        code="duplicate",
        params={"indicator": Indicator(indicator).label, "asset": asset.code, "period": period_label(indicator, day)},
    )


# ---- readings: entering them -----------------------------------------------------------------------


@transaction.atomic
def readings_record(
    *,
    asset: Asset,
    reading_on: dt.date,
    values: Mapping[str, Decimal],
    entered_by: Member | None = None,
    today: dt.date | None = None,
) -> list[Reading]:
    """Record one day's readings of an asset, one per indicator given, all or none.

    Raises ValidationError with keys "reading_on" and `value_<indicator>` (or no key for the asset as a
    whole): no active assignment, an indicator that is not a target, a date in the future or too early,
    an impossible value, or a reading that already exists for that day (month, for monthly indicators)."""
    today = today or timezone.localdate()
    if not values:
        raise ValidationError(_("Enter at least one reading."), code="empty")
    state = asset_states(Asset.objects.filter(pk=asset.pk))[asset.pk]
    errors: dict[str, list[ValidationError]] = {}
    rows = []
    for indicator, value in values.items():
        item = ReadingInput(indicator, reading_on, _cents(value))
        day, problems = check_reading(state, item, today)
        if "asset" in problems:
            raise ValidationError(problems["asset"])
        if "reading_on" in problems and "reading_on" not in errors:  # the same for every indicator
            errors["reading_on"] = problems["reading_on"]
        for part in ("indicator", "value", "unit"):
            errors.setdefault(f"value_{indicator}", []).extend(problems.get(part, []))
        rows.append(Reading(asset=asset, indicator=indicator, reading_on=day, value=item.value, entered_by=entered_by))
    existing = set(
        Reading.objects.filter(
            asset=asset, indicator__in=[r.indicator for r in rows], reading_on__in={r.reading_on for r in rows}
        ).values_list("indicator", "reading_on")
    )
    for row in rows:
        if (row.indicator, row.reading_on) in existing:
            errors.setdefault(f"value_{row.indicator}", []).append(
                _duplicate_error(asset, row.indicator, row.reading_on)
            )
    errors = {key: value for key, value in errors.items() if value}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Reading.objects.bulk_create(rows)
    except IntegrityError:  # entered twice at the same moment: the constraint decides
        raise ValidationError(
            _("These readings were entered by someone else a moment ago."), code="duplicate"
        ) from None


def reading_record(
    *,
    asset: Asset,
    indicator: str,
    reading_on: dt.date,
    value: Decimal,
    entered_by: Member | None = None,
    today: dt.date | None = None,
) -> Reading:
    """One reading; the rules and errors of readings_record()."""
    return readings_record(
        asset=asset, reading_on=reading_on, values={indicator: value}, entered_by=entered_by, today=today
    )[0]


def can_delete_reading(actor: Actor, reading: Reading, today: dt.date) -> bool:
    """Who entered a reading may take it back within a week (to enter it again, corrected); the
    secretary any time. Anything else would let history be rewritten."""
    if can(actor, Can.MANAGE_ASSIGNMENTS) and actor.branch_id == reading.asset.branch_id:
        return True
    return (
        actor.member is not None
        and reading.entered_by_id == actor.member.pk
        and timezone.localdate(reading.created_at) >= today - dt.timedelta(days=7)
    )


def reading_delete(*, actor: Actor, reading: Reading, today: dt.date | None = None) -> None:
    """Remove a mistaken reading. Raises ValidationError when the actor may no longer do so."""
    today = today or timezone.localdate()
    if not can_delete_reading(actor, reading, today):
        raise ValidationError(
            _(
                "Only the secretary can remove this reading now: it was entered more than a week ago, "
                "or by someone else."
            ),
            code="locked",
        )
    logger.info(
        "Reading %s (%s %s %s = %s) removed by user %s",
        reading.pk,
        reading.asset.code,
        reading.indicator,
        reading.reading_on,
        reading.value,
        actor.user_id,
    )
    reading.delete()


# ---- readings: importing a spreadsheet -------------------------------------------------------------
# The file format is Chinese whatever the interface language, as with the roster: 设备编号, 指标, 日期,
# 数值 and an optional 单位 column, one reading a row. Reading the file reuses the roster's helpers.

CODE, INDICATOR, DATE, VALUE, UNIT = "设备编号", "指标", "日期", "数值", "单位"
IMPORT_HEADERS = (CODE, INDICATOR, DATE, VALUE, UNIT)
REQUIRED_HEADERS = (CODE, INDICATOR, DATE, VALUE)
_HEADER_ALIASES = {
    "井号": CODE,
    "设备": CODE,
    "编号": CODE,
    "井号/设备编号": CODE,
    "资产编号": CODE,
    "指标名称": INDICATOR,
    "项目": INDICATOR,
    "录入日期": DATE,
    "读数日期": DATE,
    "时间": DATE,
    "值": VALUE,
    "读数": VALUE,
    "数据": VALUE,
    "计量单位": UNIT,
}
# The indicators' names in files: fixed Chinese, not interface text.
INDICATOR_NAMES = {
    Indicator.OIL_OUTPUT: "日产油",
    Indicator.LIQUID_OUTPUT: "日产液",
    Indicator.WATER_CUT: "含水率",
    Indicator.INJECTION: "日注水",
    Indicator.UPTIME: "运行时率",
    Indicator.FAILURES: "月故障次数",
}
_INDICATOR_ALIASES = {
    "日产油量": Indicator.OIL_OUTPUT,
    "产油量": Indicator.OIL_OUTPUT,
    "产油": Indicator.OIL_OUTPUT,
    "日产液量": Indicator.LIQUID_OUTPUT,
    "产液量": Indicator.LIQUID_OUTPUT,
    "产液": Indicator.LIQUID_OUTPUT,
    "含水": Indicator.WATER_CUT,
    "日注水量": Indicator.INJECTION,
    "注水量": Indicator.INJECTION,
    "注水": Indicator.INJECTION,
    "时率": Indicator.UPTIME,
    "开井时率": Indicator.UPTIME,
    "故障次数": Indicator.FAILURES,
    "故障": Indicator.FAILURES,
}
MAX_IMPORT_ROWS = 50_000  # a year of daily readings of three indicators for 40 assets
READINGS_LAYOUT = SheetLayout(
    headers=IMPORT_HEADERS,
    key_headers=(CODE,),
    no_key_message=_("The file needs a %(columns)s column to know which asset each row is about."),
    aliases=_HEADER_ALIASES,
    text_headers=(CODE,),
    date_headers=(DATE,),
    widths={CODE: 12, INDICATOR: 12, DATE: 12},
    max_rows=MAX_IMPORT_ROWS,
)
# Uploads wait here between the preview and the confirmation (see branch/spreadsheets/uploads.py).
UPLOADS = UploadStore("HONGQI_READINGS_UPLOAD_DIR", "hongqi-readings")
_DATES = DateWidget()
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234.5; a lone comma (12,5) is refused


def indicator_from_text(text) -> str | None:
    """The indicator a cell names: its Chinese file name, a common alias, its code or its label."""
    key = unicodedata.normalize("NFKC", str(text)).strip()
    for indicator, name in INDICATOR_NAMES.items():
        if key == name:
            return indicator
    if key in _INDICATOR_ALIASES:
        return _INDICATOR_ALIASES[key]
    if key.lower() in Indicator.values:
        return key.lower()
    for indicator in Indicator:
        if key == str(indicator.label):
            return indicator.value
    return None


def read_readings_file(*, content: bytes, filename: str):
    """Read an uploaded .xlsx or .csv of readings (the roster's reader, with this layout). Raises
    ValidationError when the file is empty, too large, of another type, unreadable, or lacks a column."""
    dataset = read_upload(content, filename, READINGS_LAYOUT)
    if missing := [h for h in REQUIRED_HEADERS if h not in dataset.headers]:
        raise ValidationError(
            _("The file needs these columns: %(columns)s."), code="no_header", params={"columns": "、".join(missing)}
        )
    return dataset


@dataclass
class ReadingsReport:
    readings: int = 0  # readings that are (or would be) saved
    assets: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _code_key(code) -> str:
    """Asset codes as people type them: j188-12, Ｊ188－12 and J188-12 are the same well."""
    return unicodedata.normalize("NFKC", str(code)).strip().upper()


def _parse_value(raw) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, float):
        raw = repr(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


class _RowChecker:
    """Checks the rows of one file against the branch, in a fixed number of queries."""

    def __init__(self, *, actor: Actor, branch, today: dt.date):
        self.today = today
        self.codes = {_code_key(code): pk for code, pk in Asset.objects.filter(branch=branch).values_list("code", "pk")}
        in_scope = assets_visible_to(actor).filter(branch=branch) if can(actor, Can.ENTER_READINGS) else None
        self.states = asset_states(in_scope) if in_scope is not None else {}
        self.errors: list[RowError] = []

    def error(self, row: int, column: str, error: ValidationError, value="") -> None:
        for message in error.messages:
            self.errors.append(RowError(row, column, error.code or "invalid", message, _display(value)))

    def row(self, number: int, cells: dict) -> Reading | None:
        bad = len(self.errors)
        code = cell_value(cells.get(CODE))
        state = None
        if code is None:
            self.error(number, CODE, ValidationError(_("Enter the asset code."), code="required"))
        elif _code_key(code) not in self.codes:
            message = _("There is no asset %(code)s in the branch.")
            self.error(number, CODE, ValidationError(message, code="unknown_asset", params={"code": code}), code)
        elif (state := self.states.get(self.codes[_code_key(code)])) is None:
            message = _("You may not enter readings for %(code)s.")
            self.error(number, CODE, ValidationError(message, code="out_of_scope", params={"code": code}), code)
        indicator = self._indicator(number, cells.get(INDICATOR))
        day = self._date(number, cells.get(DATE))
        value = self._value(number, cells.get(VALUE))
        unit = cell_value(cells.get(UNIT))
        if state is None or indicator is None or day is None or value is None or len(self.errors) > bad:
            return None
        stored_on, problems = check_reading(state, ReadingInput(indicator, day, value, unit and str(unit)), self.today)
        columns = {"asset": CODE, "indicator": INDICATOR, "reading_on": DATE, "value": VALUE, "unit": UNIT}
        shown = {"asset": code, "indicator": cells.get(INDICATOR), "reading_on": day, "value": value, "unit": unit}
        for part, errors in problems.items():
            for error in errors:
                self.error(number, columns[part], error, shown[part])
        if problems:
            return None
        return Reading(asset=state.asset, indicator=indicator, reading_on=stored_on, value=value)

    def _indicator(self, number, raw) -> str | None:
        if is_blank(raw):
            self.error(number, INDICATOR, ValidationError(_("Enter the indicator."), code="required"))
            return None
        if (indicator := indicator_from_text(cell_value(raw))) is None:
            names = "、".join(INDICATOR_NAMES.values())
            message = _("Unknown indicator “%(value)s”; use one of %(names)s.")
            self.error(
                number,
                INDICATOR,
                ValidationError(message, code="indicator", params={"value": raw, "names": names}),
                raw,
            )
        return indicator

    def _date(self, number, raw) -> dt.date | None:
        if is_blank(raw):
            self.error(number, DATE, ValidationError(_("Enter the date."), code="required"))
            return None
        try:
            return _DATES.clean(raw)
        except CellError as exc:
            self.error(number, DATE, exc.as_validation_error(), raw)
            return None

    def _value(self, number, raw) -> Decimal | None:
        if is_blank(raw):
            self.error(number, VALUE, ValidationError(_("Enter the value."), code="required"))
            return None
        try:
            value = _parse_value(cell_value(raw))
        except ValueError:
            message = _("“%(value)s” is not a number; enter digits only, without the unit.")
            self.error(number, VALUE, ValidationError(message, code="not_a_number", params={"value": raw}), raw)
            return None
        if value > MAX_VALUE:
            self.error(
                number,
                VALUE,
                ValidationError(_("%(value)s is too large."), code="too_large", params={"value": raw}),
                raw,
            )
            return None
        return _cents(value)


def _check_duplicates(checker: _RowChecker, readings: list[tuple[int, Reading]]) -> None:
    """Two rows of the file for the same period, or a row for a period already stored."""
    first_row: dict[tuple, int] = {}
    for number, reading in readings:
        key = (reading.asset_id, reading.indicator, reading.reading_on)
        if key in first_row:
            message = _("Row %(row)s already has a reading of %(indicator)s for %(asset)s for %(period)s.")
            params = {
                "row": first_row[key],
                "indicator": Indicator(reading.indicator).label,
                "asset": reading.asset.code,
                "period": period_label(reading.indicator, reading.reading_on),
            }
            checker.error(
                number, DATE, ValidationError(message, code="duplicate_in_file", params=params), reading.reading_on
            )
        else:
            first_row[key] = number
    if not readings:
        return
    dates = [r.reading_on for _, r in readings]
    stored = set(
        Reading.objects.filter(
            asset_id__in={r.asset_id for _, r in readings}, reading_on__range=(min(dates), max(dates))
        ).values_list("asset_id", "indicator", "reading_on")
    )
    for number, reading in readings:
        if (reading.asset_id, reading.indicator, reading.reading_on) in stored:
            checker.error(
                number, DATE, _duplicate_error(reading.asset, reading.indicator, reading.reading_on), reading.reading_on
            )


def _apply(*, actor: Actor, branch, content: bytes, filename: str, today, dry_run: bool) -> ReadingsReport:
    dataset = read_readings_file(content=content, filename=filename)
    checker = _RowChecker(actor=actor, branch=branch, today=today or timezone.localdate())
    readings, filled = [], 0
    for number, values in enumerate(dataset, start=dataset.header_row + 1):
        cells = dict(zip(dataset.headers, values, strict=True))
        if is_blank(cells.get(DATE)) and is_blank(cells.get(VALUE)):
            continue  # a blank row, or a template line nobody filled in
        filled += 1
        if (reading := checker.row(number, cells)) is not None:
            reading.entered_by = actor.member
            readings.append((number, reading))
    _check_duplicates(checker, readings)
    errors = sorted(checker.errors, key=lambda e: (e.row or 0, IMPORT_HEADERS.index(e.column) if e.column else -1))
    report = ReadingsReport(errors=errors)
    if not filled:
        report.errors.append(RowError(None, "", "no_rows", gettext("The file holds no readings.")))
    # The rows without errors, counted even when others are bad: what the file adds once corrected.
    bad = {error.row for error in errors}
    good = [r for number, r in readings if number not in bad]
    dates = [r.reading_on for r in good]
    report.readings, report.assets = len(good), len({r.asset_id for r in good})
    report.first_date, report.last_date = (min(dates), max(dates)) if dates else (None, None)
    if report.ok and not dry_run:
        try:
            with transaction.atomic():
                Reading.objects.bulk_create([r for _, r in readings], batch_size=2000)
        except IntegrityError:
            message = gettext("Some of these readings were entered meanwhile, so nothing was saved. Try again.")
            report.errors.append(RowError(None, "", "not_saved", message))
        else:
            report.saved = True
    return report


def readings_preview(*, actor: Actor, branch, content: bytes, filename: str, today=None) -> ReadingsReport:
    """What importing this file would do, with every bad row. Saves nothing. Raises ValidationError
    when the file itself cannot be read."""
    return _apply(actor=actor, branch=branch, content=content, filename=filename, today=today, dry_run=True)


def readings_import(*, actor: Actor, branch, content: bytes, filename: str, today=None) -> ReadingsReport:
    """Import every reading of the file or none: `report.saved` is False, and nothing was written, when
    any row is bad. Rows are checked like readings entered on the form, within the actor's scope (a
    member: their own asset). Raises ValidationError when the file itself cannot be read."""
    report = _apply(actor=actor, branch=branch, content=content, filename=filename, today=today, dry_run=False)
    logger.info(
        "Readings import into branch %s by user %s: saved=%s readings=%d errors=%d",
        getattr(branch, "pk", None),
        actor.user_id,
        report.saved,
        report.readings,
        len(report.errors),
    )
    return report


def readings_template(*, actor: Actor, branch, today: dt.date) -> bytes:
    """An .xlsx to fill in: the headers, and a line per target of each asset the actor may enter
    readings for, with the date and value left empty (lines left empty are skipped on import)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Readings")
    sheet.append(list(IMPORT_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    states = asset_states(assets_visible_to(actor).filter(branch=branch)) if can(actor, Can.ENTER_READINGS) else {}
    for state in sorted(states.values(), key=lambda s: s.asset.code):
        for indicator in sorted(state.targets, key=Indicator.values.index):
            sheet.append([state.asset.code, INDICATOR_NAMES[indicator], None, None, Indicator(indicator).spec.unit])
    for letter, width in {"A": 12, "B": 12, "C": 12, "D": 10, "E": 8}.items():
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["C"].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(gettext("Instructions"))
    notes.append([gettext("Indicator"), gettext("Unit"), gettext("How often")])
    for indicator, name in INDICATOR_NAMES.items():
        spec = Indicator(indicator).spec
        often = gettext("monthly, dated the 1st") if spec.monthly else gettext("daily")
        notes.append([name, spec.unit, often])
    notes.append([])
    notes.append([gettext("One reading a row. Lines without a date and a value are skipped.")])
    notes.append([gettext("Nothing is saved while any row has an error; the preview lists them all.")])
    notes.column_dimensions["A"].width = 14
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
