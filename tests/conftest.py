"""Shared fixtures: the personas every view test tries, and the switches for real services.

Tests that need PostgreSQL, Redis or Chromium carry a marker (postgres, redis, browser). When the
service is missing they are skipped with the reason; with HONGQI_REQUIRE_SERVICES=1 (CI's second
run) a missing service fails them instead, so CI can never go green by skipping.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from members.models import CommitteeRole

from .factories import (
    BranchFactory,
    CommitteeRoleFactory,
    MemberFactory,
    PartyGroupFactory,
    UserFactory,
    WorkTeamFactory,
)

REQUIRE_SERVICES = os.environ.get("HONGQI_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _redis_missing() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "REDIS_URL is not set"
    parts = urlparse(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1).close()
    except OSError as exc:
        return f"Redis at {url} does not answer ({exc})"
    return None


def _postgres_missing() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "DATABASE_URL does not point at PostgreSQL"
    return None


def _browser_missing() -> str | None:
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


def _libreoffice_missing() -> str | None:
    if not shutil.which("soffice"):
        return "LibreOffice not found (apt-get install libreoffice-calc-nogui)"
    return None


_MISSING = {
    "redis": _redis_missing,
    "postgres": _postgres_missing,
    "browser": _browser_missing,
    "libreoffice": _libreoffice_missing,
}


def pytest_runtest_setup(item):
    for marker, check in _MISSING.items():
        if item.get_closest_marker(marker) and (reason := check()):
            if REQUIRE_SERVICES:
                pytest.fail(f"{marker} test cannot run: {reason} (HONGQI_REQUIRE_SERVICES=1)")
            pytest.skip(f"{marker}: {reason}")


@pytest.fixture(autouse=True, scope="session")
def _media_root_cleanup():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)


# ---- personas -------------------------------------------------------------------------------
# One branch with two party groups. The group leader leads group A; `member` is in group A,
# `other_member` in group B; `outsider` is the secretary of another branch.


@pytest.fixture
def branch(db):
    return BranchFactory(name="检188采油作业区党支部")


@pytest.fixture
def group_a(branch):
    return PartyGroupFactory(branch=branch, name="第一党小组")


@pytest.fixture
def group_b(branch):
    return PartyGroupFactory(branch=branch, name="第二党小组")


@pytest.fixture
def team(branch):
    return WorkTeamFactory(branch=branch, name="采油一班")


@pytest.fixture
def secretary(branch, group_a, team):
    member = MemberFactory(branch=branch, party_group=group_a, work_team=team, name="王建军")
    CommitteeRoleFactory(member=member, role=CommitteeRole.Role.SECRETARY)
    return member


@pytest.fixture
def committee_member(branch, group_b, team):
    member = MemberFactory(branch=branch, party_group=group_b, work_team=team, name="张海燕")
    CommitteeRoleFactory(member=member, role=CommitteeRole.Role.ORGANISATION)
    return member


@pytest.fixture
def group_leader(branch, group_a, team):
    return MemberFactory(branch=branch, party_group=group_a, work_team=team, is_group_leader=True, name="杨永刚")


@pytest.fixture
def member(branch, group_a, team):
    return MemberFactory(branch=branch, party_group=group_a, work_team=team, name="艾力·买买提")


@pytest.fixture
def other_member(branch, group_b, team):
    return MemberFactory(branch=branch, party_group=group_b, work_team=team, name="周传辉")


@pytest.fixture
def outsider(db):
    """The secretary of another branch: powerful there, a stranger here."""
    member = MemberFactory(name="外支部书记")
    CommitteeRoleFactory(member=member, role=CommitteeRole.Role.SECRETARY)
    return member


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def personas(secretary, committee_member, group_leader, member, other_member, outsider, admin_user):
    """Every persona by name, for permission matrices. Values are logins (None: anonymous)."""
    return {
        "anonymous": None,
        "admin": admin_user,
        "secretary": secretary.user,
        "committee": committee_member.user,
        "group_leader": group_leader.user,
        "member": member.user,
        "outsider": outsider.user,
    }


@pytest.fixture
def db_vendor(db):
    return connection.vendor
