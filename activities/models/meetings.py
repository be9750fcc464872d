"""Organisation life (三会一课 and 主题党日) and committee members' guidance visits to linked teams."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch, PartyGroup, WorkTeam
from members.models import Member


class Meeting(models.Model):
    """A meeting of the branch, its committee or a party group, a party lecture or a theme party day."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("branch general meeting")
        COMMITTEE = "committee", _("committee meeting")
        GROUP = "group", _("party group meeting")
        LECTURE = "lecture", _("party lecture")
        THEME_DAY = "theme_day", _("theme party day")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("branch"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    party_group = models.ForeignKey(
        PartyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("party group"),
        help_text=_("Only for party group meetings."),
    )
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    has_vote = models.BooleanField(
        _("votes on a decision"), default=False, help_text=_("A vote needs more than half of those entitled present.")
    )
    # Set by the attendance service: kept on the row so lists and calendars need no extra queries.
    below_quorum = models.BooleanField(_("below quorum"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["branch", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="group", party_group__isnull=False)
                | (~models.Q(kind="group") & models.Q(party_group__isnull=True)),
                name="group_meetings_name_their_group",
                violation_error_message=_("A party group meeting names its group; other meetings do not."),
            )
        ]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}: {self.topic}"


class MeetingAttendance(models.Model):
    class Presence(models.TextChoices):
        PRESENT = "present", _("present")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="meeting_attendance", verbose_name=_("member")
    )
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices, default=Presence.PRESENT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_meeting")]

    def __str__(self):
        return f"{self.member.name} @ {self.meeting}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("meeting")
    )
    file = models.FileField(_("file"), upload_to="meetings/%Y/")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")

    def __str__(self):
        return self.file.name


class GuidanceVisit(models.Model):
    """A committee member's visit to guide their linked work team (联点班组): at least one a month."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="guidance_visits", verbose_name=_("committee member")
    )
    work_team = models.ForeignKey(
        WorkTeam, on_delete=models.PROTECT, related_name="guidance_visits", verbose_name=_("work team")
    )
    visited_on = models.DateField(_("visited on"))
    guidance = models.TextField(_("what was guided"))
    problems = models.TextField(_("problems found"), blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="guidance/%Y/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guidance visit")
        verbose_name_plural = _("guidance visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["member", "visited_on"])]

    def __str__(self):
        return f"{self.visited_on} {self.member.name} → {self.work_team.name}"
