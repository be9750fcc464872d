"""People: logins, Party members and the branch committee."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from branch.models import Branch, PartyGroup, WorkTeam

from ..ethnicities import Ethnicity
from ..names import normalize_name
from ..validators import normalize_id_card, validate_id_card, validate_phone


class User(AbstractUser):
    """A login. Members log in with their employee number; the administrator has no member record."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class MemberQuerySet(models.QuerySet):
    def active(self):
        """People still in the branch; archived records stay readable but drop out of lists."""
        return self.filter(archived_on__isnull=True)

    def party_members(self):
        """Full and probationary members: the people the branch counts as its members."""
        return self.filter(status__in=Member.PARTY_STATUSES)

    def visible_to(self, actor):
        """The member records this actor may see: everything for the administrator, the branch for
        its committee, the group for its leader (and themself), only themself for a member."""
        if actor.is_admin:
            return self
        if actor.member is None:
            return self.none()
        if actor.is_committee:
            return self.filter(branch_id=actor.branch_id)
        if actor.leads_group_id:
            return self.filter(Q(party_group_id=actor.leads_group_id) | Q(pk=actor.member.pk))
        return self.filter(pk=actor.member.pk)


class Member(models.Model):
    """A person in the branch's care: a Party member, or someone on the way to becoming one."""

    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("applicant")
        ACTIVIST = "activist", _("activist")
        CANDIDATE = "candidate", _("candidate for admission")
        PROBATIONARY = "probationary", _("probationary member")
        FULL = "full", _("full member")

    class ArchiveReason(models.TextChoices):
        TRANSFERRED_OUT = "transferred_out", _("transferred out")
        DIED = "died", _("died")
        EXPELLED = "expelled", _("expelled from the Party")
        WITHDREW = "withdrew", _("left the Party")
        DROPPED = "dropped", _("left the development pipeline")

    PARTY_STATUSES = (Status.PROBATIONARY, Status.FULL)
    PIPELINE_STATUSES = (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY)

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="members", verbose_name=_("branch"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("login"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN)
    birth_date = models.DateField(_("birth date"))
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    id_card_number = models.CharField(_("ID card number"), max_length=18, unique=True, validators=[validate_id_card])
    status = models.CharField(_("party status"), max_length=20, choices=Status.choices, default=Status.FULL)
    joined_on = models.DateField(
        _("date joined the Party"), null=True, blank=True, help_text=_("Empty until the person is admitted.")
    )
    party_group = models.ForeignKey(
        PartyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("party group"),
    )
    work_team = models.ForeignKey(
        WorkTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("work team")
    )
    is_group_leader = models.BooleanField(_("party group leader"), default=False)
    # The three roles (三好) a member may be given: publicise policy, pass on employees' requests,
    # solve employees' difficulties.
    is_publicist = models.BooleanField(_("publicist"), default=False, help_text=_("宣传员: publicises policy."))
    is_liaison = models.BooleanField(_("liaison"), default=False, help_text=_("联络员: passes on employees' requests."))
    is_server = models.BooleanField(_("server"), default=False, help_text=_("服务员: solves employees' difficulties."))
    archived_on = models.DateField(_("left on"), null=True, blank=True)
    archive_reason = models.CharField(_("reason for leaving"), max_length=20, choices=ArchiveReason.choices, blank=True)
    archive_note = models.CharField(_("note on leaving"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to="members/photos/", blank=True)
    photo_thumbnail = models.ImageField(
        _("photo thumbnail"), upload_to="members/thumbnails/", blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["photo_thumbnail", "updated_at"])

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["employee_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_group"],
                condition=Q(is_group_leader=True),
                name="one_leader_per_party_group",
                violation_error_message=_("This party group already has a leader."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.employee_number})"

    def save(self, *args, **kwargs):
        # Fold name and ID variants here so every path that saves a member (forms, admin, imports
        # through save()) stores one spelling; search and uniqueness rely on it.
        self.name = normalize_name(self.name)
        self.id_card_number = normalize_id_card(self.id_card_number)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:detail", args=[self.pk])

    @property
    def is_party_member(self) -> bool:
        return self.status in self.PARTY_STATUSES

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    @property
    def service_roles(self) -> list[str]:
        """Labels of the three roles (三好) this member holds, in their fixed order."""
        flags = [("is_publicist", self.is_publicist), ("is_liaison", self.is_liaison), ("is_server", self.is_server)]
        return [str(self._meta.get_field(name).verbose_name) for name, held in flags if held]


class CommitteeRole(models.Model):
    """A seat on the branch committee (支部委员会). Ended seats are kept for the record."""

    class Role(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY = "deputy", _("deputy secretary")
        ORGANISATION = "organisation", _("organisation committee member")
        PUBLICITY = "publicity", _("publicity committee member")
        DISCIPLINE = "discipline", _("discipline committee member")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="committee_roles", verbose_name=_("branch")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="committee_roles", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee role")
        verbose_name_plural = _("committee roles")
        ordering = ["branch", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "role"],
                condition=Q(ended_on__isnull=True),
                name="one_active_holder_per_committee_role",
                violation_error_message=_("Someone already holds this committee role."),
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_on__isnull=True),
                name="one_active_committee_role_per_member",
                violation_error_message=_("This member already holds a committee role."),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.member.name}"


class TeamLink(models.Model):
    """A committee member's linked front-line work team (联点班组), which they help and guide."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="team_links", verbose_name=_("member"))
    work_team = models.ForeignKey(
        WorkTeam, on_delete=models.PROTECT, related_name="committee_links", verbose_name=_("work team")
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("linked work team")
        verbose_name_plural = _("linked work teams")
        ordering = ["member", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_on__isnull=True),
                name="one_active_team_link_per_member",
                violation_error_message=_("This committee member is already linked to a work team."),
            ),
        ]

    def __str__(self):
        return f"{self.member.name} → {self.work_team.name}"


class Pairing(models.Model):
    """Two members raising each other's skill: mutual help (结对互帮) or a Han-minority partnership (民汉搭档)."""

    class Kind(models.TextChoices):
        MUTUAL_HELP = "mutual_help", _("mutual-help pairing")
        HAN_MINORITY = "han_minority", _("Han-minority partnership")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("branch"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mentor = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mentoring", verbose_name=_("mentor"))
    mentee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mentored_by", verbose_name=_("partner"))
    goal = models.CharField(_("goal"), max_length=200, help_text=_("The skill the pair works on."))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="pairing_needs_two_people",
                violation_error_message=_("A member cannot be paired with themself."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.mentor.name} — {self.mentee.name}"


class Employee(models.Model):
    """A front-line employee (群众) the branch serves: they raise appeals and receive care visits. Party
    members who raise an appeal are recorded here too, linked to their member record."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="employees", verbose_name=_("branch"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    work_team = models.ForeignKey(
        WorkTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="employees", verbose_name=_("work team")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    member = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="employee", verbose_name=_("member")
    )

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.work_team.name}）" if self.work_team_id else self.name

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        super().save(*args, **kwargs)
