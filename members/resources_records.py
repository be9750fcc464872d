"""The branch's people-side records as spreadsheets, for the admin site: committee seats, linked work
teams, pairings, employees, study records and development records.

Members are named by their employee number (员工编号), party groups and work teams by their name,
employees by 姓名（班组）; never by database ids. The name beside an employee number (姓名) is exported
for people to read and ignored on import. Headers and cell values are Chinese literals: they are the
file format. The lookup columns here are shared with activities/resources_*.py.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from branch.models import WorkTeam
from branch.spreadsheets import ChoiceWidget, DateWidget, TextWidget
from branch.spreadsheets.lookups import IntegerWidget, LookupWidget, ManyLookupWidget, NumberWidget
from branch.spreadsheets.records import RecordSheetResource, column, name_column

from .models import CommitteeRole, Development, Employee, Member, Pairing, StudyRecord, TeamLink
from .names import normalize_name
from .pipeline import ADULT_AGE, age_on
from .resources import PhoneWidget

EMPLOYEE_NUMBER = "员工编号"
UNKNOWN_MEMBER = _("The branch has no member with employee number “%(value)s”.")
UNKNOWN_EMPLOYEE = _("The branch has no employee “%(value)s”; write 姓名（班组） as on the employee list.")


# ---- lookup columns, shared with the activities -------------------------------------------------------


def member_column(attribute: str = "member", header: str = EMPLOYEE_NUMBER, *, many: bool = False, getter=None):
    """A member by employee number (or several, separated by 、)."""
    widget = (ManyLookupWidget if many else LookupWidget)(
        label=lambda member: member.employee_number, message=UNKNOWN_MEMBER, code="unknown_member"
    )
    return column(attribute, header, widget, getter=getter)


def team_column(attribute: str = "work_team", header: str = "班组", *, getter=None):
    return column(
        attribute,
        header,
        LookupWidget(
            label=lambda team: team.name,
            message=_("The branch has no work team named “%(value)s” (it has: %(known)s)."),
            code="unknown_work_team",
        ),
        getter=getter,
    )


def group_column(attribute: str = "party_group", header: str = "党小组", *, getter=None):
    return column(
        attribute,
        header,
        LookupWidget(
            label=lambda group: group.name,
            message=_("The branch has no party group named “%(value)s” (it has: %(known)s)."),
            code="unknown_party_group",
        ),
        getter=getter,
    )


def employee_label(employee: Employee) -> str:
    """An employee as people write them: 姓名（班组）, or the name alone without a team."""
    return f"{employee.name}（{employee.work_team.name}）" if employee.work_team_id else employee.name


def employee_column(attribute: str = "employee", header: str = "员工", *, many: bool = False, getter=None):
    """An employee by 姓名（班组）, or by name alone when no other employee of the branch has it."""
    widget = (ManyLookupWidget if many else LookupWidget)(
        label=employee_label,
        message=UNKNOWN_EMPLOYEE,
        code="unknown_employee",
        ambiguous_message=_("Several employees are called “%(value)s”: %(labels)s. Add the work team in brackets."),
    )
    return column(attribute, header, widget, getter=getter)


def load_employees(resource: RecordSheetResource, *names: str) -> list[Employee]:
    employees = list(Employee.objects.filter(branch=resource.branch).select_related("work_team"))
    resource.fill(employees, *names, extra_labels=(lambda employee: employee.name,))
    return employees


def branch_members(resource: RecordSheetResource) -> list[Member]:
    return list(Member.objects.filter(branch=resource.branch))


def _single_line(text: str) -> str:
    return " ".join(text.split())


class Holders:
    """Who holds something that only one record may hold at a time (a committee seat, a member's
    active link): the stored holders first, then the file's rows in order. Checked in memory; the
    database constraints stay the last word."""

    def __init__(self, records, key):
        self.key = key
        self.by_key = {key(record): record.pk for record in records}

    def taken(self, instance, row: int) -> bool:
        """Claim the instance's key for it; True when another record holds it."""
        holder = self.by_key.setdefault(self.key(instance), instance.pk or ("row", row))
        return holder != (instance.pk or ("row", row))

    def release(self, instance) -> None:
        """A stored holder the file ends no longer holds its key."""
        if instance.pk is not None and self.by_key.get(self.key(instance)) == instance.pk:
            del self.by_key[self.key(instance)]


# ---- committee seats ------------------------------------------------------------------------------------

ROLE_LABELS = {
    CommitteeRole.Role.SECRETARY: "书记",
    CommitteeRole.Role.DEPUTY: "副书记",
    CommitteeRole.Role.ORGANISATION: "组织委员",
    CommitteeRole.Role.PUBLICITY: "宣传委员",
    CommitteeRole.Role.DISCIPLINE: "纪检委员",
}
ROLE_ALIASES = {
    "支部书记": CommitteeRole.Role.SECRETARY,
    "党支部书记": CommitteeRole.Role.SECRETARY,
    "支部副书记": CommitteeRole.Role.DEPUTY,
    "纪律检查委员": CommitteeRole.Role.DISCIPLINE,
}


class CommitteeRoleResource(RecordSheetResource):
    """Seats on the branch committee: who, which seat, from when to when."""

    sheet_title = _("Committee roles")
    key_attributes = ("member", "role", "started_on")
    required_for_new = key_attributes
    same_record_message = _("Row %(row)d is about the same committee seat.")

    member = member_column()
    member_name = name_column()
    role = column("role", "职务", ChoiceWidget(ROLE_LABELS, aliases=ROLE_ALIASES, code="invalid_role"))
    started_on = column("started_on", "任职日期", DateWidget())
    ended_on = column("ended_on", "离任日期", DateWidget())
    export_select_related = ("member",)
    export_ordering = ("role", "started_on")

    class Meta:
        model = CommitteeRole
        fields = import_order = export_order = ("member", "member_name", "role", "started_on", "ended_on")

    def load(self):
        self.fill(branch_members(self), "member")
        roles = list(CommitteeRole.objects.filter(branch=self.branch).select_related("member"))
        # A seat has one holder at a time, and a member holds one seat at a time.
        active = [role for role in roles if role.ended_on is None]
        self._roles = Holders(active, lambda role: role.role)
        self._members = Holders(active, lambda role: role.member_id)
        return roles

    def check_instance(self, instance, errors) -> None:
        self.check_order(instance, errors, "started_on", "ended_on")
        self.check_not_future(instance, errors, "started_on", "ended_on")
        if instance.ended_on is not None:
            self._roles.release(instance)
            self._members.release(instance)
        elif not errors:
            if self._roles.taken(instance, self._row.number):
                self.add_error(errors, "role", _("Someone already holds this committee role."), "role_taken")
            if self._members.taken(instance, self._row.number):
                self.add_error(errors, "member", _("This member already holds a committee role."), "member_has_role")


# ---- linked work teams ------------------------------------------------------------------------------------


class TeamLinkResource(RecordSheetResource):
    """Committee members' linked work teams (联点班组)."""

    sheet_title = _("Linked work teams")
    key_attributes = ("member", "work_team", "started_on")
    required_for_new = key_attributes
    same_record_message = _("Row %(row)d is about the same link.")

    member = member_column()
    member_name = name_column()
    work_team = team_column()
    started_on = column("started_on", "开始日期", DateWidget())
    ended_on = column("ended_on", "结束日期", DateWidget())
    export_select_related = ("member", "work_team")
    export_ordering = ("member__employee_number", "started_on")

    class Meta:
        model = TeamLink
        fields = import_order = export_order = ("member", "member_name", "work_team", "started_on", "ended_on")

    @classmethod
    def branch_path(cls) -> str:
        return "member__branch"

    def load(self):
        self.fill(branch_members(self), "member")
        self.fill(WorkTeam.objects.filter(branch=self.branch), "work_team")
        links = list(TeamLink.objects.filter(member__branch=self.branch).select_related("member", "work_team"))
        self._members = Holders([link for link in links if link.ended_on is None], lambda link: link.member_id)
        return links

    def check_instance(self, instance, errors) -> None:
        self.check_order(instance, errors, "started_on", "ended_on")
        self.check_not_future(instance, errors, "started_on", "ended_on")
        if instance.ended_on is not None:
            self._members.release(instance)
        elif not errors and self._members.taken(instance, self._row.number):
            self.add_error(
                errors,
                "member",
                _("This committee member is already linked to a work team."),
                "already_linked",
            )


# ---- pairings ---------------------------------------------------------------------------------------------

PAIRING_LABELS = {Pairing.Kind.MUTUAL_HELP: "结对互帮", Pairing.Kind.HAN_MINORITY: "民汉搭档"}


class PairingResource(RecordSheetResource):
    """Mutual-help pairings and Han-minority partnerships."""

    sheet_title = _("Pairings")
    key_attributes = ("kind", "mentor", "mentee", "started_on")
    required_for_new = (*key_attributes, "goal")
    same_record_message = _("Row %(row)d is about the same pairing.")

    kind = column("kind", "类型", ChoiceWidget(PAIRING_LABELS, aliases={"互帮": "mutual_help", "民汉": "han_minority"}))
    mentor = member_column("mentor", "帮带人员工编号")
    mentor_name = name_column("mentor__name", "帮带人")
    mentee = member_column("mentee", "结对人员工编号")
    mentee_name = name_column("mentee__name", "结对人")
    goal = column("goal", "目标", TextWidget(200, normalize=_single_line))
    started_on = column("started_on", "开始日期", DateWidget())
    ended_on = column("ended_on", "结束日期", DateWidget())
    export_select_related = ("mentor", "mentee")
    export_ordering = ("started_on", "pk")

    class Meta:
        model = Pairing
        fields = import_order = export_order = (
            "kind",
            "mentor",
            "mentor_name",
            "mentee",
            "mentee_name",
            "goal",
            "started_on",
            "ended_on",
        )

    def load(self):
        self.fill(branch_members(self), "mentor", "mentee")
        return Pairing.objects.filter(branch=self.branch).select_related("mentor", "mentee")

    def check_instance(self, instance, errors) -> None:
        self.check_order(instance, errors, "started_on", "ended_on")
        self.check_not_future(instance, errors, "started_on", "ended_on")
        if instance.mentor_id is not None and instance.mentor_id == instance.mentee_id:
            self.add_error(errors, "mentee", _("A member cannot be paired with themself."), "same_person")


# ---- employees --------------------------------------------------------------------------------------------


class EmployeeResource(RecordSheetResource):
    """The front-line employees the branch serves, by name and work team."""

    sheet_title = _("Employees")
    key_attributes = ("name", "work_team")
    optional_keys = ("work_team",)
    required_for_new = ("name",)
    same_record_message = _("Row %(row)d is about the same employee.")

    name = column("name", "姓名", TextWidget(50, normalize=normalize_name))
    work_team = team_column()
    phone = column("phone", "手机号码", PhoneWidget())
    member = member_column()
    export_select_related = ("work_team", "member")
    export_ordering = ("work_team__name", "name")

    class Meta:
        model = Employee
        fields = import_order = export_order = ("name", "work_team", "phone", "member")

    def load(self):
        self.fill(branch_members(self), "member")
        self.fill(WorkTeam.objects.filter(branch=self.branch), "work_team")
        employees = list(Employee.objects.filter(branch=self.branch).select_related("work_team"))
        # A member is one employee at most.
        self._members = Holders([e for e in employees if e.member_id], lambda employee: employee.member_id)
        return employees

    def check_instance(self, instance, errors) -> None:
        if instance.member_id and not errors and self._members.taken(instance, self._row.number):
            self.add_error(errors, "member", _("Another employee is already linked to this member."), "member_taken")


# ---- study records ----------------------------------------------------------------------------------------

FORM_LABELS = {
    StudyRecord.Form.SELF_STUDY: "自学",
    StudyRecord.Form.TOPIC_CLASS: "专题课堂",
    StudyRecord.Form.MEETING: "学习会",
    StudyRecord.Form.ONLINE: "网络学习",
}
STUDY_STATUS_LABELS = {
    StudyRecord.Status.SUBMITTED: "待确认",
    StudyRecord.Status.CONFIRMED: "已确认",
    StudyRecord.Status.RETURNED: "已退回",
}


class StudyRecordResource(RecordSheetResource):
    """What members studied, with the review."""

    sheet_title = _("Study records")
    key_attributes = ("member", "studied_on", "topic")
    required_for_new = (*key_attributes, "form", "hours")
    same_record_message = _("Row %(row)d is about the same study record.")
    derived_fields = ("reviewed_at",)

    member = member_column()
    member_name = name_column()
    studied_on = column("studied_on", "学习日期", DateWidget())
    topic = column("topic", "学习内容", TextWidget(200, normalize=_single_line))
    form = column("form", "学习形式", ChoiceWidget(FORM_LABELS, aliases={"集中学习": "meeting", "线上学习": "online"}))
    hours = column("hours", "学时", NumberWidget(places=1, minimum="0.5", maximum="24"))
    notes = column("notes", "备注", TextWidget(2000))
    status = column("status", "状态", ChoiceWidget(STUDY_STATUS_LABELS, aliases={"已提交": "submitted"}))
    reviewed_by = member_column("reviewed_by", "审核人员工编号")
    return_reason = column("return_reason", "退回原因", TextWidget(200, normalize=_single_line))
    export_select_related = ("member", "reviewed_by")
    export_ordering = ("member__employee_number", "studied_on", "pk")

    class Meta:
        model = StudyRecord
        fields = import_order = export_order = (
            "member",
            "member_name",
            "studied_on",
            "topic",
            "form",
            "hours",
            "notes",
            "status",
            "reviewed_by",
            "return_reason",
        )

    @classmethod
    def branch_path(cls) -> str:
        return "member__branch"

    def load(self):
        self.fill(branch_members(self), "member", "reviewed_by")
        return StudyRecord.objects.filter(member__branch=self.branch)

    def complete_instance(self, instance, ctx) -> None:
        # A decided record says when: the day of the import when the file does not.
        if instance.status != StudyRecord.Status.SUBMITTED and instance.reviewed_at is None:
            instance.reviewed_at = self._now

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "studied_on")
        if instance.status == StudyRecord.Status.RETURNED and not instance.return_reason and "status" not in errors:
            self.add_error(
                errors, "return_reason", _("Say why the record is returned, so the member can fix it."), "no_reason"
            )
        if instance.reviewed_by_id is not None and instance.reviewed_by_id == instance.member_id:
            self.add_error(errors, NON_FIELD_ERRORS, _("Nobody reviews their own study record."), "own_record")


# ---- development records ----------------------------------------------------------------------------------

OUTCOME_LABELS = {
    Development.ProbationOutcome.FULL: "按期转正",
    Development.ProbationOutcome.EXTENDED: "延长预备期",
    Development.ProbationOutcome.CANCELLED: "取消预备党员资格",
}
# The steps in the order they happen: each date may not be before the one above it.
STEP_ORDER = ("applied_on", "talked_on", "activist_on", "candidate_on", "political_review_on", "admitted_on")


class DevelopmentResource(RecordSheetResource):
    """The dates of each person's development steps, their contacts and sponsors: for records kept on
    paper before Hongqi. The person's party status stays the roster's (党员状态)."""

    sheet_title = _("Development records")
    key_attributes = ("member",)
    required_for_new = ("member", "applied_on")
    same_record_message = _("Row %(row)d is about the same person.")

    member = member_column()
    member_name = name_column()
    applied_on = column("applied_on", "申请入党日期", DateWidget())
    talked_on = column("talked_on", "谈话日期", DateWidget())
    activist_on = column("activist_on", "确定积极分子日期", DateWidget())
    contacts = member_column("contacts", "培养联系人员工编号", many=True)
    candidate_on = column("candidate_on", "确定发展对象日期", DateWidget())
    sponsors = member_column("sponsors", "入党介绍人员工编号", many=True)
    political_review_on = column("political_review_on", "政审日期", DateWidget())
    training_days = column("training_days", "培训天数", IntegerWidget(maximum=365))
    training_hours = column("training_hours", "培训学时", IntegerWidget(maximum=2000))
    admitted_on = column("admitted_on", "接收预备党员日期", DateWidget())
    extension_months = column("extension_months", "延长预备期（月）", IntegerWidget(minimum=1, maximum=24))
    probation_outcome = column("probation_outcome", "转正情况", ChoiceWidget(OUTCOME_LABELS, aliases={"转正": "full"}))
    probation_decided_on = column("probation_decided_on", "转正决定日期", DateWidget())
    export_select_related = ("member",)
    export_prefetch_related = ("contacts", "sponsors")
    export_ordering = ("member__employee_number",)

    class Meta:
        model = Development
        fields = import_order = export_order = (
            "member",
            "member_name",
            "applied_on",
            "talked_on",
            "activist_on",
            "contacts",
            "candidate_on",
            "sponsors",
            "political_review_on",
            "training_days",
            "training_hours",
            "admitted_on",
            "extension_months",
            "probation_outcome",
            "probation_decided_on",
        )

    @classmethod
    def branch_path(cls) -> str:
        return "member__branch"

    def load(self):
        members = branch_members(self)
        self.fill(members, "member", "contacts", "sponsors")
        return Development.objects.filter(member__branch=self.branch).select_related("member")

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, *STEP_ORDER, "probation_decided_on")
        for earlier, later in zip(STEP_ORDER, STEP_ORDER[1:], strict=False):
            self.check_order(instance, errors, earlier, later)
        self.check_order(instance, errors, "admitted_on", "probation_decided_on")
        member = instance.member if instance.member_id else None
        if (
            member
            and instance.applied_on
            and "applied_on" not in errors
            and age_on(member.birth_date, instance.applied_on) < ADULT_AGE
        ):
            self.add_error(
                errors,
                "applied_on",
                _("An applicant must be at least 18 years old on the day of application."),
                "too_young",
            )
        for name in ("contacts", "sponsors"):
            for person in self.cells.get(name, ()):
                if person.pk == instance.member_id:
                    self.add_error(errors, name, _("A person cannot vouch for themself."), "self")
                elif person.status != Member.Status.FULL or person.is_archived:
                    self.add_error(
                        errors, name, _("%(name)s is not a full member of this branch."), "not_full", name=person.name
                    )
