"""The activities in the admin site, the administrator's tool (see branch/admin.py). Models with a
history use SimpleHistoryAdmin, so the administrator's changes are in it too. Every main model has the
staged, all-or-nothing spreadsheet import and export, choosing the branch on the import form: assets
as on the secretary's pages (activities/resources.py), the others by natural keys
(activities/resources_*.py, branch/spreadsheets/records.py)."""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from branch.spreadsheets.records import sheet_admin

from .models import (
    Activity,
    ActivityAttendance,
    ActivityPhoto,
    Appeal,
    AppealAttachment,
    AssessmentItem,
    AssessmentPeriod,
    AssessmentScheme,
    Asset,
    AssignmentTarget,
    BranchRule,
    CareOccasion,
    CareVisit,
    Deduction,
    Forum,
    GuidanceVisit,
    Honor,
    Innovation,
    InnovationAward,
    ItemScore,
    Meeting,
    MeetingAttachment,
    MeetingAttendance,
    MemberScore,
    ModelSelection,
    Nomination,
    Patent,
    Publicity,
    Reading,
    RedFlagAssignment,
    ScoreAdjustment,
)
from .resources import AssetAdminMixin
from .resources_appeals import AppealResource, CareOccasionResource, CareVisitResource, ForumResource
from .resources_meetings import GuidanceVisitResource, MeetingAttendanceResource, MeetingResource
from .resources_recognition import HonorResource, InnovationAwardResource, InnovationResource, PatentResource
from .resources_redflag import AssignmentTargetResource, ReadingResource, RedFlagAssignmentResource
from .resources_service import ActivityAttendanceResource, ActivityResource
from .services.assets import clean_hard_reason, normalize_asset_code, normalize_station


@admin.register(Honor)
class HonorAdmin(sheet_admin(HonorResource), admin.ModelAdmin):
    list_display = ["title", "level", "member", "branch", "awarded_on", "awarded_by"]
    list_filter = ["branch", "level"]
    search_fields = ["title", "awarded_by", "member__name"]
    list_select_related = ["member", "branch"]
    raw_id_fields = ["member"]
    date_hierarchy = "awarded_on"


class MeetingAttendanceInline(admin.TabularInline):
    model = MeetingAttendance
    extra = 0
    raw_id_fields = ["member"]


class MeetingAttachmentInline(admin.TabularInline):
    model = MeetingAttachment
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(sheet_admin(MeetingResource), SimpleHistoryAdmin):
    list_display = ["held_on", "kind", "topic", "branch", "party_group", "has_vote", "below_quorum"]
    list_filter = ["branch", "kind", "has_vote", "below_quorum"]
    search_fields = ["topic", "minutes"]
    list_select_related = ["branch", "party_group"]
    date_hierarchy = "held_on"
    inlines = [MeetingAttendanceInline, MeetingAttachmentInline]


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(sheet_admin(MeetingAttendanceResource), SimpleHistoryAdmin):
    list_display = ["meeting", "member", "presence"]
    list_filter = ["meeting__branch", "presence", "meeting__kind"]
    search_fields = ["member__name", "member__employee_number", "meeting__topic"]
    list_select_related = ["meeting", "member"]
    raw_id_fields = ["meeting", "member"]


@admin.register(GuidanceVisit)
class GuidanceVisitAdmin(sheet_admin(GuidanceVisitResource), SimpleHistoryAdmin):
    list_display = ["visited_on", "member", "work_team"]
    list_filter = ["work_team__branch", "work_team"]
    search_fields = ["member__name", "work_team__name", "guidance", "problems"]
    list_select_related = ["member", "work_team"]
    raw_id_fields = ["member"]
    date_hierarchy = "visited_on"


class AssetAdminForm(forms.ModelForm):
    """The registry's rules (activities/services/assets.py) in the admin too: the code's normal form
    and the reason of a hard-to-manage asset."""

    class Meta:
        model = Asset
        fields = ["branch", "code", "kind", "station", "status", "hard_to_manage", "hard_reason"]

    def clean_code(self):
        return normalize_asset_code(self.cleaned_data["code"])

    def clean_station(self):
        return normalize_station(self.cleaned_data["station"])

    def clean(self):
        cleaned = super().clean()
        if "hard_to_manage" in cleaned:
            try:
                cleaned["hard_reason"] = clean_hard_reason(
                    hard_to_manage=cleaned["hard_to_manage"], hard_reason=cleaned.get("hard_reason", "")
                )
            except ValidationError as exc:
                self.add_error("hard_reason", exc)
        return cleaned


@admin.register(Asset)
class AssetAdmin(AssetAdminMixin, SimpleHistoryAdmin):
    form = AssetAdminForm
    list_display = ["code", "branch", "kind", "station", "status", "hard_to_manage"]
    list_filter = ["branch", "kind", "status", "hard_to_manage"]
    search_fields = ["code", "station", "hard_reason"]
    list_select_related = ["branch"]


class AssignmentTargetInline(admin.TabularInline):
    model = AssignmentTarget
    extra = 0


@admin.register(RedFlagAssignment)
class RedFlagAssignmentAdmin(sheet_admin(RedFlagAssignmentResource), SimpleHistoryAdmin):
    list_display = ["asset", "member", "started_on", "ended_on"]
    list_filter = ["asset__branch", "asset__kind"]
    search_fields = ["asset__code", "member__name", "member__employee_number"]
    list_select_related = ["asset", "member"]
    raw_id_fields = ["asset", "member"]
    date_hierarchy = "started_on"
    inlines = [AssignmentTargetInline]


@admin.register(AssignmentTarget)
class AssignmentTargetAdmin(sheet_admin(AssignmentTargetResource), admin.ModelAdmin):
    list_display = ["assignment", "indicator", "target"]
    list_filter = ["assignment__asset__branch", "indicator"]
    search_fields = ["assignment__asset__code", "assignment__member__name"]
    list_select_related = ["assignment__asset", "assignment__member"]
    raw_id_fields = ["assignment"]


@admin.register(Reading)
class ReadingAdmin(sheet_admin(ReadingResource), admin.ModelAdmin):
    list_display = ["asset", "indicator", "reading_on", "value", "entered_by", "created_at"]
    list_filter = ["indicator", "asset__branch"]
    search_fields = ["asset__code"]
    list_select_related = ["asset", "entered_by"]
    raw_id_fields = ["asset", "entered_by"]
    date_hierarchy = "reading_on"


# The service work's models (issue 5), plainly until their pages bring admin classes of their own. A
# model with a history gets SimpleHistoryAdmin, so that changes made here are in it too. Links are
# https unless typed otherwise (Django 6's default, without its deprecation warning).
_URL_FIELD = {models.URLField: {"widget": admin_widgets.AdminURLFieldWidget, "assume_scheme": "https"}}


class PlainAdmin(admin.ModelAdmin):
    formfield_overrides = _URL_FIELD


class PlainHistoryAdmin(SimpleHistoryAdmin):
    formfield_overrides = _URL_FIELD


for _model in (ActivityPhoto, AppealAttachment, BranchRule, ModelSelection, Nomination, Publicity):
    admin.site.register(_model, PlainHistoryAdmin if hasattr(_model, "history") else PlainAdmin)

# With import and export; plain otherwise until their pages bring admin classes of their own.
for _model, _resource in (
    (Activity, ActivityResource),
    (ActivityAttendance, ActivityAttendanceResource),
    (Appeal, AppealResource),
    (CareOccasion, CareOccasionResource),
    (CareVisit, CareVisitResource),
    (Forum, ForumResource),
    (Innovation, InnovationResource),
    (InnovationAward, InnovationAwardResource),
    (Patent, PatentResource),
):
    _base = PlainHistoryAdmin if hasattr(_model, "history") else PlainAdmin
    # Filtering by branch also narrows the export to one branch, ready to import into it again.
    _options = {"list_filter": [_resource.branch_path()]}
    admin.site.register(_model, type(f"{_model.__name__}Admin", (sheet_admin(_resource), _base), _options))


# ---- quarterly assessment ---------------------------------------------------------------------------
# The scheme and what the secretary entered keep their history; locked results are the figures of
# record, so the admin shows them read-only (the lock is the only way they are written).


class AssessmentItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0
    fields = ("rule", "name", "points", "target", "cap", "position", "active")


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(SimpleHistoryAdmin):
    list_display = ("branch", "excellent_from", "qualified_from", "basic_from", "excellent_share_percent")
    inlines = [AssessmentItemInline]


@admin.register(AssessmentItem)
class AssessmentItemAdmin(SimpleHistoryAdmin):
    list_display = ("name", "rule", "points", "target", "cap", "active", "scheme")
    list_filter = ("scheme__branch", "rule")


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(SimpleHistoryAdmin):
    list_display = ("branch", "year", "quarter", "locked_at", "locked_by")
    list_filter = ("branch", "year")
    readonly_fields = ("locked_at", "locked_by")


@admin.register(ScoreAdjustment, Deduction)
class AssessmentEntryAdmin(SimpleHistoryAdmin):
    list_display = ("member", "period", "points", "reason")
    list_filter = ("period__branch", "period__year", "period__quarter")
    search_fields = ("member__name", "member__employee_number", "reason")
    autocomplete_fields = ("member",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ItemScoreInline(admin.TabularInline):
    model = ItemScore
    fields = ("item_name", "measure", "computed", "points", "reason", "evidence_count")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MemberScore)
class MemberScoreAdmin(ReadOnlyAdmin):
    list_display = ("member", "period", "party_group_name", "total", "grade")
    list_filter = ("period__branch", "period__year", "period__quarter", "grade")
    search_fields = ("member__name", "member__employee_number")
    inlines = [ItemScoreInline]


@admin.register(ItemScore)
class ItemScoreAdmin(ReadOnlyAdmin):
    list_display = ("member_score", "item_name", "computed", "points", "reason")
    list_filter = ("member_score__period__branch",)
