from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Branch, ExportJob, PartyGroup, ScheduledExport, WorkTeam
from .resources import BranchResource, PartyGroupResource, WorkTeamResource
from .spreadsheets.records import sheet_admin

# The admin site is the administrator's tool (系统管理员, a superuser above the branches). Secretaries
# and members work in Hongqi's own pages, whose access rules live in each app's access module; so
# staff status alone never opens the admin. Every main model has import and export here (see
# branch/spreadsheets/records.py): rows name records by natural keys, and the administrator chooses the
# branch to import into.
admin.site.site_header = _("Hongqi administration")
admin.site.site_title = _("Hongqi administration")
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser


class PartyGroupInline(admin.TabularInline):
    model = PartyGroup
    extra = 0


class WorkTeamInline(admin.TabularInline):
    model = WorkTeam
    extra = 0


@admin.register(Branch)
class BranchAdmin(sheet_admin(BranchResource), admin.ModelAdmin):
    list_display = ["name", "plant", "operation_area"]
    search_fields = ["name", "plant", "operation_area"]
    list_filter = ["plant"]
    inlines = [PartyGroupInline, WorkTeamInline]


@admin.register(PartyGroup)
class PartyGroupAdmin(sheet_admin(PartyGroupResource), admin.ModelAdmin):
    list_display = ["name", "branch", "area"]
    search_fields = ["name", "area"]
    list_filter = ["branch"]


@admin.register(WorkTeam)
class WorkTeamAdmin(sheet_admin(WorkTeamResource), admin.ModelAdmin):
    list_display = ["name", "branch", "station"]
    search_fields = ["name", "station"]
    list_filter = ["branch"]


# ---- exports ---------------------------------------------------------------------------------------
# The export jobs are the export log (who exported what, when): read-only here. Schedules may be
# stopped or corrected by the administrator.


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "owner", "branch", "exporter", "file_format", "status", "row_count", "expired")
    list_filter = ("status", "exporter", "branch", "file_format")
    search_fields = ("owner__username", "filename")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduledExport)
class ScheduledExportAdmin(admin.ModelAdmin):
    list_display = ("owner", "branch", "exporter", "frequency", "active", "next_run_on", "failure_count")
    list_filter = ("active", "exporter", "branch")
