"""Factories for duties, guidance visits and notifications."""

import datetime as dt
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities.models import GuidanceVisit
from branch.models import Notification
from members.models import CommitteeRole
from tests.factories import CommitteeRoleFactory, MemberFactory, TeamLinkFactory, UserFactory, WorkTeamFactory


class GuidanceVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuidanceVisit

    member = factory.SubFactory(MemberFactory)
    work_team = factory.SubFactory(WorkTeamFactory, branch=factory.SelfAttribute("..member.branch"))
    visited_on = dt.date(2026, 11, 10)
    guidance = factory.Sequence(lambda n: f"指导内容{n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"提醒{n}")
    url = "/me/"


def link_team(member, *, team=None, started_on=dt.date(2024, 1, 1)):
    """Link a committee member to a work team (their own branch's, a new one by default)."""
    kwargs = {"member": member, "started_on": started_on}
    if team is not None:
        kwargs["work_team"] = team
    return TeamLinkFactory(**kwargs)


def committee_member_with_team(branch, *, role=CommitteeRole.Role.PUBLICITY, started_on=dt.date(2024, 1, 1), **kw):
    """A new member holding `role` on the branch committee and linked to a new work team."""
    member = MemberFactory(branch=branch, **kw)
    CommitteeRoleFactory(member=member, role=role, started_on=started_on)
    link = link_team(member, started_on=started_on)
    return member, link


def jpeg_with_gps(size=(640, 480)) -> SimpleUploadedFile:
    """A JPEG whose EXIF carries a GPS position, as phone cameras write them."""
    image = Image.new("RGB", size, (183, 28, 28))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 36.0, 0.0), 3: "E", 4: (84.0, 52.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("visit.jpg", buffer.getvalue(), content_type="image/jpeg")
