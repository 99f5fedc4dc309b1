"""The staff app in headless Chromium: the journeys team leads and frontline staff make."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from store.models import Case, Event, Role

pytestmark = pytest.mark.browser

REPAIR_THEN_UNHAPPY = (
    "Mr Okafor rang. The kitchen tap is broken and he wants it repaired. "
    "He says this is the third time he has asked."
)


def _log(page: Page, text: str, name: str = "") -> str:
    """Fill the staff form as a person would; returns the case page's URL."""
    page.goto("/log")
    page.get_by_role("radio", name="Phone").check()
    page.get_by_label("What they said").fill(text)
    if name:
        page.get_by_label("Resident's name").fill(name)
    page.get_by_role("button", name="Log the message").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.get_by_role("status")).to_contain_text("Logged as INT-")
    return page.url


def _wait_for_proposal(page: Page) -> None:
    """The worker reads the message in the background; reload until its proposal is there."""
    for _ in range(100):
        if page.locator("#provision").count():
            return
        page.wait_for_timeout(100)
        page.reload()
    raise AssertionError("the proposal never appeared")


def test_without_a_session_the_browser_lands_on_sign_in(open_page) -> None:
    page = open_page()
    page.goto("/cases/1")
    expect(page).to_have_url(re.compile(r"/login\?next=/cases/1$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_logged_message_is_corrected_defined_acknowledged(open_page, staff, engine) -> None:
    """Staff form -> queue with proposal -> correct label, edit definition, acknowledge."""
    staff("front@landlord.example", Role.FRONTLINE)
    staff("lead@landlord.example", Role.TEAM_LEAD)
    front = open_page("front@landlord.example")
    case_url = _log(front, REPAIR_THEN_UNHAPPY, name="Mr Okafor")
    case_path = case_url.split("127.0.0.1", 1)[1].split(":", 1)[1].split("/", 1)[1]

    lead = open_page("lead@landlord.example")
    for _ in range(100):  # the queue fills in as the worker reads the message
        lead.goto("/")
        row = lead.locator("table.queue tbody tr").filter(has_text="Mr Okafor")
        if row.count() and "sure" in row.inner_text():
            break
        lead.wait_for_timeout(100)
    expect(row).to_contain_text("Service request")
    expect(row).to_contain_text("85% sure")
    expect(row).to_contain_text("5 working days left")
    row.get_by_role("link", name=re.compile("INT-")).click()
    expect(lead).to_have_url(re.compile(case_path + "$"))

    lead.get_by_label("Complaint", exact=False).first.check()
    lead.get_by_label("What the resident is unhappy about (one per line)").fill(
        "Kitchen tap reported three times and not repaired"
    )
    lead.get_by_label("Outcomes they want (one per line)").fill("Tap repaired")
    lead.get_by_role("button", name="Confirm", exact=True).click()
    expect(lead.get_by_role("status")).to_contain_text("as complaint")

    lead.get_by_text("Edit the definition").click()
    lead.locator("#def-responsible").fill("Repairing the kitchen tap")
    lead.get_by_role("button", name="Save the definition").click()
    expect(lead.locator(".definition-responsible")).to_contain_text("Repairing the kitchen tap")

    lead.get_by_role("link", name="Acknowledge: preview the letter").click()
    expect(lead.locator("#letter-preview")).to_contain_text(
        "Kitchen tap reported three times and not repaired"
    )
    lead.get_by_role("button", name="Send the acknowledgement").click()
    expect(lead.get_by_role("status")).to_contain_text("Monday 30 November 2026")
    expect(lead.locator("#respond-by")).to_have_text("Mon 30 Nov 2026")
    history = lead.locator("#history")
    expect(history).to_contain_text("proposal was service request")
    expect(history).to_contain_text("Acknowledged at stage 1; response due by Monday 30 November")
    expect(history).to_contain_text("Letter:")
    history.get_by_role("link", name="Read the letter").click()
    expect(lead.locator(".message.out")).to_contain_text("Kitchen tap reported three times")
    with Session(engine) as session:
        kinds = [e.kind for e in session.exec(select(Event)).all()]
    assert {"label_corrected", "definition_edited", "acknowledged", "letter"} <= set(kinds)


def test_two_team_leads_the_second_sees_a_clear_message(open_page, staff, ctx, engine) -> None:
    staff("first@landlord.example")
    staff("second@landlord.example")
    first = open_page("first@landlord.example")
    case_url = _log(first, "I reported the leak twice and nobody came. I am unhappy.")
    _wait_for_proposal(first)
    second = open_page("second@landlord.example")
    second.goto(case_url)
    for page, words in ((first, "The first lead's wording"), (second, "The second lead's wording")):
        page.get_by_text("Edit the definition").click()
        page.locator("#def-issues").fill(words)
    first.get_by_role("button", name="Save the definition").click()
    expect(first.get_by_role("status")).to_contain_text("Saved the complaint definition")
    second.get_by_role("button", name="Save the definition").click()
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("changed by someone else since you opened it")
    expect(second.locator(".definition-issues")).to_contain_text("The first lead's wording")
    expect(second.locator("#def-issues")).to_have_value("The second lead's wording")
    with Session(engine) as session:
        case = session.exec(select(Case)).one()
    assert case.definition["issues"] == ["The first lead's wording"]


def test_frontline_sees_neither_team_lead_actions_nor_the_admin_page(open_page, staff) -> None:
    staff("front@landlord.example", Role.FRONTLINE)
    page = open_page("front@landlord.example")
    case_url = _log(page, "The fence is broken, please repair it.")
    _wait_for_proposal(page)
    page.goto(case_url)
    expect(page.get_by_text("Add a note")).to_be_visible()
    for hidden in ("Confirm what this is", "Assign a handler", "Do not accept", "Edit the def"):
        expect(page.get_by_text(hidden)).to_have_count(0)
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto("/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You cannot use this page")).to_be_visible()


def test_pages_are_keyboard_friendly_labelled_and_fit_a_tablet(open_page, staff) -> None:
    staff("admin@landlord.example", Role.ADMIN)
    page = open_page("admin@landlord.example")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    case_url = _log(page, "I reported the leak twice and nobody came. I am unhappy.")
    _wait_for_proposal(page)
    for path in ("/", case_url, "/log", "/admin/users", "/account/password"):
        page.goto(path)
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea')]
                .filter(el => el.type !== 'hidden')
                .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
                .map(el => el.name)"""
        )
        assert unlabelled == [], (path, unlabelled)
        assert page.evaluate("document.documentElement.lang") == "en-GB"
        assert page.locator("h1").count() == 1, path
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    assert errors == []  # no CSP refusals: no inline script or style anywhere
    page.set_viewport_size({"width": 768, "height": 1024})
    for path in ("/", case_url, "/log"):
        page.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
    page.goto("/")
    expect(page.locator("table.queue .deadline").first).to_be_in_viewport()  # not scrolled away


def test_text_colours_meet_wcag_aa_contrast(open_page, staff) -> None:
    """Every badge, deadline and muted text: at least 4.5:1 against its own background."""
    staff("lead@landlord.example")
    page = open_page("lead@landlord.example")
    _log(page, "Gas smell and mould, I reported it twice and nobody came. Unhappy. My baby is ill.")
    _wait_for_proposal(page)
    page.goto("/")
    worst = page.evaluate(
        """() => {
          const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
          const lum = ([r, g, b]) => {
            const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          const background = el => {
            for (; el; el = el.parentElement) {
              const c = rgb(getComputedStyle(el).backgroundColor);
              if (c.length < 4 || c[3] > 0) return c;
            }
            return [255, 255, 255];
          };
          const results = [];
          for (const el of document.querySelectorAll('.badge, .deadline, .muted, .confidence, a, th, td, button')) {
            if (!el.textContent.trim()) continue;
            const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
            const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
            results.push([ratio, el.className || el.tagName, el.textContent.trim().slice(0, 30)]);
          }
          results.sort((a, b) => a[0] - b[0]);
          return results.slice(0, 3);
        }"""
    )
    assert worst and worst[0][0] >= 4.5, worst


def test_every_staff_page_passes_axe(open_page, staff) -> None:
    """axe-core finds no serious or critical WCAG problem on any staff page."""
    from axe_playwright_python.sync_playwright import Axe

    staff("admin@landlord.example", Role.ADMIN)
    anonymous = open_page()
    page = open_page("admin@landlord.example")
    case_url = _log(page, "I reported the leak twice and nobody came. I am unhappy. Gas smell.")
    _wait_for_proposal(page)
    axe = Axe()
    checked = []
    anonymous.goto("/login")
    for p, path in [(anonymous, None)] + [
        (page, path) for path in ("/", case_url, "/log", "/admin/users", "/account/password")
    ]:
        if path:
            p.goto(path)
        folded = p.locator("details:not([open]) > summary:visible")
        while folded.count():
            folded.first.click()  # check the folded forms too
        violations = [
            (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in axe.run(p).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert violations == [], (p.url, violations)
        checked.append(p.url)
    assert len(checked) == 6
