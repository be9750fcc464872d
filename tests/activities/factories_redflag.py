"""Factories for red-flag assets, assignments, targets and readings, and a fast way to make years of
readings."""

import datetime as dt
from decimal import Decimal

import factory

from activities.models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment
from tests.factories import BranchFactory, MemberFactory


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"J188-{n + 1:02d}")
    kind = Asset.Kind.OIL_WELL
    station = "一号计量站"
    hard_to_manage = True
    hard_reason = "出砂严重"


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An active assignment; `targets={"oil_output": "5.0"}` sets its targets (default: oil 5 t/d)."""

    class Meta:
        model = RedFlagAssignment
        skip_postgeneration_save = True

    asset = factory.SubFactory(AssetFactory)
    member = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..asset.branch"))
    schedule = "每周一、周四 10:00 巡检"
    method = "量油、测功图、调参，发现问题当天处理"
    fit_reason = "岗位需要懂机采，该同志机采技术好"
    started_on = dt.date(2025, 1, 1)

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if not create:
            return
        targets = {Indicator.OIL_OUTPUT: "5.00"} if extracted is None else extracted
        AssignmentTarget.objects.bulk_create(
            AssignmentTarget(assignment=self, indicator=indicator, target=Decimal(str(value)))
            for indicator, value in targets.items()
        )


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    asset = factory.SubFactory(AssetFactory)
    indicator = Indicator.OIL_OUTPUT
    reading_on = dt.date(2025, 3, 1)
    value = Decimal("5.00")


def daily_readings(asset, indicator, first: dt.date, last: dt.date, value) -> list[Reading]:
    """Reading objects (unsaved) for every day from first to last; `value` is a number or a function
    of the date."""
    make = value if callable(value) else (lambda _day: value)
    readings = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        readings.append(Reading(asset=asset, indicator=indicator, reading_on=day, value=Decimal(str(make(day)))))
    return readings


def insert_daily_readings(asset_ids, indicator, first: dt.date, days: int, before, after, switch_on: dt.date) -> int:
    """Insert `days` daily readings from `first` for each asset, generated inside the database (INSERT …
    SELECT over a recursive series): hundreds of thousands of rows in seconds, where bulk_create
    takes minutes. Values are `before` until `switch_on` and `after` from then on, plus a weekly wobble
    of up to 0.3. Returns the number of rows."""
    from django.db import connection
    from django.utils import timezone

    asset_ids = list(asset_ids)
    day = {"postgresql": "(%s::date + days.n)", "sqlite": "date(%s, '+' || days.n || ' days')"}[connection.vendor]
    switch = (switch_on - first).days
    placeholders = ", ".join(["%s"] * len(asset_ids))
    # Only constant SQL and placeholders are put into the text; every value is a parameter.
    sql = f"""
        WITH RECURSIVE days(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM days WHERE n < %s)
        INSERT INTO activities_reading (asset_id, indicator, reading_on, value, created_at)
        SELECT asset.id, %s, {day},
               CASE WHEN days.n < %s THEN %s ELSE %s END + (days.n %% 7) * 0.05, %s
        FROM activities_asset asset CROSS JOIN days
        WHERE asset.id IN ({placeholders})
    """  # noqa: S608
    params = [days - 1, str(indicator), first.isoformat(), switch, before, after, timezone.now(), *asset_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return days * len(asset_ids)
