"""Forums, appeals and care as spreadsheets, for the admin site.

A forum is named by its date and work team, an appeal by the day it was received, its requester and
what is asked, a care occasion by its employee, kind and date, a visit by its occasion and date.
Employees are written 姓名（班组） (the name alone when no other employee has it), members by employee
number, several of them separated by 、. The rules of activities/services/appeals.py and care.py
apply to the rows an import adds or changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from types import SimpleNamespace

from django.utils.translation import gettext_lazy as _

from branch.models import WorkTeam
from branch.spreadsheets import ChoiceWidget, DateWidget, TextWidget
from branch.spreadsheets.records import RecordSheetResource, column, name_column
from members.resources_records import (
    branch_members,
    employee_column,
    employee_label,
    load_employees,
    member_column,
    team_column,
)

from .models import Appeal, CareOccasion, CareVisit, Forum
from .services import appeals as appeal_rules

# ---- forums -------------------------------------------------------------------------------------------------


class ForumResource(RecordSheetResource):
    """Opinion forums (群众意见恳谈会), by date and work team, with who came."""

    sheet_title = _("Opinion forums")
    key_attributes = ("held_on", "work_team")
    required_for_new = key_attributes
    same_record_message = _("Row %(row)d is about the same forum.")

    held_on = column("held_on", "日期", DateWidget())
    work_team = team_column()
    members_present = member_column("members_present", "参加党员员工编号", many=True)
    employees_present = employee_column("employees_present", "参加员工", many=True)
    notes = column("notes", "记录", TextWidget(20000))
    export_select_related = ("work_team",)
    export_prefetch_related = ("members_present", "employees_present__work_team")
    export_ordering = ("held_on", "pk")

    class Meta:
        model = Forum
        fields = import_order = export_order = ("held_on", "work_team", "members_present", "employees_present", "notes")

    def load(self):
        self.fill(branch_members(self), "members_present")
        self.fill(WorkTeam.objects.filter(branch=self.branch), "work_team")
        load_employees(self, "employees_present")
        return Forum.objects.filter(branch=self.branch).select_related("work_team")

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "held_on")


# ---- appeals ------------------------------------------------------------------------------------------------

CHANNEL_LABELS = {
    Appeal.Channel.FORUM: "恳谈会",
    Appeal.Channel.QQ: "QQ群",
    Appeal.Channel.PHONE: "电话",
    Appeal.Channel.IN_PERSON: "当面",
    Appeal.Channel.LETTER: "信件",
}
CHANNEL_ALIASES = {"意见恳谈会": "forum", "QQ": "qq", "qq群": "qq", "面谈": "in_person", "来信": "letter"}
CATEGORY_LABELS = {
    Appeal.Category.WORK: "生产工作",
    Appeal.Category.SAFETY: "安全",
    Appeal.Category.WELFARE: "薪酬福利",
    Appeal.Category.LIVING: "生活条件",
    Appeal.Category.TRAINING: "培训发展",
    Appeal.Category.OTHER: "其他",
}
STATUS_LABELS = {
    Appeal.Status.RECEIVED: "已受理",
    Appeal.Status.IN_PROGRESS: "办理中",
    Appeal.Status.ANSWERED: "已答复",
    Appeal.Status.CLOSED: "已办结",
}
SATISFACTION_LABELS = {
    Appeal.Satisfaction.VERY_SATISFIED: "满意",
    Appeal.Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Appeal.Satisfaction.NOT_SATISFIED: "不满意",
}


def _forum_cell(getter):
    return lambda appeal: getter(appeal.forum) if appeal.forum_id else None


class AppealResource(RecordSheetResource):
    """Employees' appeals, followed until answered."""

    sheet_title = _("Appeals")
    key_attributes = ("received_on", "requester", "content")
    required_for_new = (*key_attributes, "channel", "category", "handler")
    derived_fields = ("forum", "deadline")
    same_record_message = _("Row %(row)d is about the same appeal.")

    received_on = column("received_on", "受理日期", DateWidget())
    requester = employee_column("requester", "诉求人")
    content = column("content", "诉求内容", TextWidget(5000, normalize=str.strip))
    channel = column("channel", "渠道", ChoiceWidget(CHANNEL_LABELS, aliases=CHANNEL_ALIASES, code="invalid_channel"))
    forum_held_on = column("forum_held_on", "恳谈会日期", DateWidget(), getter=_forum_cell(lambda f: f.held_on))
    forum_team = team_column("forum_team", "恳谈会班组", getter=_forum_cell(lambda f: f.work_team))
    category = column("category", "类别", ChoiceWidget(CATEGORY_LABELS, aliases={"其它": "other"}))
    handler = member_column("handler", "承办人员工编号")
    handler_name = name_column("handler__name", "承办人")
    deadline = column("deadline", "答复期限", DateWidget())
    status = column("status", "状态", ChoiceWidget(STATUS_LABELS, aliases={"已办理": "answered", "办结": "closed"}))
    answer = column("answer", "答复内容", TextWidget(5000))
    answered_on = column("answered_on", "答复日期", DateWidget())
    closed_on = column("closed_on", "办结日期", DateWidget())
    satisfaction = column("satisfaction", "满意度", ChoiceWidget(SATISFACTION_LABELS))
    export_select_related = ("requester__work_team", "forum__work_team", "handler")
    export_ordering = ("received_on", "pk")

    class Meta:
        model = Appeal
        fields = import_order = export_order = (
            "received_on",
            "requester",
            "content",
            "channel",
            "forum_held_on",
            "forum_team",
            "category",
            "handler",
            "handler_name",
            "deadline",
            "status",
            "answer",
            "answered_on",
            "closed_on",
            "satisfaction",
        )

    def load(self):
        self.fill(branch_members(self), "handler")
        self.fill(WorkTeam.objects.filter(branch=self.branch), "forum_team")
        load_employees(self, "requester")
        self._forums = defaultdict(list)
        for forum in Forum.objects.filter(branch=self.branch):
            self._forums[(forum.held_on, forum.work_team_id)].append(forum)
        return Appeal.objects.filter(branch=self.branch).select_related("requester")

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._stored_status = Appeal.Status.RECEIVED if new else instance.status

    def complete_instance(self, instance, ctx) -> None:
        day, team = self.cells.get("forum_held_on"), self.cells.get("forum_team")
        if day is not None or team is not None:
            found = self._forums.get((day, team.pk if team else None), []) if day and team else []
            if len(found) == 1:
                instance.forum = found[0]
            else:
                ctx.add(
                    "forum_held_on",
                    _("There is no forum with %(team)s on %(date)s in the branch; give both its date and work team."),
                    code="unknown_forum",
                    team=team.name if team else "—",
                    date=day.isoformat() if day else "—",
                )
        if instance.pk is None and instance.deadline is None and instance.received_on:
            instance.deadline = instance.received_on + dt.timedelta(days=self.branch.appeal_answer_days)

    def check_instance(self, instance, errors) -> None:
        if errors:
            return
        self.check_not_future(instance, errors, "received_on")
        forum = instance.forum if instance.forum_id else None
        if forum is not None:
            if instance.channel != Appeal.Channel.FORUM:
                self.add_error(
                    errors, "channel", _("An appeal raised at a forum has the channel “opinion forum”."), "channel"
                )
            if instance.received_on != forum.held_on:
                self.add_error(
                    errors,
                    "received_on",
                    _("An appeal raised at a forum is received on the day of the forum."),
                    "forum_day",
                )
        elif instance.channel == Appeal.Channel.FORUM:
            self.add_error(
                errors, "channel", _("Choose the forum the appeal was raised at, or another channel."), "channel"
            )
        if instance.pk is None and instance.handler.is_archived:
            self.add_error(errors, "handler", _("The handler must be a current member of the branch."), "handler")
        if instance.deadline < instance.received_on:
            self.add_error(
                errors, "deadline", _("The deadline cannot be before the day the appeal was received."), "deadline"
            )
        stored = SimpleNamespace(status=self._stored_status, received_on=instance.received_on)
        problems = appeal_rules._progress_errors(
            stored,
            status=instance.status,
            answer=instance.answer.strip(),
            answered_on=instance.answered_on,
            closed_on=instance.closed_on,
            satisfaction=instance.satisfaction,
        )
        for key, found in problems.items():
            errors.setdefault(key, []).extend(found)


# ---- care ---------------------------------------------------------------------------------------------------

CARE_LABELS = {
    CareOccasion.Kind.HOSPITALISED: "住院",
    CareOccasion.Kind.HARDSHIP: "困难",
    CareOccasion.Kind.MARRIAGE: "结婚",
    CareOccasion.Kind.CHILDBIRTH: "生育",
    CareOccasion.Kind.CHILD_UNIVERSITY: "子女升学",
}
CARE_ALIASES = {
    "生病住院": "hospitalised",
    "家庭困难": "hardship",
    "生活困难": "hardship",
    "生小孩": "childbirth",
    "子女考上大学": "child_university",
}


def _care_kind_widget() -> ChoiceWidget:
    return ChoiceWidget(CARE_LABELS, aliases=CARE_ALIASES, code="invalid_occasion")


class CareOccasionResource(RecordSheetResource):
    """五一定 occasions: an employee, what happened and when."""

    sheet_title = _("Care occasions")
    key_attributes = ("employee", "kind", "occurred_on")
    required_for_new = key_attributes
    same_record_message = _("Row %(row)d is about the same occasion.")

    employee = employee_column()
    kind = column("kind", "事由", _care_kind_widget())
    occurred_on = column("occurred_on", "发生日期", DateWidget())
    reported_on = column("reported_on", "报告日期", DateWidget())
    details = column("details", "详情", TextWidget(5000))
    reported_by = member_column("reported_by", "报告人员工编号")
    export_select_related = ("employee__work_team", "reported_by")
    export_ordering = ("occurred_on", "pk")

    class Meta:
        model = CareOccasion
        fields = import_order = export_order = (
            "employee",
            "kind",
            "occurred_on",
            "reported_on",
            "details",
            "reported_by",
        )

    def load(self):
        self.fill(branch_members(self), "reported_by")
        load_employees(self, "employee")
        return CareOccasion.objects.filter(branch=self.branch).select_related("employee")

    def complete_instance(self, instance, ctx) -> None:
        if instance.pk is None and instance.reported_on is None:
            instance.reported_on = self._today

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "occurred_on", "reported_on")
        if not errors and instance.reported_on < instance.occurred_on:
            self.add_error(errors, "reported_on", _("An occasion cannot be reported before it happened."), "early")


def _occasion_cell(getter):
    return lambda visit: getter(visit.occasion)


class CareVisitResource(RecordSheetResource):
    """Visits for care occasions: the occasion by employee, kind and date, the visit by its date."""

    sheet_title = _("Care visits")
    key_attributes = ("occasion_employee", "occasion_kind", "occasion_occurred_on", "visited_on")
    required_for_new = (*key_attributes, "visitors", "brought")
    derived_fields = ("occasion",)
    same_record_message = _("Row %(row)d is about the same visit.")

    occasion_employee = employee_column("occasion_employee", "员工", getter=_occasion_cell(lambda o: o.employee))
    occasion_kind = column("occasion_kind", "事由", _care_kind_widget(), getter=_occasion_cell(lambda o: o.kind))
    occasion_occurred_on = column(
        "occasion_occurred_on", "发生日期", DateWidget(), getter=_occasion_cell(lambda o: o.occurred_on)
    )
    visited_on = column("visited_on", "走访日期", DateWidget())
    visitors = member_column("visitors", "走访人员工编号", many=True)
    brought = column("brought", "慰问内容", TextWidget(200))
    note = column("note", "备注", TextWidget(5000))
    export_select_related = ("occasion__employee__work_team",)
    export_prefetch_related = ("visitors",)
    export_ordering = ("visited_on", "pk")

    class Meta:
        model = CareVisit
        fields = import_order = export_order = (
            "occasion_employee",
            "occasion_kind",
            "occasion_occurred_on",
            "visited_on",
            "visitors",
            "brought",
            "note",
        )

    @classmethod
    def branch_path(cls) -> str:
        return "occasion__branch"

    def load(self):
        self.fill(branch_members(self), "visitors")
        load_employees(self, "occasion_employee")
        occasions = list(CareOccasion.objects.filter(branch=self.branch).select_related("employee"))
        self._occasions = defaultdict(list)
        for occasion in occasions:
            self._occasions[(occasion.employee_id, occasion.kind, occasion.occurred_on)].append(occasion)
        by_pk = {occasion.pk: occasion for occasion in occasions}
        visits = list(CareVisit.objects.filter(occasion__branch=self.branch))
        for visit in visits:
            visit.occasion = by_pk[visit.occasion_id]
        return visits

    def instance_key(self, instance) -> tuple:
        return (instance.occasion_id, instance.visited_on)

    def natural_key(self, ctx, keys) -> tuple | None:
        employee, kind, day = keys["occasion_employee"], keys["occasion_kind"], keys["occasion_occurred_on"]
        if employee is None or kind is None or day is None:
            return None
        found = self._occasions.get((employee.pk, kind, day), [])
        if len(found) != 1:
            ctx.add(
                "occasion_employee",
                _("There is no care occasion %(occasion)s in the branch.")
                if not found
                else _("The branch has %(count)d care occasions %(occasion)s; correct them in the admin first."),
                code="unknown_occasion",
                occasion=f"{employee_label(employee)} {CARE_LABELS[kind]} {day.isoformat()}",
                count=len(found),
            )
            return None
        self.cells["occasion"] = found[0]
        return None if keys["visited_on"] is None else (found[0].pk, keys["visited_on"])

    def complete_instance(self, instance, ctx) -> None:
        if "occasion" in self.cells:
            instance.occasion = self.cells["occasion"]

    def check_instance(self, instance, errors) -> None:
        occasion = self.cells.get("occasion")
        if occasion is not None and instance.visited_on and "visited_on" not in errors:
            if instance.visited_on < occasion.occurred_on:
                self.add_error(
                    errors,
                    "visited_on",
                    _("A visit cannot be dated before its occasion (%(date)s)."),
                    "before_occasion",
                    date=occasion.occurred_on.isoformat(),
                )
            else:
                self.check_not_future(instance, errors, "visited_on")
        if any(visitor.is_archived for visitor in self.cells.get("visitors", ())):
            self.add_error(
                errors, "visitors", _("Every visitor must be a current member of the branch."), "other_branch"
            )
