"""Build the demo branch: 检188采油作业区党支部 of 百口泉采油厂, as the seed article describes it.

Every step is get-or-create on a natural key, so a second run finds everything in place and changes
nothing. Later features add their own year of records through their app's demo module.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from activities.demo import build_honors, build_recognition
from activities.demo_appeals import build_appeals_and_care
from activities.demo_assessment import build_assessment
from activities.demo_duties import build_duties
from activities.demo_meetings import build_meetings
from activities.demo_redflag import build_red_flag
from activities.demo_service import build_service_activities
from members import demo as member_demo
from members.demo_records import build_member_records
from members.models import CommitteeRole, Member, TeamLink

from .models import Branch, PartyGroup, WorkTeam

BRANCH_NAME = "检188采油作业区党支部"
PLANT = "百口泉采油厂"
OPERATION_AREA = "检188采油作业区"
# Three party groups drawn by proximity (就近原则), as in the seed.
GROUPS = [
    ("第一党小组", "检188一号计量站片区"),
    ("第二党小组", "检188二号计量站片区"),
    ("第三党小组", "检188注输联合站片区"),
]
TEAMS = [
    ("采油一班", "一号计量站"),
    ("采油二班", "二号计量站"),
    ("采油三班", "三号计量站"),
    ("注水班", "注输联合站"),
    ("集输班", "注输联合站"),
    ("维修班", "作业区机修间"),
]
ADMIN_USERNAME = "admin"
COMMITTEE_SINCE = dt.date(2024, 3, 1)


@dataclass
class DemoResult:
    branch: Branch
    created: int  # rows created by this run; 0 on a second run


@transaction.atomic
def build_demo_branch(*, password: str, today: dt.date | None = None) -> DemoResult:
    today = today or timezone.localdate()
    created = 0
    User = get_user_model()
    # One hash for every demo account: hashing 58 times would take most of a minute, and these
    # accounts share their password by design.
    password_hash = make_password(password)

    branch, new = Branch.objects.get_or_create(
        name=BRANCH_NAME, defaults={"plant": PLANT, "operation_area": OPERATION_AREA}
    )
    created += new
    groups = []
    for name, area in GROUPS:
        group, new = PartyGroup.objects.get_or_create(branch=branch, name=name, defaults={"area": area})
        groups.append(group)
        created += new
    teams = []
    for name, station in TEAMS:
        team, new = WorkTeam.objects.get_or_create(branch=branch, name=name, defaults={"station": station})
        teams.append(team)
        created += new

    _, new = User.objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={"password": password_hash, "is_superuser": True, "is_staff": True},
    )
    created += new

    members = []
    for person in member_demo.demo_people(today):
        user, new = User.objects.get_or_create(username=person.employee_number, defaults={"password": password_hash})
        created += new
        member, new = Member.objects.get_or_create(
            employee_number=person.employee_number,
            defaults={
                "branch": branch,
                "user": user,
                "name": person.name,
                "gender": person.gender,
                "ethnicity": person.ethnicity,
                "birth_date": person.birth_date,
                "id_card_number": person.id_card_number,
                "phone": person.phone,
                "status": person.status,
                "joined_on": person.joined_on,
                # Committee members first spread over the groups, then everyone round the three.
                "party_group": groups[person.index % len(groups)],
                "work_team": teams[person.index % len(teams)],
                "is_group_leader": False,
            },
        )
        created += new
        members.append(member)

    for member_index, group in zip(member_demo.GROUP_LEADER_INDEXES, groups, strict=True):
        leader = members[member_index]
        if not leader.is_group_leader:
            leader.party_group = group
            leader.is_group_leader = True
            leader.save()
            created += 1

    for index, role in enumerate(member_demo.COMMITTEE):
        _, new = CommitteeRole.objects.get_or_create(
            branch=branch, member=members[index], role=role, defaults={"started_on": COMMITTEE_SINCE}
        )
        created += new
        _, new = TeamLink.objects.get_or_create(
            member=members[index], work_team=teams[index], defaults={"started_on": COMMITTEE_SINCE}
        )
        created += new

    # Composition root: each app builds its own year of records on the people above.
    created += build_member_records(branch=branch, members=members, today=today)
    created += build_service_activities(branch=branch, members=members, today=today)
    created += build_appeals_and_care(branch=branch, members=members, today=today)
    created += build_honors(branch=branch, members=members)
    created += build_recognition(branch=branch, members=members, today=today)
    created += build_duties(branch=branch, members=members, today=today)
    created += build_meetings(branch=branch, members=members, today=today)
    created += build_red_flag(branch=branch, members=members, today=today)
    # Last: the assessment scores what the others recorded.
    created += build_assessment(branch=branch, members=members, today=today)
    return DemoResult(branch=branch, created=created)
