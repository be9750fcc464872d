"""The branch and how it is organised: party groups and front-line work teams."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    """A Party branch (党支部). A plant (采油厂) has many; each runs its own members and work."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    plant = models.CharField(_("plant"), max_length=100, help_text=_("The oil production plant the branch belongs to."))
    operation_area = models.CharField(_("operation area"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # Development pipeline intervals. The defaults are the national rules; localities vary some of
    # them, so each branch may set its own (members/pipeline.py reads them).
    talk_within_days = models.PositiveSmallIntegerField(_("talk with an applicant within (days)"), default=30)
    activist_min_months = models.PositiveSmallIntegerField(
        _("activist for at least (months) before candidacy"), default=12
    )
    contact_review_months = models.PositiveSmallIntegerField(_("contacts review activists every (months)"), default=3)
    branch_review_months = models.PositiveSmallIntegerField(_("branch reviews activists every (months)"), default=6)
    training_min_days = models.PositiveSmallIntegerField(_("candidate training at least (days)"), default=3)
    training_min_hours = models.PositiveSmallIntegerField(_("candidate training at least (class hours)"), default=24)
    probation_months = models.PositiveSmallIntegerField(_("probation (months)"), default=12)
    probation_decision_days = models.PositiveSmallIntegerField(
        _("decide on full membership within (days) of the end of probation"), default=30
    )
    extension_min_months = models.PositiveSmallIntegerField(_("probation extension at least (months)"), default=6)
    extension_max_months = models.PositiveSmallIntegerField(_("probation extension at most (months)"), default=12)

    # Organisation life (三会一课): how often each kind of meeting must be held, in months.
    general_meeting_months = models.PositiveSmallIntegerField(_("branch general meeting every (months)"), default=3)
    committee_meeting_months = models.PositiveSmallIntegerField(_("committee meeting every (months)"), default=1)
    group_meeting_months = models.PositiveSmallIntegerField(_("party group meeting every (months)"), default=1)
    party_lecture_months = models.PositiveSmallIntegerField(_("party lecture every (months)"), default=3)
    theme_day_months = models.PositiveSmallIntegerField(_("theme party day every (months)"), default=1)

    # Service work.
    care_visit_within_days = models.PositiveSmallIntegerField(_("visit a care occasion within (days)"), default=7)
    appeal_answer_days = models.PositiveSmallIntegerField(_("answer an appeal within (days)"), default=15)
    wall_is_public = models.BooleanField(
        _("the wall needs no login"),
        default=False,
        help_text=_("Turn on to show the wall (三上墙) on the hall's screen without logging in."),
    )

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["plant", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("branch:overview", args=[self.pk])


class PartyGroup(models.Model):
    """A party group (党小组): the branch draws three by proximity (就近原则)."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="party_groups", verbose_name=_("branch"))
    name = models.CharField(_("name"), max_length=50)
    area = models.CharField(_("area"), max_length=100, blank=True, help_text=_("Where the group's members work."))

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["branch", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="unique_party_group_name_per_branch")]

    def __str__(self):
        return self.name


class WorkTeam(models.Model):
    """A front-line work crew (班组). Members and non-member employees belong to one."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="work_teams", verbose_name=_("branch"))
    name = models.CharField(_("name"), max_length=50)
    station = models.CharField(_("station"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("work team")
        verbose_name_plural = _("work teams")
        ordering = ["branch", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="unique_work_team_name_per_branch")]

    def __str__(self):
        return self.name


class Notification(models.Model):
    """An in-app reminder for one user. `key` names the thing reminded about (e.g.
    "guidance:2026-11:member-12"), so the reminder job never sends the same thing twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=120)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_thing")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title
