"""The wall (三上墙): who may open it, what it shows, and that it shows nothing private."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, CareOccasion, ModelSelection
from activities.selectors.recognition import quarter_bounds, wall
from members.models import Employee
from tests.factories import HonorFactory, MemberFactory

from .factories_recognition import (
    ActivityPhotoFactory,
    HeldActivityFactory,
    NominationFactory,
    RuleFactory,
    SelectionFactory,
)

PANELS = ["wall-honors", "wall-rules", "wall-activities", "wall-models"]


def wall_url(branch):
    return reverse("activities:wall", args=[branch.pk])


@pytest.fixture
def public_branch(branch):
    branch.wall_is_public = True
    branch.save()
    return branch


@pytest.fixture
def published_model(branch, other_member, secretary):
    selection = SelectionFactory(
        branch=branch, state=ModelSelection.State.PUBLISHED, published_on=timezone.localdate(), title="本季度五带头标兵"
    )
    return NominationFactory(selection=selection, member=other_member, nominated_by=secretary, selected=True)


# ---- access -------------------------------------------------------------------------------------------


def test_private_wall_sends_anonymous_visitors_to_log_in(client, branch):
    response = client.get(wall_url(branch))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unknown_wall_gives_nothing_away_to_anonymous_visitors(client, db):
    response = client.get(reverse("activities:wall", args=[987654]))
    assert response.status_code == 302  # the same answer as a private wall


def test_private_wall_is_for_the_branch_and_the_administrator(client, branch, member, outsider, admin_user):
    client.force_login(member.user)
    assert client.get(wall_url(branch)).status_code == 200
    client.force_login(admin_user)
    assert client.get(wall_url(branch)).status_code == 200
    client.force_login(outsider.user)
    assert client.get(wall_url(branch)).status_code == 404


def test_public_wall_needs_no_login(client, public_branch, outsider):
    assert client.get(wall_url(public_branch)).status_code == 200
    client.force_login(outsider.user)
    assert client.get(wall_url(public_branch)).status_code == 200


def test_one_public_wall_does_not_open_another(client, public_branch, outsider):
    assert client.get(wall_url(outsider.branch)).status_code == 302


# ---- content ------------------------------------------------------------------------------------------


def test_public_wall_shows_nothing_private(client, public_branch, member, other_member, secretary, published_model):
    other_member.phone = "13912345678"
    other_member.save()
    HonorFactory(member=other_member, title="创新尖兵")
    HeldActivityFactory(organiser=secretary, title="平整井场")
    employee = Employee.objects.create(branch=public_branch, name="刘师傅", phone="13800001111")
    CareOccasion.objects.create(
        branch=public_branch,
        employee=employee,
        kind=CareOccasion.Kind.HOSPITALISED,
        occurred_on=timezone.localdate(),
        reported_on=timezone.localdate(),
        details="肝病住院治疗",
    )
    html = client.get(wall_url(public_branch)).content.decode()
    assert other_member.name in html and "创新尖兵" in html and "平整井场" in html
    for private in [
        other_member.phone,
        other_member.id_card_number,
        member.id_card_number,
        other_member.employee_number,
        "肝病住院治疗",
        "13800001111",
        "刘师傅",
        published_model.reason,  # who nominated whom and why stays with the committee's pages
    ]:
        assert private not in html, private
    assert 'href="/members/' not in html  # no way from the wall into anyone's records


def test_wall_has_every_panel_in_the_page_and_runs_without_javascript(client, public_branch):
    response = client.get(wall_url(public_branch))
    html = response.content.decode()
    for panel in PANELS:
        assert f'data-testid="{panel}"' in html
    # Panels are shown by CSS without the script; the script only adds .wall-js to rotate them.
    assert "wall-js" not in html.split("<body", 1)[0].split("<html", 1)[1].split(">", 1)[0]
    assert "js/wall.js" in html and "css/wall.css" in html
    assert "//cdn" not in html and "https://" not in html.split("<body", 1)[0]
    assert finders.find("js/wall.js") and finders.find("css/wall.css")


def test_wall_selects_recent_held_activities_with_photos(branch, secretary):
    recent = HeldActivityFactory(organiser=secretary, title="近期奉献日")
    photo = ActivityPhotoFactory(activity=recent)
    HeldActivityFactory(organiser=secretary, title="很久以前", starts_at=timezone.now() - dt.timedelta(days=120))
    HeldActivityFactory(organiser=secretary, title="计划中", state=Activity.State.PLANNED)
    HeldActivityFactory(organiser=MemberFactory(), title="别的支部")
    shown = wall(branch)
    assert [a.title for a in shown.activities] == ["近期奉献日"]
    assert shown.activities[0].wall_photos == [photo]


def test_wall_shows_this_quarters_published_models_only(branch, secretary, other_member, member, published_model):
    today = timezone.localdate()
    start, _end = quarter_bounds(today)
    old = SelectionFactory(
        branch=branch, state=ModelSelection.State.PUBLISHED, published_on=start - dt.timedelta(days=1)
    )
    NominationFactory(selection=old, member=member, nominated_by=secretary, selected=True)
    decided = SelectionFactory(branch=branch, state=ModelSelection.State.DECIDED)
    NominationFactory(selection=decided, member=secretary, nominated_by=member, selected=True)
    NominationFactory(selection=published_model.selection, member=member, nominated_by=secretary, selected=False)
    assert [n.member for n in wall(branch, today=today).models] == [other_member]


def test_wall_has_rules_in_order_and_no_rankings(client, public_branch, secretary):
    RuleFactory(branch=public_branch, title="党员奉献日制度", position=20)
    RuleFactory(branch=public_branch, title="三会一课制度", position=10)
    assert [r.title for r in wall(public_branch).rules] == ["三会一课制度", "党员奉献日制度"]
    html = client.get(wall_url(public_branch)).content.decode()
    assert html.index("三会一课制度") < html.index("党员奉献日制度")


def test_wall_costs_a_fixed_number_of_queries(
    client, public_branch, secretary, other_member, django_assert_num_queries
):
    def fill():
        HonorFactory(member=other_member)
        RuleFactory(branch=public_branch)
        ActivityPhotoFactory(activity=HeldActivityFactory(organiser=secretary))
        selection = SelectionFactory(
            branch=public_branch, state=ModelSelection.State.PUBLISHED, published_on=timezone.localdate()
        )
        NominationFactory(selection=selection, selected=True)

    fill()
    with django_assert_num_queries(6):  # branch, honours, rules, activities, photos, model members
        client.get(wall_url(public_branch))
    fill()
    fill()
    with django_assert_num_queries(6):
        client.get(wall_url(public_branch))


@pytest.mark.parametrize(
    ("day", "bounds"),
    [
        (dt.date(2026, 1, 1), (dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        (dt.date(2026, 6, 30), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
        (dt.date(2026, 11, 15), (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
    ],
)
def test_quarter_bounds(day, bounds):
    assert quarter_bounds(day) == bounds


# ---- in a real browser: the hall's 1920×1080 screen ------------------------------------------------------


def _demo_wall_branch(today):
    """The demo branch with its recognition, made public, and a recent dedication day with photos."""
    from PIL import Image

    from activities.demo import build_honors, build_recognition
    from branch.demo import build_demo_branch
    from members.models import Member

    branch = build_demo_branch(password="demo-only", today=today).branch
    members = list(Member.objects.filter(branch=branch).order_by("employee_number"))
    build_honors(branch=branch, members=members)
    build_recognition(branch=branch, members=members, today=today)
    branch.wall_is_public = True
    branch.save()
    activity = HeldActivityFactory(organiser=members[0], title="党员奉献日：平整井场、清理井区垃圾")
    for n, colour in enumerate([(183, 28, 28), (46, 125, 50), (21, 101, 192)]):
        photo = ActivityPhotoFactory(activity=activity, image=f"activities/2026/wall{n}.jpg")
        path = Path(settings.MEDIA_ROOT, photo.image.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (800, 600), colour).save(path, format="JPEG")
    return branch


def _serve_media(route):
    """The live server does not serve uploads (the web server does in production): answer from MEDIA_ROOT."""
    name = route.request.url.split("/media/", 1)[1]
    route.fulfill(path=str(Path(settings.MEDIA_ROOT, name)), content_type="image/jpeg")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_wall_rotates_pauses_on_touch_and_works_without_javascript(live_server):
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, CONTEXT_DEFAULTS, SHOTS_DIR

    branch = _demo_wall_branch(timezone.localdate())
    url = live_server.url + wall_url(branch)
    # Reduced motion: no fade, so the screenshots show panels as they settle.
    screen = {"viewport": {"width": 1920, "height": 1080}, "has_touch": True, "reduced_motion": "reduce"}
    screen.update(CONTEXT_DEFAULTS)
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(**screen)
            context.route("**/media/**", _serve_media)
            page = context.new_page()
            page.clock.install()
            page.goto(url)
            panels = page.locator(".wall-panel")
            expect(panels).to_have_count(len(PANELS))
            expect(page.locator(".wall-panel.is-active")).to_have_count(1)
            expect(page.get_by_test_id("wall-honors")).to_be_visible()
            expect(page.get_by_test_id("wall-rules")).to_be_hidden()
            assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
            page.screenshot(path=SHOTS_DIR / "wall-1920x1080-honours.png")

            page.clock.run_for(15_500)
            expect(page.get_by_test_id("wall-rules")).to_be_visible()
            page.screenshot(path=SHOTS_DIR / "wall-1920x1080-rules.png")
            page.clock.run_for(15_000)
            expect(page.get_by_test_id("wall-activities")).to_be_visible()
            expect(page.locator("#wall-activities img").first).to_be_visible()
            page.screenshot(path=SHOTS_DIR / "wall-1920x1080-activities.png")

            page.touchscreen.tap(960, 600)  # pause
            expect(page.locator("[data-wall-paused]")).to_be_visible()
            page.clock.run_for(45_000)
            expect(page.get_by_test_id("wall-activities")).to_be_visible()
            page.touchscreen.tap(960, 600)  # resume
            page.clock.run_for(15_500)
            expect(page.get_by_test_id("wall-models")).to_be_visible()
            expect(page.get_by_test_id("wall-models")).to_contain_text("周传辉")
            page.screenshot(path=SHOTS_DIR / "wall-1920x1080-models.png")
            context.close()

            no_js = browser.new_context(java_script_enabled=False, **screen)
            page = no_js.new_page()
            page.goto(url)
            for panel in PANELS:
                expect(page.get_by_test_id(panel)).to_be_visible()
            no_js.close()
        finally:
            browser.close()
