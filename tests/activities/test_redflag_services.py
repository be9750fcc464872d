"""Red-flag writes: assignments (五定) and their targets, readings and their rules.

Messages are checked through their codes and through gettext of the English source, never as
hard-coded Chinese (the catalogue is filled in afterwards)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activities.models import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment
from activities.services.redflag import (
    TargetInput,
    assignment_create,
    assignment_end,
    assignment_targets_set,
    can_delete_reading,
    months_before,
    reading_delete,
    reading_record,
    readings_record,
    unit_matches,
)
from members.access import actor_for
from members.models import Member
from tests.factories import MemberFactory

from .factories_redflag import AssetFactory, AssignmentFactory, ReadingFactory

TODAY = dt.date(2026, 11, 24)
OIL = Indicator.OIL_OUTPUT
CUT = Indicator.WATER_CUT
FAILURES = Indicator.FAILURES


def codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def create(asset, member, *, started_on=dt.date(2026, 3, 1), targets=None, **extra):
    return assignment_create(
        asset=asset,
        member=member,
        schedule="每周一、周四巡检",
        method="防砂、调参",
        fit_reason="懂机采",
        started_on=started_on,
        targets=targets if targets is not None else [TargetInput(OIL, Decimal("4.5"), "t/d")],
        today=TODAY,
        **extra,
    )


@pytest.fixture
def asset(branch):
    return AssetFactory(branch=branch, code="J188-01")


@pytest.fixture
def assignment(asset, member):
    """member in charge of J188-01 since 2026-03-01, targets oil 4.5 t/d, water cut 86 %, failures 1."""
    return AssignmentFactory(
        asset=asset, member=member, started_on=dt.date(2026, 3, 1), targets={OIL: "4.5", CUT: "86", FAILURES: "1"}
    )


# ---- assignments ---------------------------------------------------------------------------------


def test_assignment_create_records_the_five_fixes(asset, member):
    assignment = create(
        asset, member, targets=[TargetInput(OIL, Decimal("4.5")), TargetInput(CUT, Decimal("86"), "％")]
    )

    assert assignment.is_active
    assert (assignment.asset, assignment.member, assignment.started_on) == (asset, member, dt.date(2026, 3, 1))
    assert (assignment.schedule, assignment.method, assignment.fit_reason) == (
        "每周一、周四巡检",
        "防砂、调参",
        "懂机采",
    )
    targets = dict(assignment.targets.values_list("indicator", "target"))
    assert targets == {OIL: Decimal("4.50"), CUT: Decimal("86.00")}
    assert assignment.history.count() == 1


def test_one_active_assignment_per_asset(asset, member, other_member):
    create(asset, member)

    with pytest.raises(ValidationError) as caught:
        create(asset, other_member, started_on=dt.date(2026, 5, 1))

    assert codes(caught.value) == {"active_exists"}
    assert RedFlagAssignment.objects.filter(asset=asset).count() == 1


def test_the_database_refuses_a_second_active_assignment(asset, member, other_member):
    AssignmentFactory(asset=asset, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        RedFlagAssignment.objects.create(
            asset=asset, member=other_member, schedule="x", method="x", fit_reason="x", started_on=TODAY
        )


def test_ending_closes_and_keeps_the_assignment(assignment, other_member):
    assignment_end(assignment=assignment, ended_on=dt.date(2026, 9, 30), reason="调岗", today=TODAY)

    assignment.refresh_from_db()
    assert (assignment.ended_on, assignment.end_reason, assignment.is_active) == (dt.date(2026, 9, 30), "调岗", False)
    assert assignment.history.count() == 2  # created, ended: nothing is overwritten

    successor = create(assignment.asset, other_member, started_on=dt.date(2026, 9, 30))  # handover day
    assert RedFlagAssignment.objects.filter(asset=assignment.asset).count() == 2
    assert successor.is_active


def test_a_new_assignment_cannot_overlap_an_earlier_one(assignment, other_member):
    assignment_end(assignment=assignment, ended_on=dt.date(2026, 9, 30), reason="调岗", today=TODAY)

    with pytest.raises(ValidationError) as caught:
        create(assignment.asset, other_member, started_on=dt.date(2026, 9, 1))

    assert codes(caught.value) == {"overlap"}
    assert "started_on" in caught.value.error_dict


@pytest.mark.parametrize(
    ("ended_on", "reason", "code_field"),
    [
        (dt.date(2026, 2, 1), "调岗", "ended_on"),  # before it started
        (TODAY + dt.timedelta(days=1), "调岗", "ended_on"),  # in the future
        (dt.date(2026, 9, 30), "  ", "end_reason"),
    ],
)
def test_ending_needs_a_plausible_date_and_a_reason(assignment, ended_on, reason, code_field):
    with pytest.raises(ValidationError) as caught:
        assignment_end(assignment=assignment, ended_on=ended_on, reason=reason, today=TODAY)
    assert code_field in caught.value.error_dict
    assignment.refresh_from_db()
    assert assignment.is_active


def test_an_ended_assignment_cannot_end_again(assignment):
    assignment_end(assignment=assignment, ended_on=dt.date(2026, 9, 30), reason="调岗", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        assignment_end(assignment=assignment, ended_on=dt.date(2026, 10, 30), reason="again", today=TODAY)
    assert codes(caught.value) == {"ended"}
    assignment.refresh_from_db()
    assert assignment.ended_on == dt.date(2026, 9, 30)


def test_member_must_be_a_current_party_member_of_the_branch(asset, outsider, branch):
    with pytest.raises(ValidationError) as caught:
        create(asset, outsider)
    assert "member" in caught.value.error_dict

    applicant = MemberFactory(branch=branch, status=Member.Status.APPLICANT, joined_on=None)
    with pytest.raises(ValidationError):
        create(asset, applicant)

    left = MemberFactory(branch=branch, archived_on=dt.date(2026, 1, 1), archive_reason="transferred_out")
    with pytest.raises(ValidationError):
        create(asset, left)
    assert not RedFlagAssignment.objects.exists()


def test_no_assignment_starting_in_the_future_or_of_a_retired_asset(asset, member, branch):
    with pytest.raises(ValidationError) as caught:
        create(asset, member, started_on=TODAY + dt.timedelta(days=1))
    assert "started_on" in caught.value.error_dict

    retired = AssetFactory(branch=branch, status=Asset.Status.RETIRED)
    with pytest.raises(ValidationError) as caught:
        create(retired, member)
    assert "asset" in caught.value.error_dict


@pytest.mark.parametrize(
    ("targets", "key", "code"),
    [
        ([], "targets", "no_targets"),
        ([TargetInput(OIL, Decimal("4.5"), "m³/d")], f"target_{OIL}", "unit"),
        ([TargetInput(OIL, Decimal("-1"))], f"target_{OIL}", "negative"),
        ([TargetInput(CUT, Decimal("120"), "%")], f"target_{CUT}", "above_limit"),
        ([TargetInput(OIL, Decimal("4")), TargetInput(OIL, Decimal("5"))], f"target_{OIL}", "duplicate_target"),
    ],
)
def test_targets_are_checked(asset, member, targets, key, code):
    with pytest.raises(ValidationError) as caught:
        create(asset, member, targets=targets)
    assert key in caught.value.error_dict
    assert code in codes(caught.value)
    assert not RedFlagAssignment.objects.exists()


def test_unit_spellings():
    assert unit_matches(OIL, "t/d") and unit_matches(OIL, "吨/天") and unit_matches(OIL, " T/D ")
    assert unit_matches(Indicator.INJECTION, "m3/d") and unit_matches(Indicator.INJECTION, "方/天")
    assert unit_matches(CUT, "％") and unit_matches(CUT, "") and unit_matches(CUT, None)
    assert not unit_matches(OIL, "m³/d")
    assert not unit_matches(CUT, "t/d")


def test_targets_can_be_changed_while_active(assignment):
    assignment_targets_set(
        assignment=assignment, targets=[TargetInput(OIL, Decimal("5")), TargetInput(Indicator.UPTIME, Decimal("95"))]
    )

    assert dict(assignment.targets.values_list("indicator", "target")) == {
        OIL: Decimal("5.00"),
        Indicator.UPTIME: Decimal("95.00"),
    }
    assignment_end(assignment=assignment, ended_on=dt.date(2026, 9, 30), reason="调岗", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        assignment_targets_set(assignment=assignment, targets=[TargetInput(OIL, Decimal("6"))])
    assert codes(caught.value) == {"ended"}


def test_target_and_reading_constraints_in_the_database(assignment):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentTarget.objects.create(assignment=assignment, indicator=Indicator.UPTIME, target=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingFactory(asset=assignment.asset, value=Decimal("-0.01"))
    ReadingFactory(asset=assignment.asset, reading_on=dt.date(2026, 5, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingFactory(asset=assignment.asset, reading_on=dt.date(2026, 5, 2))


# ---- readings ------------------------------------------------------------------------------------


def record(asset, values, day=dt.date(2026, 11, 20), **kwargs):
    return readings_record(asset=asset, reading_on=day, values=values, today=TODAY, **kwargs)


def test_a_day_of_readings_is_saved_together(assignment, member):
    saved = record(assignment.asset, {OIL: Decimal("4.8"), CUT: Decimal("85.5")}, entered_by=member)

    assert len(saved) == 2
    stored = {(r.indicator, r.reading_on, r.value, r.entered_by_id) for r in Reading.objects.all()}
    assert stored == {
        (OIL, dt.date(2026, 11, 20), Decimal("4.80"), member.pk),
        (CUT, dt.date(2026, 11, 20), Decimal("85.50"), member.pk),
    }


@pytest.mark.parametrize(
    ("values", "day", "key", "code"),
    [
        ({OIL: Decimal("-0.5")}, dt.date(2026, 11, 20), f"value_{OIL}", "negative"),
        ({CUT: Decimal("100.5")}, dt.date(2026, 11, 20), f"value_{CUT}", "above_limit"),
        ({FAILURES: Decimal("1.5")}, dt.date(2026, 10, 1), f"value_{FAILURES}", "whole"),
        ({OIL: Decimal("4")}, TODAY + dt.timedelta(days=1), "reading_on", "future"),
        ({OIL: Decimal("4")}, dt.date(2025, 2, 28), "reading_on", "too_early"),  # first assignment: 2026-03-01
        ({Indicator.INJECTION: Decimal("40")}, dt.date(2026, 11, 20), f"value_{Indicator.INJECTION}", "not_a_target"),
    ],
)
def test_impossible_readings_are_refused(assignment, values, day, key, code):
    with pytest.raises(ValidationError) as caught:
        record(assignment.asset, values, day)
    assert key in caught.value.error_dict
    assert code in codes(caught.value)
    assert not Reading.objects.exists()


def test_unknown_indicators_and_absurd_values_are_validation_errors(assignment):
    with pytest.raises(ValidationError) as caught:
        record(assignment.asset, {"oil": Decimal("4")})
    assert codes(caught.value) == {"indicator"}
    with pytest.raises(ValidationError) as caught:
        record(assignment.asset, {OIL: Decimal("1e30")})
    assert codes(caught.value) == {"too_large"}


def test_one_bad_value_saves_none_of_the_day(assignment):
    with pytest.raises(ValidationError) as caught:
        record(assignment.asset, {OIL: Decimal("4.8"), CUT: Decimal("-1")})
    assert set(caught.value.error_dict) == {f"value_{CUT}"}
    assert not Reading.objects.exists()


def test_the_baseline_reaches_back_twelve_months_before_the_first_assignment(assignment):
    assert months_before(dt.date(2026, 3, 1), 12) == dt.date(2025, 3, 1)
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)

    record(assignment.asset, {OIL: Decimal("3.5")}, dt.date(2025, 3, 1))  # "before": allowed
    assert Reading.objects.get().reading_on == dt.date(2025, 3, 1)


def test_duplicates_are_refused_with_a_clear_error(assignment):
    record(assignment.asset, {OIL: Decimal("4.8")})

    with pytest.raises(ValidationError) as caught:
        record(assignment.asset, {OIL: Decimal("4.9")})

    assert codes(caught.value) == {"duplicate"}
    message = caught.value.error_dict[f"value_{OIL}"][0].messages[0]
    assert "J188-01" in message and "2026-11-20" in message
    assert Reading.objects.get().value == Decimal("4.80")


def test_monthly_readings_are_dated_the_first_and_one_per_month(assignment):
    reading = reading_record(
        asset=assignment.asset, indicator=FAILURES, reading_on=dt.date(2026, 10, 17), value=Decimal("2"), today=TODAY
    )
    assert reading.reading_on == dt.date(2026, 10, 1)

    with pytest.raises(ValidationError) as caught:
        reading_record(
            asset=assignment.asset,
            indicator=FAILURES,
            reading_on=dt.date(2026, 10, 30),
            value=Decimal("1"),
            today=TODAY,
        )
    assert codes(caught.value) == {"duplicate"}
    assert "2026-10" in caught.value.messages[0]


def test_no_readings_without_an_active_assignment_now(assignment, branch):
    bare = AssetFactory(branch=branch)
    with pytest.raises(ValidationError) as caught:
        record(bare, {OIL: Decimal("4")})
    assert codes(caught.value) == {"no_assignment"}

    # Readings dated while the assignment ran are refused too once it has ended: nobody is in charge now.
    assignment_end(assignment=assignment, ended_on=dt.date(2026, 11, 1), reason="调岗", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        record(assignment.asset, {OIL: Decimal("4")}, dt.date(2026, 10, 20))
    assert codes(caught.value) == {"no_assignment"}
    assert not Reading.objects.exists()


def test_readings_are_rounded_to_hundredths(assignment):
    record(assignment.asset, {OIL: Decimal("4.567")})
    assert Reading.objects.get().value == Decimal("4.57")


def test_who_may_take_a_reading_back(assignment, member, other_member, secretary):
    reading = record(assignment.asset, {OIL: Decimal("4.8")}, entered_by=member)[0]
    reading = Reading.objects.select_related("asset").get(pk=reading.pk)
    today = dt.date.today()

    assert can_delete_reading(actor_for(member.user), reading, today)
    assert can_delete_reading(actor_for(secretary.user), reading, today)
    assert not can_delete_reading(actor_for(other_member.user), reading, today)
    assert not can_delete_reading(actor_for(member.user), reading, today + dt.timedelta(days=8))

    with pytest.raises(ValidationError):
        reading_delete(actor=actor_for(other_member.user), reading=reading)
    reading_delete(actor=actor_for(member.user), reading=reading)
    assert not Reading.objects.exists()
