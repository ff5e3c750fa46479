"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Chromium cannot be downloaded here, so it is launched from /usr/bin/chromium (`make browser-deps`
installs the Debian packages chromium, chromium-driver and fonts-noto-cjk).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses that unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser-deps` (Debian chromium, chromium-driver, fonts-noto-cjk)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def screenshots():
    """The folder screenshots go to; printed so the test output names it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    return SCREENSHOTS


def _page(browser, live_server, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    return context, page


@pytest.fixture
def desktop(browser, live_server, shipped_data):
    context, page = _page(browser, live_server, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, shipped_data):
    context, page = _page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    yield page
    context.close()


# The two widths and two languages every page is checked at.
VIEWPORTS = {
    "1366": {"viewport": {"width": 1366, "height": 900}},
    "390": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True},
}
LANGUAGES = {
    "zh": {"locale": "zh-CN", "extra_http_headers": {"Accept-Language": "zh-CN,zh;q=0.9"}},
    "en": {"locale": "en-US", "extra_http_headers": {"Accept-Language": "en-US,en;q=0.9"}},
}
