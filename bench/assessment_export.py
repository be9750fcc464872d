"""The quarterly assessment workbook against the issue's budget.

"For 10,000 members with a year of activity (about 500,000 attendance rows), the quarterly workbook
finishes within 1.3 × the time the same xlsx writer needs to write the same cells from ready lists in
memory, with peak memory under 250 MB, and with a number of SQL queries that does not grow with the
member count. Print, side by side in one run, the time of a plain django-import-export resource export
of the same summary: ours must be at least twice as fast."

In a fresh database this builds a branch (and one a tenth its size, for (e)) with a year of records:
meetings and attendance for everyone called, held activities with attendance, confirmed study records,
red-flag wells with a year of daily readings, appeals, guidance visits, honours, patents, publicity,
care visits, deductions and adjustments for the open quarter. Then, for the last complete quarter:

  (a) ours: the "assessment" exporter's sheets written by branch.exports.writers.write_xlsx — the
      summary and every evidence sheet, queries and row building included;
  (b) the yardstick: the same cells, first read into lists (not timed), written by the same write_xlsx;
  (c) a plain django-import-export ModelResource over Member with the same summary columns, fed from
      the computed scores: resource.export() → tablib Dataset → .xlsx bytes (the admin's path), beside
      our summary sheet alone written by write_xlsx; both times include computing the scores (assess());
  (d) the peak memory of (a): a fresh interpreter sets Django up and writes the workbook; its
      ru_maxrss (and VmHWM, the same figure from /proc), nothing subtracted;
  (e) the SQL queries of (a) for a second, smaller branch in the same database and for the large one.

Times are medians of five interleaved runs (--runs to change), each after gc.collect(): wall clock,
which the targets use, and this process's CPU time, which a busy machine disturbs less (on SQLite it
includes the database's work, on PostgreSQL it does not).

    .venv/bin/python -m bench.assessment_export                    # 10,000 members, SQLite
    .venv/bin/python -m bench.assessment_export --members 1000     # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hongqi .venv/bin/python -m bench.assessment_export
    .venv/bin/python -m bench assessment                           # through the bench runner

Records are written with bulk_create, and the large tables (attendance, study records, readings) by
INSERT … SELECT inside the database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from decimal import Decimal
from pathlib import Path

from bench import setup_django, throwaway_database

MEMBERS = 10_000
RUNS = 5
RATIO_BUDGET = 1.3  # (a) / (b)
MEMORY_BUDGET_MB = 250
SPEEDUP_BUDGET = 2.0  # (c) / ours, summary only
ASSETS_PER_10K = 300

# (asset kind, [(indicator, target, value before the member took over, after)])
KINDS = [
    ("oil_well", [("oil_output", "4.50", 3.7, 4.8), ("water_cut", "86.00", 91.0, 84.5)]),
    ("oil_well", [("oil_output", "4.00", 3.4, 3.7), ("water_cut", "86.00", 92.0, 88.0)]),
    ("injection_well", [("injection", "60.00", 46.0, 63.0)]),
    ("pumping_unit", [("uptime", "98.00", 93.0, 99.0)]),
]
TOPICS = ("学习贯彻党的二十届三中全会精神", "安全生产月专题学习", "油田高质量发展形势任务教育", "廉洁从业警示教育")
GROUP_NAMES = ("第一党小组", "第二党小组", "第三党小组")
TEAM_NAMES = ("采油一班", "采油二班", "采油三班", "注水班", "集输班", "维修班")


# ---- data ------------------------------------------------------------------------------------------


def _day_sql(offset: str) -> str:
    """SQL for the date `%s` (a parameter) plus `offset` days (an SQL expression)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"(%s::date + CAST(({offset}) AS integer))"
    return f"date(%s, '+' || ({offset}) || ' days')"


def _execute(sql: str, params: list) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build(*, name: str, members: int, start: int, quarter, today: dt.date):
    """A branch with `members` party members and a year of records ending with `quarter`. `start` keeps
    employee and ID-card numbers unique between branches in one database. Returns (branch, counts)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from activities.models import (
        Activity,
        ActivityAttendance,
        Appeal,
        AssessmentPeriod,
        Asset,
        AssignmentTarget,
        CareOccasion,
        CareVisit,
        Deduction,
        GuidanceVisit,
        Honor,
        Innovation,
        Meeting,
        MeetingAttendance,
        Patent,
        Publicity,
        Reading,
        RedFlagAssignment,
        ScoreAdjustment,
    )
    from activities.services.assessment import ensure_scheme
    from branch.models import Branch, PartyGroup, WorkTeam
    from members.models import CommitteeRole, Employee, Member, StudyRecord
    from members.validators import id_card_check_char

    first_quarter = quarter.previous().previous().previous()
    year_start, year_end = first_quarter.start, quarter.end
    days = (year_end - year_start).days + 1

    def spread(n: int, count: int, room: int = 0) -> dt.date:
        """The n-th of `count` days spread evenly over the year, leaving `room` days at its end."""
        return year_start + dt.timedelta(days=(2 * n + 1) * (days - room) // (2 * count))

    now = timezone.now()
    tz = timezone.get_current_timezone()

    branch = Branch.objects.create(name=name, plant="百口泉采油厂", operation_area="检188采油作业区")
    groups = PartyGroup.objects.bulk_create(PartyGroup(branch=branch, name=n) for n in GROUP_NAMES)
    teams = WorkTeam.objects.bulk_create(WorkTeam(branch=branch, name=n) for n in TEAM_NAMES)
    user = get_user_model().objects.create(username=f"bench-{start}")

    # Members: 1 in 12 probationary, 1 in 20 without a group, 1 in 200 left during the quarter.
    people = []
    for i in range(start, start + members):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=i)
        first17 = f"650204{born:%Y%m%d}{(i % 499) * 2 + 1:03d}"
        people.append(
            Member(
                branch=branch,
                name=f"成员{i}" if i % 7 else f"艾力·买买提{i}",
                gender="M" if i % 3 else "F",
                ethnicity="01" if i % 7 else "05",
                birth_date=born,
                employee_number=f"b{i:07d}",
                id_card_number=first17 + id_card_check_char(first17),
                status=Member.Status.PROBATIONARY if i % 12 == 0 else Member.Status.FULL,
                joined_on=born + dt.timedelta(days=9000),
                party_group=None if i % 20 == 0 else groups[i % len(groups)],
                work_team=teams[i % len(teams)],
                is_liaison=i % 100 == 1,
                archived_on=quarter.start + dt.timedelta(days=20) if i % 200 == 3 else None,
                archive_reason="transferred_out" if i % 200 == 3 else "",
            )
        )
    people = Member.objects.bulk_create(people, batch_size=2000)
    committee = people[1:6]
    CommitteeRole.objects.bulk_create(
        CommitteeRole(branch=branch, member=m, role=role, started_on=year_start - dt.timedelta(days=400))
        for m, role in zip(committee, CommitteeRole.Role.values, strict=True)
    )
    liaisons = [m for m in people if m.is_liaison]

    # Meetings: each month a theme party day, a committee meeting and each group's meeting; each
    # quarter a general meeting and a party lecture.
    meetings = []
    months = [
        dt.date(year_start.year + (year_start.month - 1 + k) // 12, (year_start.month - 1 + k) % 12 + 1, 1)
        for k in range(12)
    ]
    for k, month in enumerate(months):
        topic = TOPICS[k % len(TOPICS)]
        meetings.append(
            Meeting(branch=branch, kind="theme_day", held_on=month.replace(day=10), topic=f"主题党日：{topic}")
        )
        meetings.append(
            Meeting(branch=branch, kind="committee", held_on=month.replace(day=5), topic="支委会研究月度工作")
        )
        meetings += [
            Meeting(
                branch=branch, kind="group", party_group=g, held_on=month.replace(day=15), topic=f"党小组学习：{topic}"
            )
            for g in groups
        ]
        if k % 3 == 1:
            meetings.append(Meeting(branch=branch, kind="general", held_on=month.replace(day=20), topic="支部党员大会"))
        if k % 3 == 2:
            meetings.append(
                Meeting(branch=branch, kind="lecture", held_on=month.replace(day=25), topic=f"党课：{topic}")
            )
    Meeting.objects.bulk_create(meetings)

    ma, mt, mm = MeetingAttendance._meta.db_table, Meeting._meta.db_table, Member._meta.db_table
    wobble = "(m.id * 31 + mt.id * 17) %% 23"
    presence = f"CASE WHEN {wobble} < 2 THEN 'absent' WHEN {wobble} = 2 THEN 'excused' ELSE 'present' END"
    for join, kinds in (
        (f"JOIN {mm} m ON m.branch_id = mt.branch_id", ("general", "lecture", "theme_day")),
        (f"JOIN {mm} m ON m.party_group_id = mt.party_group_id", ("group",)),
        (
            f"JOIN {CommitteeRole._meta.db_table} r ON r.branch_id = mt.branch_id JOIN {mm} m ON m.id = r.member_id",
            ("committee",),
        ),
    ):
        placeholders = ", ".join(["%s"] * len(kinds))
        _execute(
            f"INSERT INTO {ma} (meeting_id, member_id, presence) SELECT mt.id, m.id, {presence} "  # noqa: S608 - our own table names
            f"FROM {mt} mt {join} WHERE mt.branch_id = %s AND mt.kind IN ({placeholders})",
            [branch.pk, *kinds],
        )

    # Activities: a dedication day each month for everyone; two theme activities and two topic classes
    # a quarter, each with two members in five; one cancelled activity a quarter.
    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)

    activities = []
    for k, month in enumerate(months):
        day = month.replace(day=18)
        activities.append(
            Activity(
                branch=branch,
                kind="dedication_day",
                title=f"{month.month}月党员奉献日：平整井场",
                state="held",
                starts_at=at(day, 9),
                ends_at=at(day, 13),
                place="J188井区",
                organiser=committee[0],
                task="level_well_sites",
            )
        )
        for kind, title, offset in (("theme_activity", "主题活动", 3), ("topic_class", "专题课堂", 24)):
            if k % 3 != 2:
                day = month.replace(day=offset)
                activities.append(
                    Activity(
                        branch=branch,
                        kind=kind,
                        title=f"{title}：{TOPICS[k % len(TOPICS)]}",
                        state="held",
                        starts_at=at(day, 15),
                        ends_at=at(day, 17),
                        place="作业区会议室",
                        organiser=committee[k % len(committee)],
                    )
                )
        if k % 3 == 0:
            day = month.replace(day=27)
            activities.append(
                Activity(
                    branch=branch,
                    kind="theme_activity",
                    title="因大风取消的主题活动",
                    state="cancelled",
                    starts_at=at(day, 9),
                    ends_at=at(day, 11),
                    place="J188井区",
                    organiser=committee[0],
                )
            )
    Activity.objects.bulk_create(activities)
    aa, at_table = ActivityAttendance._meta.db_table, Activity._meta.db_table
    for kinds, who, present, hours in (
        (("dedication_day",), "1 = 1", "(m.id * 13 + a.id * 7) %% 10 < 8", "4.0"),
        (("theme_activity", "topic_class"), "(m.id + a.id) %% 5 < 2", "(m.id + a.id * 3) %% 9 <> 0", "2.0"),
    ):
        placeholders = ", ".join(["%s"] * len(kinds))
        _execute(
            f"INSERT INTO {aa} (activity_id, member_id, present, registered, hours, hours_reason) "  # noqa: S608
            f"SELECT a.id, m.id, {present}, {present}, CASE WHEN {present} THEN {hours} ELSE 0 END, '' "
            f"FROM {at_table} a JOIN {mm} m ON m.branch_id = a.branch_id "
            f"WHERE a.branch_id = %s AND a.state = 'held' AND a.kind IN ({placeholders}) AND {who}",
            [branch.pk, *kinds],
        )

    # Study records: one a month each, 1 to 3 hours; one in ten still waiting for confirmation.
    day = _day_sql("months.n * 30 + m.id %% 20")
    _execute(
        f"""
        WITH RECURSIVE months(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM months WHERE n < 11)
        INSERT INTO {StudyRecord._meta.db_table}
            (member_id, studied_on, topic, form, hours, notes, attachment, status, return_reason, created_at)
        SELECT m.id, {day},
               CASE months.n %% 4 WHEN 0 THEN %s WHEN 1 THEN %s WHEN 2 THEN %s ELSE %s END,
               CASE (m.id + months.n) %% 3 WHEN 0 THEN 'self_study' WHEN 1 THEN 'online' ELSE 'meeting' END,
               1.0 + ((m.id * 7 + months.n) %% 5) * 0.5, '', '',
               CASE WHEN (m.id + months.n * 3) %% 10 = 0 THEN 'submitted' ELSE 'confirmed' END, '', %s
        FROM {mm} m CROSS JOIN months WHERE m.branch_id = %s
        """,  # noqa: S608
        [year_start.isoformat(), *TOPICS, now, branch.pk],
    )

    # Red-flag wells: a few hundred, each in one member's charge, with a year of daily readings.
    asset_count = max(10, members * ASSETS_PER_10K // 10_000)
    assets = Asset.objects.bulk_create(
        Asset(branch=branch, code=f"J188-{n:04d}", kind=KINDS[n % len(KINDS)][0], hard_to_manage=n % 3 == 0)
        for n in range(asset_count)
    )
    assignments = RedFlagAssignment.objects.bulk_create(
        RedFlagAssignment(
            asset=asset,
            member=people[(n * 29 + 7) % len(people)],
            schedule="每天量油，每周一、周四巡检",
            method="防砂、调参，异常当天处理",
            fit_reason="岗位需要懂机采，该同志机采技术好",
            started_on=year_start + dt.timedelta(days=(n * 37) % 300),
        )
        for n, asset in enumerate(assets)
    )
    AssignmentTarget.objects.bulk_create(
        AssignmentTarget(assignment=a, indicator=indicator, target=Decimal(target))
        for n, a in enumerate(assignments)
        for indicator, target, _before, _after in KINDS[n % len(KINDS)][1]
    )
    day = _day_sql("days.n")
    for offset, (_kind, series) in enumerate(KINDS):
        ids = [a.asset_id for n, a in enumerate(assignments) if n % len(KINDS) == offset]
        placeholders = ", ".join(["%s"] * len(ids))
        for indicator, _target, before, after in series:
            _execute(
                f"""
                WITH RECURSIVE days(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM days WHERE n < %s)
                INSERT INTO {Reading._meta.db_table} (asset_id, indicator, reading_on, value, created_at)
                SELECT ra.asset_id, %s, {day},
                       CASE WHEN {day} < ra.started_on THEN %s ELSE %s END
                       + ((days.n * 7 + ra.asset_id * 13) %% 11) * 0.03, %s
                FROM {RedFlagAssignment._meta.db_table} ra CROSS JOIN days
                WHERE ra.asset_id IN ({placeholders})
                """,  # noqa: S608
                [days - 1, indicator, year_start.isoformat(), year_start.isoformat(), before, after, now, *ids],
            )

    # Appeals handled by the liaisons: most answered in time, some late, some not yet.
    employees = Employee.objects.bulk_create(
        Employee(branch=branch, name=f"员工{n}", work_team=teams[n % len(teams)]) for n in range(max(20, members // 50))
    )
    appeals = []
    appeal_count = max(20, members // 15)
    for n in range(appeal_count):
        received = spread(n, appeal_count, room=10)
        answered = None if n % 9 == 0 else received + dt.timedelta(days=3 if n % 5 else 12)
        appeals.append(
            Appeal(
                branch=branch,
                channel="forum" if n % 2 else "phone",
                requester=employees[n % len(employees)],
                received_on=received,
                content=f"井场值班房空调维修（第{n}件）",
                category="living",
                handler=liaisons[n % len(liaisons)],
                deadline=received + dt.timedelta(days=7),
                status="answered" if answered else "in_progress",
                answer="已协调维修班处理" if answered else "",
                answered_on=answered,
            )
        )
    Appeal.objects.bulk_create(appeals, batch_size=1000)

    # Guidance: each committee member visits their linked team in two months of three, twice in some.
    GuidanceVisit.objects.bulk_create(
        GuidanceVisit(
            member=m,
            work_team=teams[c],
            visited_on=month.replace(day=8 + v * 10),
            guidance="指导班组开展岗位练兵和安全讲评",
        )
        for c, m in enumerate(committee)
        for k, month in enumerate(months)
        if (k + c) % 3
        for v in range(1 + (k + c) % 2)
    )

    # Honours, publicity, patents (every project member counts) and care visits.
    levels = list(Honor.Level.values)
    honor_count = max(12, members * 3 // 100)
    honors = Honor.objects.bulk_create(
        Honor(
            branch=branch,
            member=people[(n * 53 + 11) % len(people)],
            title="岗位能手" if n % 2 else "优秀共产党员",
            level=levels[n % len(levels)],
            awarded_on=spread(n, honor_count),
        )
        for n in range(honor_count)
    )
    Publicity.objects.bulk_create(
        Publicity(
            branch=branch,
            level=Publicity.Level.values[n % 3],
            title=f"{h.title}先进事迹",
            shared_on=h.awarded_on,
            member=h.member,
            honor=h,
        )
        for n, h in enumerate(honors)
        if n % 3 == 0
    )
    innovations = Innovation.objects.bulk_create(
        Innovation(
            branch=branch,
            kind="task_force",
            title=f"抽油机节能攻关{n}",
            lead=people[(n * 97 + 5) % len(people)],
            problem="抽油机能耗高",
            status="in_progress",
            started_on=year_start,
        )
        for n in range(max(4, members // 250))
    )
    Innovation.members.through.objects.bulk_create(
        Innovation.members.through(innovation_id=inn.pk, member_id=people[(n * 97 + 5 + k * 131) % len(people)].pk)
        for n, inn in enumerate(innovations)
        for k in range(4)
    )
    Patent.objects.bulk_create(
        Patent(
            innovation=inn,
            number=f"ZL{start + n:08d}",
            kind="utility_model",
            granted_on=spread(n, len(innovations)),
        )
        for n, inn in enumerate(innovations)
    )
    occasion_count = max(10, members // 100)
    occasions = CareOccasion.objects.bulk_create(
        CareOccasion(
            branch=branch,
            employee=employees[n % len(employees)],
            kind=CareOccasion.Kind.values[n % 5],
            occurred_on=spread(n, occasion_count, room=5),
            reported_on=spread(n, occasion_count, room=5) + dt.timedelta(days=1),
        )
        for n in range(occasion_count)
    )
    visits = CareVisit.objects.bulk_create(
        CareVisit(occasion=o, visited_on=o.reported_on + dt.timedelta(days=2), brought="慰问金和水果")
        for o in occasions
    )
    CareVisit.visitors.through.objects.bulk_create(
        CareVisit.visitors.through(carevisit_id=v.pk, member_id=people[(n * 61 + k * 7) % len(people)].pk)
        for n, v in enumerate(visits)
        for k in range(3)
    )

    # The quarter is open: a few deductions and adjustments already entered.
    scheme = ensure_scheme(branch)
    items = {i.rule: i for i in scheme.items.all()}
    period = AssessmentPeriod.objects.create(branch=branch, year=quarter.year, quarter=quarter.number)
    Deduction.objects.bulk_create(
        Deduction(
            period=period,
            member=people[(n * 173 + 2) % len(people)],
            points=Decimal(2 + n % 3),
            reason="无故缺席主题党日",
            happened_on=quarter.start + dt.timedelta(days=n % 80),
            entered_by=user,
        )
        for n in range(max(5, members // 200))
    )
    ScoreAdjustment.objects.bulk_create(
        ScoreAdjustment(
            period=period,
            member=people[(n * 211 + 4) % len(people)],
            item=items["study_hours"],
            points=items["study_hours"].points,
            reason="参加采油厂集中培训，证明已补交",
            adjusted_by=user,
        )
        for n in range(max(3, members // 500))
    )
    counts = {
        "members": len(people),
        "meeting attendance": MeetingAttendance.objects.filter(meeting__branch=branch).count(),
        "activity attendance": ActivityAttendance.objects.filter(activity__branch=branch).count(),
        "study records": StudyRecord.objects.filter(member__branch=branch).count(),
        "readings": Reading.objects.filter(asset__branch=branch).count(),
    }
    return branch, counts


def _analyze() -> None:
    """PostgreSQL plans from statistics, which autovacuum keeps in production; gather them now."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# ---- what is measured ---------------------------------------------------------------------------


def _sheets(branch, params):
    from branch.exports.base import get_exporter

    return get_exporter("assessment").sheets(branch, params)


def ours(branch, params, path) -> int:
    """(a): the exporter's sheets, written as they stream."""
    from branch.exports.writers import write_xlsx

    return write_xlsx(path, _sheets(branch, params))


def ready_sheets(branch, params) -> list:
    """The same sheets with every row read into a list."""
    from branch.exports.base import Sheet

    return [
        Sheet(s.name, s.columns, [list(r) for r in s.rows], s.title, s.row_count, s.freeze_header)
        for s in _sheets(branch, params)
    ]


def from_lists(sheets, path) -> int:
    """(b): the same write_xlsx over lists already in memory."""
    from branch.exports.writers import write_xlsx

    return write_xlsx(path, sheets)


def ours_summary(branch, params, path) -> int:
    """Our summary sheet alone: scores computed, one row per member, written by write_xlsx."""
    from branch.exports.writers import write_xlsx

    return write_xlsx(path, itertools.islice(_sheets(branch, params), 1))


def import_export_summary(branch, quarter, path) -> int:
    """(c): the plain django-import-export way — a ModelResource over the scored members, each column
    a field whose dehydrate method reads the computed scores; resource.export() gives a tablib
    Dataset, the XLSX format turns it into bytes (what the admin's export action does)."""
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    from activities.assessment.scores import assess, scored_members
    from members.models import Member

    result = assess(branch, quarter)
    rows = {m.member_id: (n, m) for n, m in enumerate(result.members, start=1)}
    statuses = {"full": "正式党员", "probationary": "预备党员"}
    grades = {"excellent": "优秀", "qualified": "合格", "basic": "基本合格", "unqualified": "不合格"}

    def scored(read):
        return lambda member: read(rows[member.pk][1])

    custom = {
        "index": fields.Field(column_name="序号", dehydrate_method=lambda member: rows[member.pk][0]),
        "name": fields.Field(attribute="name", column_name="姓名"),
        "employee_number": fields.Field(attribute="employee_number", column_name="员工编号"),
        "group": fields.Field(column_name="党小组", dehydrate_method=scored(lambda m: m.group_name)),
        "status_label": fields.Field(
            column_name="党员类别", dehydrate_method=scored(lambda m: statuses.get(m.status, m.status))
        ),
    }
    for position, item in enumerate(result.items):
        custom[f"item_{item.pk}"] = fields.Field(
            column_name=item.name, dehydrate_method=scored(lambda m, p=position: m.items[p].points)
        )
    custom["total"] = fields.Field(column_name="总分", dehydrate_method=scored(lambda m: m.total))
    custom["grade"] = fields.Field(
        column_name="等级", dehydrate_method=scored(lambda m: grades.get(m.grade, "不定等级（预备党员）"))
    )
    resource_class = resources.modelresource_factory(
        Member, meta_options={"fields": list(custom), "export_order": list(custom)}, custom_fields=custom
    )
    dataset = resource_class().export(queryset=scored_members(branch, quarter))
    Path(path).write_bytes(XLSX().export_data(dataset))
    return len(dataset)


def _timed(function, *args) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of one call."""
    gc.collect()  # start each measurement without the previous one's garbage
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def count_queries(branch, params, folder) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        ours(branch, params, Path(folder) / "count.xlsx")
    return len(queries.captured_queries)


def peak_memory(branch, params, folder) -> dict:
    """(d): a fresh interpreter sets Django up and writes the workbook; its peak resident memory.

    Linux carries a process's ru_maxrss across exec, so a child that Python's subprocess starts
    directly (vfork + exec) reports this process's peak, lists and all. A shell in between forks a
    clean process for the interpreter: its ru_maxrss is then its own, and so is VmHWM (the peak of its
    address space), which the child reports too."""
    from django.db import connection

    job = {"db": str(connection.settings_dict["NAME"]), "branch": branch.pk, "params": params, "folder": str(folder)}
    command = [sys.executable, "-m", "bench.assessment_export", "--child", json.dumps(job)]
    root = Path(__file__).resolve().parent.parent
    output = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        ["/bin/sh", "-c", f"{shlex.join(command)}; exit $?"], check=True, capture_output=True, text=True, cwd=root
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _peak_kib() -> int:
    """The larger of ru_maxrss and VmHWM, in KiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


def _child(spec: str) -> None:
    job = json.loads(spec)
    setup_django()
    from django.db import connection

    from branch.models import Branch

    connection.settings_dict["NAME"] = job["db"]
    branch = Branch.objects.get(pk=job["branch"])
    ready = _peak_kib()
    wall, _cpu, rows = _timed(ours, branch, job["params"], Path(job["folder"]) / "child.xlsx")
    print(json.dumps({"ready_kib": ready, "peak_kib": _peak_kib(), "seconds": wall, "rows": rows}))


# ---- the run ---------------------------------------------------------------------------------------


def run(members: int, runs: int) -> dict:
    from django.utils import timezone

    from activities.assessment.scores import assess
    from branch.quarters import Quarter

    today = timezone.localdate()
    quarter = Quarter.of(today).previous()  # the last complete quarter
    params = {"quarter": str(quarter)}
    small_size = max(50, members // 10)
    figures: dict = {"members": members, "small": small_size, "quarter": str(quarter), "runs": runs}
    figures["load"] = os.getloadavg()

    started = time.perf_counter()
    small, _ = build(name="基准党支部（小）", members=small_size, start=0, quarter=quarter, today=today)
    branch, counts = build(name="基准党支部", members=members, start=small_size, quarter=quarter, today=today)
    _analyze()
    figures["setup"] = time.perf_counter() - started
    figures["counts"] = counts

    with tempfile.TemporaryDirectory(prefix="hongqi-bench-assessment-") as folder:
        out = Path(folder)
        ours(small, params, out / "warm.xlsx")  # caches: the registry, translations, the scheme
        figures["queries_small"] = count_queries(small, params, out)
        figures["queries_large"] = count_queries(branch, params, out)
        figures["memory"] = peak_memory(branch, params, out)  # before this process grows

        times: dict[str, list[tuple[float, float]]] = {}

        def measure(name, function, *args):
            wall, cpu, result = _timed(function, *args)
            times.setdefault(name, []).append((wall, cpu))
            return result

        for _ in range(runs):  # interleaved, so a busy moment of the machine hits both
            rows = measure("ours", ours, branch, params, out / "ours.xlsx")
            # The lists live only while (b) writes them: (a) runs in a process without them, as it would.
            sheets = ready_sheets(branch, params)
            rows_b = measure("lists", from_lists, sheets, out / "lists.xlsx")
            assert rows == rows_b, (rows, rows_b)
            figures["sheets"] = len(sheets)
            figures["cells"] = sum(len(r) for s in sheets for r in s.rows) + sum(len(s.columns) for s in sheets)
            del sheets
        figures["rows"] = rows
        figures["bytes"] = (out / "ours.xlsx").stat().st_size
        for _ in range(runs):
            summary_rows = measure("summary", ours_summary, branch, params, out / "summary.xlsx")
            dataset_rows = measure("import_export", import_export_summary, branch, quarter, out / "import_export.xlsx")
            measure("assess", assess, branch, quarter)
        assert summary_rows == dataset_rows, (summary_rows, dataset_rows)
        _same_summary(out / "summary.xlsx", out / "import_export.xlsx")
        figures["summary_rows"] = summary_rows
        figures["times"] = {
            name: (statistics.median(w for w, _c in values), statistics.median(c for _w, c in values))
            for name, values in times.items()
        }
    return figures


def _same_summary(ours_path: Path, theirs_path: Path) -> None:
    """Both files hold the same cells under the header (ours has a title line above it)."""
    from openpyxl import load_workbook

    def cells(path, skip):
        sheet = load_workbook(path, read_only=True).worksheets[0]
        return [
            [str(v) if v is not None else "" for v in row]
            for row in sheet.iter_rows(min_row=skip + 1, values_only=True)
        ]

    mine, theirs = cells(ours_path, 1), cells(theirs_path, 0)
    assert mine[0] == theirs[0], (mine[0], theirs[0])
    # Decimal scores: "25.0" in ours, 25 or 25.0 in tablib's; compare as numbers where they are numbers.
    for a, b in zip(mine, theirs, strict=True):
        for x, y in zip(a, b, strict=True):
            try:
                assert Decimal(x) == Decimal(y), (a, b)
            except ArithmeticError:
                assert x == y, (a, b)


def report(figures: dict, vendor: str) -> bool:
    t = figures["times"]
    memory = figures["memory"]
    ratio = t["ours"][0] / t["lists"][0]
    speedup = t["import_export"][0] / t["summary"][0]
    peak_mb = memory["peak_kib"] / 1024
    checks = {
        "ratio": ratio <= RATIO_BUDGET,
        "memory": peak_mb < MEMORY_BUDGET_MB,
        "speedup": speedup >= SPEEDUP_BUDGET,
        "queries": figures["queries_small"] == figures["queries_large"],
    }
    counts = figures["counts"]
    load = figures["load"]
    print(
        f"\nQuarterly assessment workbook, {figures['members']:,} members, {vendor}, quarter {figures['quarter']}"
        f" (times: median of {figures['runs']} interleaved runs; load average at the start {load[0]:.2f}"
        f" on {os.cpu_count()} CPUs)"
    )
    print(
        f"  data: {counts['meeting attendance'] + counts['activity attendance']:,} attendance rows in the year"
        f" ({counts['meeting attendance']:,} meetings, {counts['activity attendance']:,} activities),"
        f" {counts['study records']:,} study records, {counts['readings']:,} readings;"
        f" built in {figures['setup']:.0f} s"
    )
    print(
        f"  workbook: {figures['sheets']} sheets, {figures['rows']:,} rows, {figures['cells']:,} cells,"
        f" {figures['bytes'] / 1e6:.1f} MB"
    )

    def seconds(name):
        wall, cpu = t[name]
        return f"{wall:7.2f} s", f"{cpu:6.2f} s"

    cpu_ratio = t["ours"][1] / t["lists"][1]
    cpu_speedup = t["import_export"][1] / t["summary"][1]
    lines = [
        ("(a) ours: exporter → write_xlsx, all sheets", *seconds("ours"), f"{ratio:.2f} × (b), CPU {cpu_ratio:.2f}"),
        ("(b) same cells from lists → write_xlsx", *seconds("lists"), ""),
        ("    ours, summary sheet only", *seconds("summary"), ""),
        (
            "(c) django-import-export, same summary",
            *seconds("import_export"),
            f"{speedup:.2f} × ours, CPU {cpu_speedup:.2f}",
        ),
        ("    the scores both use: assess()", *seconds("assess"), ""),
        (
            "(d) peak memory of (a), fresh process",
            f"{peak_mb:7.0f} MB",
            "",
            f"{memory['ready_kib'] / 1024:.0f} MB once set up",
        ),
        (f"(e) queries of (a), {figures['small']:,} members", f"{figures['queries_small']:9d}", "", ""),
        (f"    queries of (a), {figures['members']:,} members", f"{figures['queries_large']:9d}", "", ""),
    ]
    targets = {
        0: (f"≤ {RATIO_BUDGET} × (b)", checks["ratio"]),
        3: (f"≥ {SPEEDUP_BUDGET:g} × ours", checks["speedup"]),
        5: (f"< {MEMORY_BUDGET_MB} MB", checks["memory"]),
        7: ("equal", checks["queries"]),
    }
    print(f"  {'':<44}{'wall':>9}  {'CPU':>8}  {'':<28}{'target':<14}")
    for index, (label, wall, cpu, note) in enumerate(lines):
        target, ok = targets.get(index, ("", None))
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {label:<44}{wall:>9}  {cpu:>8}  {note:<28}{target:<14}{verdict}")
    print(f"  (the memory subprocess wrote the workbook in {memory['seconds']:.1f} s)")
    return all(checks.values())


def main(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(prog="python -m bench.assessment_export", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--members", type=int, default=MEMBERS, help=f"members of the large branch (default {MEMBERS:,})"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs of each figure (default {RUNS})")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv or [])
    if args.child:
        _child(args.child)
        return True
    setup_django()
    with throwaway_database() as vendor:
        figures = run(args.members, args.runs)
    return report(figures, vendor)


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
