"""A team lead in Chromium: picks a quarter, reads a chart, clicks a figure, reaches the case."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from intake.app import create_app
from store.models import format_reference
from tests.reports.store import Known
from tests.reports.test_report_web import PASSWORD, accounts  # noqa: F401 - a fixture

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live(ctx, accounts) -> Iterator[str]:  # type: ignore[no-untyped-def]  # noqa: F811
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ctx), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def serious_problems(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical WCAG findings on the page."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["help"])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
def test_a_lead_picks_a_quarter_and_clicks_through_to_the_cases(live: str, known: Known) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(base_url=live)
            page.set_default_timeout(10_000)
            page.goto("/login")
            page.get_by_label("Email address").fill("boss@landlord.example")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url)

            page.get_by_role("link", name="Reports").click()
            page.get_by_label("Quarter or year").select_option(
                label="Q3 2026/27 (October to December 2026)"
            )
            page.get_by_role("button", name="Show report").click()
            sync_api.expect(page.locator("h1")).to_contain_text("Q3 2026/27")
            # The charts drew (images the browser decoded, not broken ones).
            charts = page.locator("img.chart")
            sync_api.expect(charts).to_have_count(3)
            assert all(
                charts.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
                for i in range(3)
            )
            assert serious_problems(page) == []
            row = page.locator('tr[data-key="refused.legal_proceedings"]')
            sync_api.expect(row.locator('[data-cell="share"]')).to_have_text("50.0%")
            row.get_by_role("link", name="1").click()
            sync_api.expect(page.locator("h1")).to_have_text("Legal proceedings had started")
            assert serious_problems(page) == []
            page.get_by_role("link", name=format_reference(known.c5)).click()
            page.wait_for_url(f"**/cases/{known.c5}")
        finally:
            browser.close()
