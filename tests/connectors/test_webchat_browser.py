"""The chat in headless Chromium: full conversations, embedding, accessibility, hostile text."""

from __future__ import annotations

import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from classifier.prediction import TextClassifier
from intake.context import AppContext
from intake.security import hash_password
from intake.worker import drain
from store.crud import QueueFilter, create_user, queue_query
from store.models import Case, Channel, Role
from tests.connectors.test_webchat_socket import make_ctx
from tests.connectors.webchat_support import ChatServer

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUNDLED = Path(__file__).parents[2] / "classifier" / "bundled" / "intake_model.json"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def real_model() -> TextClassifier:
    """The bundled model: the conversations below are what residents would really meet."""
    if not BUNDLED.is_file():
        pytest.skip("classifier/bundled/ holds no model yet")
    from classifier.model import Classifier

    return Classifier.load()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    page = context.new_page()
    page.dialogs = []  # any alert() would mean hostile text ran as code
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def real_ctx(ctx: AppContext, model: TextClassifier, **settings: object) -> AppContext:
    built = make_ctx(ctx, **settings)
    built.classifier_factory = lambda: model
    return built


def bot_lines(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".line.bot .text").all_inner_texts()]


def say(page: Any, text: str | None = None, *, click: str | None = None) -> str:
    """Type (or click a quick reply) like a resident; return what the chat said back."""
    before = len(bot_lines(page))
    if click:
        page.get_by_role("button", name=click, exact=True).click()
    else:
        box = page.get_by_label("Your message")
        box.fill(text or "")
        box.press("Enter")
    deadline = time.monotonic() + 20
    while len(bot_lines(page)) <= before:
        assert time.monotonic() < deadline, f"no reply to {text or click!r}"
        page.wait_for_timeout(25)
    return "\n".join(bot_lines(page)[before:])


def open_chat_page(page: Any, server: ChatServer) -> None:
    page.goto(server.url + "/chat")
    page.locator(".line.bot").first.wait_for()


def queue(ctx: AppContext) -> list[Case]:
    drain(ctx)
    with Session(ctx.engine) as session:
        return list(session.exec(queue_query(today=ctx.clock().date(), filters=QueueFilter())))


def test_complaint_conversation_in_the_browser(page: Any, ctx: AppContext, real_model) -> None:  # type: ignore[no-untyped-def]
    live = real_ctx(ctx, real_model)
    with ChatServer(live) as server:
        open_chat_page(page, server)
        offer = say(
            page,
            "I reported my boiler as broken twice and nobody came. "
            "I am really unhappy with how you have handled it.",
        )
        assert "make a complaint" in offer and "Stage 1" in offer and "Stage 2" in offer
        shown = say(page, click="Yes, I want to make a complaint")
        assert shown.startswith("So we've understood") and "boiler" in shown
        assert "What would you like us to do" in say(page, click="Yes, that's right")
        logged = say(page, "Fix the boiler and apologise")
        assert "fix the boiler and apologise" in logged.lower()
        assert "INT-000001" in logged and "Monday 23 November 2026" in logged
        say(page, click="My own home")
        say(page, "Jane Smith")
        say(page, "12 High Street, Anytown")
        say(page, "jane@example.org")
        done = say(page, click="No, thank you")
        assert "Thank you, Jane Smith" in done and "INT-000001" in done
    [case] = queue(live)  # the workers triage with the same model
    assert case.channel is Channel.CHAT and case.proposed_label == "complaint"
    assert case.definition is not None and case.definition["issues"]
    assert any("boiler" in issue for issue in case.definition["issues"])
    assert any("apologise" in outcome for outcome in case.definition["outcomes"]), case.definition
    assert not case.emergency, (case.hazards, case.vulnerability, case.vulnerability_notes)


def test_service_request_conversation_in_the_browser(
    page: Any, ctx: AppContext, real_model
) -> None:  # type: ignore[no-untyped-def]
    live = real_ctx(ctx, real_model)
    with ChatServer(live) as server:
        open_chat_page(page, server)
        logged = say(page, "My kitchen tap is broken, please can someone come and repair it?")
        assert "INT-000001" in logged and "What happens next" in logged
        assert "make a complaint at any time" in logged
        say(page, click="My own home")
        say(page, click="I'd rather not say")
        say(page, "TEN-88812")
        say(page, "07700 900123")
        done = say(page, click="No, thank you")
        assert "complaint at any time" in done
    [case] = queue(live)  # the workers triage with the same model
    assert case.proposed_label == "service_request" and case.definition is None


def test_hazard_conversation_gives_advice_first_and_flags_the_case(
    page: Any, ctx: AppContext, real_model
) -> None:  # type: ignore[no-untyped-def]
    live = real_ctx(ctx, real_model, emergency_phone="0800 123 4567")
    with ChatServer(live) as server:
        open_chat_page(page, server)
        reply = say(page, "I can smell gas in my kitchen")
        assert reply.startswith("If you can smell gas") and "0800 123 4567" in reply
        assert "INT-000001" in reply
        say(page, click="My own home")
        say(page, "Ann Lee")
    [case] = queue(live)  # the workers triage with the same model
    assert case.emergency and "gas" in case.hazards


def test_hostile_text_is_shown_as_text_in_the_widget_and_the_staff_pages(
    page: Any, ctx: AppContext, engine
) -> None:  # type: ignore[no-untyped-def]
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> my boiler is broken'
    web = pytest.importorskip("intake.web.mount", reason="the staff web app is not here yet")
    assert web
    with Session(engine) as session:
        lead = create_user(
            session=session,
            email="lead@landlord.example",
            role=Role.TEAM_LEAD,
            password_hash=hash_password("correct horse battery staple"),
        )
        lead.must_change_password = False
        session.commit()
    with ChatServer(make_ctx(ctx)) as server:
        open_chat_page(page, server)
        say(page, hostile)
        assert page.locator(".line.resident .text").first.inner_text() == hostile
        assert page.locator(".line img").count() == 0
        drain(ctx)
        page.goto(server.url + "/login")
        page.fill("input[name=email]", "lead@landlord.example")
        page.fill("input[name=password]", "correct horse battery staple")
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        page.goto(server.url + "/cases/1")
        assert page.get_by_text("<script>alert(2)</script>", exact=False).first.is_visible()
    assert page.dialogs == []


class LandlordSite:
    """The landlord's own website on another origin, with the one script tag pasted in."""

    def __init__(self, chat: ChatServer, tmp: Path):
        (tmp / "index.html").write_text(
            "<!doctype html><html lang='en'><head><title>Landlord</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
            "<body><main><h1>Welcome to Test Homes</h1><a href='#'>Rent</a></main>"
            f"<script src='{chat.url}/chat/widget.js'></script></body></html>",
            encoding="utf-8",
        )
        handler = partial(QuietHandler, directory=str(tmp))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LandlordSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_widget_works_on_an_allowed_site_and_not_on_others(
    page: Any, ctx: AppContext, tmp_path: Path
) -> None:
    with ChatServer(make_ctx(ctx)) as server, LandlordSite(server, tmp_path) as site:
        page.goto(site.url)  # not in the allowed origins
        page.get_by_role("button", name="Chat with us").click()
        refusal = page.get_by_role("alert")
        refusal.wait_for()
        assert "not available on this website" in refusal.inner_text()
    with (
        ChatServer(make_ctx(ctx, chat_allowed_origins=[])) as server,
        LandlordSite(server, tmp_path) as site,
    ):
        server.ctx.settings.chat_allowed_origins = [site.url]
        page.goto(site.url)
        page.keyboard.press("Tab")  # the site's own link
        page.keyboard.press("Tab")  # then the chat launcher, by keyboard alone
        page.keyboard.press("Enter")
        page.locator(".line.bot").first.wait_for()
        assert (
            page.evaluate("document.querySelector('.intake-chat-host').shadowRoot.activeElement.id")
            == "input"
        )
        log = page.get_by_role("log")
        assert log.get_attribute("aria-live") == "polite"
        page.keyboard.type("hello")
        page.keyboard.press("Enter")
        log.get_by_text("Could you tell me a bit more").wait_for()
        page.keyboard.press("Escape")
        launcher = page.get_by_role("button", name="Chat with us")
        assert launcher.get_attribute("aria-expanded") == "false"
        assert (
            page.evaluate(
                "document.querySelector('.intake-chat-host').shadowRoot.activeElement.className"
            )
            == "launcher"
        )


def test_a_reload_resumes_the_conversation(page: Any, ctx: AppContext) -> None:
    with ChatServer(make_ctx(ctx)) as server:
        open_chat_page(page, server)
        say(page, "My kitchen tap is broken, please repair it")
        before = bot_lines(page)
        page.reload()
        page.get_by_text("My kitchen tap is broken", exact=False).first.wait_for()
        assert bot_lines(page) == before
        assert "What is your name" in say(page, click="My own home")


def test_the_chat_page_passes_axe_and_fits_a_phone(
    chromium: Any, ctx: AppContext, tmp_path: Path
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    phone = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    try:
        with ChatServer(make_ctx(ctx)) as server:
            open_chat_page(page, server)
            say(page, "My kitchen tap is broken, please repair it")  # with quick replies shown
            results = Axe().run(page)
            serious = [
                (v["id"], v["help"])
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert serious == []
            with LandlordSite(server, tmp_path) as site:
                server.ctx.settings.chat_allowed_origins = [site.url]
                page.goto(site.url)
                page.get_by_role("button", name="Chat with us").tap()
                page.locator(".line.bot").first.wait_for()
                box = page.locator(".panel").bounding_box()
                assert box is not None and box["width"] == 390 and box["x"] == 0
                results = Axe().run(page)
                assert [
                    v["id"]
                    for v in results.response["violations"]
                    if v["impact"] in ("serious", "critical")
                ] == []
    finally:
        phone.close()
