"""The branch's service activities: dedication days (党员奉献日), theme activities, topic classes
(专题课堂) and pairing sessions, with who attended and for how long."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch
from members.models import Member


class Activity(models.Model):
    class Kind(models.TextChoices):
        DEDICATION_DAY = "dedication_day", _("dedication day")
        THEME_ACTIVITY = "theme_activity", _("theme activity")
        TOPIC_CLASS = "topic_class", _("topic class")
        PAIRING_SESSION = "pairing_session", _("pairing session")

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    class Task(models.TextChoices):
        """What a dedication day does: the hard, dirty work the seed names."""

        LEVEL_WELL_SITES = "level_well_sites", _("levelling well sites")
        PICK_UP_LITTER = "pick_up_litter", _("picking up litter in the well area")
        TIDY_STORES = "tidy_stores", _("tidying stores and sheds")
        OTHER = "other", _("other work")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="activities", verbose_name=_("branch"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    organiser = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="organised_activities", verbose_name=_("organiser")
    )
    task = models.CharField(_("task"), max_length=20, choices=Task.choices, blank=True)
    description = models.TextField(_("what was done"), blank=True)
    teacher = models.CharField(_("teacher"), max_length=100, blank=True, help_text=_("For topic classes."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["branch", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="activity_ends_after_it_starts",
                violation_error_message=_("An activity must end after it starts."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def length_hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 1)


class ActivityAttendance(models.Model):
    """A member registered for or present at an activity. Hours default to the activity's length; a
    different figure needs a reason. Changes are kept in history."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("activity")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="activity_attendance", verbose_name=_("member")
    )
    present = models.BooleanField(_("present"), default=False)
    registered = models.BooleanField(_("registered in advance"), default=False)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=0)
    hours_reason = models.CharField(_("reason for different hours"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity attendance")
        verbose_name_plural = _("activity attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="one_attendance_per_activity"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="attendance_hours_not_negative"),
        ]
        indexes = [models.Index(fields=["member", "present"])]

    def __str__(self):
        return f"{self.member.name} @ {self.activity}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("activity"))
    image = models.ImageField(_("photo"), upload_to="activities/%Y/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="activities/thumbnails/%Y/", blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.caption or self.image.name
