import datetime as dt

import factory

from activities.models import Meeting, MeetingAttachment, MeetingAttendance
from tests.factories import BranchFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting written straight to the table: below_quorum is whatever the test says. Tests of the
    rules go through activities.services.meetings instead."""

    class Meta:
        model = Meeting

    branch = factory.SubFactory(BranchFactory)
    kind = Meeting.Kind.THEME_DAY
    party_group = None
    held_on = dt.date(2026, 3, 10)
    topic = factory.Sequence(lambda n: f"会议议题{n}")
    minutes = "会议记录"


class MeetingAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingAttendance

    meeting = factory.SubFactory(MeetingFactory)
    member = None
    presence = MeetingAttendance.Presence.PRESENT


class MeetingAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingAttachment

    meeting = factory.SubFactory(MeetingFactory)
    file = factory.django.FileField(filename="会议记录.pdf", data=b"%PDF-1.4 minutes")
