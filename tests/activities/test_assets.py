"""The asset registry's pages and rules: who may see and change what, the list's search, filters and
query count, adding and changing assets, and the admin site's pages for the activities."""

import pytest
from django.apps import apps
from django.contrib.admin import site
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Asset
from activities.services import assets as asset_service

from .factories_assets import ActiveAssignmentFactory, AssetFactory, HardAssetFactory


@pytest.fixture
def ours(branch):
    return AssetFactory(branch=branch, code="J188-12")


@pytest.fixture
def theirs(outsider):
    return AssetFactory(branch=outsider.branch, code="W-1")


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


# ---- the permission matrix ------------------------------------------------------------------------

PERSONAS = ["anonymous", "secretary", "committee", "group_leader", "member", "outsider", "admin"]
# url name -> expected status per persona, in PERSONAS' order. The outsider is the secretary of another
# branch: their own branch's pages open, our asset is 404.
MATRIX = {
    "asset_list": (302, 200, 200, 403, 403, 200, 200),
    "asset_create": (302, 200, 403, 403, 403, 200, 403),
    "asset_edit": (302, 200, 403, 404, 404, 404, 403),
    "asset_import": (302, 200, 403, 403, 403, 200, 403),
    "asset_import_template": (302, 200, 403, 403, 403, 200, 403),
    "asset_export": (302, 200, 403, 403, 403, 200, 403),
    "asset_import_confirm": (302, 302, 403, 403, 403, 302, 403),  # nothing uploaded: back to the form
}


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(name, persona, row[i]) for name, row in MATRIX.items() for i, persona in enumerate(PERSONAS)],
)
def test_permissions(client, personas, ours, url_name, persona, expected):
    args = [ours.pk] if url_name == "asset_edit" else []
    response = _client(client, personas[persona]).get(reverse(f"activities:{url_name}", args=args))
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_a_member_sees_their_own_asset_but_cannot_edit_it(client, member, ours):
    ActiveAssignmentFactory(asset=ours, member=member)
    response = _client(client, member.user).get(reverse("activities:asset_edit", args=[ours.pk]))
    assert response.status_code == 403  # in scope, so not 404


@pytest.mark.parametrize("persona", ["committee", "outsider", "admin"])
def test_others_cannot_change_our_asset(client, personas, ours, persona):
    url = reverse("activities:asset_edit", args=[ours.pk])
    response = _client(client, personas[persona]).post(url, {"code": "X-1", "kind": "pump", "status": "in_service"})
    assert response.status_code in (403, 404)
    ours.refresh_from_db()
    assert ours.code == "J188-12"


@pytest.mark.parametrize("persona", ["committee", "member", "admin"])
def test_others_cannot_add_assets(client, personas, persona):
    response = _client(client, personas[persona]).post(
        reverse("activities:asset_create"), {"code": "X-1", "kind": "pump", "status": "in_service"}
    )
    assert response.status_code == 403
    assert not Asset.objects.exists()


# ---- the list -------------------------------------------------------------------------------------


def _codes(response) -> list[str]:
    return [asset.code for asset in response.context["page"]]


def test_the_list_shows_the_branch_only(client, secretary, ours, theirs):
    response = _client(client, secretary.user).get(reverse("activities:asset_list"))
    assert _codes(response) == ["J188-12"]
    assert response.context["can_manage"]
    assert reverse("activities:asset_import").encode() in response.content


def test_the_committee_reads_without_managing(client, committee_member, ours):
    response = _client(client, committee_member.user).get(reverse("activities:asset_list"))
    assert _codes(response) == ["J188-12"]
    assert not response.context["can_manage"]
    assert reverse("activities:asset_create").encode() not in response.content


def test_the_administrator_sees_every_branch(client, admin_user, ours, theirs):
    response = _client(client, admin_user).get(reverse("activities:asset_list"))
    assert set(_codes(response)) == {"J188-12", "W-1"}
    assert response.context["show_branch"]
    assert not response.context["can_manage"]


def test_search_and_filters(client, secretary):
    branch = secretary.branch
    AssetFactory(branch=branch, code="J188-1", station="一号计量站")
    HardAssetFactory(branch=branch, code="J188-2", station="二号计量站", kind=Asset.Kind.INJECTION_WELL)
    AssetFactory(branch=branch, code="B7", station="二号计量站", kind=Asset.Kind.PUMP, status=Asset.Status.RETIRED)
    _client(client, secretary.user)
    url = reverse("activities:asset_list")
    assert _codes(client.get(url, {"q": "ｊ188"})) == ["J188-1", "J188-2"]  # the code as the service reads it
    assert _codes(client.get(url, {"q": "二号"})) == ["B7", "J188-2"]
    assert _codes(client.get(url, {"kind": "injection_well"})) == ["J188-2"]
    assert _codes(client.get(url, {"status": "retired"})) == ["B7"]
    assert _codes(client.get(url, {"hard": "yes"})) == ["J188-2"]
    assert _codes(client.get(url, {"hard": "no", "q": "二号"})) == ["B7"]
    assert _codes(client.get(url, {"kind": "spaceship"})) == ["B7", "J188-1", "J188-2"]  # a bad filter is ignored


def test_the_list_shows_the_responsible_member(client, secretary, member, ours):
    ActiveAssignmentFactory(asset=ours, member=member)
    response = _client(client, secretary.user).get(reverse("activities:asset_list"))
    assert member.name in response.content.decode()


def test_pagination_keeps_the_filters(client, secretary):
    AssetFactory.create_batch(55, branch=secretary.branch, kind=Asset.Kind.PUMP)
    _client(client, secretary.user)
    response = client.get(reverse("activities:asset_list"), {"kind": "pump"})
    page = response.context["page"]
    assert (len(page), page.paginator.num_pages) == (50, 2)
    assert "?kind=pump&page=2" in response.content.decode()
    assert len(client.get(reverse("activities:asset_list"), {"kind": "pump", "page": 2}).context["page"]) == 5


def test_the_list_makes_the_same_queries_for_3_or_30_assets(client, secretary):
    def add_and_count(n: int) -> int:
        for asset in AssetFactory.create_batch(n, branch=secretary.branch):
            ActiveAssignmentFactory(asset=asset)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("activities:asset_list")).status_code == 200
        return len(captured)

    _client(client, secretary.user)
    assert add_and_count(3) == add_and_count(27)


# ---- adding and changing --------------------------------------------------------------------------


def test_the_secretary_adds_an_asset(client, secretary):
    _client(client, secretary.user)
    data = {"code": " ｊ188－30 ", "kind": "oil_well", "station": " 检188  1号站 ", "status": "in_service"}
    response = client.post(reverse("activities:asset_create"), data)
    assert response["Location"] == reverse("activities:asset_list")
    asset = Asset.objects.get()
    assert (asset.branch, asset.code, asset.station) == (secretary.branch, "J188-30", "检188 1号站")
    assert asset.history.get().history_user == secretary.user


def test_a_code_is_unique_in_the_branch(client, secretary, ours, theirs):
    _client(client, secretary.user)
    response = client.post(
        reverse("activities:asset_create"), {"code": "j188-12", "kind": "oil_well", "status": "in_service"}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("code", "duplicate_code")
    response = client.post(
        reverse("activities:asset_create"), {"code": theirs.code, "kind": "oil_well", "status": "in_service"}
    )
    assert response.status_code == 302  # another branch's code is free here
    assert Asset.objects.filter(code=theirs.code).count() == 2


def test_hard_to_manage_needs_a_reason(client, secretary, ours):
    _client(client, secretary.user)
    url = reverse("activities:asset_edit", args=[ours.pk])
    data = {"code": ours.code, "kind": "oil_well", "status": "in_service", "hard_to_manage": "on"}
    response = client.post(url, data)
    assert response.context["form"].has_error("hard_reason", "reason_required")
    ours.refresh_from_db()
    assert not ours.hard_to_manage

    response = client.post(url, data | {"hard_reason": "结蜡严重"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.hard_to_manage, ours.hard_reason) == (True, "结蜡严重")


def test_the_edit_form_shows_the_asset(client, secretary):
    asset = HardAssetFactory(branch=secretary.branch)
    response = _client(client, secretary.user).get(reverse("activities:asset_edit", args=[asset.pk]))
    assert response.context["form"].initial["hard_reason"] == asset.hard_reason


def test_no_longer_hard_to_manage_clears_the_reason(secretary):
    asset = HardAssetFactory(branch=secretary.branch)
    asset_service.asset_update(asset=asset, hard_to_manage=False)
    asset.refresh_from_db()
    assert (asset.hard_to_manage, asset.hard_reason) == (False, "")
    assert asset.history.count() == 2


def test_the_service_refuses_a_taken_code_and_unknown_fields(branch, ours):
    other = AssetFactory(branch=branch, code="J188-13")
    with pytest.raises(ValidationError) as excinfo:
        asset_service.asset_update(asset=other, code="J188—12")
    assert excinfo.value.error_dict["code"][0].code == "duplicate_code"
    with pytest.raises(TypeError):
        asset_service.asset_update(asset=other, branch=None)
    with pytest.raises(ValidationError) as excinfo:
        asset_service.asset_create(branch=branch, code="X-1", kind="spaceship")
    assert "kind" in excinfo.value.error_dict


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("J188-12", "J188-12"), ("j188-12", "J188-12"), (" J188 – 12 ", "J188-12"), ("Ｔ８８２５６", "T88256")],
)
def test_codes_are_normalised(typed, stored):
    assert asset_service.normalize_asset_code(typed) == stored


# ---- the admin site -------------------------------------------------------------------------------


READ_ONLY_IN_ADMIN = {apps.get_model("activities", "MemberScore"), apps.get_model("activities", "ItemScore")}


@pytest.mark.parametrize("model", [m for m in apps.get_app_config("activities").get_models() if m in site._registry])
def test_admin_pages_open(client, admin_user, ours, model):
    ActiveAssignmentFactory(asset=ours)
    _client(client, admin_user)
    name = f"admin:activities_{model._meta.model_name}"
    assert client.get(reverse(f"{name}_changelist")).status_code == 200
    assert client.get(reverse(f"{name}_changelist"), {"q": "J188"}).status_code == 200
    # Locked assessment results are written only by the lock: no add page.
    assert client.get(reverse(f"{name}_add")).status_code == (403 if model in READ_ONLY_IN_ADMIN else 200)


def test_every_main_activities_model_is_in_the_admin():
    models = {m for m in apps.get_app_config("activities").get_models() if not m.__name__.startswith("Historical")}
    inlined = {"MeetingAttendance", "MeetingAttachment", "AssignmentTarget"}
    assert {m.__name__ for m in models - set(site._registry)} <= inlined


def test_admin_asset_form_applies_the_rules(client, admin_user, branch):
    _client(client, admin_user)
    url = reverse("admin:activities_asset_add")
    data = {"branch": branch.pk, "code": "j188-40", "kind": "oil_well", "status": "in_service", "hard_to_manage": "on"}
    response = client.post(url, data)
    assert response.status_code == 200  # no reason
    assert not Asset.objects.exists()
    response = client.post(url, data | {"hard_reason": "偏磨"})
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert (asset.code, asset.hard_reason) == ("J188-40", "偏磨")
    assert asset.history.get().history_user == admin_user
