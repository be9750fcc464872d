"""Service-work pages as data grows: the activity calendar, an activity's attendance sheet and the
appeals list. Tests assert the query counts stay flat; this prints times beside them.

    .venv/bin/python -m bench.service
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hongqi .venv/bin/python -m bench.service
"""

import datetime as dt
import random

from bench import setup_django, throwaway_database
from bench.pages import RUNS, _measure, _people


def _activities(branch, organiser, members, today, per_month: int):
    from django.utils import timezone

    from activities.models import Activity, ActivityAttendance

    tz = timezone.get_default_timezone()
    activities = []
    for month in range(12):
        for i in range(per_month):
            day = today - dt.timedelta(days=30 * month + 3 + i * 5)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)), tz)
            activities.append(
                Activity(
                    branch=branch,
                    kind="dedication_day",
                    title=f"党员奉献日{month}-{i}",
                    state="held",
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=3),
                    place="井场",
                    organiser=organiser,
                    task="level_well_sites",
                )
            )
    activities = Activity.objects.bulk_create(activities)
    ActivityAttendance.objects.bulk_create(
        [ActivityAttendance(activity=a, member=m, present=True, hours=3) for a in activities for m in members]
    )
    return activities


def _appeals(branch, handler, members, count: int, today):
    from activities.models import Appeal
    from members.models import Employee

    rng = random.Random(count)
    employees = Employee.objects.bulk_create(
        [Employee(branch=branch, name=f"员工{i}", work_team=members[i % len(members)].work_team) for i in range(50)]
    )
    statuses = ["received", "in_progress", "answered", "closed"]
    rows = []
    for i in range(count):
        received = today - dt.timedelta(days=rng.randint(0, 700))
        status = statuses[i % 4]
        answered = status in ("answered", "closed")
        rows.append(
            Appeal(
                branch=branch,
                channel="forum",
                requester=employees[i % 50],
                received_on=received,
                content="井场道路需要平整",
                category="work",
                handler=handler,
                deadline=received + dt.timedelta(days=15),
                status=status,
                answer="已安排平整" if answered else "",
                answered_on=received + dt.timedelta(days=rng.randint(1, 20)) if answered else None,
                closed_on=received + dt.timedelta(days=25) if status == "closed" else None,
                satisfaction=3 if status == "closed" else None,
            )
        )
    Appeal.objects.bulk_create(rows, batch_size=1000)


def main() -> None:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from activities.models import Appeal
    from branch.models import Branch, PartyGroup, WorkTeam
    from members.models import CommitteeRole

    with throwaway_database() as vendor:
        today = timezone.localdate()
        branch = Branch.objects.create(name="基准党支部", plant="百口泉采油厂")
        groups = [PartyGroup.objects.create(branch=branch, name=f"第{i}党小组") for i in range(1, 4)]
        teams = [WorkTeam.objects.create(branch=branch, name=f"采油{i}班") for i in range(1, 7)]
        people = _people(branch, groups, teams, 57, 0)
        secretary = people[0]
        secretary.user = get_user_model().objects.create_user("bench-secretary")
        secretary.save()
        CommitteeRole.objects.create(branch=branch, member=secretary, role="secretary", started_on=today)
        client = Client()
        client.force_login(secretary.user)
        results = []

        activities = _activities(branch, secretary, people, today, per_month=1)
        results.append(("activity calendar, 12 activities", *_measure(client, reverse("activities:activity_calendar"))))
        results.append(
            (
                "attendance sheet, 57 people",
                *_measure(client, reverse("activities:activity_attendance", args=[activities[0].pk])),
            )
        )
        _activities(branch, secretary, people, today, per_month=4)
        results.append(("activity calendar, 60 activities", *_measure(client, reverse("activities:activity_calendar"))))

        _appeals(branch, people[3], people, 57, today)
        results.append(("appeals list, 57 appeals", *_measure(client, reverse("activities:appeal_list"))))
        results.append(("appeal figures, 57 appeals", *_measure(client, reverse("activities:appeal_figures"))))
        Appeal.objects.all().delete()
        _appeals(branch, people[3], people, 5000, today)
        results.append(("appeals list, 5,000 appeals", *_measure(client, reverse("activities:appeal_list"))))
        results.append(
            ("appeals list, 5,000, overdue only", *_measure(client, reverse("activities:appeal_list") + "?overdue=1"))
        )
        results.append(("appeal figures, 5,000 appeals", *_measure(client, reverse("activities:appeal_figures"))))

    print(f"\nService pages ({vendor}, median of {RUNS} requests through Django's test client)")
    print(f"{'page':<36}{'ms':>9}{'queries':>9}")
    for label, ms, queries in results:
        print(f"{label:<36}{ms:>9.1f}{queries:>9}")


if __name__ == "__main__":
    main()
