"""Innovation and honours as spreadsheets, for the admin site: projects, their awards and patents, and
honours of members and of the branch.

A project is named by its title, a patent by its number (unique across the branches), an award by its
project, name and date, an honour by its title, member (blank for the branch's own) and date; members
by employee number. The rules of activities/services/recognition.py apply to the rows an import adds
or changes: nothing dated in the future, people who are current members of the branch, the lead always
among a project's members.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from branch.spreadsheets import ChoiceWidget, DateWidget, TextWidget
from branch.spreadsheets.lookups import LookupWidget
from branch.spreadsheets.records import RecordSheetResource, column, name_column
from members.resources_records import branch_members, member_column

from .models import Honor, Innovation, InnovationAward, Patent


def _single_line(text: str) -> str:
    return " ".join(text.split())


NOT_CURRENT = _("%(name)s is not a current member of this branch.")
UNKNOWN_PROJECT = _("The branch has no project “%(value)s”.")

# ---- projects -----------------------------------------------------------------------------------------------

INNOVATION_KIND_LABELS = {Innovation.Kind.TASK_FORCE: "技术攻关", Innovation.Kind.SMALL_IMPROVEMENT: "小改小革"}
INNOVATION_STATUS_LABELS = {
    Innovation.Status.PROPOSED: "立项",
    Innovation.Status.IN_PROGRESS: "实施中",
    Innovation.Status.DONE: "已完成",
    Innovation.Status.STOPPED: "已终止",
}


class InnovationResource(RecordSheetResource):
    """Task-force projects and small improvements, by title; the lead is always a member."""

    sheet_title = _("Innovations")
    key_attributes = ("title",)
    required_for_new = ("kind", "title", "lead", "problem", "started_on")
    m2m_written = ("members",)
    same_record_message = _("Row %(row)d is about the same project.")

    kind = column(
        "kind",
        "类型",
        ChoiceWidget(INNOVATION_KIND_LABELS, aliases={"技术攻关小组": "task_force", "小改革": "small_improvement"}),
    )
    title = column("title", "项目名称", TextWidget(200, normalize=_single_line))
    lead = member_column("lead", "负责人员工编号")
    lead_name = name_column("lead__name", "负责人")
    members = member_column("members", "成员员工编号", many=True)
    problem = column("problem", "问题", TextWidget(5000))
    solution = column("solution", "解决办法", TextWidget(5000))
    result = column("result", "成效", TextWidget(5000))
    status = column("status", "状态", ChoiceWidget(INNOVATION_STATUS_LABELS, aliases={"进行中": "in_progress"}))
    started_on = column("started_on", "开始日期", DateWidget())
    export_select_related = ("lead",)
    export_prefetch_related = ("members",)
    export_ordering = ("started_on", "pk")

    class Meta:
        model = Innovation
        fields = import_order = export_order = (
            "kind",
            "title",
            "lead",
            "lead_name",
            "members",
            "problem",
            "solution",
            "result",
            "status",
            "started_on",
        )

    def load(self):
        members = branch_members(self)
        self._people = {member.pk: member for member in members}
        self.fill(members, "lead", "members")
        return Innovation.objects.filter(branch=self.branch)

    def complete_instance(self, instance, ctx) -> None:
        # The lead is always a member of the project, so the project shows in the lead's record book.
        if instance.lead_id is None:
            return
        if "members" in self.cells:
            people = self.cells["members"]
        else:
            people = [self._people[pk] for pk in self._m2m_ids(instance, "members")]
        if instance.lead_id not in {person.pk for person in people}:
            self.cells["members"] = [instance.lead, *people]

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "started_on")
        # People the row names (not those a project of the past already had) must be current members.
        named = {"lead": [instance.lead] if "lead" in self._row.filled else [], "members": []}
        if "members" in self._row.filled:
            named["members"] = self.cells["members"]
        for attribute, people in named.items():
            for person in people:
                if person.is_archived:
                    self.add_error(errors, attribute, NOT_CURRENT, "not_in_branch", name=person.name)


def project_column():
    return column(
        "innovation",
        "项目名称",
        LookupWidget(
            label=lambda innovation: innovation.title,
            message=UNKNOWN_PROJECT,
            code="unknown_project",
            ambiguous_message=_("The branch has several projects called “%(value)s”; correct them in the admin first."),
        ),
    )


class InnovationAwardResource(RecordSheetResource):
    """Awards of projects, the project by its title."""

    sheet_title = _("Awards")
    key_attributes = ("innovation", "name", "awarded_on")
    required_for_new = (*key_attributes, "level")
    same_record_message = _("Row %(row)d is about the same award.")

    innovation = project_column()
    name = column("name", "奖项", TextWidget(200, normalize=_single_line))
    level = column("level", "级别", TextWidget(100, normalize=_single_line))
    awarded_on = column("awarded_on", "获奖日期", DateWidget())
    export_select_related = ("innovation",)
    export_ordering = ("awarded_on", "pk")

    class Meta:
        model = InnovationAward
        fields = import_order = export_order = ("innovation", "name", "level", "awarded_on")

    @classmethod
    def branch_path(cls) -> str:
        return "innovation__branch"

    def load(self):
        self.fill(Innovation.objects.filter(branch=self.branch), "innovation")
        return InnovationAward.objects.filter(innovation__branch=self.branch)

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "awarded_on")


PATENT_KIND_LABELS = {
    Patent.Kind.INVENTION: "发明专利",
    Patent.Kind.UTILITY_MODEL: "实用新型专利",
    Patent.Kind.DESIGN: "外观设计专利",
}


class PatentResource(RecordSheetResource):
    """Patents of projects, by number (unique across the branches)."""

    sheet_title = _("Patents")
    key_attributes = ("number",)
    required_for_new = ("innovation", "number", "kind", "granted_on")
    same_record_message = _("Row %(row)d is about the same patent.")

    innovation = project_column()
    number = column("number", "专利号", TextWidget(40, normalize=_single_line))
    kind = column(
        "kind",
        "类型",
        ChoiceWidget(
            PATENT_KIND_LABELS, aliases={"发明": "invention", "实用新型": "utility_model", "外观设计": "design"}
        ),
    )
    granted_on = column("granted_on", "授权日期", DateWidget())
    export_select_related = ("innovation",)
    export_ordering = ("granted_on", "pk")

    class Meta:
        model = Patent
        fields = import_order = export_order = ("innovation", "number", "kind", "granted_on")

    @classmethod
    def branch_path(cls) -> str:
        return "innovation__branch"

    def load(self):
        self.fill(Innovation.objects.filter(branch=self.branch), "innovation")
        self._elsewhere = {
            number.upper()
            for number in Patent.objects.exclude(innovation__branch=self.branch).values_list("number", flat=True)
        }
        return Patent.objects.filter(innovation__branch=self.branch)

    def instance_key(self, instance) -> tuple:
        return (instance.number.upper(),)

    def natural_key(self, ctx, keys) -> tuple | None:
        number = keys["number"]
        if number is None:
            return None
        if number.upper() in self._elsewhere:
            ctx.add("number", _("A patent with this number is already recorded."), code="duplicate")
        return (number.upper(),)

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "granted_on")


# ---- honours ------------------------------------------------------------------------------------------------

HONOR_LEVEL_LABELS = {
    Honor.Level.OPERATION_AREA: "作业区级",
    Honor.Level.PLANT: "厂级",
    Honor.Level.OILFIELD: "油田公司级",
    Honor.Level.GROUP_COMPANY: "集团公司级",
}
HONOR_LEVEL_ALIASES = {
    "作业区": "operation_area",
    "厂": "plant",
    "采油厂级": "plant",
    "油田级": "oilfield",
    "集团级": "group_company",
}


class HonorResource(RecordSheetResource):
    """Honours of members, and of the branch itself (no employee number)."""

    sheet_title = _("Honours")
    key_attributes = ("title", "member", "awarded_on")
    optional_keys = ("member",)
    required_for_new = ("title", "level", "awarded_on")
    same_record_message = _("Row %(row)d is about the same honour.")

    title = column("title", "荣誉名称", TextWidget(100, normalize=_single_line))
    level = column("level", "级别", ChoiceWidget(HONOR_LEVEL_LABELS, aliases=HONOR_LEVEL_ALIASES, code="invalid_level"))
    member = member_column()
    member_name = name_column()
    awarded_on = column("awarded_on", "授予日期", DateWidget())
    awarded_by = column("awarded_by", "授予单位", TextWidget(100, normalize=_single_line))
    citation = column("citation", "事迹", TextWidget(5000))
    export_select_related = ("member",)
    export_ordering = ("awarded_on", "pk")

    class Meta:
        model = Honor
        fields = import_order = export_order = (
            "title",
            "level",
            "member",
            "member_name",
            "awarded_on",
            "awarded_by",
            "citation",
        )

    def load(self):
        self.fill(branch_members(self), "member")
        return Honor.objects.filter(branch=self.branch)

    def check_instance(self, instance, errors) -> None:
        self.check_not_future(instance, errors, "awarded_on")
        if instance.pk is None and instance.member_id and instance.member.is_archived:
            self.add_error(errors, "member", NOT_CURRENT, "not_in_branch", name=instance.member.name)
