"""Recognition: innovation projects with their awards and patents, honours, three-level publicity,
the 五带头标兵 selections and the branch's rules. Every write goes through here.

The rules, written once:

- The committee (the secretary included) manages innovations, honours, publicity and selections of
  its own branch; the secretary alone edits the branch's rules (制度) shown on the wall. Anyone else
  gets PermissionDenied (the views turn it into 403).
- Everyone named — project members, the lead, the honoured member, the nominee — belongs to the
  branch and has not left it. A project's lead is always one of its members.
- Awards, patents, honours and publicity record what has happened: their dates cannot be in the
  future. Patent numbers are unique.
- A selection goes nominating → decided → published and never back. Any member may nominate while
  it takes nominations, never themselves and each nominee once; the committee then marks at least
  one nominee selected, and publishes. Only published selections show in record books and on the
  wall.

Every function raises ValidationError (with field names where one field is at fault) when a rule is
broken, and PermissionDenied when the actor may not act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import Branch
from members.access import Actor
from members.models import Member

from ..access import Can, can
from ..models import (
    BranchRule,
    Honor,
    Innovation,
    InnovationAward,
    ModelSelection,
    Nomination,
    Patent,
    Publicity,
)

State = ModelSelection.State
INNOVATION_FIELDS = ("kind", "title", "problem", "solution", "result", "status", "started_on")


# ---- who may act ----------------------------------------------------------------------------------


def may_manage(actor: Actor, branch_id: int) -> bool:
    return actor.member is not None and actor.branch_id == branch_id and can(actor, Can.MANAGE_RECOGNITION)


def may_edit_rules(actor: Actor, branch_id: int) -> bool:
    return actor.member is not None and actor.branch_id == branch_id and actor.is_secretary


def may_nominate(actor: Actor, selection: ModelSelection) -> bool:
    return (
        actor.member is not None
        and actor.branch_id == selection.branch_id
        and can(actor, Can.NOMINATE)
        and selection.state == State.NOMINATING
    )


def _require_manager(actor: Actor, branch_id: int) -> None:
    if not may_manage(actor, branch_id):
        raise PermissionDenied


# ---- shared checks --------------------------------------------------------------------------------


def _not_future(field: str, day: dt.date | None) -> None:
    if day and day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")}, code="future")


def _of_branch(field: str, branch: Branch, people: Iterable[Member]) -> None:
    for person in people:
        if person.branch_id != branch.pk or person.archived_on is not None:
            raise ValidationError(
                {field: _("%(name)s is not a current member of this branch.") % {"name": person.name}},
                code="not_in_branch",
            )


# ---- innovations ----------------------------------------------------------------------------------


def _check_innovation(branch: Branch, lead: Member, members: list[Member], fields: dict) -> list[Member]:
    _not_future("started_on", fields.get("started_on"))
    _of_branch("lead", branch, [lead])
    _of_branch("members", branch, members)
    # The lead is always a member of the project, so the project shows in the lead's record book.
    return list({m.pk: m for m in [lead, *members]}.values())


@transaction.atomic
def innovation_create(*, actor: Actor, branch: Branch, lead: Member, members: Iterable[Member], **fields) -> Innovation:
    """Record a task-force project or a small improvement."""
    _require_manager(actor, branch.pk)
    people = _check_innovation(branch, lead, list(members), fields)
    innovation = Innovation(branch=branch, lead=lead, **{k: v for k, v in fields.items() if k in INNOVATION_FIELDS})
    innovation.full_clean()
    innovation.save()
    innovation.members.set(people)
    return innovation


@transaction.atomic
def innovation_update(*, actor: Actor, innovation: Innovation, lead: Member, members: Iterable[Member], **fields):
    _require_manager(actor, innovation.branch_id)
    people = _check_innovation(innovation.branch, lead, list(members), fields)
    innovation.lead = lead
    for name in INNOVATION_FIELDS:
        if name in fields:
            setattr(innovation, name, fields[name])
    innovation.full_clean()
    innovation.save()
    innovation.members.set(people)
    return innovation


def award_add(*, actor: Actor, innovation: Innovation, name: str, level: str, awarded_on: dt.date) -> InnovationAward:
    _require_manager(actor, innovation.branch_id)
    _not_future("awarded_on", awarded_on)
    return InnovationAward.objects.create(innovation=innovation, name=name, level=level, awarded_on=awarded_on)


def patent_add(*, actor: Actor, innovation: Innovation, number: str, kind: str, granted_on: dt.date) -> Patent:
    _require_manager(actor, innovation.branch_id)
    _not_future("granted_on", granted_on)
    number = number.strip()
    if Patent.objects.filter(number__iexact=number).exists():
        raise ValidationError({"number": _("A patent with this number is already recorded.")}, code="duplicate")
    try:
        with transaction.atomic():
            return Patent.objects.create(innovation=innovation, number=number, kind=kind, granted_on=granted_on)
    except IntegrityError as error:  # the same number saved at the same moment
        raise ValidationError({"number": _("A patent with this number is already recorded.")}) from error


# ---- honours and publicity ------------------------------------------------------------------------


def honor_create(*, actor: Actor, branch: Branch, member: Member | None, **fields) -> Honor:
    """An honour of a member, or of the branch itself when no member is named."""
    _require_manager(actor, branch.pk)
    _not_future("awarded_on", fields.get("awarded_on"))
    if member is not None:
        _of_branch("member", branch, [member])
    honor = Honor(branch=branch, member=member, **fields)
    honor.full_clean()
    honor.save()
    return honor


def publicity_add(
    *, actor: Actor, branch: Branch, member: Member | None = None, honor: Honor | None = None, **fields
) -> Publicity:
    """Mark an achievement as shared at one of the three levels (三级宣传)."""
    _require_manager(actor, branch.pk)
    _not_future("shared_on", fields.get("shared_on"))
    if member is not None and member.branch_id != branch.pk:
        raise ValidationError({"member": _("Choose a member of this branch.")}, code="not_in_branch")
    if honor is not None and honor.branch_id != branch.pk:
        raise ValidationError({"honor": _("Choose an honour of this branch.")}, code="not_in_branch")
    publicity = Publicity(branch=branch, member=member, honor=honor, **fields)
    publicity.full_clean()
    publicity.save()
    return publicity


# ---- 五带头标兵 selections --------------------------------------------------------------------------


def selection_create(*, actor: Actor, branch: Branch, title: str) -> ModelSelection:
    _require_manager(actor, branch.pk)
    return ModelSelection.objects.create(branch=branch, title=title.strip())


@transaction.atomic
def nominate(*, actor: Actor, selection: ModelSelection, member: Member, reason: str) -> Nomination:
    """Put a member forward. Not oneself, each nominee once, only while nominations are open."""
    selection = ModelSelection.objects.select_for_update().get(pk=selection.pk)
    if actor.member is None or actor.branch_id != selection.branch_id or not can(actor, Can.NOMINATE):
        raise PermissionDenied
    if selection.state != State.NOMINATING:
        raise ValidationError(_("This selection no longer takes nominations."), code="closed")
    if member.pk == actor.member.pk:
        raise ValidationError({"member": _("You cannot nominate yourself.")}, code="self")
    _of_branch("member", selection.branch, [member])
    if not member.is_party_member:
        raise ValidationError({"member": _("Only Party members can be model members.")}, code="not_party_member")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reasons.")}, code="required")
    if selection.nominations.filter(member=member).exists():
        raise ValidationError({"member": _("%(name)s is already nominated.") % {"name": member.name}}, code="duplicate")
    return Nomination.objects.create(selection=selection, member=member, nominated_by=actor.member, reason=reason)


@transaction.atomic
def selection_decide(*, actor: Actor, selection: ModelSelection, selected: Iterable[int]) -> ModelSelection:
    """The committee's decision: the nominations (by id) chosen as 五带头标兵. At least one."""
    selection = ModelSelection.objects.select_for_update().get(pk=selection.pk)
    _require_manager(actor, selection.branch_id)
    if selection.state != State.NOMINATING:
        raise ValidationError(_("This selection has already been decided."), code="state")
    chosen = set(selected)
    nominations = selection.nominations.all()
    if not chosen or not chosen <= set(nominations.values_list("pk", flat=True)):
        raise ValidationError({"selected": _("Choose at least one of the nominees.")}, code="none_selected")
    nominations.update(selected=False)
    nominations.filter(pk__in=chosen).update(selected=True)
    selection.state = State.DECIDED
    selection.decided_on = timezone.localdate()
    selection.save(update_fields=["state", "decided_on"])
    return selection


@transaction.atomic
def selection_publish(*, actor: Actor, selection: ModelSelection) -> ModelSelection:
    """Publish a decided selection: it now shows in the selected members' record books and on the wall."""
    selection = ModelSelection.objects.select_for_update().get(pk=selection.pk)
    _require_manager(actor, selection.branch_id)
    if selection.state != State.DECIDED:
        raise ValidationError(_("Only a decided selection can be published."), code="state")
    selection.state = State.PUBLISHED
    selection.published_on = timezone.localdate()
    selection.save(update_fields=["state", "published_on"])
    return selection


# ---- the branch's rules (制度) ----------------------------------------------------------------------


def rule_save(*, actor: Actor, branch: Branch, rule: BranchRule | None = None, **fields) -> BranchRule:
    """Create a rule, or change `rule`. The secretary only."""
    if not may_edit_rules(actor, branch.pk) or (rule is not None and rule.branch_id != branch.pk):
        raise PermissionDenied
    rule = rule or BranchRule(branch=branch)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    return rule


def rule_delete(*, actor: Actor, rule: BranchRule) -> None:
    if not may_edit_rules(actor, rule.branch_id):
        raise PermissionDenied
    rule.delete()


def wall_set_public(*, actor: Actor, branch: Branch, public: bool) -> Branch:
    """Whether the wall (三上墙) opens without a login, for the hall's screen. The secretary only."""
    if not may_edit_rules(actor, branch.pk):
        raise PermissionDenied
    branch.wall_is_public = public
    branch.save(update_fields=["wall_is_public"])
    return branch
