"""Rows written straight to the tables, in whatever state a test says. Tests of the rules go through
activities.services.appeals and activities.services.care instead."""

import datetime as dt

import factory

from activities.models import Appeal, AppealAttachment, CareOccasion, CareVisit, Forum
from members.models import Employee
from tests.factories import BranchFactory, MemberFactory, WorkTeamFactory


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"员工{n}")
    work_team = factory.SubFactory(WorkTeamFactory, branch=factory.SelfAttribute("..branch"))


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    branch = factory.SubFactory(BranchFactory)
    held_on = dt.date(2026, 1, 15)
    work_team = factory.SubFactory(WorkTeamFactory, branch=factory.SelfAttribute("..branch"))


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appeal

    branch = factory.SubFactory(BranchFactory)
    channel = Appeal.Channel.PHONE
    requester = factory.SubFactory(EmployeeFactory, branch=factory.SelfAttribute("..branch"))
    received_on = dt.date(2026, 1, 15)
    content = factory.Sequence(lambda n: f"员工诉求内容{n}")
    category = Appeal.Category.WORK
    handler = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..branch"))
    deadline = factory.LazyAttribute(lambda a: a.received_on + dt.timedelta(days=15))


class AppealAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppealAttachment

    appeal = factory.SubFactory(AppealFactory)
    file = factory.django.FileField(filename="来信.pdf", data=b"%PDF-1.4 letter")


class CareOccasionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareOccasion

    branch = factory.SubFactory(BranchFactory)
    employee = factory.SubFactory(EmployeeFactory, branch=factory.SelfAttribute("..branch"))
    kind = CareOccasion.Kind.MARRIAGE
    occurred_on = dt.date(2026, 1, 10)
    reported_on = dt.date(2026, 1, 11)
    details = ""


class CareVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareVisit
        skip_postgeneration_save = True

    occasion = factory.SubFactory(CareOccasionFactory)
    visited_on = factory.LazyAttribute(lambda v: v.occasion.occurred_on + dt.timedelta(days=2))
    brought = "慰问品"

    @factory.post_generation
    def visitors(self, create, extracted, **kwargs):
        if create and extracted:
            self.visitors.set(extracted)
