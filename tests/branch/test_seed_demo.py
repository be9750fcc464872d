import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from branch.models import Branch, PartyGroup, WorkTeam
from members.access import Role, actor_for
from members.models import CommitteeRole, Member, TeamLink


def _snapshot():
    return {
        "branches": list(Branch.objects.values_list("name", "plant")),
        "members": list(
            Member.objects.order_by("employee_number").values_list(
                "employee_number", "name", "id_card_number", "party_group__name", "status", "updated_at"
            )
        ),
        "history": Member.history.count(),
        "users": list(get_user_model().objects.order_by("username").values_list("username", "password")),
        "roles": list(CommitteeRole.objects.values_list("member__employee_number", "role")),
        "links": list(TeamLink.objects.values_list("member__employee_number", "work_team__name")),
    }


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    return Branch.objects.get()


def test_seed_builds_the_seed_branch(seeded):
    assert seeded.name == "检188采油作业区党支部"
    assert seeded.plant == "百口泉采油厂"
    assert Member.objects.party_members().filter(branch=seeded).count() == 57
    assert PartyGroup.objects.filter(branch=seeded).count() == 3
    assert WorkTeam.objects.filter(branch=seeded).count() >= 5
    assert Member.objects.filter(name__in=["唐光辉", "周传辉"]).count() == 2
    assert Member.objects.filter(name__contains="·").count() >= 5
    assert Member.objects.exclude(ethnicity="01").count() >= 5
    # Every person has a valid ID card number; every Party member a login named after the employee
    # number (people still on the way into the Party have none).
    for member in Member.objects.select_related("user"):
        member.full_clean()
        if member.is_party_member:
            assert member.user.username == member.employee_number
        else:
            assert member.user is None


def test_seed_roles_match_the_readme(seeded):
    secretary = actor_for(get_user_model().objects.get(username="j188001"))
    assert secretary.main_role == Role.SECRETARY
    for username in ["j188002", "j188003", "j188004", "j188005"]:
        actor = actor_for(get_user_model().objects.get(username=username))
        assert actor.is_committee and not actor.is_secretary
        assert TeamLink.objects.filter(member=actor.member, ended_on__isnull=True).count() == 1
    leaders = [actor_for(get_user_model().objects.get(username=u)) for u in ["j188006", "j188007", "j188008"]]
    assert {a.leads_group_id for a in leaders} == set(PartyGroup.objects.values_list("pk", flat=True))
    assert actor_for(get_user_model().objects.get(username="j188030")).main_role == Role.MEMBER
    assert actor_for(get_user_model().objects.get(username="admin")).is_admin


def test_demo_password_logs_in(seeded, client):
    assert client.login(username="j188001", password="hongqi2017")
    assert client.login(username="admin", password="hongqi2017")


def test_second_run_changes_nothing(seeded):
    before = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == before


def test_same_data_on_every_run(seeded):
    import datetime as dt

    from members.demo import demo_people

    today = dt.date(2026, 11, 25)
    assert demo_people(today) == demo_people(today)
    stored = list(
        Member.objects.filter(employee_number__in=[p.employee_number for p in demo_people(today)])
        .order_by("employee_number")
        .values_list("employee_number", "name", "id_card_number", "birth_date")
    )
    assert stored == [(p.employee_number, p.name, p.id_card_number, p.birth_date) for p in demo_people(today)]


def test_custom_password(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", password="another-pass-2026")
    assert client.login(username="j188010", password="another-pass-2026")


def test_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not Branch.objects.exists()
    call_command("seed_demo", force=True)
    assert Branch.objects.count() == 1


def test_if_empty_leaves_an_existing_database_alone(db, settings):
    settings.DEBUG = True
    Branch.objects.create(name="另一个党支部", plant="某采油厂")
    call_command("seed_demo", if_empty=True)
    assert Branch.objects.count() == 1
    assert not Member.objects.exists()
