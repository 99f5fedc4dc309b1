"""The chat's conversation logic without a network: reading answers, wording, batching."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from classifier.prediction import Prediction
from connectors.webchat import flow, intents
from connectors.webchat.batcher import PredictBatcher
from connectors.webchat.state import CONFIRM_DEFINITION, OUTCOME, ChatState
from connectors.webchat.wording import WordingError, load_wording
from intake.settings import Settings
from tests.fakes import FakeClassifier


@pytest.fixture
def wording(tmp_path):  # type: ignore[no-untyped-def]
    return load_wording(Settings(data_dir=tmp_path, landlord_name="Test Homes"))


@pytest.mark.parametrize(
    "answer,framed",
    [
        ("Fix the boiler and apologise", "I would like you to fix the boiler and apologise."),
        ("an apology and compensation", "I would like an apology and compensation."),
        ("I want it fixed this week", "I want it fixed this week."),
        ("please repair it.", "I would like you to repair it."),
    ],
)
def test_the_outcome_answer_is_read_as_the_wish_it_is(answer: str, framed: str) -> None:
    assert intents.frame_outcome(answer) == framed


def test_short_answers_and_contact_details_are_read() -> None:
    assert intents.is_yes("Yes, that's right") and not intents.is_yes("No, that's wrong")
    assert intents.without_no("No, that's wrong: the contractor was rude") == (
        ": the contractor was rude"
    )
    assert intents.contact_details("ring 07700 900123 or jo@example.org") == {
        "email": "jo@example.org",
        "phone": "07700 900123",
    }
    assert intents.address_or_tenancy("TEN-0042") == {"tenancy_ref": "TEN-0042"}
    assert intents.address_or_tenancy("4 Mill Lane") == {"address": "4 Mill Lane"}
    assert intents.acting_for("I'm writing for my mum") == "for_other"
    assert intents.wants_to_complain("Actually, I want to make a complaint")


def test_a_correction_replaces_the_account_and_the_outcome_is_kept_apart(wording) -> None:  # type: ignore[no-untyped-def]
    state = ChatState(step=CONFIRM_DEFINITION, account=["Nobody came."])
    corrected, changed = flow.absorb(state, "No, the contractor was rude to me twice", None)
    assert changed and corrected.account == ["No, the contractor was rude to me twice"]
    unchanged, changed = flow.absorb(state, "No, that's wrong", None)
    assert not changed and unchanged.account == ["Nobody came."]
    asked = ChatState(step=OUTCOME, account=["Nobody came."])
    answered, changed = flow.absorb(asked, "an apology", None)
    assert changed and flow.pipeline_context(answered) == "Nobody came.\n\nI would like an apology."


def test_greetings_open_no_case(wording) -> None:  # type: ignore[no-untyped-def]
    [prediction] = FakeClassifier().predict(["hi"])
    state, changed = flow.absorb(ChatState(), "hi", None)
    plan = flow.plan_turn(
        state, "hi", None, prediction, changed=changed, has_case=False, wording=wording
    )
    assert not plan.open_case and plan.state.account == []
    assert [r.key for r in plan.replies] == ["bot.need_more"]


def test_hazard_advice_comes_once_and_no_heating_only_when_vulnerable(wording) -> None:  # type: ignore[no-untyped-def]
    assert [h for h, _ in wording.hazard_advice(["no_heating"], vulnerable=False)] == []
    assert [h for h, _ in wording.hazard_advice(["no_heating"], vulnerable=True)] == ["no_heating"]
    [prediction] = FakeClassifier().predict(["I smell gas"])
    state, changed = flow.absorb(ChatState(), "I smell gas", None)
    plan = flow.plan_turn(
        state, "I smell gas", None, prediction, changed=changed, has_case=False, wording=wording
    )
    assert plan.replies[0].key == "advice" and plan.open_case
    again, changed = flow.absorb(plan.state, "the gas smell is still there", None)
    later = flow.plan_turn(
        again, "the gas smell is still there", None, prediction, changed=changed,
        has_case=True, wording=wording,
    )  # fmt: skip
    assert all(r.key != "advice" for r in later.replies)


def test_a_mistake_in_the_landlords_wording_names_the_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "chat_wording.toml").write_text('[bot]\ngreeting = "Hi {{ nope"\n')
    with pytest.raises(WordingError, match=r"bot\.greeting"):
        load_wording(Settings(data_dir=tmp_path))
    (tmp_path / "chat_wording.toml").write_text('[bot]\ngreting = "Hi"\n')
    with pytest.raises(WordingError, match=r"unknown entry 'bot\.greting'"):
        load_wording(Settings(data_dir=tmp_path))


async def test_concurrent_turns_share_one_model_call() -> None:
    fake = FakeClassifier()
    calls: list[int] = []

    def predict(texts: Sequence[str], channels: Sequence[str | None]) -> list[Prediction]:
        calls.append(len(texts))
        return fake.predict(texts, channels)

    batcher = PredictBatcher(predict)
    results = await asyncio.gather(*(batcher.predict(f"broken tap {i}") for i in range(10)))
    assert [r.label for r in results] == ["service_request"] * 10
    assert sum(calls) == 10 and len(calls) <= 2  # the first alone, the rest together
