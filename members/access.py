"""Who is asking, and what they may do: the one place member-side permissions are decided.

Permissions are capability x scope. A role grants capabilities (`Actor.can`); the scope — self, my
party group, my branch, everything — comes from the querysets' `visible_to(actor)`. Views ask both:
first "may this role do this at all" (403 when not), then "is this object in your scope" (404 when
not, so a member guessing ids learns nothing).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .models import CommitteeRole, Member


class Role(enum.StrEnum):
    ADMIN = "admin"  # 系统管理员: superuser, above the branches
    SECRETARY = "secretary"  # 支部书记: runs the branch
    COMMITTEE = "committee"  # 支委委员
    GROUP_LEADER = "group_leader"  # 党小组长
    MEMBER = "member"  # 党员 (and people in the development pipeline)

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: _("administrator"),
    Role.SECRETARY: _("branch secretary"),
    Role.COMMITTEE: _("committee member"),
    Role.GROUP_LEADER: _("party group leader"),
    Role.MEMBER: _("member"),
}


class Capability(enum.StrEnum):
    VIEW_BRANCH_OVERVIEW = "view_branch_overview"
    VIEW_MEMBERS = "view_members"  # other people's records, within scope
    MANAGE_MEMBERS = "manage_members"  # create, edit, archive, import, export
    VIEW_OWN_RECORD = "view_own_record"
    REVIEW_STUDY = "review_study"  # confirm or return study records, within scope
    DECIDE_CORRECTIONS = "decide_corrections"
    VIEW_HISTORY = "view_history"  # who changed what on a member's records
    VIEW_PIPELINE = "view_pipeline"
    MANAGE_PIPELINE = "manage_pipeline"


_MEMBER_CAPS = frozenset({Capability.VIEW_OWN_RECORD})
_LEADER_CAPS = _MEMBER_CAPS | {Capability.VIEW_MEMBERS, Capability.REVIEW_STUDY}
_COMMITTEE_CAPS = _MEMBER_CAPS | {Capability.VIEW_MEMBERS, Capability.VIEW_BRANCH_OVERVIEW, Capability.VIEW_PIPELINE}
_SECRETARY_CAPS = _COMMITTEE_CAPS | {
    Capability.MANAGE_MEMBERS,
    Capability.REVIEW_STUDY,
    Capability.DECIDE_CORRECTIONS,
    Capability.VIEW_HISTORY,
    Capability.MANAGE_PIPELINE,
}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.MEMBER: _MEMBER_CAPS,
    Role.GROUP_LEADER: _LEADER_CAPS,
    Role.COMMITTEE: _COMMITTEE_CAPS,
    Role.SECRETARY: _SECRETARY_CAPS,
    # The administrator reads every branch here and changes data through the admin site (which has
    # the same imports); branch work — roster, reviews, corrections — stays with the branch.
    Role.ADMIN: frozenset(
        {
            Capability.VIEW_BRANCH_OVERVIEW,
            Capability.VIEW_MEMBERS,
            Capability.VIEW_HISTORY,
        }
    ),
}


@dataclass(frozen=True)
class Actor:
    """The person behind a request, with everything access checks need, loaded once."""

    user_id: int | None = None
    is_admin: bool = False
    member: Member | None = None
    committee_role: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def branch_id(self) -> int | None:
        return self.member.branch_id if self.member else None

    @property
    def is_secretary(self) -> bool:
        return Role.SECRETARY in self.roles

    @property
    def is_committee(self) -> bool:
        """Any seat on the committee, the secretary's included."""
        return self.committee_role is not None

    @property
    def leads_group_id(self) -> int | None:
        if self.member and self.member.is_group_leader:
            return self.member.party_group_id
        return None

    @property
    def main_role(self) -> Role | None:
        for role in Role:  # declared from the widest to the narrowest
            if role in self.roles:
                return role
        return None

    def can(self, capability: Capability) -> bool:
        return any(capability in ROLE_CAPABILITIES[role] for role in self.roles)

    def require(self, capability: Capability) -> None:
        if not self.can(capability):
            raise PermissionDenied


ANONYMOUS = Actor()


def actor_for(user) -> Actor:
    """Build the actor for a user in at most two queries."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    member = Member.objects.select_related("branch", "party_group", "work_team").filter(user_id=user.pk).first()
    roles: set[Role] = set()
    if user.is_superuser:
        roles.add(Role.ADMIN)
    committee_role = None
    if member is not None:
        roles.add(Role.MEMBER)
        if member.is_group_leader and member.party_group_id:
            roles.add(Role.GROUP_LEADER)
        committee_role = (
            CommitteeRole.objects.filter(member=member, ended_on__isnull=True).values_list("role", flat=True).first()
        )
        if committee_role:
            roles.add(Role.COMMITTEE)
        if committee_role == CommitteeRole.Role.SECRETARY:
            roles.add(Role.SECRETARY)
    return Actor(
        user_id=user.pk,
        is_admin=user.is_superuser,
        member=member,
        committee_role=committee_role,
        roles=frozenset(roles),
    )


def visible_members(actor: Actor) -> QuerySet[Member]:
    return Member.objects.visible_to(actor)


def get_visible_member(actor: Actor, pk: int) -> Member:
    """The member with this id if it is in the actor's scope; 404 otherwise, so ids leak nothing."""
    return get_object_or_404(
        visible_members(actor).select_related("branch", "party_group", "work_team"),
        pk=pk,
    )


def get_member_to_change(actor: Actor, pk: int, capability: Capability) -> Member:
    """A member the actor may see (else 404) and act on with this capability (else 403)."""
    member = get_visible_member(actor, pk)
    actor.require(capability)
    return member
