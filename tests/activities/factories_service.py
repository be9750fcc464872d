import datetime as dt

import factory
from django.utils import timezone

from activities.models import Activity, ActivityAttendance
from tests.factories import BranchFactory, MemberFactory


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime in the branch's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone())


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity written straight to the table (a held dedication day of 2.5 hours by default).
    Tests of the rules go through activities.services.service instead."""

    class Meta:
        model = Activity

    branch = factory.SubFactory(BranchFactory)
    kind = Activity.Kind.DEDICATION_DAY
    title = factory.Sequence(lambda n: f"党员奉献日{n}")
    state = Activity.State.HELD
    starts_at = factory.LazyFunction(lambda: at(dt.date(2026, 3, 14), 10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2, minutes=30))
    place = "检188-12井场"
    organiser = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..branch"))
    task = factory.LazyAttribute(
        lambda o: Activity.Task.LEVEL_WELL_SITES if o.kind == Activity.Kind.DEDICATION_DAY else ""
    )
    teacher = factory.LazyAttribute(lambda o: "唐光辉" if o.kind == Activity.Kind.TOPIC_CLASS else "")


class ActivityAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityAttendance

    activity = factory.SubFactory(ActivityFactory)
    member = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..activity.branch"))
    present = True
    hours = factory.LazyAttribute(lambda o: o.activity.length_hours if o.present else 0)
