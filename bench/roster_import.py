"""Roster import speed, against the issue's budget.

"Importing 10,000 rows with full validation takes at most twice as long as parsing the same file and
bulk_create-ing the rows without checks." This builds a 10,000-row .xlsx (Han and minority names, valid
ID card numbers) and times, in a fresh database:

  (a) the yardstick: openpyxl reads the cells, a dict lookup turns 男/汉族/正式党员 and group names
      into values, Member.objects.bulk_create() writes them; no checks, no history;
  (b) members.services.roster_import.roster_import(): every check, history rows, one transaction;

then, for information, the preview (checks only) and a second import of the same file (nothing
changes). Each figure is the best of a few runs, with the members deleted between runs.

    .venv/bin/python -m bench.roster_import            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hongqi .venv/bin/python -m bench.roster_import
"""

import datetime as dt
import gc
import io
import logging
import random
import time

from bench import setup_django, throwaway_database

ROWS = 10_000
RUNS = 5
BUDGET = 2.0

HAN_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
HAN_GIVEN = ["建军", "海燕", "永刚", "光辉", "传辉", "秀英", "志强", "丽", "伟", "静", "国庆", "红梅", "新疆", "油田"]
UYGHUR_PARTS = ["艾力", "买买提", "阿不都", "热合曼", "吐尔逊", "努尔", "古丽", "阿依", "迪丽", "帕提古丽", "艾合买提"]
KAZAKH_PARTS = ["叶尔兰", "努尔兰", "阿斯哈尔", "哈布力", "巴合提", "加娜尔", "阿依古丽"]
MONGOL_NAMES = ["巴特尔", "其木格", "乌力吉", "斯琴", "额尔敦"]
STATUSES = ["正式党员"] * 6 + ["预备党员", "发展对象", "入党积极分子", "入党申请人"]


def build_roster(groups: list[str], teams: list[str], rows: int = ROWS, seed: int = 188) -> bytes:
    """An .xlsx as Excel would hold it: dates as dates, numbers that must keep their digits as text."""
    from openpyxl import Workbook

    from members.resources import HEADERS
    from members.validators import id_card_check_char

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append(list(HEADERS))
    for i in range(rows):
        ethnicity, name = _name(rng, i)
        male = rng.random() < 0.7
        born = dt.date(1965, 1, 1) + dt.timedelta(days=i)  # distinct birth dates keep ID numbers unique
        first17 = f"650204{born:%Y%m%d}{(i % 499) * 2 + male:03d}"
        status = STATUSES[i % len(STATUSES)]
        joined = born + dt.timedelta(days=25 * 365) if status in ("正式党员", "预备党员") else None
        sheet.append(
            [
                name,
                "男" if male else "女",
                ethnicity,
                born,
                f"b{i:06d}",
                f"139{i:08d}",
                first17 + id_card_check_char(first17),
                status,
                joined,
                groups[i % len(groups)],
                teams[i % len(teams)],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _name(rng: random.Random, i: int) -> tuple[str, str]:
    kind = i % 10
    if kind < 5:
        return "汉族", rng.choice(HAN_SURNAMES) + rng.choice(HAN_GIVEN)
    if kind < 8:
        return "维吾尔族", "·".join(rng.sample(UYGHUR_PARTS, 2))
    if kind == 8:
        return "哈萨克族", "·".join(rng.sample(KAZAKH_PARTS, 2))
    return rng.choice([("蒙古族", rng.choice(MONGOL_NAMES)), ("回族", rng.choice(HAN_SURNAMES) + "学军")])


def import_plain(content: bytes, branch) -> int:
    """The yardstick: parse and bulk_create, trusting every cell."""
    from openpyxl import load_workbook

    from members.models import Member
    from members.resources import ETHNICITY_LABELS, GENDER_LABELS, STATUS_LABELS

    genders = {label: code for code, label in GENDER_LABELS.items()}
    ethnicities = {label: code for code, label in ETHNICITY_LABELS.items()}
    statuses = {label: code for code, label in STATUS_LABELS.items()}
    groups = {g.name: g for g in branch.party_groups.all()}
    teams = {t.name: t for t in branch.work_teams.all()}
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    next(rows)
    members = [
        Member(
            branch=branch,
            name=name,
            gender=genders[gender],
            ethnicity=ethnicities[ethnicity],
            birth_date=born.date(),
            employee_number=number,
            phone=phone,
            id_card_number=id_card,
            status=statuses[status],
            joined_on=joined.date() if joined else None,
            party_group=groups[group],
            work_team=teams[team],
        )
        for name, gender, ethnicity, born, number, phone, id_card, status, joined, group, team in rows
    ]
    return len(Member.objects.bulk_create(members, batch_size=500))


def _timed(function, *args, **kwargs) -> tuple[float, object]:
    gc.collect()  # start each measurement without the previous one's garbage
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def _clear(branch) -> None:
    """Remove the imported members and their history; raw SQL, since delete() would write 10,000
    history rows of its own."""
    from django.db import connection

    from members.models import Member

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Member.history.model._meta.db_table}")  # noqa: S608 - our own table names
        cursor.execute(f"DELETE FROM {Member._meta.db_table} WHERE branch_id = %s", [branch.pk])  # noqa: S608


def run(rows: int = ROWS, runs: int = RUNS) -> dict[str, float]:
    from branch.models import Branch, PartyGroup, WorkTeam
    from members.models import Member, User
    from members.services.roster_import import roster_import, roster_preview

    branch = Branch.objects.create(name="基准测试党支部", plant="百口泉采油厂")
    groups = [PartyGroup.objects.create(branch=branch, name=f"第{n}党小组").name for n in "一二三"]
    teams = [WorkTeam.objects.create(branch=branch, name=f"采油{n}班").name for n in "一二三四五六"]
    secretary = User.objects.create(username="bench-secretary")
    content = build_roster(groups, teams, rows)

    figures: dict[str, list[float]] = {"plain": [], "import": [], "preview": [], "reimport": []}
    for _ in range(runs):
        seconds, created = _timed(import_plain, content, branch)
        assert created == rows
        figures["plain"].append(seconds)
        _clear(branch)

        seconds, report = _timed(roster_preview, branch=branch, content=content, filename="roster.xlsx")
        assert report.ok and report.new == rows, report.errors[:5]
        figures["preview"].append(seconds)

        seconds, report = _timed(roster_import, branch=branch, content=content, filename="roster.xlsx", user=secretary)
        assert report.saved and report.new == rows, report.errors[:5]
        assert Member.history.count() == rows
        figures["import"].append(seconds)

        seconds, report = _timed(roster_import, branch=branch, content=content, filename="roster.xlsx", user=secretary)
        assert report.saved and report.unchanged == rows
        figures["reimport"].append(seconds)
        _clear(branch)
    return {name: min(values) for name, values in figures.items()}


def main() -> None:
    setup_django()
    logging.getLogger("members.services.roster_import").setLevel(logging.WARNING)  # one line per import
    with throwaway_database() as vendor:
        best = run()
    ratio = best["import"] / best["plain"]
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"Roster import, {ROWS:,} rows, {vendor} (best of {RUNS})")
    lines = [
        ("(a) parse + bulk_create, no checks", best["plain"], ""),
        ("(b) full import (checks, history)", best["import"], f", {verdict} the {BUDGET:g} × budget"),
        ("    preview (checks, nothing saved)", best["preview"], ""),
        ("    same file again (nothing changes)", best["reimport"], ""),
    ]
    for label, seconds, note in lines:
        print(f"  {label:<38} {seconds:6.2f} s   {seconds / best['plain']:.2f} × (a){note}")


if __name__ == "__main__":
    main()
