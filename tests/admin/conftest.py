from types import SimpleNamespace

import pytest

from members.models import Employee


@pytest.fixture
def world(branch, secretary, member, committee_member, team, group_a, group_b, admin_user, client):
    """The branch the files are imported into, with people and a work team (采油一班) to refer to."""
    employee = Employee.objects.create(branch=branch, name="张三", work_team=team)
    client.force_login(admin_user)
    return SimpleNamespace(
        branch=branch,
        secretary=secretary,
        member=member,
        committee=committee_member,
        team=team,
        employee=employee,
        admin=admin_user,
    )
