import datetime as dt

import factory
from django.contrib.auth import get_user_model

from branch.models import Branch, PartyGroup, WorkTeam
from members.models import CommitteeRole, Member, TeamLink
from members.validators import id_card_check_char

TEST_PASSWORD = "correct-horse-battery"


def valid_id_card(n: int, birth: dt.date = dt.date(1985, 6, 15)) -> str:
    first17 = f"650204{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_card_check_char(first17)


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    name = factory.Sequence(lambda n: f"测试党支部{n}")
    plant = "百口泉采油厂"


class PartyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyGroup

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"第{n}党小组")


class WorkTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkTeam

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"采油{n}班")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(TEST_PASSWORD)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    branch = factory.SubFactory(BranchFactory)
    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..employee_number"))
    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Member.Gender.MALE
    birth_date = dt.date(1985, 6, 15)
    employee_number = factory.Sequence(lambda n: f"t{n:06d}")
    id_card_number = factory.Sequence(lambda n: valid_id_card(n))
    status = Member.Status.FULL
    joined_on = dt.date(2010, 7, 1)
    party_group = factory.SubFactory(PartyGroupFactory, branch=factory.SelfAttribute("..branch"))
    work_team = factory.SubFactory(WorkTeamFactory, branch=factory.SelfAttribute("..branch"))


class CommitteeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeRole

    member = factory.SubFactory(MemberFactory)
    branch = factory.SelfAttribute("member.branch")
    role = CommitteeRole.Role.ORGANISATION
    started_on = dt.date(2024, 1, 1)


class TeamLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamLink

    member = factory.SubFactory(MemberFactory)
    work_team = factory.SubFactory(WorkTeamFactory, branch=factory.SelfAttribute("..member.branch"))
    started_on = dt.date(2024, 1, 1)


class StudyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.StudyRecord"

    member = factory.SubFactory(MemberFactory)
    studied_on = dt.date(2025, 3, 10)
    topic = factory.Sequence(lambda n: f"学习专题{n}")
    form = "self_study"
    hours = 2
    status = "submitted"


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Pairing"

    mentor = factory.SubFactory(MemberFactory)
    mentee = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..mentor.branch"))
    branch = factory.SelfAttribute("mentor.branch")
    kind = "mutual_help"
    goal = factory.Sequence(lambda n: f"技能目标{n}")
    started_on = dt.date(2025, 4, 1)


class HonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Honor"

    member = factory.SubFactory(MemberFactory)
    branch = factory.SelfAttribute("member.branch")
    title = factory.Sequence(lambda n: f"优秀共产党员{n}")
    level = "plant"
    awarded_on = dt.date(2025, 6, 30)
    awarded_by = "百口泉采油厂党委"


class CorrectionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.CorrectionRequest"

    member = factory.SubFactory(MemberFactory)
    changes = factory.LazyFunction(lambda: {"phone": "13912345678"})
    reason = "手机号换了"
