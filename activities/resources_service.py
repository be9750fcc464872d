"""Service activities as spreadsheets, for the admin site: activities and their attendance.

An activity is named by its title and date (日期, with 开始时间 and 结束时间: one day, as on the
activity form), a member by employee number. The rules of activities/services/service.py apply to the
rows an import adds or changes: the activity's kind, task, teacher, times and state; hours that
default to the activity's length and need a reason otherwise; when an activity's length changes,
attendees credited with the default hours follow it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from branch.spreadsheets import ChoiceWidget, DateWidget, TextWidget, YesNoWidget
from branch.spreadsheets.lookups import NumberWidget, TimeWidget
from branch.spreadsheets.records import RecordSheetResource, column, name_column
from members.resources_records import branch_members, member_column

from .models import Activity, ActivityAttendance
from .services import service as rules

KIND_LABELS = {
    Activity.Kind.DEDICATION_DAY: "党员奉献日",
    Activity.Kind.THEME_ACTIVITY: "主题活动",
    Activity.Kind.TOPIC_CLASS: "专题课堂",
    Activity.Kind.PAIRING_SESSION: "结对活动",
}
STATE_LABELS = {Activity.State.PLANNED: "计划", Activity.State.HELD: "已举办", Activity.State.CANCELLED: "已取消"}
STATE_ALIASES = {
    "计划中": Activity.State.PLANNED,
    "已开展": Activity.State.HELD,
    "已完成": Activity.State.HELD,
    "取消": Activity.State.CANCELLED,
}
TASK_LABELS = {
    Activity.Task.LEVEL_WELL_SITES: "平整井场",
    Activity.Task.PICK_UP_LITTER: "捡拾井区垃圾",
    Activity.Task.TIDY_STORES: "整理库房",
    Activity.Task.OTHER: "其他",
}
# Where the service's errors about stored fields show in the file.
ACTIVITY_ERROR_COLUMNS = {"starts_at": "start_time", "ends_at": "end_time"}


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _local_time(moment: dt.datetime) -> dt.time:
    return timezone.localtime(moment).time().replace(microsecond=0)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class ActivityResource(RecordSheetResource):
    """Dedication days, theme activities, topic classes and pairing sessions, by title and date."""

    sheet_title = _("Activities")
    key_attributes = ("title", "day")
    required_for_new = ("kind", "title", "day", "start_time", "end_time", "place", "organiser")
    derived_fields = ("starts_at", "ends_at")
    same_record_message = _("Row %(row)d is about the same activity.")

    kind = column("kind", "类型", ChoiceWidget(KIND_LABELS, aliases={"奉献日": "dedication_day"}, code="invalid_kind"))
    title = column("title", "名称", TextWidget(200, normalize=lambda text: " ".join(text.split())))
    day = column("day", "日期", DateWidget(), getter=lambda a: local_day(a.starts_at))
    start_time = column("start_time", "开始时间", TimeWidget(), getter=lambda a: _local_time(a.starts_at))
    end_time = column("end_time", "结束时间", TimeWidget(), getter=lambda a: _local_time(a.ends_at))
    place = column("place", "地点", TextWidget(200))
    organiser = member_column("organiser", "组织人员工编号")
    organiser_name = name_column("organiser__name", "组织人")
    state = column("state", "状态", ChoiceWidget(STATE_LABELS, aliases=STATE_ALIASES, code="invalid_state"))
    task = column("task", "任务", ChoiceWidget(TASK_LABELS, aliases={"其它": "other"}, code="invalid_task"))
    description = column("description", "内容", TextWidget(5000))
    teacher = column("teacher", "授课人", TextWidget(100))
    export_select_related = ("organiser",)
    export_ordering = ("starts_at", "pk")

    class Meta:
        model = Activity
        fields = import_order = export_order = (
            "kind",
            "title",
            "day",
            "start_time",
            "end_time",
            "place",
            "organiser",
            "organiser_name",
            "state",
            "task",
            "description",
            "teacher",
        )

    def load(self):
        self.fill(branch_members(self), "organiser")
        self._attended = set(
            ActivityAttendance.objects.filter(activity__branch=self.branch, present=True).values_list(
                "activity_id", flat=True
            )
        )
        self._old_hours: dict[int, object] = {}
        return Activity.objects.filter(branch=self.branch)

    def instance_key(self, instance) -> tuple:
        return (" ".join(instance.title.split()), local_day(instance.starts_at))

    def complete_instance(self, instance, ctx) -> None:
        stored = instance.pk is not None
        if stored:
            self._old_hours[instance.pk] = rules.default_hours(instance)
        day = self.cells.get("day") or (local_day(instance.starts_at) if stored else None)
        start = self.cells.get("start_time") or (_local_time(instance.starts_at) if stored else None)
        end = self.cells.get("end_time") or (_local_time(instance.ends_at) if stored else None)
        if day and start:
            instance.starts_at = _at(day, start)
        if day and end:
            instance.ends_at = _at(day, end)

    def check_instance(self, instance, errors) -> None:
        if errors or not (instance.starts_at and instance.ends_at and instance.organiser_id and instance.kind):
            return
        fields = {name: getattr(instance, name) for name in rules.ACTIVITY_FIELDS}
        try:
            rules._check(self.branch.pk, fields, attendees_present=instance.pk in self._attended)
        except ValidationError as exc:
            self.merge(errors, exc, ACTIVITY_ERROR_COLUMNS)

    def after_write(self, created, updated) -> None:
        """Attendees credited with the default hours follow a new length (those with a reason keep theirs)."""
        changed = {a.pk: rules.default_hours(a) for a in updated if rules.default_hours(a) != self._old_hours.get(a.pk)}
        if not changed:
            return
        following = list(ActivityAttendance.objects.filter(activity_id__in=changed, present=True, hours_reason=""))
        for row in following:
            row.hours = changed[row.activity_id]
        if following:
            bulk_update_with_history(
                following,
                ActivityAttendance,
                ["hours"],
                batch_size=500,
                default_user=self.user,
                default_change_reason=str(self.change_reason),
                default_date=self._now,
            )


class ActivityAttendanceResource(RecordSheetResource):
    """Who registered for and attended each activity, the activity by title and date."""

    sheet_title = _("Activity attendance")
    key_attributes = ("activity_title", "activity_day", "member")
    required_for_new = (*key_attributes, "present")
    derived_fields = ("activity", "hours", "hours_reason")
    same_record_message = _("Row %(row)d is about the same member at the same activity.")

    activity_title = column("activity_title", "活动名称", TextWidget(200), getter=lambda a: a.activity.title)
    activity_day = column("activity_day", "活动日期", DateWidget(), getter=lambda a: local_day(a.activity.starts_at))
    member = member_column()
    member_name = name_column()
    present = column("present", "出席", YesNoWidget())
    registered = column("registered", "报名", YesNoWidget())
    hours = column("hours", "时长（小时）", NumberWidget(places=1, minimum="0", maximum="99.9"))
    hours_reason = column("hours_reason", "时长说明", TextWidget(200))
    export_select_related = ("activity", "member")
    export_ordering = ("activity__starts_at", "activity__pk", "member__employee_number")

    class Meta:
        model = ActivityAttendance
        fields = import_order = export_order = (
            "activity_title",
            "activity_day",
            "member",
            "member_name",
            "present",
            "registered",
            "hours",
            "hours_reason",
        )

    @classmethod
    def branch_path(cls) -> str:
        return "activity__branch"

    def load(self):
        self.fill(branch_members(self), "member")
        activities = list(Activity.objects.filter(branch=self.branch))
        self._activities = defaultdict(list)
        for activity in activities:
            self._activities[(" ".join(activity.title.split()), local_day(activity.starts_at))].append(activity)
        by_pk = {activity.pk: activity for activity in activities}
        attendance = list(ActivityAttendance.objects.filter(activity__branch=self.branch).select_related("member"))
        for row in attendance:
            row.activity = by_pk[row.activity_id]
        return attendance

    def instance_key(self, instance) -> tuple:
        return (instance.activity_id, instance.member_id)

    def natural_key(self, ctx, keys) -> tuple | None:
        title, day = keys["activity_title"], keys["activity_day"]
        if title is None or day is None:
            return None
        found = self._activities.get((" ".join(title.split()), day), [])
        if len(found) != 1:
            message = (
                _("There is no activity “%(title)s” on %(date)s in the branch.")
                if not found
                else _("The branch has %(count)d activities “%(title)s” on %(date)s; correct them in the admin first.")
            )
            ctx.add(
                "activity_title", message, code="unknown_activity", title=title, date=day.isoformat(), count=len(found)
            )
            return None
        self.cells["activity"] = found[0]
        return None if keys["member"] is None else (found[0].pk, keys["member"].pk)

    def complete_instance(self, instance, ctx) -> None:
        activity = self.cells.get("activity")
        if activity is None or not instance.member_id:
            return
        instance.activity = activity
        if activity.state == Activity.State.CANCELLED:
            ctx.add("activity_title", _("The activity was cancelled; it has no attendance."), code="cancelled")
            return
        if instance.present and not rules.has_started(activity, self._now):
            ctx.add("present", _("Attendance can be taken once the activity has started."), code="not_started")
            return
        # Hours: the file's figure, else what is stored for someone already present, else the length.
        given = "hours" in ctx.filled or self._was_present
        mark = rules.Mark(
            present=instance.present, hours=instance.hours if given else None, hours_reason=instance.hours_reason
        )
        problems = []
        instance.hours, instance.hours_reason = rules._hours_for(activity, instance.member, mark, problems)
        for problem in problems:
            ctx.problems.setdefault("hours", []).append(problem)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._was_present = not new and instance.present
