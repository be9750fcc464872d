"""People in the admin site, the administrator's tool (see branch/admin.py). Every main model has the
staged, all-or-nothing spreadsheet import and export (members/resources.py for the roster,
members/resources_records.py for the rest), choosing the branch on the import form."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from branch.spreadsheets.records import sheet_admin

from .models import CommitteeRole, Development, Employee, Member, Pairing, StudyRecord, TeamLink, User
from .resources import RosterAdminMixin
from .resources_records import (
    CommitteeRoleResource,
    DevelopmentResource,
    EmployeeResource,
    PairingResource,
    StudyRecordResource,
    TeamLinkResource,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    pass


@admin.register(Member)
class MemberAdmin(RosterAdminMixin, SimpleHistoryAdmin):
    list_display = ["employee_number", "name", "branch", "party_group", "work_team", "status", "ethnicity"]
    list_filter = ["branch", "status", "party_group", "work_team", "ethnicity", "gender", "is_group_leader"]
    search_fields = ["name", "employee_number", "id_card_number", "phone"]
    list_select_related = ["branch", "party_group", "work_team"]
    raw_id_fields = ["user"]
    date_hierarchy = "joined_on"


@admin.register(CommitteeRole)
class CommitteeRoleAdmin(sheet_admin(CommitteeRoleResource), SimpleHistoryAdmin):
    list_display = ["member", "role", "branch", "started_on", "ended_on"]
    list_filter = ["branch", "role"]
    search_fields = ["member__name", "member__employee_number"]
    list_select_related = ["member", "branch"]
    raw_id_fields = ["member"]


@admin.register(TeamLink)
class TeamLinkAdmin(sheet_admin(TeamLinkResource), SimpleHistoryAdmin):
    list_display = ["member", "work_team", "started_on", "ended_on"]
    list_filter = ["work_team__branch"]
    search_fields = ["member__name", "work_team__name"]
    list_select_related = ["member", "work_team"]
    raw_id_fields = ["member"]


@admin.register(Pairing)
class PairingAdmin(sheet_admin(PairingResource), SimpleHistoryAdmin):
    list_display = ["kind", "mentor", "mentee", "branch", "started_on", "ended_on"]
    list_filter = ["branch", "kind"]
    search_fields = ["mentor__name", "mentee__name", "goal"]
    list_select_related = ["mentor", "mentee", "branch"]
    raw_id_fields = ["mentor", "mentee"]


@admin.register(Employee)
class EmployeeAdmin(sheet_admin(EmployeeResource), admin.ModelAdmin):
    list_display = ["name", "work_team", "branch", "phone", "member"]
    list_filter = ["branch"]
    search_fields = ["name", "phone"]
    list_select_related = ["work_team", "branch", "member"]
    raw_id_fields = ["member"]


@admin.register(StudyRecord)
class StudyRecordAdmin(sheet_admin(StudyRecordResource), SimpleHistoryAdmin):
    list_display = ["studied_on", "member", "topic", "form", "hours", "status"]
    list_filter = ["status", "form", "member__branch"]
    search_fields = ["topic", "member__name", "member__employee_number"]
    list_select_related = ["member"]
    raw_id_fields = ["member", "reviewed_by"]
    date_hierarchy = "studied_on"


@admin.register(Development)
class DevelopmentAdmin(sheet_admin(DevelopmentResource), SimpleHistoryAdmin):
    list_display = ["member", "applied_on", "activist_on", "candidate_on", "admitted_on", "probation_outcome"]
    list_filter = ["member__branch", "probation_outcome"]
    search_fields = ["member__name", "member__employee_number"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]
    filter_horizontal = ["contacts", "sponsors"]
