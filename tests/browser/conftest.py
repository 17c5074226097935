"""Real-browser fixtures: Debian's chromium driven by Playwright, against the register
served over real HTTP by waitress (as `make run` serves it) on both databases.

The `app` fixture of tests/conftest.py is parametrised over SQLite and PostgreSQL, so
every test that takes `live_server` or `page` runs once per database.
"""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
# Never `playwright install` (no downloads here): Debian's chromium, headless, quiet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's expect() and actions wait this long (ms) before failing.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: browser tests cannot be skipped in CI.")
        pytest.skip("Browser tests need Debian's chromium: sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """Serve ``app`` over HTTP on 127.0.0.1 with waitress (4 threads); return the base URL."""
    from tests.browser.helpers import serve

    url, stop = serve(app)
    yield url
    stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) and page per test, with relative URLs.

    The test fails when the browser reports a Content-Security-Policy violation: a
    script, handler or link that the register's policy refused (security.py).
    """
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(TIMEOUT_MS)
    violations = []

    def watch(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url', '')}: {message.text}")

    context.on("console", watch)
    page = context.new_page()
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)

