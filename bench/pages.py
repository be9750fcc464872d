"""Page speed and query counts as data grows: the record book and the roster.

The issue's target is that pages do not slow down as data grows: the record book of a member with five
years of entries takes the same number of queries as one with a single year, and so does the roster
with 5,000 members compared with 57. Tests assert the query counts; this prints times beside them.

    .venv/bin/python -m bench.pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hongqi .venv/bin/python -m bench.pages
"""

import datetime as dt
import random
import statistics
import time
from decimal import Decimal

from bench import setup_django, throwaway_database

RUNS = 7


def _people(branch, groups, teams, count: int, start: int):
    from members.models import Member
    from members.validators import id_card_check_char

    people = []
    for i in range(start, start + count):
        born = dt.date(1965, 1, 1) + dt.timedelta(days=i)
        first17 = f"650204{born:%Y%m%d}{(i % 499) * 2 + 1:03d}"
        people.append(
            Member(
                branch=branch,
                name=f"成员{i}" if i % 7 else f"艾力·买买提{i}",
                gender="M",
                ethnicity="01" if i % 7 else "05",
                birth_date=born,
                employee_number=f"b{i:06d}",
                id_card_number=first17 + id_card_check_char(first17),
                status=Member.Status.FULL,
                joined_on=born + dt.timedelta(days=9000),
                party_group=groups[i % len(groups)],
                work_team=teams[i % len(teams)],
            )
        )
    return Member.objects.bulk_create(people, batch_size=1000)


def _years_of_entries(member, partner, branch, years: int, today: dt.date) -> None:
    """About what an active member records: three study records a month, a pairing and an honour a year."""
    from activities.models import Honor
    from members.models import Pairing, StudyRecord

    rng = random.Random(years)
    records = []
    for month in range(12 * years):
        for _ in range(3):
            day = today - dt.timedelta(days=30 * month + rng.randint(0, 27))
            records.append(
                StudyRecord(
                    member=member,
                    studied_on=day,
                    topic="学习党章",
                    form="self_study",
                    hours=Decimal("2.0"),
                    status="confirmed",
                )
            )
    StudyRecord.objects.bulk_create(records)
    for year in range(years):
        start = today - dt.timedelta(days=365 * year + 10)
        Pairing.objects.create(
            branch=branch, kind="han_minority", mentor=member, mentee=partner, goal="巡检", started_on=start
        )
        Honor.objects.create(branch=branch, member=member, title="先进个人", level="plant", awarded_on=start)


def _measure(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and the session
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries.captured_queries)


def main() -> None:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from branch.models import Branch, PartyGroup, WorkTeam
    from members.models import CommitteeRole

    with throwaway_database() as vendor:
        today = timezone.localdate()
        branch = Branch.objects.create(name="基准党支部", plant="百口泉采油厂")
        groups = [PartyGroup.objects.create(branch=branch, name=f"第{i}党小组") for i in range(1, 4)]
        teams = [WorkTeam.objects.create(branch=branch, name=f"采油{i}班") for i in range(1, 7)]
        people = _people(branch, groups, teams, 57, 0)
        user = get_user_model().objects.create_user("bench-secretary")
        secretary = people[0]
        secretary.user = user
        secretary.save()
        CommitteeRole.objects.create(branch=branch, member=secretary, role="secretary", started_on=today)
        client = Client()
        client.force_login(user)

        one, five = people[1], people[2]
        _years_of_entries(one, people[3], branch, 1, today)
        _years_of_entries(five, people[3], branch, 5, today)
        rows = [
            ("record book, 1 year of entries", reverse("members:detail", args=[one.pk])),
            ("record book, 5 years of entries", reverse("members:detail", args=[five.pk])),
            ("print view, 5 years of entries", reverse("members:print", args=[five.pk])),
            ("roster, 57 members", reverse("members:list")),
        ]
        results = [(label, *_measure(client, url)) for label, url in rows]
        _people(branch, groups, teams, 5000 - 57, 57)
        for label, url in [
            ("roster, 5,000 members (page 1)", reverse("members:list")),
            ("roster, 5,000 members (page 60)", reverse("members:list") + "?page=60"),
            ("roster search, 5,000 members", reverse("members:list") + "?q=艾力买买提"),
        ]:
            results.append((label, *_measure(client, url)))

    print(f"\nPage speed ({vendor}, median of {RUNS} requests through Django's test client)")
    print(f"{'page':<36}{'ms':>9}{'queries':>9}")
    for label, ms, queries in results:
        print(f"{label:<36}{ms:>9.1f}{queries:>9}")


if __name__ == "__main__":
    main()
