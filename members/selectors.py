"""Read-side queries for member pages. Each says what it loads; none runs a query per row."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext as _

from branch.models import PartyGroup, WorkTeam

from .access import Actor
from .models import CommitteeRole, CorrectionRequest, Development, Member, StudyRecord
from .names import MIDDLE_DOT, normalize_name


def roster(
    actor: Actor,
    *,
    query: str = "",
    party_group=None,
    work_team=None,
    status: str = "",
    ethnicity: str = "",
    committee_role: str = "",
    archived: bool = False,
) -> QuerySet[Member]:
    """The members an actor may see, filtered as the roster's search form asks."""
    members = Member.objects.visible_to(actor).select_related("party_group", "work_team")
    members = members.filter(archived_on__isnull=not archived)
    if query := normalize_name(query):
        # Match with or without the middle dot: 艾力买买提 finds 艾力·买买提.
        members = members.annotate(name_plain=Replace("name", Value(MIDDLE_DOT), Value(""))).filter(
            Q(name__icontains=query)
            | Q(name_plain__icontains=query.replace(MIDDLE_DOT, ""))
            | Q(employee_number__icontains=query)
        )
    if party_group is not None:
        members = members.filter(party_group=party_group)
    if work_team is not None:
        members = members.filter(work_team=work_team)
    if status:
        members = members.filter(status=status)
    if ethnicity:
        members = members.filter(ethnicity=ethnicity)
    if committee_role:
        members = members.filter(committee_roles__role=committee_role, committee_roles__ended_on__isnull=True)
    return members.order_by("employee_number")


def study_waiting_for(actor: Actor) -> QuerySet[StudyRecord]:
    """Submitted study records the actor may confirm: the branch for the secretary, the group for its
    leader; never their own."""
    records = StudyRecord.objects.filter(status=StudyRecord.Status.SUBMITTED).select_related(
        "member", "member__party_group"
    )
    if actor.member is None:
        return records.none()
    if actor.is_secretary:
        records = records.filter(member__branch_id=actor.branch_id)
    elif actor.leads_group_id:
        records = records.filter(member__party_group_id=actor.leads_group_id)
    else:
        return records.none()
    return records.exclude(member=actor.member).order_by("studied_on", "pk")


def pending_corrections(actor: Actor) -> QuerySet[CorrectionRequest]:
    if not actor.is_secretary:
        return CorrectionRequest.objects.none()
    return (
        CorrectionRequest.objects.filter(status=CorrectionRequest.Status.PENDING, member__branch_id=actor.branch_id)
        .select_related("member")
        .order_by("requested_at")
    )


# ---- history --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    when: object
    who: str
    what: str  # the kind of record
    field: str
    old: str
    new: str


def _display(field, value, lookups) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return lookups.get(field.related_model, {}).get(value, str(value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _diff_rows(rows, model, kind: str, lookups, skip=()) -> list[Change]:
    """Changes between consecutive history rows of the same object (rows ordered by id, date)."""
    fields = [f for f in model._meta.concrete_fields if f.name not in skip and f.name != "id"]
    changes, previous = [], None
    for row in rows:
        who = row.history_user.get_username() if row.history_user else "—"
        if previous is not None and previous.id == row.id:
            for f in fields:
                old, new = getattr(previous, f.attname), getattr(row, f.attname)
                if old != new:
                    changes.append(
                        Change(
                            row.history_date,
                            who,
                            kind,
                            str(f.verbose_name),
                            _display(f, old, lookups),
                            _display(f, new, lookups),
                        )
                    )
        elif row.history_type == "+":
            changes.append(Change(row.history_date, who, kind, "", "", _("created")))
        previous = row
    return changes


def member_history(member: Member, limit: int = 200) -> list[Change]:
    """Who changed what on a member's record, development steps and study records, newest first.
    Six queries whatever the length of the history."""
    lookups = {
        PartyGroup: dict(PartyGroup.objects.filter(branch_id=member.branch_id).values_list("pk", "name")),
        WorkTeam: dict(WorkTeam.objects.filter(branch_id=member.branch_id).values_list("pk", "name")),
        # Reviewers of study records: the branch's secretary or a group leader.
        Member: dict(Member.objects.filter(branch_id=member.branch_id).values_list("pk", "name")),
    }
    member_rows = member.history.select_related("history_user").order_by("history_date", "history_id")
    changes = _diff_rows(
        member_rows, Member, _("personal record"), lookups, skip={"updated_at", "created_at", "photo_thumbnail", "user"}
    )
    dev_rows = (
        Development.history.filter(member_id=member.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    changes += _diff_rows(dev_rows, Development, _("development record"), lookups)
    study_rows = (
        StudyRecord.history.filter(member_id=member.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    changes += _diff_rows(
        study_rows, StudyRecord, _("study record"), lookups, skip={"created_at", "reviewed_at", "member"}
    )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit]


def committee_role_of(member: Member) -> str | None:
    return CommitteeRole.objects.filter(member=member, ended_on__isnull=True).values_list("role", flat=True).first()
