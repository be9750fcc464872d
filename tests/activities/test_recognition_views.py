"""Recognition pages: the URL × persona matrix, forbidden POSTs, the flows people use, query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import BranchRule, Honor, Innovation, ModelSelection, Nomination, Patent, Publicity
from tests.factories import HonorFactory

from .factories_recognition import (
    AwardFactory,
    InnovationFactory,
    NominationFactory,
    PatentFactory,
    PublicityFactory,
    RuleFactory,
    SelectionFactory,
)

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
PERSONAS = ["anonymous", "admin", "secretary", "committee", "group_leader", "member", "outsider"]


@pytest.fixture
def objects(branch, secretary, member, other_member, group_leader):
    theirs = InnovationFactory(lead=other_member)  # `member` is not in it
    mine = InnovationFactory(lead=other_member, members=[member])
    return {
        "theirs": theirs,
        "mine": mine,
        "open": SelectionFactory(branch=branch),
        "decided": SelectionFactory(branch=branch, state=ModelSelection.State.DECIDED),
        "rule": RuleFactory(branch=branch),
    }


def _urls(objects, branch):
    theirs, mine, open_, decided, rule = (objects[k] for k in ("theirs", "mine", "open", "decided", "rule"))
    r = reverse
    return {
        "innovation_list": r("activities:innovation_list"),
        "innovation_create": r("activities:innovation_create"),
        "innovation_theirs": r("activities:innovation_detail", args=[theirs.pk]),
        "innovation_mine": r("activities:innovation_detail", args=[mine.pk]),
        "innovation_edit_theirs": r("activities:innovation_edit", args=[theirs.pk]),
        "innovation_edit_mine": r("activities:innovation_edit", args=[mine.pk]),
        "award_add_mine": r("activities:innovation_award_add", args=[mine.pk]),
        "patent_add_mine": r("activities:innovation_patent_add", args=[mine.pk]),
        "honor_list": r("activities:honor_list"),
        "honor_create": r("activities:honor_create"),
        "publicity_add": r("activities:publicity_add"),
        "selection_list": r("activities:selection_list"),
        "selection_create": r("activities:selection_create"),
        "selection_detail": r("activities:selection_detail", args=[open_.pk]),
        "nominate_open": r("activities:nominate", args=[open_.pk]),
        "nominate_decided": r("activities:nominate", args=[decided.pk]),
        "rule_list": r("activities:rule_list"),
        "rule_create": r("activities:rule_create"),
        "rule_edit": r("activities:rule_edit", args=[rule.pk]),
        "wall": r("activities:wall", args=[branch.pk]),
    }


# url name -> expected status per persona, in the order of PERSONAS. The outsider is the secretary of
# another branch: everything of this branch is 404 to them, while the "new" pages work for their own.
MATRIX = {
    #                         anon      admin      sec  committee  leader     member     outsider
    "innovation_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "innovation_create": (REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK),
    "innovation_theirs": (REDIRECT, OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "innovation_mine": (REDIRECT, OK, OK, OK, NOT_FOUND, OK, NOT_FOUND),
    "innovation_edit_theirs": (REDIRECT, FORBIDDEN, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "innovation_edit_mine": (REDIRECT, FORBIDDEN, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "award_add_mine": (REDIRECT, FORBIDDEN, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "patent_add_mine": (REDIRECT, FORBIDDEN, OK, OK, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    "honor_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "honor_create": (REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK),
    "publicity_add": (REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK),
    "selection_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "selection_create": (REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK),
    "selection_detail": (REDIRECT, OK, OK, OK, OK, OK, NOT_FOUND),
    "nominate_open": (REDIRECT, FORBIDDEN, OK, OK, OK, OK, NOT_FOUND),
    "nominate_decided": (REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "rule_list": (REDIRECT, OK, OK, OK, OK, OK, OK),
    "rule_create": (REDIRECT, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "rule_edit": (REDIRECT, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    "wall": (REDIRECT, OK, OK, OK, OK, OK, NOT_FOUND),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, personas, objects, branch, persona):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    urls = _urls(objects, branch)
    got = {name: client.get(url).status_code for name, url in urls.items()}
    expected = {name: statuses[PERSONAS.index(persona)] for name, statuses in MATRIX.items()}
    assert got == expected


def test_anonymous_is_sent_to_log_in(client, objects, branch):
    response = client.get(reverse("activities:honor_list"))
    assert response.status_code == REDIRECT
    assert response["Location"].startswith(reverse("login"))


# ---- forbidden POSTs --------------------------------------------------------------------------------


def _post_as(client, who, url, data=None):
    client.force_login(who.user if hasattr(who, "user") else who)
    return client.post(url, data or {})


def test_member_cannot_decide_or_publish(client, member, branch, objects):
    nomination = NominationFactory(selection=objects["open"])
    decide = reverse("activities:selection_decide", args=[objects["open"].pk])
    assert _post_as(client, member, decide, {"selected": [nomination.pk]}).status_code == FORBIDDEN
    publish = reverse("activities:selection_publish", args=[objects["decided"].pk])
    assert _post_as(client, member, publish).status_code == FORBIDDEN
    objects["open"].refresh_from_db()
    objects["decided"].refresh_from_db()
    assert objects["open"].state == ModelSelection.State.NOMINATING
    assert objects["decided"].state == ModelSelection.State.DECIDED


def test_outsider_cannot_touch_this_branch(client, outsider, objects):
    open_, decided, rule = objects["open"], objects["decided"], objects["rule"]
    nomination = NominationFactory(selection=open_)
    urls_data = [
        (reverse("activities:selection_decide", args=[open_.pk]), {"selected": [nomination.pk]}),
        (reverse("activities:selection_publish", args=[decided.pk]), {}),
        (reverse("activities:nominate", args=[open_.pk]), {"member": nomination.member.pk, "reason": "x"}),
        (reverse("activities:rule_delete", args=[rule.pk]), {}),
        (reverse("activities:rule_edit", args=[rule.pk]), {"title": "改", "body": "改", "position": 1}),
        (reverse("activities:innovation_edit", args=[objects["theirs"].pk]), {}),
    ]
    for url, data in urls_data:
        assert _post_as(client, outsider, url, data).status_code == NOT_FOUND, url
    assert BranchRule.objects.filter(pk=rule.pk, title=rule.title).exists()


def test_committee_cannot_edit_rules_or_open_the_wall(client, committee_member, branch, objects):
    rule = objects["rule"]
    assert _post_as(client, committee_member, reverse("activities:rule_delete", args=[rule.pk])).status_code == 403
    assert _post_as(client, committee_member, reverse("activities:wall_public"), {"public": "1"}).status_code == 403
    branch.refresh_from_db()
    assert BranchRule.objects.filter(pk=rule.pk).exists()
    assert branch.wall_is_public is False


def test_admin_reads_but_changes_nothing(client, admin_user, objects):
    open_ = objects["open"]
    nomination = NominationFactory(selection=open_)
    url = reverse("activities:selection_decide", args=[open_.pk])
    assert _post_as(client, admin_user, url, {"selected": [nomination.pk]}).status_code == FORBIDDEN
    assert _post_as(client, admin_user, reverse("activities:wall_public"), {"public": "1"}).status_code == FORBIDDEN


def test_post_only_actions_refuse_get(client, secretary, objects):
    client.force_login(secretary.user)
    for name, pk in [("selection_decide", objects["open"].pk), ("selection_publish", objects["decided"].pk)]:
        assert client.get(reverse(f"activities:{name}", args=[pk])).status_code == 405
    assert client.get(reverse("activities:rule_delete", args=[objects["rule"].pk])).status_code == 405


def test_member_cannot_nominate_themself_through_the_form(client, member, objects):
    client.force_login(member.user)
    url = reverse("activities:nominate", args=[objects["open"].pk])
    response = client.post(url, {"member": member.pk, "reason": "我很好"})
    assert response.status_code == OK  # the form again, with the error
    assert "member" in response.context["form"].errors
    assert not Nomination.objects.exists()


# ---- flows --------------------------------------------------------------------------------------------


def test_committee_records_a_project_with_an_award_and_a_patent(client, committee_member, member, other_member):
    client.force_login(committee_member.user)
    response = client.post(
        reverse("activities:innovation_create"),
        {
            "kind": Innovation.Kind.TASK_FORCE,
            "title": "抽油机井口防盗卡子研制",
            "lead": other_member.pk,
            "members": [member.pk],
            "problem": "光杆卡子被盗",
            "solution": "一体式防盗卡子",
            "result": "",
            "status": Innovation.Status.IN_PROGRESS,
            "started_on": "2025-03-02",
        },
    )
    innovation = Innovation.objects.get()
    assert response.status_code == REDIRECT
    assert response["Location"] == reverse("activities:innovation_detail", args=[innovation.pk])
    assert set(innovation.members.all()) == {member, other_member}  # the lead is always a member

    award = {"name": "技术创新成果一等奖", "level": "采油厂", "awarded_on": "2025-12-10"}
    assert client.post(reverse("activities:innovation_award_add", args=[innovation.pk]), award).status_code == 302
    patent = {"number": "ZL201520687123.4", "kind": Patent.Kind.UTILITY_MODEL, "granted_on": "2026-01-18"}
    assert client.post(reverse("activities:innovation_patent_add", args=[innovation.pk]), patent).status_code == 302
    again = client.post(reverse("activities:innovation_patent_add", args=[innovation.pk]), patent)
    assert again.status_code == OK and "number" in again.context["form"].errors
    assert innovation.awards.count() == 1 and innovation.patents.count() == 1

    page = client.get(reverse("activities:innovation_detail", args=[innovation.pk]))
    assert "ZL201520687123.4" in page.content.decode()


def test_nominate_decide_publish(client, member, other_member, committee_member, secretary, branch):
    selection = SelectionFactory(branch=branch)
    client.force_login(member.user)
    response = client.post(
        reverse("activities:nominate", args=[selection.pk]), {"member": other_member.pk, "reason": "带头技术创新"}
    )
    assert response.status_code == REDIRECT
    nomination = Nomination.objects.get()
    assert (nomination.member, nomination.nominated_by) == (other_member, member)

    client.force_login(committee_member.user)
    client.post(reverse("activities:selection_decide", args=[selection.pk]), {"selected": [nomination.pk]})
    selection.refresh_from_db()
    nomination.refresh_from_db()
    assert selection.state == ModelSelection.State.DECIDED and nomination.selected
    assert selection.decided_on == timezone.localdate()

    client.post(reverse("activities:selection_publish", args=[selection.pk]))
    selection.refresh_from_db()
    assert selection.state == ModelSelection.State.PUBLISHED and selection.published_on == timezone.localdate()

    # Now anyone in the branch sees who was chosen, and the choice is in the record book.
    client.force_login(secretary.user)
    detail = client.get(reverse("activities:selection_detail", args=[selection.pk]))
    assert [n.member for n in detail.context["nominations"]] == [other_member]


def test_a_member_sees_only_their_own_nominations_until_published(client, member, branch):
    selection = SelectionFactory(branch=branch)
    mine = NominationFactory(selection=selection, nominated_by=member)
    NominationFactory(selection=selection)
    client.force_login(member.user)
    response = client.get(reverse("activities:selection_detail", args=[selection.pk]))
    assert response.context["nominations"] == [mine]


def test_deciding_with_nobody_ticked_changes_nothing(client, committee_member, branch):
    selection = SelectionFactory(branch=branch)
    NominationFactory(selection=selection)
    client.force_login(committee_member.user)
    response = client.post(reverse("activities:selection_decide", args=[selection.pk]), {})
    assert response.status_code == REDIRECT
    selection.refresh_from_db()
    assert selection.state == ModelSelection.State.NOMINATING


def test_secretary_edits_rules_and_opens_the_wall(client, secretary, branch):
    client.force_login(secretary.user)
    data = {"title": "三会一课制度", "body": "支部党员大会每季度一次。", "position": 10}
    assert client.post(reverse("activities:rule_create"), data).status_code == REDIRECT
    rule = BranchRule.objects.get()
    data["body"] = "支部党员大会每季度至少一次。"
    assert client.post(reverse("activities:rule_edit", args=[rule.pk]), data).status_code == REDIRECT
    rule.refresh_from_db()
    assert rule.body == data["body"]
    assert client.post(reverse("activities:wall_public"), {"public": "1"}).status_code == REDIRECT
    branch.refresh_from_db()
    assert branch.wall_is_public is True
    client.post(reverse("activities:rule_delete", args=[rule.pk]))
    assert not BranchRule.objects.exists()


def test_honour_and_publicity(client, secretary, member, branch):
    client.force_login(secretary.user)
    honour = {"member": "", "title": "铁人先锋号", "level": Honor.Level.GROUP_COMPANY, "awarded_on": "2015-06-30"}
    assert client.post(reverse("activities:honor_create"), honour).status_code == REDIRECT
    branch_honour = Honor.objects.get()
    assert branch_honour.member is None and branch_honour.branch == branch
    publicity = {
        "level": Publicity.Level.WEBSITE,
        "title": "支部荣获铁人先锋号",
        "shared_on": "2015-07-06",
        "link": "https://www.example.cn/news/1.html",
        "honor": branch_honour.pk,
    }
    assert client.post(reverse("activities:publicity_add"), publicity).status_code == REDIRECT
    page = client.get(reverse("activities:honor_list"))
    assert "https://www.example.cn/news/1.html" in page.content.decode()
    future = {**honour, "awarded_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}
    response = client.post(reverse("activities:honor_create"), future)
    assert response.status_code == OK and "awarded_on" in response.context["form"].errors


# ---- query counts -------------------------------------------------------------------------------------


def test_lists_cost_the_same_whatever_the_data(client, secretary, other_member, branch, django_assert_max_num_queries):
    client.force_login(secretary.user)
    urls = [reverse(f"activities:{name}") for name in ("innovation_list", "honor_list", "selection_list", "rule_list")]
    InnovationFactory(lead=other_member)
    RuleFactory(branch=branch)
    SelectionFactory(branch=branch)
    HonorFactory(member=other_member)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(20) as small:
            client.get(url)
        counts[url] = len(small.captured_queries)
    for _ in range(4):
        AwardFactory(innovation=InnovationFactory(lead=other_member))
        PatentFactory(innovation=InnovationFactory(lead=other_member))
        RuleFactory(branch=branch)
        NominationFactory(selection=SelectionFactory(branch=branch))
        HonorFactory(member=other_member)
        PublicityFactory(branch=branch, member=other_member)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)
