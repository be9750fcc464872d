from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import CommitteeRole, Member, TeamLink, User
from .resources import RosterAdminMixin


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
class CommitteeRoleAdmin(SimpleHistoryAdmin):
    list_display = ["member", "role", "branch", "started_on", "ended_on"]
    list_filter = ["branch", "role"]
    search_fields = ["member__name", "member__employee_number"]
    list_select_related = ["member", "branch"]
    raw_id_fields = ["member"]


@admin.register(TeamLink)
class TeamLinkAdmin(SimpleHistoryAdmin):
    list_display = ["member", "work_team", "started_on", "ended_on"]
    list_filter = ["work_team__branch"]
    search_fields = ["member__name", "work_team__name"]
    list_select_related = ["member", "work_team"]
    raw_id_fields = ["member"]
