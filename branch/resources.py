"""The branches, their party groups and work teams as spreadsheets, for the admin site.

A branch is named by its name (unique), a party group and a work team by their name within the branch
chosen on the import form. Headers are Chinese literals: they are the file format.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from branch.spreadsheets import TextWidget, YesNoWidget
from branch.spreadsheets.lookups import IntegerWidget
from branch.spreadsheets.records import RecordSheetResource, column

from .models import Branch, PartyGroup, WorkTeam


def _single_line(text: str) -> str:
    return " ".join(text.split())


def _days(attribute: str, header: str):
    return column(attribute, header, IntegerWidget(minimum=1, maximum=3650))


def _months(attribute: str, header: str):
    return column(attribute, header, IntegerWidget(minimum=1, maximum=120))


class BranchResource(RecordSheetResource):
    """Every branch, with its intervals; above the branches, so no branch is chosen to import."""

    scoped = False
    sheet_title = _("Branches")
    key_attributes = ("name",)
    required_for_new = ("name", "plant")
    same_record_message = _("Row %(row)d is about the same branch.")

    name = column("name", "支部名称", TextWidget(100, normalize=_single_line))
    plant = column("plant", "采油厂", TextWidget(100, normalize=_single_line))
    operation_area = column("operation_area", "作业区", TextWidget(100, normalize=_single_line))
    talk_within_days = _days("talk_within_days", "谈话期限（天）")
    activist_min_months = _months("activist_min_months", "积极分子培养期（月）")
    contact_review_months = _months("contact_review_months", "联系人考察间隔（月）")
    branch_review_months = _months("branch_review_months", "支部考察间隔（月）")
    training_min_days = _days("training_min_days", "集中培训（天）")
    training_min_hours = column("training_min_hours", "集中培训（学时）", IntegerWidget(minimum=1, maximum=1000))
    probation_months = _months("probation_months", "预备期（月）")
    probation_decision_days = _days("probation_decision_days", "转正讨论期限（天）")
    extension_min_months = _months("extension_min_months", "延长预备期下限（月）")
    extension_max_months = _months("extension_max_months", "延长预备期上限（月）")
    general_meeting_months = _months("general_meeting_months", "党员大会间隔（月）")
    committee_meeting_months = _months("committee_meeting_months", "支委会间隔（月）")
    group_meeting_months = _months("group_meeting_months", "党小组会间隔（月）")
    party_lecture_months = _months("party_lecture_months", "党课间隔（月）")
    theme_day_months = _months("theme_day_months", "主题党日间隔（月）")
    care_visit_within_days = _days("care_visit_within_days", "走访慰问期限（天）")
    appeal_answer_days = _days("appeal_answer_days", "诉求答复期限（天）")
    wall_is_public = column("wall_is_public", "三上墙公开", YesNoWidget())

    class Meta:
        model = Branch
        fields = import_order = export_order = (
            "name",
            "plant",
            "operation_area",
            "talk_within_days",
            "activist_min_months",
            "contact_review_months",
            "branch_review_months",
            "training_min_days",
            "training_min_hours",
            "probation_months",
            "probation_decision_days",
            "extension_min_months",
            "extension_max_months",
            "general_meeting_months",
            "committee_meeting_months",
            "group_meeting_months",
            "party_lecture_months",
            "theme_day_months",
            "care_visit_within_days",
            "appeal_answer_days",
            "wall_is_public",
        )

    def load(self):
        return Branch.objects.all()

    def check_instance(self, instance, errors) -> None:
        if instance.extension_min_months > instance.extension_max_months and "extension_max_months" not in errors:
            self.add_error(
                errors,
                "extension_max_months",
                _("The longest extension cannot be shorter than the shortest (%(months)d months)."),
                "extension_range",
                months=instance.extension_min_months,
            )


class PartyGroupResource(RecordSheetResource):
    """The party groups of a branch, by name."""

    sheet_title = _("Party groups")
    key_attributes = ("name",)
    required_for_new = ("name",)
    same_record_message = _("Row %(row)d is about the same party group.")

    name = column("name", "党小组", TextWidget(50, normalize=_single_line))
    area = column("area", "区域", TextWidget(100, normalize=_single_line))

    class Meta:
        model = PartyGroup
        fields = import_order = export_order = ("name", "area")

    def load(self):
        return PartyGroup.objects.filter(branch=self.branch)


class WorkTeamResource(RecordSheetResource):
    """The work teams of a branch, by name."""

    sheet_title = _("Work teams")
    key_attributes = ("name",)
    required_for_new = ("name",)
    same_record_message = _("Row %(row)d is about the same work team.")

    name = column("name", "班组", TextWidget(50, normalize=_single_line))
    station = column("station", "站点", TextWidget(100, normalize=_single_line))

    class Meta:
        model = WorkTeam
        fields = import_order = export_order = ("name", "station")

    def load(self):
        return WorkTeam.objects.filter(branch=self.branch)
