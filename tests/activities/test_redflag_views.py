"""Red-flag pages: who may open what (URL × persona), and the round trips of each form."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment
from activities.selectors.redflag import GREEN

from .factories_redflag import AssetFactory, AssignmentFactory, ReadingFactory, insert_daily_readings

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
OIL, CUT, FAILURES = Indicator.OIL_OUTPUT, Indicator.WATER_CUT, Indicator.FAILURES


def today():
    return timezone.localdate()


@pytest.fixture
def mine(branch, member):
    """`member` in charge of J188-01 (oil and water cut) since 200 days ago."""
    return AssignmentFactory(
        asset__branch=branch,
        asset__code="J188-01",
        member=member,
        started_on=today() - dt.timedelta(days=200),
        targets={OIL: "4.5", CUT: "86", FAILURES: "1"},
    )


@pytest.fixture
def theirs(branch, other_member):
    """`other_member` (group B) in charge of J188-02."""
    return AssignmentFactory(
        asset__branch=branch, asset__code="J188-02", member=other_member, started_on=today() - dt.timedelta(days=100)
    )


def _urls(mine, theirs):
    return {
        "board": reverse("activities:red_flag_board"),
        "my_asset": reverse("activities:asset_chart", args=[mine.asset_id]),
        "their_asset": reverse("activities:asset_chart", args=[theirs.asset_id]),
        "my_reading_add": reverse("activities:reading_add", args=[mine.asset_id]),
        "their_reading_add": reverse("activities:reading_add", args=[theirs.asset_id]),
        "assignment_create": reverse("activities:assignment_create"),
        "assignment_end": reverse("activities:assignment_end", args=[mine.pk]),
        "assignment_targets": reverse("activities:assignment_targets", args=[mine.pk]),
        "readings_import": reverse("activities:readings_import"),
        "readings_template": reverse("activities:readings_import_template"),
    }


ALL_OK = dict.fromkeys(
    [
        "board",
        "my_asset",
        "their_asset",
        "my_reading_add",
        "their_reading_add",
        "assignment_create",
        "assignment_end",
        "assignment_targets",
        "readings_import",
        "readings_template",
    ],
    OK,
)
MATRIX = {
    "anonymous": dict.fromkeys(ALL_OK, REDIRECT),
    # The administrator reads every branch and changes data in the admin site.
    "admin": {
        **ALL_OK,
        "my_reading_add": FORBIDDEN,
        "their_reading_add": FORBIDDEN,
        "assignment_create": FORBIDDEN,
        "assignment_end": FORBIDDEN,
        "assignment_targets": FORBIDDEN,
        "readings_import": FORBIDDEN,
        "readings_template": FORBIDDEN,
    },
    "secretary": ALL_OK,
    "committee": {
        **ALL_OK,
        "assignment_create": FORBIDDEN,
        "assignment_end": FORBIDDEN,
        "assignment_targets": FORBIDDEN,
    },
    "group_leader": {  # leads group A: `member`'s asset, not `other_member`'s
        **ALL_OK,
        "their_asset": NOT_FOUND,
        "their_reading_add": NOT_FOUND,
        "assignment_create": FORBIDDEN,
        "assignment_end": FORBIDDEN,
        "assignment_targets": FORBIDDEN,
    },
    "member": {
        **ALL_OK,
        "their_asset": NOT_FOUND,
        "their_reading_add": NOT_FOUND,
        "assignment_create": FORBIDDEN,
        "assignment_end": FORBIDDEN,  # their own assignment: visible, but not theirs to end
        "assignment_targets": FORBIDDEN,
    },
    "outsider": {  # secretary of another branch: their own board, nothing of ours
        **ALL_OK,
        "my_asset": NOT_FOUND,
        "their_asset": NOT_FOUND,
        "my_reading_add": NOT_FOUND,
        "their_reading_add": NOT_FOUND,
        "assignment_end": NOT_FOUND,
        "assignment_targets": NOT_FOUND,
    },
}
CASES = [(persona, name) for persona, row in MATRIX.items() for name in row]


@pytest.mark.parametrize(("persona", "url_name"), CASES)
def test_permission_matrix(client, personas, mine, theirs, persona, url_name):
    if (user := personas[persona]) is not None:
        client.force_login(user)
    url = _urls(mine, theirs)[url_name]

    response = client.get(url)

    expected = MATRIX[persona][url_name]
    assert response.status_code == expected, f"{persona} GET {url}"
    if expected == REDIRECT:
        assert "/login/" in response["Location"]


def test_posts_outside_scope_change_nothing(client, member, other_member, mine, theirs):
    client.force_login(member.user)
    day = today().isoformat()
    assert (
        client.post(reverse("activities:reading_add", args=[theirs.asset_id]), {"reading_on": day}).status_code == 404
    )
    end = client.post(reverse("activities:assignment_end", args=[mine.pk]), {"ended_on": day, "end_reason": "x"})
    assert end.status_code == 403
    reading = ReadingFactory(asset=theirs.asset, reading_on=today(), entered_by=other_member)
    assert client.post(reverse("activities:reading_delete", args=[reading.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.is_active and Reading.objects.filter(pk=reading.pk).exists()


# ---- the board ---------------------------------------------------------------------------------------


def test_board_shows_each_asset_its_member_and_latest_attainment(client, secretary, member, mine, theirs):
    last_month = (today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ReadingFactory(asset=mine.asset, indicator=OIL, reading_on=last_month, value=Decimal("5"))
    ReadingFactory(asset=mine.asset, indicator=CUT, reading_on=last_month, value=Decimal("80"))
    client.force_login(secretary.user)

    response = client.get(reverse("activities:red_flag_board"))

    assert response.status_code == 200
    rows = {row.asset.code: row for row in response.context["board"].rows}
    assert set(rows) == {"J188-01", "J188-02"}
    assert (rows["J188-01"].member, rows["J188-01"].month, rows["J188-01"].colour) == (member, last_month, GREEN)
    page = response.content.decode()
    assert f'data-testid="board-row-{mine.asset_id}" data-colour="green"' in page
    assert member.name in page and f"{last_month:%Y-%m}" in page
    assert reverse("activities:assignment_create") in page


def test_board_page_queries_stay_constant(client, secretary, member, branch, django_assert_max_num_queries):
    client.force_login(secretary.user)
    small = AssignmentFactory(asset__branch=branch, member=member, started_on=today() - dt.timedelta(days=400))
    ReadingFactory(asset=small.asset, reading_on=today().replace(day=1) - dt.timedelta(days=1))
    url = reverse("activities:red_flag_board")
    with django_assert_max_num_queries(15) as few:
        client.get(url)

    started = today() - dt.timedelta(days=200)
    assets = Asset.objects.bulk_create(Asset(branch=branch, code=f"B-{n}", kind="oil_well") for n in range(100, 160))
    assignments = RedFlagAssignment.objects.bulk_create(
        RedFlagAssignment(asset=a, member=member, schedule="s", method="m", fit_reason="f", started_on=started)
        for a in assets
    )
    AssignmentTarget.objects.bulk_create(AssignmentTarget(assignment=a, indicator=OIL, target=5) for a in assignments)
    insert_daily_readings([a.pk for a in assets], OIL, today() - dt.timedelta(days=400), 400, 4.0, 5.2, started)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["board"].rows) == 61


def test_member_sees_only_their_own_asset_and_can_enter_a_reading(client, member, mine, theirs):
    client.force_login(member.user)
    response = client.get(reverse("activities:red_flag_board"))
    assert [row.asset.code for row in response.context["board"].rows] == ["J188-01"]
    assert reverse("activities:reading_add", args=[mine.asset_id]) in response.content.decode()
    assert reverse("activities:assignment_create") not in response.content.decode()


# ---- an asset's page ---------------------------------------------------------------------------------


def test_asset_page_has_the_five_fixes_chart_data_and_history(client, secretary, member, other_member, mine):
    ReadingFactory(asset=mine.asset, indicator=OIL, reading_on=today() - dt.timedelta(days=1), value=Decimal("4.8"))
    client.force_login(secretary.user)

    response = client.get(reverse("activities:asset_chart", args=[mine.asset_id]))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (mine.schedule, mine.method, mine.fit_reason, member.name, "chart.umd.min.js", "redflag-chart.js"):
        assert text in page
    assert 'id="chart-data"' in page
    data = json.loads(json.dumps(response.context["series"].chart))  # what json_script puts on the page
    oil = next(s for s in data["series"] if s["key"] == OIL)
    assert oil["target"] == 4.5
    yesterday = today() - dt.timedelta(days=1)
    assert oil["during"][data["labels"].index(f"{yesterday:%Y-%m}")] == 4.8
    assert [a.pk for a in response.context["assignments"]] == [mine.pk]
    assert response.context["can_manage"] and response.context["can_enter"]


def test_asset_page_queries_do_not_grow_with_readings(client, secretary, mine, django_assert_max_num_queries):
    client.force_login(secretary.user)
    url = reverse("activities:asset_chart", args=[mine.asset_id])
    ReadingFactory(asset=mine.asset, reading_on=today().replace(day=1) - dt.timedelta(days=1))
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    first = today() - dt.timedelta(days=3 * 365)
    Reading.objects.all().delete()
    insert_daily_readings([mine.asset_id], OIL, first, 3 * 365, 3.8, 4.9, mine.started_on)
    insert_daily_readings([mine.asset_id], CUT, first, 3 * 365, 92, 85, mine.started_on)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# ---- readings on the phone form ----------------------------------------------------------------------


def test_member_enters_a_days_readings(client, member, mine):
    client.force_login(member.user)
    url = reverse("activities:reading_add", args=[mine.asset_id])
    form = client.get(url).context["form"]
    assert list(form.fields) == ["reading_on", f"value_{OIL}", f"value_{CUT}", f"value_{FAILURES}"]

    day = today() - dt.timedelta(days=1)
    response = client.post(url, {"reading_on": day.isoformat(), f"value_{OIL}": "4.86", f"value_{CUT}": "85.2"})

    assert response.status_code == 302
    assert response["Location"] == reverse("activities:asset_chart", args=[mine.asset_id])
    stored = {(r.indicator, r.reading_on, r.value, r.entered_by_id) for r in Reading.objects.all()}
    assert stored == {(OIL, day, Decimal("4.86"), member.pk), (CUT, day, Decimal("85.20"), member.pk)}


def error_codes(response, field=None) -> list[str]:
    """The codes of a form's errors on a field (None: the form as a whole)."""
    return [e.code for e in response.context["form"].errors.as_data().get(field or "__all__", [])]


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({f"value_{OIL}": "-1"}, f"value_{OIL}", "negative"),
        ({f"value_{CUT}": "130"}, f"value_{CUT}", "above_limit"),
        ({f"value_{OIL}": "4", "future": True}, "reading_on", "future"),
        ({}, None, "empty"),
    ],
)
def test_bad_readings_are_refused_with_a_clear_message(client, member, mine, data, field, code):
    client.force_login(member.user)
    day = today() + dt.timedelta(days=1) if data.pop("future", False) else today()

    response = client.post(reverse("activities:reading_add", args=[mine.asset_id]), {"reading_on": day, **data})

    assert response.status_code == 200
    assert error_codes(response, field) == [code]
    assert response.context["form"].errors[field or "__all__"][0]  # a message for people, in their language
    assert not Reading.objects.exists()


def test_a_duplicate_reading_is_refused(client, member, mine):
    client.force_login(member.user)
    url = reverse("activities:reading_add", args=[mine.asset_id])
    client.post(url, {"reading_on": today(), f"value_{OIL}": "4.5"})

    response = client.post(url, {"reading_on": today(), f"value_{OIL}": "4.7"})

    assert response.status_code == 200
    assert error_codes(response, f"value_{OIL}") == ["duplicate"]
    assert "J188-01" in response.context["form"].errors[f"value_{OIL}"][0]
    assert Reading.objects.get().value == Decimal("4.50")


def test_failures_are_recorded_for_the_month(client, member, mine):
    client.force_login(member.user)
    day = today() - dt.timedelta(days=40)
    client.post(reverse("activities:reading_add", args=[mine.asset_id]), {"reading_on": day, f"value_{FAILURES}": "2"})
    assert Reading.objects.get().reading_on == day.replace(day=1)


def test_no_reading_form_for_an_asset_nobody_is_in_charge_of(client, secretary, branch):
    bare = AssetFactory(branch=branch)
    client.force_login(secretary.user)

    response = client.get(reverse("activities:reading_add", args=[bare.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("activities:asset_chart", args=[bare.pk])
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_one_who_entered_a_reading_may_take_it_back(client, member, mine):
    client.force_login(member.user)
    client.post(reverse("activities:reading_add", args=[mine.asset_id]), {"reading_on": today(), f"value_{OIL}": "45"})
    reading = Reading.objects.get()

    response = client.post(reverse("activities:reading_delete", args=[reading.pk]))

    assert response.status_code == 302
    assert not Reading.objects.exists()


# ---- assignments -------------------------------------------------------------------------------------


def assignment_data(asset, member, **extra):
    return {
        "asset": asset.pk,
        "member": member.pk,
        "fit_reason": "岗位需要懂防砂，该同志防砂经验足",
        "schedule": "每天量油，每周二巡检",
        "method": "防砂、调参",
        "started_on": today().isoformat(),
        f"target_{OIL}": "4.2",
        f"target_{CUT}": "88",
        **extra,
    }


def test_secretary_assigns_a_member_to_an_asset(client, secretary, member, branch):
    asset = AssetFactory(branch=branch, code="J188-09")
    client.force_login(secretary.user)
    assert (
        client.get(reverse("activities:assignment_create") + f"?asset={asset.pk}").context["form"]["asset"].initial
        == asset.pk
    )

    response = client.post(reverse("activities:assignment_create"), assignment_data(asset, member))

    assert response.status_code == 302
    assignment = RedFlagAssignment.objects.get(asset=asset)
    assert (assignment.member, assignment.started_on, assignment.is_active) == (member, today(), True)
    assert dict(assignment.targets.values_list("indicator", "target")) == {OIL: Decimal("4.20"), CUT: Decimal("88.00")}


def test_an_asset_with_a_responsible_member_cannot_be_assigned_again(client, secretary, other_member, mine):
    client.force_login(secretary.user)
    form = client.get(reverse("activities:assignment_create")).context["form"]
    assert mine.asset not in form.fields["asset"].queryset

    response = client.post(reverse("activities:assignment_create"), assignment_data(mine.asset, other_member))

    assert response.status_code == 200
    assert "asset" in response.context["form"].errors
    assert RedFlagAssignment.objects.filter(asset=mine.asset).count() == 1


def test_an_overlapping_assignment_is_refused_on_the_form(client, secretary, other_member, mine):
    client.force_login(secretary.user)
    ended_on = today() - dt.timedelta(days=10)
    client.post(
        reverse("activities:assignment_end", args=[mine.pk]), {"ended_on": ended_on.isoformat(), "end_reason": "调岗"}
    )
    started = (ended_on - dt.timedelta(days=5)).isoformat()

    response = client.post(
        reverse("activities:assignment_create"), assignment_data(mine.asset, other_member, started_on=started)
    )

    assert response.status_code == 200
    assert error_codes(response, "started_on") == ["overlap"]


def test_a_target_is_required_and_checked(client, secretary, member, branch):
    asset = AssetFactory(branch=branch)
    client.force_login(secretary.user)
    data = assignment_data(asset, member, **{f"target_{OIL}": "", f"target_{CUT}": ""})

    response = client.post(reverse("activities:assignment_create"), data)
    assert response.status_code == 200
    assert error_codes(response, "targets") + error_codes(response) == ["no_targets"]

    response = client.post(reverse("activities:assignment_create"), {**data, f"target_{CUT}": "105"})
    assert response.context["form"].errors[f"target_{CUT}"]
    assert not RedFlagAssignment.objects.exists()


def test_ending_an_assignment_keeps_it(client, secretary, mine):
    client.force_login(secretary.user)
    url = reverse("activities:assignment_end", args=[mine.pk])

    response = client.post(url, {"ended_on": today().isoformat(), "end_reason": "调往注水班"})

    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.ended_on, mine.end_reason) == (today(), "调往注水班")
    assert client.get(url).status_code == 302  # already ended: back to the asset
    page = client.get(reverse("activities:asset_chart", args=[mine.asset_id])).content.decode()
    assert "调往注水班" in page


def test_targets_can_be_changed(client, secretary, mine):
    client.force_login(secretary.user)
    url = reverse("activities:assignment_targets", args=[mine.pk])
    assert client.get(url).context["form"][f"target_{OIL}"].initial == Decimal("4.50")

    response = client.post(url, {f"target_{OIL}": "5", f"target_{CUT}": ""})

    assert response.status_code == 302
    assert dict(mine.targets.values_list("indicator", "target")) == {OIL: Decimal("5.00")}


# ---- the record book -------------------------------------------------------------------------------


def test_record_book_shows_the_assignment(client, member, mine):
    client.force_login(member.user)

    response = client.get(reverse("members:detail", args=[member.pk]))

    page = response.content.decode()
    assert "J188-01" in page and mine.schedule in page
    assert reverse("activities:asset_chart", args=[mine.asset_id]) in page
