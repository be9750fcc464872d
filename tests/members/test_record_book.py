"""The record book (个人活动写实簿): periods, the entries every section contributes, totals, the
per-section view, the print view, and a query count that does not grow with the years of entries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import CommitteeRole, Member, Pairing, StudyRecord, TeamLink
from members.recordbook import Period, record_book
from members.services.roster import member_archive
from tests.factories import (
    CommitteeRoleFactory,
    HonorFactory,
    MemberFactory,
    PairingFactory,
    StudyRecordFactory,
    TeamLinkFactory,
    WorkTeamFactory,
)

CONFIRMED = StudyRecord.Status.CONFIRMED
SUBMITTED = StudyRecord.Status.SUBMITTED
RETURNED = StudyRecord.Status.RETURNED

# The year filter offers the last ten years, so test data lives in recent years.
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1


def _book_url(member, **params):
    url = reverse("members:detail", args=[member.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _titles(book, section=None):
    return {entry.title for entry in book.timeline if section is None or entry.section == section}


def _totals(book):
    return {str(total.label): total.value for total in book.totals}


# ---- Period ---------------------------------------------------------------------------------


def test_all_time_period_has_no_bounds():
    period = Period()
    assert period.start is None
    assert period.end is None
    assert period.date_filter("studied_on") == {}
    assert period.label == str(_("all years"))


def test_year_period_runs_from_first_to_last_day():
    period = Period(2024)
    assert period.start == dt.date(2024, 1, 1)
    assert period.end == dt.date(2024, 12, 31)
    assert period.date_filter("studied_on") == {"studied_on__range": (dt.date(2024, 1, 1), dt.date(2024, 12, 31))}
    assert period.label == "2024"


@pytest.mark.parametrize(
    ("year", "quarter", "start", "end"),
    [
        (2024, 1, dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        (2024, 2, dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        (2024, 3, dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
        (2024, 4, dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        (2023, 1, dt.date(2023, 1, 1), dt.date(2023, 3, 31)),
    ],
)
def test_quarter_period_bounds(year, quarter, start, end):
    period = Period(year, quarter)
    assert (period.start, period.end) == (start, end)
    assert period.label == f"{year}Q{quarter}"


@pytest.mark.parametrize(("year", "quarter"), [(None, 2), (2024, 0), (2024, 5)])
def test_quarter_needs_a_year_and_a_number_from_one_to_four(year, quarter):
    with pytest.raises(ValidationError):
        Period(year, quarter)


def test_unknown_section_is_refused_by_the_service(member):
    with pytest.raises(ValidationError):
        record_book(member, only="no-such-section")


# ---- what the book shows --------------------------------------------------------------------


@pytest.fixture
def busy_committee_member(committee_member, member, other_member, secretary, team):
    """The committee member with one entry of every kind, in the last year."""
    StudyRecordFactory(member=committee_member, topic="学习二十大报告", studied_on=dt.date(LAST_YEAR, 2, 3))
    PairingFactory(
        mentor=committee_member,
        mentee=member,
        kind=Pairing.Kind.HAN_MINORITY,
        goal="抽油机保养",
        started_on=dt.date(LAST_YEAR, 3, 1),
    )
    PairingFactory(
        mentor=other_member,
        mentee=committee_member,
        kind=Pairing.Kind.MUTUAL_HELP,
        goal="示功图分析",
        started_on=dt.date(LAST_YEAR, 4, 1),
        ended_on=dt.date(LAST_YEAR, 10, 1),
    )
    HonorFactory(member=committee_member, title="优秀共产党员", awarded_on=dt.date(LAST_YEAR, 6, 30))
    # Somebody else's honour must not appear in this book.
    HonorFactory(member=other_member, title="岗位能手", awarded_on=dt.date(LAST_YEAR, 6, 30))
    TeamLinkFactory(member=committee_member, work_team=team, started_on=dt.date(LAST_YEAR, 1, 5))
    return committee_member


def test_book_shows_every_kind_of_entry(client, secretary, busy_committee_member, member, other_member):
    client.force_login(secretary.user)
    response = client.get(_book_url(busy_committee_member))
    assert response.status_code == 200
    book = response.context["book"]
    assert response.context["timeline"] is True

    assert _titles(book, "study") == {"学习二十大报告"}
    # Both sides of a pairing: the partner is named, whichever side this member is on.
    assert _titles(book, "pairings") == {
        f"{Pairing.Kind.HAN_MINORITY.label}: {member.name}",
        f"{Pairing.Kind.MUTUAL_HELP.label}: {other_member.name}",
    }
    assert _titles(book, "honors") == {"优秀共产党员"}
    assert _titles(book, "committee") == {
        str(CommitteeRole.Role.ORGANISATION.label),
        _("Linked work team: %(team)s") % {"team": "采油一班"},
    }

    html = response.content.decode()
    assert 'data-testid="timeline"' in html
    for title in ["学习二十大报告", "优秀共产党员", member.name, other_member.name, "抽油机保养"]:
        assert title in html
    assert "岗位能手" not in html
    # Newest first.
    dates = [entry.date for entry in book.timeline]
    assert dates == sorted(dates, reverse=True)


def test_partner_sees_the_same_pairing_from_the_other_side(client, member, busy_committee_member):
    client.force_login(member.user)
    response = client.get(_book_url(member))
    assert _titles(response.context["book"], "pairings") == {
        f"{Pairing.Kind.HAN_MINORITY.label}: {busy_committee_member.name}"
    }
    assert Pairing.Kind.HAN_MINORITY.label == _("Han-minority partnership")


def test_ended_and_ongoing_are_shown_on_pairings(client, secretary, busy_committee_member):
    client.force_login(secretary.user)
    book = client.get(_book_url(busy_committee_member)).context["book"]
    statuses = {entry.title.split(": ")[0]: entry.status for entry in book.timeline if entry.section == "pairings"}
    assert statuses[str(Pairing.Kind.HAN_MINORITY.label)] == _("ongoing")
    assert statuses[str(Pairing.Kind.MUTUAL_HELP.label)] == _("ended %(date)s") % {"date": dt.date(LAST_YEAR, 10, 1)}


def test_member_reads_own_book_with_edit_links_only_for_unconfirmed_records(client, member):
    returned = StudyRecordFactory(member=member, status=RETURNED, return_reason="请补充学习内容")
    confirmed = StudyRecordFactory(member=member, status=CONFIRMED)
    client.force_login(member.user)
    html = client.get(_book_url(member)).content.decode()
    assert reverse("members:study_edit", args=[returned.pk]) in html
    assert reverse("members:study_edit", args=[confirmed.pk]) not in html
    assert "请补充学习内容" in html


# ---- filters --------------------------------------------------------------------------------


@pytest.fixture
def spread_records(member):
    """Study records over two years and several quarters, some confirmed."""
    return {
        "last_q1": StudyRecordFactory(
            member=member, studied_on=dt.date(LAST_YEAR, 2, 1), hours=2, status=CONFIRMED, topic="去年一季度"
        ),
        "last_q3": StudyRecordFactory(
            member=member,
            studied_on=dt.date(LAST_YEAR, 8, 1),
            hours=Decimal("1.5"),
            status=CONFIRMED,
            topic="去年三季度",
        ),
        "last_q3_submitted": StudyRecordFactory(
            member=member, studied_on=dt.date(LAST_YEAR, 9, 30), hours=3, status=SUBMITTED, topic="去年三季度待确认"
        ),
        "last_q4_returned": StudyRecordFactory(
            member=member, studied_on=dt.date(LAST_YEAR, 10, 1), hours=4, status=RETURNED, topic="去年四季度退回"
        ),
        "this_year": StudyRecordFactory(
            member=member, studied_on=dt.date(THIS_YEAR, 1, 15), hours=5, status=CONFIRMED, topic="今年"
        ),
    }


def test_year_filter_shows_only_that_year(client, member, spread_records):
    client.force_login(member.user)
    response = client.get(_book_url(member, year=LAST_YEAR))
    book = response.context["book"]
    assert book.period == Period(LAST_YEAR)
    assert _titles(book) == {"去年一季度", "去年三季度", "去年三季度待确认", "去年四季度退回"}


def test_quarter_filter_includes_the_last_day_of_the_quarter(client, member, spread_records):
    client.force_login(member.user)
    book = client.get(_book_url(member, year=LAST_YEAR, quarter=3)).context["book"]
    assert book.period == Period(LAST_YEAR, 3)
    assert _titles(book) == {"去年三季度", "去年三季度待确认"}


def test_quarter_without_year_is_a_form_error(client, member, spread_records):
    client.force_login(member.user)
    response = client.get(_book_url(member, quarter=2))
    assert response.status_code == 200
    assert "quarter" in response.context["filter_form"].errors
    assert response.context["book"].period == Period()


def test_totals_count_only_confirmed_hours(client, member, spread_records):
    client.force_login(member.user)
    totals = _totals(client.get(_book_url(member)).context["book"])
    assert totals[_("Study hours (confirmed)")] == Decimal("8.5")  # 2 + 1.5 + 5; submitted and returned left out
    assert totals[_("Study records (confirmed)")] == 3


@pytest.mark.parametrize(
    ("params", "hours", "count"),
    [
        ({"year": LAST_YEAR}, Decimal("3.5"), 2),
        ({"year": LAST_YEAR, "quarter": 3}, Decimal("1.5"), 1),
        ({"year": LAST_YEAR, "quarter": 4}, 0, 0),
        ({"year": THIS_YEAR}, Decimal("5"), 1),
    ],
)
def test_totals_are_computed_for_the_chosen_period(client, member, spread_records, params, hours, count):
    client.force_login(member.user)
    totals = _totals(client.get(_book_url(member, **params)).context["book"])
    assert totals[_("Study hours (confirmed)")] == hours
    assert totals[_("Study records (confirmed)")] == count


def test_totals_change_when_a_record_is_confirmed(member, spread_records):
    assert _totals(record_book(member, Period(LAST_YEAR, 3)))[_("Study hours (confirmed)")] == Decimal("1.5")
    StudyRecord.objects.filter(pk=spread_records["last_q3_submitted"].pk).update(status=CONFIRMED)
    assert _totals(record_book(member, Period(LAST_YEAR, 3)))[_("Study hours (confirmed)")] == Decimal("4.5")


def test_section_view_shows_one_section(client, secretary, busy_committee_member):
    client.force_login(secretary.user)
    response = client.get(_book_url(busy_committee_member, section="honors"))
    assert response.status_code == 200
    book = response.context["book"]
    assert response.context["timeline"] is False
    assert [view.section.key for view in book.sections] == ["honors"]
    assert _titles(book) == {"优秀共产党员"}
    html = response.content.decode()
    assert 'data-section="honors"' in html
    assert 'data-section="study"' not in html
    assert "学习二十大报告" not in html
    assert 'data-testid="timeline"' not in html


def test_section_and_period_combine(client, member, spread_records):
    client.force_login(member.user)
    book = client.get(_book_url(member, section="study", year=LAST_YEAR, quarter=1)).context["book"]
    assert [view.section.key for view in book.sections] == ["study"]
    assert _titles(book) == {"去年一季度"}
    assert _totals(book)[_("Study hours (confirmed)")] == Decimal("2")


def test_unknown_section_is_a_form_error_not_a_server_error(client, member, spread_records):
    client.force_login(member.user)
    response = client.get(_book_url(member, section="no-such-section"))
    assert response.status_code == 200
    assert "section" in response.context["filter_form"].errors
    # The page falls back to the whole book.
    assert response.context["timeline"] is True
    assert len(response.context["book"].timeline) == len(spread_records)


# ---- archived members -----------------------------------------------------------------------


def test_archived_members_book_stays_readable_for_the_secretary(client, secretary, member, spread_records):
    PairingFactory(mentor=member, mentee=secretary, started_on=dt.date(LAST_YEAR, 5, 5))
    HonorFactory(member=member, title="红旗井标兵", awarded_on=dt.date(LAST_YEAR, 5, 6))
    member_archive(member=member, reason=Member.ArchiveReason.TRANSFERRED_OUT, left_on=timezone.localdate())
    client.force_login(secretary.user)
    response = client.get(_book_url(member))
    assert response.status_code == 200
    book = response.context["book"]
    assert _titles(book, "study") == {record.topic for record in spread_records.values()}
    assert _titles(book, "honors") == {"红旗井标兵"}
    assert len(_titles(book, "pairings")) == 1
    html = response.content.decode()
    assert 'data-testid="archived-badge"' in html
    # Nothing left to manage on an archived record.
    assert response.context["can_manage"] is False
    assert reverse("members:edit", args=[member.pk]) not in html
    assert reverse("members:archive", args=[member.pk]) not in html
    assert client.get(reverse("members:print", args=[member.pk])).status_code == 200


# ---- print view -----------------------------------------------------------------------------


def _entries(book):
    return [(e.section, e.date, e.title, e.detail, e.status) for view in book.sections for e in view.entries]


def test_print_view_renders_the_same_entries_without_navigation(client, secretary, busy_committee_member):
    client.force_login(secretary.user)
    page = client.get(_book_url(busy_committee_member))
    printed = client.get(reverse("members:print", args=[busy_committee_member.pk]))
    assert printed.status_code == 200
    assert _entries(printed.context["book"]) == _entries(page.context["book"])
    assert _entries(printed.context["book"])  # not trivially equal
    html = printed.content.decode()
    for entry in printed.context["book"].timeline:
        assert entry.title in html
    assert "<nav" not in html
    assert "navbar" not in html
    assert "<nav" in page.content.decode()


def test_print_view_follows_the_period_filter(client, member, spread_records):
    client.force_login(member.user)
    printed = client.get(reverse("members:print", args=[member.pk]) + f"?year={LAST_YEAR}&quarter=3")
    assert printed.context["book"].period == Period(LAST_YEAR, 3)
    html = printed.content.decode()
    assert "去年三季度" in html
    assert "去年一季度" not in html
    assert "今年" not in html


def test_print_view_keeps_scope(client, group_leader, other_member):
    client.force_login(group_leader.user)
    assert client.get(reverse("members:print", args=[other_member.pk])).status_code == 404


# ---- query count ----------------------------------------------------------------------------


def _five_busy_years(person, partners):
    """Every kind of entry, every quarter of five years."""
    first_year = THIS_YEAR - 4
    statuses = [CONFIRMED, SUBMITTED, RETURNED]
    for year in range(first_year, THIS_YEAR + 1):
        for quarter in range(4):
            day = dt.date(year, 3 * quarter + 1, 10)
            for i in range(3):
                StudyRecordFactory(member=person, studied_on=day, status=statuses[i], return_reason="补充")
            partner = partners[(year + quarter) % len(partners)]
            kind = Pairing.Kind.HAN_MINORITY if quarter % 2 else Pairing.Kind.MUTUAL_HELP
            if quarter < 2:
                PairingFactory(mentor=person, mentee=partner, kind=kind, started_on=day)
            else:
                PairingFactory(mentor=partner, mentee=person, kind=kind, started_on=day, ended_on=day)
            HonorFactory(member=person, awarded_on=day)
        CommitteeRoleFactory(
            member=person,
            role=CommitteeRole.Role.PUBLICITY,
            started_on=dt.date(year, 1, 1),
            ended_on=dt.date(year, 12, 31),
        )
        TeamLink.objects.create(
            member=person,
            work_team=WorkTeamFactory(branch=person.branch),
            started_on=dt.date(year, 1, 1),
            ended_on=dt.date(year, 12, 31),
        )


@pytest.mark.parametrize("url_name", ["members:detail", "members:print"])
def test_book_query_count_does_not_grow_with_entries(
    client, secretary, member, other_member, django_assert_max_num_queries, url_name
):
    StudyRecordFactory(member=member, studied_on=dt.date(LAST_YEAR, 5, 1))
    partners = [secretary, *MemberFactory.create_batch(3, branch=secretary.branch)]
    _five_busy_years(other_member, partners)
    # A few edits, so the history of changes has rows too.
    for phone in ["13800000001", "13800000002", "13800000003"]:
        other_member.phone = phone
        other_member.save()

    client.force_login(secretary.user)
    client.get(reverse(url_name, args=[member.pk]))  # warm the session
    with django_assert_max_num_queries(40) as small:
        response = client.get(reverse(url_name, args=[member.pk]))
    assert len(response.context["book"].timeline) == 1

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(url_name, args=[other_member.pk]))
    book = response.context["book"]
    assert len(_titles(book, "study")) == 5 * 4 * 3
    assert len([e for e in book.timeline if e.section == "pairings"]) == 5 * 4
    assert len([e for e in book.timeline if e.section == "honors"]) == 5 * 4
    assert len([e for e in book.timeline if e.section == "committee"]) == 5 * 2
