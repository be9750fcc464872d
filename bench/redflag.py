"""Red-flag pages as assets and years of readings grow: the branch's board, an asset's chart page and
a member's record book, at 20 and at 500 assets, each with three years of daily readings.

The issue's target: the board keeps a constant number of queries, with the aggregation in the
database. Tests assert the query counts (tests/activities/test_redflag_attainment.py); this prints
times beside them.

    .venv/bin/python -m bench.redflag
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hongqi .venv/bin/python -m bench.redflag

Readings are generated inside the database (INSERT … SELECT over a recursive series of days): about
880,000 rows for 500 assets, which bulk_create would take minutes to write.
"""

import datetime as dt
import statistics
import time
from decimal import Decimal

from bench import setup_django, throwaway_database

RUNS = 7
YEARS = 3
# (kind, daily indicators with their target, value before and after the member took over)
KINDS = [
    ("oil_well", [("oil_output", "4.50", 3.7, 4.8), ("water_cut", "86.00", 91.0, 84.5)]),
    ("oil_well", [("oil_output", "4.50", 3.7, 4.8), ("water_cut", "86.00", 91.0, 84.5)]),
    ("oil_well", [("oil_output", "4.00", 3.4, 3.7), ("water_cut", "86.00", 92.0, 88.0)]),  # still red
    ("injection_well", [("injection", "60.00", 46.0, 63.0)]),
    ("pumping_unit", [("uptime", "98.00", 93.0, 99.0)]),
]


def _assets(branch, members, first: int, count: int, today: dt.date) -> None:
    from activities.models import Asset, AssignmentTarget, RedFlagAssignment

    assets = Asset.objects.bulk_create(
        Asset(branch=branch, code=f"J188-{n:03d}", kind=KINDS[n % len(KINDS)][0], hard_to_manage=True)
        for n in range(first, first + count)
    )
    assignments = RedFlagAssignment.objects.bulk_create(
        RedFlagAssignment(
            asset=asset,
            member=members[n % len(members)],
            schedule="每天量油，每周一、周四巡检",
            method="防砂、调参，异常当天处理",
            fit_reason="岗位需要懂机采，该同志机采技术好",
            started_on=today - dt.timedelta(days=300 + n % 200),
        )
        for n, asset in enumerate(assets, start=first)
    )
    AssignmentTarget.objects.bulk_create(
        AssignmentTarget(assignment=a, indicator=indicator, target=Decimal(target))
        for n, a in enumerate(assignments, start=first)
        for indicator, target, _before, _after in KINDS[n % len(KINDS)][1]
    )
    for offset, (_kind, series) in enumerate(KINDS):
        ids = [a.asset_id for n, a in enumerate(assignments, start=first) if n % len(KINDS) == offset]
        for indicator, _target, before, after in series:
            _insert_daily(ids, indicator, today, before, after)


def _insert_daily(asset_ids: list[int], indicator: str, today: dt.date, before: float, after: float) -> None:
    """Three years of daily readings up to yesterday; better after the assignment started, with a
    little day-to-day variation that differs between assets."""
    from django.db import connection
    from django.utils import timezone

    if not asset_ids:
        return
    days = YEARS * 365
    first = today - dt.timedelta(days=days)
    day = {"postgresql": "(%s::date + days.n)", "sqlite": "date(%s, '+' || days.n || ' days')"}[connection.vendor]
    placeholders = ", ".join(["%s"] * len(asset_ids))
    # Only constant SQL and placeholders go into the text; every value is a parameter.
    sql = f"""
        WITH RECURSIVE days(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM days WHERE n < %s)
        INSERT INTO activities_reading (asset_id, indicator, reading_on, value, created_at)
        SELECT assignment.asset_id, %s, {day},
               CASE WHEN {day} < assignment.started_on THEN %s ELSE %s END
               + ((days.n * 7 + assignment.asset_id * 13) %% 11) * 0.03, %s
        FROM activities_redflagassignment assignment CROSS JOIN days
        WHERE assignment.asset_id IN ({placeholders})
    """  # noqa: S608
    params = [days - 1, indicator, first.isoformat(), first.isoformat(), before, after, timezone.now(), *asset_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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


def _analyze() -> None:
    """PostgreSQL plans from statistics, which autovacuum keeps in production; gather them now."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _pages(client, label: str) -> list[tuple[str, float, int]]:
    from django.urls import reverse

    from activities.models import Asset, Reading, RedFlagAssignment

    asset = Asset.objects.order_by("pk").first()
    member = RedFlagAssignment.objects.get(asset=asset).member
    rows = Reading.objects.count()
    urls = [
        (f"board, {label}", reverse("activities:red_flag_board")),
        (f"board, red only, {label}", reverse("activities:red_flag_board") + "?colour=red"),
        (f"asset chart page, {label}", reverse("activities:asset_chart", args=[asset.pk])),
        (f"record book with the assignment, {label}", reverse("members:detail", args=[member.pk])),
    ]
    print(f"  {label}: {rows:,} readings")
    return [(name, *_measure(client, url)) for name, url in urls]


def main() -> None:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from branch.models import Branch, PartyGroup, WorkTeam
    from members.models import CommitteeRole, Member
    from members.validators import id_card_check_char

    with throwaway_database() as vendor:
        started = time.perf_counter()
        today = timezone.localdate()
        branch = Branch.objects.create(name="基准党支部", plant="百口泉采油厂")
        group = PartyGroup.objects.create(branch=branch, name="第一党小组")
        team = WorkTeam.objects.create(branch=branch, name="采油一班")
        members = []
        for i in range(57):
            first17 = f"650204{dt.date(1970, 1, 1) + dt.timedelta(days=i):%Y%m%d}{i * 2 + 1:03d}"
            members.append(
                Member(
                    branch=branch,
                    name=f"成员{i}",
                    gender="M",
                    birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=i),
                    employee_number=f"b{i:06d}",
                    id_card_number=first17 + id_card_check_char(first17),
                    party_group=group,
                    work_team=team,
                )
            )
        members = Member.objects.bulk_create(members)
        secretary = members[0]
        secretary.user = get_user_model().objects.create_user("bench-secretary")
        secretary.save()
        CommitteeRole.objects.create(branch=branch, member=secretary, role="secretary", started_on=today)
        client = Client()
        client.force_login(secretary.user)

        _assets(branch, members[1:], 0, 20, today)
        _analyze()
        results = _pages(client, "20 assets")
        _assets(branch, members[1:], 20, 480, today)
        _analyze()
        results += _pages(client, "500 assets")
        elapsed = time.perf_counter() - started

    print(f"\nRed-flag pages ({vendor}, {YEARS} years of daily readings, median of {RUNS} requests, as the secretary)")
    print(f"{'page':<48}{'ms':>9}{'queries':>9}")
    for name, ms, queries in results:
        print(f"{name:<48}{ms:>9.1f}{queries:>9}")
    print(f"(whole run, data included: {elapsed:.0f} s)")


if __name__ == "__main__":
    main()
