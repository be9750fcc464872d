"""Opinion forums (群众意见恳谈会) and employee appeals (员工诉求), followed until answered."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch, WorkTeam
from members.models import Employee, Member


class Forum(models.Model):
    """The branch meeting front-line employees of a work team to hear what they need."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="forums", verbose_name=_("branch"))
    held_on = models.DateField(_("held on"))
    work_team = models.ForeignKey(
        WorkTeam, on_delete=models.PROTECT, related_name="forums", verbose_name=_("work team")
    )
    members_present = models.ManyToManyField(
        Member, related_name="forums_attended", blank=True, verbose_name=_("branch members present")
    )
    employees_present = models.ManyToManyField(
        Employee, related_name="forums_attended", blank=True, verbose_name=_("employees present")
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(m2m_fields=[members_present, employees_present])

    class Meta:
        verbose_name = _("opinion forum")
        verbose_name_plural = _("opinion forums")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.held_on} {self.work_team.name}"


class Appeal(models.Model):
    class Channel(models.TextChoices):
        FORUM = "forum", _("opinion forum")
        QQ = "qq", _("QQ group")
        PHONE = "phone", _("phone")
        IN_PERSON = "in_person", _("in person")
        LETTER = "letter", _("letter")

    class Category(models.TextChoices):
        WORK = "work", _("work and production")
        SAFETY = "safety", _("safety")
        WELFARE = "welfare", _("pay and welfare")
        LIVING = "living", _("living conditions")
        TRAINING = "training", _("training and career")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_PROGRESS = "in_progress", _("in progress")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    class Satisfaction(models.IntegerChoices):
        VERY_SATISFIED = 3, _("satisfied")
        BASICALLY_SATISFIED = 2, _("basically satisfied")
        NOT_SATISFIED = 1, _("not satisfied")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("branch"))
    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, null=True, blank=True, related_name="appeals", verbose_name=_("forum")
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    requester = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("requester")
    )
    received_on = models.DateField(_("received on"))
    content = models.TextField(_("what is asked"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    handler = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="appeals_handled", verbose_name=_("handled by (liaison)")
    )
    deadline = models.DateField(_("answer by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("requester's satisfaction"), choices=Satisfaction.choices, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["branch", "status", "deadline"]),
            models.Index(fields=["branch", "received_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["answered", "closed"]) | (~Q(answer="") & Q(answered_on__isnull=False)),
                name="answered_appeals_have_an_answer",
                violation_error_message=_("An answered or closed appeal needs its answer and the date."),
            )
        ]

    def __str__(self):
        return f"{self.received_on} {self.requester.name}: {self.content[:30]}"


class AppealAttachment(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("appeal"))
    file = models.FileField(_("file"), upload_to="appeals/%Y/")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal attachment")
        verbose_name_plural = _("appeal attachments")

    def __str__(self):
        return self.file.name
