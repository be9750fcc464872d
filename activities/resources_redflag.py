"""Red-flag work as spreadsheets, for the admin site: assignments (五定), their targets and readings.

An asset is named by its code (compared as activities/services/assets.py normalises it), an
assignment by its asset and start date, a member by employee number, an indicator by its Chinese
name (日产油 …). Readings keep the secretaries' file format (activities/services/redflag.py's
READINGS_LAYOUT: 设备编号, 指标, 日期, 数值, 单位) and its rules for new readings. The rules of
activities/services/redflag.py apply to the rows an import adds or changes: one responsible member at
a time per asset, no overlapping assignments, targets and readings in the indicator's unit and range.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext_lazy as _
from import_export import widgets

from branch.spreadsheets import CellError, DateWidget, TextWidget, cell_value
from branch.spreadsheets.lookups import LookupWidget
from branch.spreadsheets.records import RecordSheetResource, column, name_column
from members.resources_records import branch_members, member_column

from .models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment
from .services import redflag as rules
from .services.assets import normalize_asset_code

CODE, INDICATOR, UNIT = rules.CODE, rules.INDICATOR, rules.UNIT


def asset_column(attribute: str = "asset", header: str = CODE, *, getter=None):
    return column(
        attribute,
        header,
        LookupWidget(
            label=lambda asset: asset.code,
            message=_("There is no asset %(code)s in the branch."),
            code="unknown_asset",
            normalize=normalize_asset_code,
            param="code",
        ),
        getter=getter,
    )


class IndicatorWidget(widgets.Widget):
    """An indicator by its name in files (日产油 …), a common alias, its code or its label."""

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        if (indicator := rules.indicator_from_text(value)) is None:
            raise CellError(
                _("Unknown indicator “%(value)s”; use one of %(names)s."),
                code="indicator",
                params={"value": value, "names": "、".join(rules.INDICATOR_NAMES.values())},
            )
        return indicator

    def render(self, value, obj=None, **kwargs):
        return rules.INDICATOR_NAMES.get(value, value or "")


class ValueWidget(widgets.Widget):
    """A figure as the secretaries' readings import reads it (1,234.5 too), rounded to cents."""

    def clean(self, value, row=None, **kwargs):
        value = cell_value(value)
        if value is None:
            return None
        try:
            return rules._cents(rules._parse_value(value))
        except ValueError:
            raise CellError(
                _("“%(value)s” is not a number; enter digits only, without the unit."),
                code="not_a_number",
                params={"value": value},
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else str(value)


def _unit_column():
    """The indicator's unit: written out for people, checked (not stored) on import."""
    return column("unit", UNIT, TextWidget(20), getter=lambda obj: Indicator(obj.indicator).spec.unit)


def _check_unit(resource, instance, errors) -> None:
    unit = resource.cells.get("unit")
    if instance.indicator and unit and not rules.unit_matches(instance.indicator, unit):
        errors.setdefault("unit", []).append(rules._unit_error(instance.indicator, unit))


# ---- assignments -------------------------------------------------------------------------------------------


class RedFlagAssignmentResource(RecordSheetResource):
    """Who is in charge of which asset, from when to when, and how."""

    sheet_title = _("Red-flag assignments")
    key_attributes = ("asset", "started_on")
    required_for_new = ("asset", "started_on", "member", "schedule", "method", "fit_reason")
    same_record_message = _("Row %(row)d is about the same assignment.")

    asset = asset_column()
    member = member_column()
    member_name = name_column()
    schedule = column("schedule", "定时", TextWidget(200))
    method = column("method", "定方法", TextWidget(5000))
    fit_reason = column("fit_reason", "选派理由", TextWidget(200))
    started_on = column("started_on", "开始日期", DateWidget())
    ended_on = column("ended_on", "结束日期", DateWidget())
    end_reason = column("end_reason", "结束原因", TextWidget(200))
    export_select_related = ("asset", "member")
    export_ordering = ("asset__code", "started_on")

    class Meta:
        model = RedFlagAssignment
        fields = import_order = export_order = (
            "asset",
            "member",
            "member_name",
            "schedule",
            "method",
            "fit_reason",
            "started_on",
            "ended_on",
            "end_reason",
        )

    @classmethod
    def branch_path(cls) -> str:
        return "asset__branch"

    def load(self):
        self.fill(branch_members(self), "member")
        self.fill(Asset.objects.filter(branch=self.branch), "asset")
        assignments = list(
            RedFlagAssignment.objects.filter(asset__branch=self.branch).select_related("asset", "member")
        )
        # Each asset's assignments as (record, start, end, member): the stored ones, then the file's.
        self._spans = defaultdict(dict)
        for a in assignments:
            self._spans[a.asset_id][a.pk] = (a.started_on, a.ended_on, a.member.name)
        return assignments

    def check_instance(self, instance, errors) -> None:
        today = self._today
        if instance.started_on and instance.started_on > today and "started_on" not in errors:
            self.add_error(errors, "started_on", _("An assignment cannot start in the future."), "future")
        if instance.ended_on and "ended_on" not in errors:
            if instance.started_on and instance.ended_on < instance.started_on:
                self.add_error(errors, "ended_on", _("An assignment cannot end before it starts."), "ends_early")
            elif instance.ended_on > today:
                self.add_error(errors, "ended_on", _("An assignment cannot end in the future."), "future")
            if not instance.end_reason.strip():
                self.add_error(errors, "end_reason", _("Say why the assignment ends."), "no_reason")
        if instance.pk is None and instance.member_id and instance.asset_id:
            self._check_new(instance, errors)
        if not errors:
            self._check_overlap(instance, errors)

    def _check_new(self, instance, errors) -> None:
        member, asset = instance.member, instance.asset
        if member.is_archived:
            self.add_error(errors, "member", _("%(name)s has left the branch."), "archived", name=member.name)
        elif not member.is_party_member:
            self.add_error(errors, "member", _("Only Party members take charge of red-flag assets."), "not_party")
        if asset.status == Asset.Status.RETIRED:
            self.add_error(errors, "asset", _("A retired asset cannot be assigned."), "retired")

    def _check_overlap(self, instance, errors) -> None:
        """Assignments of an asset never overlap (a handover on the same day is fine); at most one is
        active."""
        start, end = instance.started_on, instance.ended_on
        spans = self._spans[instance.asset_id]
        token = instance.pk or ("row", self._row.number)
        for other, (other_start, other_end, name) in spans.items():
            if other == token:
                continue
            if end is None and other_end is None:
                self.add_error(
                    errors,
                    "asset",
                    _(
                        "%(asset)s already has a responsible member: %(member)s since %(date)s. "
                        "End that assignment first."
                    ),
                    "active_exists",
                    asset=instance.asset.code,
                    member=name,
                    date=other_start,
                )
                return
            if (end is None or other_start < end) and (other_end is None or start < other_end):
                self.add_error(
                    errors,
                    "started_on",
                    _(
                        "This would overlap the assignment of %(member)s (%(start)s to %(end)s); "
                        "start on %(end)s or later."
                    ),
                    "overlap",
                    member=name,
                    start=other_start,
                    end=other_end or "—",
                )
                return
        spans[token] = (start, end, instance.member.name)


# ---- targets --------------------------------------------------------------------------------------------------


class AssignmentTargetResource(RecordSheetResource):
    """定指标: the targets of each assignment, the assignment named by its asset and start date."""

    sheet_title = _("Targets")
    key_attributes = ("asset", "assignment_started_on", "indicator")
    required_for_new = (*key_attributes, "target")
    derived_fields = ("assignment",)
    same_record_message = _("Row %(row)d is about the same target.")

    asset = asset_column(getter=lambda t: t.assignment.asset)
    assignment_started_on = column(
        "assignment_started_on", "开始日期", DateWidget(), getter=lambda t: t.assignment.started_on
    )
    indicator = column("indicator", INDICATOR, IndicatorWidget())
    target = column("target", "目标值", ValueWidget())
    unit = _unit_column()
    export_select_related = ("assignment__asset",)
    export_ordering = ("assignment__asset__code", "assignment__started_on", "indicator")

    class Meta:
        model = AssignmentTarget
        fields = import_order = export_order = ("asset", "assignment_started_on", "indicator", "target", "unit")

    @classmethod
    def branch_path(cls) -> str:
        return "assignment__asset__branch"

    def load(self):
        self.fill(Asset.objects.filter(branch=self.branch), "asset")
        self._assignments = {
            (a.asset_id, a.started_on): a
            for a in RedFlagAssignment.objects.filter(asset__branch=self.branch).select_related("asset")
        }
        return AssignmentTarget.objects.filter(assignment__asset__branch=self.branch)

    def instance_key(self, instance) -> tuple:
        return (instance.assignment_id, instance.indicator)

    def natural_key(self, ctx, keys) -> tuple | None:
        asset, started_on = keys["asset"], keys["assignment_started_on"]
        if asset is None or started_on is None:
            return None
        assignment = self._assignments.get((asset.pk, started_on))
        if assignment is None:
            ctx.add(
                "assignment_started_on",
                _("%(asset)s has no assignment starting on %(date)s."),
                code="unknown_assignment",
                asset=asset.code,
                date=started_on.isoformat(),
            )
            return None
        self.cells["assignment"] = assignment
        return None if keys["indicator"] is None else (assignment.pk, keys["indicator"])

    def complete_instance(self, instance, ctx) -> None:
        if "assignment" in self.cells:
            instance.assignment = self.cells["assignment"]

    def check_instance(self, instance, errors) -> None:
        assignment = self.cells.get("assignment")
        if assignment is not None and assignment.ended_on is not None:
            self.add_error(errors, "target", _("The targets of an ended assignment cannot change."), "ended_assignment")
        if instance.indicator and instance.target is not None and "target" not in errors:
            errors.setdefault("target", []).extend(
                rules._value_errors(instance.indicator, instance.target, what="target")
            )
            if not errors["target"]:
                del errors["target"]
        _check_unit(self, instance, errors)


# ---- readings -------------------------------------------------------------------------------------------------


class ReadingResource(RecordSheetResource):
    """Production readings, in the secretaries' readings file format."""

    layout = rules.READINGS_LAYOUT
    sheet_title = _("Readings")
    key_attributes = ("asset", "indicator", "reading_on")
    required_for_new = (*key_attributes, "value")
    same_record_message = _("Row %(row)d is about the same reading.")

    asset = asset_column()
    indicator = column("indicator", INDICATOR, IndicatorWidget())
    reading_on = column("reading_on", rules.DATE, DateWidget())
    value = column("value", rules.VALUE, ValueWidget())
    unit = _unit_column()
    export_select_related = ("asset",)
    export_ordering = ("asset__code", "indicator", "reading_on")

    class Meta:
        model = Reading
        fields = import_order = export_order = ("asset", "indicator", "reading_on", "value", "unit")

    @classmethod
    def branch_path(cls) -> str:
        return "asset__branch"

    def load(self):
        assets = Asset.objects.filter(branch=self.branch)
        self._states = rules.asset_states(assets)
        self.fill([state.asset for state in self._states.values()], "asset")
        return Reading.objects.filter(asset__branch=self.branch).select_related("asset")

    def natural_key(self, ctx, keys) -> tuple | None:
        if None in (keys["asset"], keys["indicator"], keys["reading_on"]):
            return None
        # A monthly indicator's reading is stored on the 1st of its month.
        return (keys["asset"].pk, keys["indicator"], rules.period_start(keys["indicator"], keys["reading_on"]))

    def complete_instance(self, instance, ctx) -> None:
        if instance.indicator and instance.reading_on:
            instance.reading_on = rules.period_start(instance.indicator, instance.reading_on)

    def check_instance(self, instance, errors) -> None:
        if errors:
            return
        if instance.pk is None:  # a new reading follows the rules of one entered on the page
            item = rules.ReadingInput(instance.indicator, instance.reading_on, instance.value, self.cells.get("unit"))
            _, problems = rules.check_reading(self._states[instance.asset_id], item, self._today)
            for part, found in problems.items():
                errors.setdefault(part, []).extend(found)
            return
        if problems := rules._value_errors(instance.indicator, instance.value, what="reading"):
            errors.setdefault("value", []).extend(problems)
        _check_unit(self, instance, errors)
