"""Browser fixtures: Debian's Chromium driven by plain Playwright (sync API), no pytest-playwright.

One Chromium per test session; every test gets fresh browser contexts (cookies, storage), closed
after the test. Test modules mark themselves `browser` and `django_db(transaction=True)` and use
pytest-django's `live_server`. Helpers here (`login`, `logout`, `has_horizontal_scroll`, ...) are
for the feature tests that follow too.

Chromium comes from apt (/usr/bin/chromium); Playwright's own browser download does not work on our
machines, so never `playwright install`. See /work/shared/MACHINE-NOTES.md, "Browser tests".
"""

import os
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; without this, the ORM calls tests make
# while a page is open raise SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")  # as tests/conftest.py checks
LOGIN_PATH = "/accounts/login/"
# Screenshots for people to look at; outside the repository on purpose.
SHOTS_DIR = Path(os.environ.get("HONGQI_SHOTS_DIR") or Path(tempfile.gettempdir(), "hongqi-shots"))

# Every context looks like a browser in the branch's office: Chinese, Xinjiang's offices keep Beijing time.
CONTEXT_DEFAULTS = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 740}}
# Keep failures quick: nothing on these pages takes more than a moment on the live server.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser):
    """Factory: `new_page(**context_options)` opens a page in a fresh context, closed after the test."""
    contexts = []

    def _new_page(**options):
        context = browser.new_context(**{**CONTEXT_DEFAULTS, **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop page (Playwright's default 1280×720 viewport)."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A phone: 390×844 CSS pixels, touch, 2× pixel density (the members' everyday device)."""
    return new_page(**PHONE)


@pytest.fixture
def shots_dir():
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SHOTS_DIR


# ---- helpers ------------------------------------------------------------------------------------


def login(page, live_server, username, password):
    """Log in through the real login form and wait for wherever it leads. Returns the final response."""
    page.goto(live_server.url + LOGIN_PATH)
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    return navigation.value


def login_as(page, live_server, member):
    """Log a persona (a Member made by the factories) in with the test password."""
    from tests.factories import TEST_PASSWORD

    return login(page, live_server, member.user.username, TEST_PASSWORD)


def open_user_menu(page):
    """Open the navbar's user dropdown, through the hamburger button first on narrow screens."""
    toggler = page.locator("nav .navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.show").wait_for()
    page.get_by_test_id("user-menu").click()
    page.locator(".dropdown-menu.show").wait_for()


def logout(page):
    """Log out the way people do: user menu, then the log-out button (a POST form)."""
    open_user_menu(page)
    with page.expect_navigation() as navigation:
        page.get_by_test_id("logout-button").click()
    return navigation.value


def path_of(page) -> str:
    from urllib.parse import urlparse

    return urlparse(page.url).path


def has_horizontal_scroll(page) -> bool:
    """True when the page is wider than the viewport (content you would have to scroll sideways to)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
