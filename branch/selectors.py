"""Read-side queries for branch pages. Each says what it loads, so pages keep a fixed query count."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from members.models import Member

from .models import Branch, PartyGroup

# Shown wherever members are grouped and someone has no party group yet (未分组).
UNGROUPED = _("No party group")


def branches_visible_to(actor) -> QuerySet[Branch]:
    if actor.is_admin:
        return Branch.objects.all()
    if actor.is_committee:
        return Branch.objects.filter(pk=actor.branch_id)
    return Branch.objects.none()


@dataclass
class GroupRow:
    name: str
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def cells(self) -> list[int]:
        """Counts in the order of Member.Status, for a table row."""
        return [self.by_status.get(status, 0) for status in Member.Status]


@dataclass
class BranchOverview:
    branch: Branch
    statuses: list[tuple[str, str]]
    groups: list[GroupRow]
    totals: dict[str, int]
    group_count: int  # the branch's party groups, without the 未分组 row

    @property
    def party_member_count(self) -> int:
        return sum(self.totals.get(status, 0) for status in Member.PARTY_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def total_cells(self) -> list[int]:
        return [self.totals.get(status, 0) for status in Member.Status]


def branch_overview(branch: Branch) -> BranchOverview:
    """Members counted by party group and status, in two queries whatever the branch's size."""
    rows = (
        Member.objects.filter(branch=branch)
        .active()
        .values("party_group_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["party_group_id"]][row["status"]] = row["n"]
        totals[row["status"]] += row["n"]
    groups = [
        GroupRow(name=group.name, by_status=counts.get(group.pk, {}))
        for group in PartyGroup.objects.filter(branch=branch).order_by("name")
    ]
    group_count = len(groups)
    if None in counts:
        groups.append(GroupRow(name=str(UNGROUPED), by_status=counts[None]))
    return BranchOverview(
        branch=branch,
        statuses=list(Member.Status.choices),
        groups=groups,
        totals=dict(totals),
        group_count=group_count,
    )
