"""Factories for recognition: rows written straight to the tables. Tests of the rules go through
activities.services.recognition instead."""

import datetime as dt

import factory
from django.utils import timezone

from activities.models import (
    Activity,
    ActivityPhoto,
    BranchRule,
    Innovation,
    InnovationAward,
    ModelSelection,
    Nomination,
    Patent,
    Publicity,
)
from tests.factories import BranchFactory, MemberFactory


class InnovationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Innovation
        skip_postgeneration_save = True

    lead = factory.SubFactory(MemberFactory)
    branch = factory.SelfAttribute("lead.branch")
    kind = Innovation.Kind.SMALL_IMPROVEMENT
    title = factory.Sequence(lambda n: f"小改小革项目{n}")
    problem = "计量管线结蜡"
    solution = "快装清蜡刮刀"
    result = "清蜡时间缩短"
    status = Innovation.Status.DONE
    started_on = dt.date(2025, 4, 1)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create:
            self.members.set([self.lead, *(extracted or [])])


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InnovationAward

    innovation = factory.SubFactory(InnovationFactory)
    name = factory.Sequence(lambda n: f"技术创新成果奖{n}")
    level = "采油厂"
    awarded_on = dt.date(2025, 12, 10)


class PatentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patent

    innovation = factory.SubFactory(InnovationFactory)
    number = factory.Sequence(lambda n: f"ZL2025{n:07d}.1")
    kind = Patent.Kind.UTILITY_MODEL
    granted_on = dt.date(2025, 11, 5)


class SelectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelSelection

    branch = factory.SubFactory(BranchFactory)
    title = factory.Sequence(lambda n: f"2025年第{n % 4 + 1}季度五带头标兵")
    state = ModelSelection.State.NOMINATING


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    selection = factory.SubFactory(SelectionFactory)
    member = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..selection.branch"))
    nominated_by = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..selection.branch"))
    reason = "带头技术创新"
    selected = False


class PublicityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publicity

    branch = factory.SubFactory(BranchFactory)
    level = Publicity.Level.BULLETIN
    title = factory.Sequence(lambda n: f"生产简报表扬{n}")
    shared_on = dt.date(2025, 6, 1)


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BranchRule

    branch = factory.SubFactory(BranchFactory)
    title = factory.Sequence(lambda n: f"支部制度{n}")
    body = "一、每月一次。"
    position = factory.Sequence(lambda n: n)


class HeldActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    organiser = factory.SubFactory(MemberFactory)
    branch = factory.SelfAttribute("organiser.branch")
    kind = Activity.Kind.DEDICATION_DAY
    title = factory.Sequence(lambda n: f"党员奉献日{n}")
    state = Activity.State.HELD
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    place = "检188一号计量站"
    task = Activity.Task.LEVEL_WELL_SITES


class ActivityPhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityPhoto

    activity = factory.SubFactory(HeldActivityFactory)
    image = factory.Sequence(lambda n: f"activities/2026/photo{n}.jpg")
    caption = factory.Sequence(lambda n: f"平整井场{n}")
