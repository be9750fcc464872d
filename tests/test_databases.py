import pytest
from django.db import IntegrityError, connection, transaction

from members.models import CommitteeRole
from tests.factories import CommitteeRoleFactory, MemberFactory


@pytest.mark.postgres
def test_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_middle_dot_names_round_trip_and_are_searchable(db):
    member = MemberFactory(name="艾力•买买提")  # typed with a bullet
    assert member.name == "艾力·买买提"
    from members.models import Member

    assert Member.objects.get(name__contains="·买买提") == member
    assert list(Member.objects.filter(name__in=["艾力·买买提"])) == [member]


def test_one_secretary_per_branch_is_a_database_rule(db):
    first = CommitteeRoleFactory(role=CommitteeRole.Role.SECRETARY)
    second = MemberFactory(branch=first.branch)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeRole.objects.create(
            branch=first.branch, member=second, role=CommitteeRole.Role.SECRETARY, started_on=first.started_on
        )
