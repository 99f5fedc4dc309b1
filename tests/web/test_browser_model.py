"""End to end with the real bundled model: staff form -> proposal in the queue -> acknowledged."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from intake.context import AppContext
from intake.settings import Settings
from store.models import Case, Event, Role
from tests.conftest import Clock

pytestmark = pytest.mark.browser

MODEL_META = files("classifier.bundled") / "intake_model.json"


@pytest.fixture(scope="module")
def bundled_model():  # type: ignore[no-untyped-def]
    """The model that ships in classifier/bundled/, loaded once for this module."""
    if not MODEL_META.is_file():
        pytest.skip("classifier/bundled/ holds no trained model yet")
    from classifier.model import Classifier

    return Classifier.load()


@pytest.fixture
def ctx(settings: Settings, engine: Engine, clock: Clock, bundled_model) -> AppContext:  # type: ignore[no-untyped-def]
    """The usual test context, but classifying with the real model."""
    return AppContext.build(
        settings, engine=engine, clock=clock, classifier_factory=lambda: bundled_model
    )


def test_a_phone_message_is_proposed_by_the_model_then_confirmed_and_acknowledged(
    open_page, staff, engine
) -> None:
    staff("front@landlord.example", Role.FRONTLINE)
    staff("lead@landlord.example", Role.TEAM_LEAD)
    front = open_page("front@landlord.example")
    front.goto("/log")
    front.get_by_label("What they said").fill(
        "Mrs Begum rang. She reported the leak under her kitchen sink twice in October and "
        "nobody came. She is very unhappy with how long this is taking and wants it fixed."
    )
    front.get_by_label("Resident's name").fill("Mrs Begum")
    front.get_by_role("button", name="Log the message").click()
    front.wait_for_url(re.compile(r"/cases/\d+$"))

    lead = open_page("lead@landlord.example")
    for _ in range(300):  # the worker classifies in the background
        lead.goto("/")
        row = lead.locator("table.queue tbody tr").filter(has_text="Mrs Begum")
        if row.count() and "sure" in row.inner_text():
            break
        lead.wait_for_timeout(100)
    expect(row).to_contain_text(
        re.compile(r"(Complaint|Service request|Other)\s+proposed, \d+% sure")
    )
    row.get_by_role("link", name=re.compile("INT-")).click()
    expect(lead.locator("#provision")).not_to_be_empty()
    with Session(engine) as session:
        proposed = session.exec(select(Case)).one().proposed_label

    lead.get_by_role("radio", name=re.compile("^Complaint")).check()
    issues = lead.get_by_label("What the resident is unhappy about (one per line)")
    issues.fill("Kitchen sink leak reported twice in October; nobody came")
    lead.get_by_label("Outcomes they want (one per line)").fill("Leak fixed")
    lead.get_by_role("button", name="Confirm", exact=True).click()
    lead.get_by_text("Edit the definition").click()
    lead.locator("#def-responsible").fill("Repairing the leak")
    lead.get_by_role("button", name="Save the definition").click()
    lead.get_by_role("link", name="Acknowledge: preview the letter").click()
    lead.get_by_role("button", name="Send the acknowledgement").click()
    expect(lead.locator("#respond-by")).to_have_text("Mon 30 Nov 2026")
    expect(lead.locator("#history")).to_contain_text("Letter:")
    with Session(engine) as session:
        kinds = {e.kind for e in session.exec(select(Event)).all()}
    assert ("label_corrected" in kinds) == (proposed != "complaint")
    assert {"definition_edited", "acknowledged", "letter"} <= kinds
