"""The chat's conversation: listen, hazard advice first, offer the choice to complain, define it.

Pure logic: a turn's text and the classifier's reading in, replies and records out. The
session stores them; nothing here touches the database or the network.
"""

from __future__ import annotations

from copy import deepcopy

from classifier.prediction import Prediction
from connectors.webchat import details, intents
from connectors.webchat.state import (
    ADJUSTMENTS,
    CONFIRM_DEFINITION,
    CORRECT_DEFINITION,
    DONE,
    LISTENING,
    OFFERED,
    OUTCOME,
    WHO,
    ChatState,
    Plan,
    Record,
    Reply,
)
from connectors.webchat.wording import Wording

# Fewer words than this, with nothing to act on, is a greeting rather than an account.
SUBSTANTIVE_WORDS = 8
ACCOUNT_STEPS = (LISTENING, CORRECT_DEFINITION, OUTCOME, DONE)


def absorb(state: ChatState, text: str, choice: str | None) -> tuple[ChatState, bool]:
    """The state with this turn's words added to the account, and whether the account changed.

    The account is what the classifier reads for the whole chat: the resident's own
    statements about the matter, never their yes/no answers or contact details.
    """
    new = deepcopy(state)
    step = state.step
    if step in (LISTENING, DONE):
        if choice is None and not (step == DONE and (intents.is_yes(text) or intents.is_no(text))):
            new.account.append(text)
    elif step == OFFERED:
        if choice is None and not (intents.is_yes(text) or intents.is_no(text)):
            new.account.append(text)
    elif step == CONFIRM_DEFINITION:
        correction = intents.without_no(text)
        if choice is None and not intents.is_yes(text) and len(correction.split()) > 3:
            new.account = [text]  # a correction in place of the "no"
    elif step == CORRECT_DEFINITION:
        new.account = [text]
    elif step == OUTCOME:
        new.outcome = intents.frame_outcome(text)
    else:
        return new, False
    changed = new.account != state.account or new.outcome != state.outcome
    return new, changed


def classifier_input(state: ChatState, changed: bool, text: str) -> str:
    """What to classify: the account so far when it changed, else the turn alone (for hazards)."""
    if changed:
        return "\n\n".join(part for part in [*state.account, state.outcome] if part.strip())
    return text


def pipeline_context(state: ChatState) -> str:
    """What the pipeline reads for a turn of this chat: the account, outcome included."""
    return "\n\n".join(part for part in [*state.account, state.outcome] if part.strip())


def plan_turn(
    state: ChatState,
    text: str,
    choice: str | None,
    prediction: Prediction | None,
    *,
    changed: bool,
    has_case: bool,
    wording: Wording,
) -> Plan:
    """Decide the replies and records for one resident turn (state already absorbed it)."""
    plan = Plan(state=state)
    revealed = _learn(plan, text, prediction, changed, wording)
    step = state.step
    if step == LISTENING:
        _listening(plan, prediction, has_case)
    elif step == OFFERED:
        _offered(plan, text, choice, changed)
    elif step == CONFIRM_DEFINITION:
        _confirm_definition(plan, text, choice, changed)
    elif step == CORRECT_DEFINITION:
        _show_definition(plan)
    elif step == OUTCOME:
        _outcome(plan, text)
    elif choice is None and state.complaint is not True and intents.wants_to_complain(text):
        _offer(plan)  # "you can complain at any time: just tell me here"
    elif step == DONE:
        plan.replies.append(Reply("bot.added_to_case"))
    elif revealed and choice is None and step != ADJUSTMENTS:
        # "I smell gas" is not a name: give the advice, then ask the question again.
        plan.replies.append(details.ask_again(state))
    else:
        details.answer(plan, text, choice)
    return plan


def _learn(
    plan: Plan, text: str, prediction: Prediction | None, changed: bool, wording: Wording
) -> bool:
    """Take in what the classifier read; hazard advice goes first, before anything else.

    True when a turn outside the account turned out to be about the matter after all.
    """
    state = plan.state
    revealed = False
    if prediction is None:
        state.classifier_failed = True
        return revealed
    if changed:
        state.label = prediction.label
        if prediction.definition is not None:
            state.definition = {
                "issues": list(prediction.definition.issues),
                "outcomes": list(prediction.definition.outcomes),
            }
    elif (prediction.hazards or prediction.vulnerability) and text not in state.account:
        # A hazard or vulnerability mentioned in passing is part of the matter after all.
        state.account.append(text)
        revealed = True
    state.hazards = sorted(set(state.hazards) | set(prediction.hazards))
    state.vulnerable = state.vulnerable or prediction.vulnerability
    fresh = [h for h in state.hazards if h not in state.advised]
    for hazard, advice in wording.hazard_advice(fresh, state.vulnerable):
        state.advised.append(hazard)
        plan.replies.append(Reply("advice", {"hazard": hazard}, text=advice))
        plan.records.append(
            Record(
                "event",
                {
                    "kind": "chat_emergency_advice",
                    "summary": f"Emergency advice given in the chat ({hazard.replace('_', ' ')})",
                },
            )
        )
    return revealed


def _substantive(state: ChatState, prediction: Prediction | None) -> bool:
    if prediction is None:
        return True  # we cannot tell, so a person reads it
    if prediction.label != "other" or prediction.hazards or prediction.vulnerability:
        return True
    return len(state.account_text.split()) >= SUBSTANTIVE_WORDS


def _listening(plan: Plan, prediction: Prediction | None, has_case: bool) -> None:
    state = plan.state
    if not _substantive(state, prediction):
        if state.account and len(state.account[-1].split()) < 4:
            state.account.pop()  # a greeting, not part of the account
        plan.replies.append(Reply("bot.need_more"))
        return
    plan.open_case = not has_case
    if prediction is None:
        plan.replies.append(Reply("bot.classifier_unavailable"))
        _ask_details(plan)
    elif prediction.label == "complaint":
        _offer(plan)
    elif prediction.label == "service_request":
        plan.replies.append(Reply("bot.service_request_logged"))
        _ask_details(plan)
    else:
        plan.replies.append(Reply("bot.other_logged"))
        _ask_details(plan)


def _offer(plan: Plan) -> None:
    plan.state.step = OFFERED
    plan.replies.append(Reply("bot.offer_complaint", choices=["yes_complain", "no_complain"]))


def _offered(plan: Plan, text: str, choice: str | None, changed: bool) -> None:
    state = plan.state
    yes = choice == "yes_complain" or (choice is None and intents.is_yes(text))
    no = choice == "no_complain" or (choice is None and intents.is_no(text))
    if yes:
        state.complaint = True
        _event(plan, "chat_choice", "The resident chose to make a complaint in the chat (Code 1.3)")
        if (state.definition or {}).get("issues"):
            _show_definition(plan)
        else:
            state.step = CORRECT_DEFINITION
            plan.replies.append(Reply("bot.ask_what_unhappy"))
    elif no:
        state.complaint = False
        _event(plan, "chat_choice", "The resident chose not to make a complaint for now")
        plan.replies.append(Reply("bot.declined_complaint"))
        _ask_details(plan)
    else:
        plan.replies.append(Reply("bot.reoffer_complaint", choices=["yes_complain", "no_complain"]))


def _show_definition(plan: Plan) -> None:
    state = plan.state
    definition = state.definition or {"issues": [], "outcomes": []}
    if not definition.get("issues") and state.account:
        # The resident chose to complain but the model drafted nothing: use their words.
        definition = {**definition, "issues": [state.account[-1][:300]]}
        state.definition = definition
    state.step = CONFIRM_DEFINITION
    plan.replies.append(
        Reply(
            "bot.show_definition",
            {"issues": definition["issues"], "outcomes": definition.get("outcomes", [])},
            choices=["definition_right", "definition_wrong"],
        )
    )


def _confirm_definition(plan: Plan, text: str, choice: str | None, changed: bool) -> None:
    state = plan.state
    if choice == "definition_right" or (choice is None and intents.is_yes(text)):
        _event(plan, "chat_definition", "The resident agreed our understanding of the complaint")
        if (state.definition or {}).get("outcomes"):
            _logged(plan)
        else:
            state.step = OUTCOME  # 5.6: ask what outcome they want
            plan.replies.append(Reply("bot.ask_outcome"))
    elif changed:
        state.corrections += 1
        _show_definition(plan)
    else:
        state.step = CORRECT_DEFINITION
        plan.replies.append(Reply("bot.ask_correction"))


def _outcome(plan: Plan, text: str) -> None:
    state = plan.state
    definition = state.definition or {"issues": [], "outcomes": []}
    if not definition.get("outcomes"):
        definition = {**definition, "outcomes": [" ".join(text.split())[:300]]}
        state.definition = definition
    plan.replies.append(Reply("bot.outcome_noted", {"outcomes": definition["outcomes"]}))
    _logged(plan)


def _logged(plan: Plan) -> None:
    plan.replies.append(Reply("bot.complaint_logged"))
    if plan.state.acting:
        plan.state.step = DONE
        plan.replies.append(Reply("bot.done_complaint", {"resident": ""}))
    else:
        _ask_details(plan)


def _ask_details(plan: Plan) -> None:
    if plan.state.acting:
        plan.state.step = DONE
        return
    plan.state.step = WHO
    plan.replies.append(details.ask_who())


def _event(plan: Plan, kind: str, summary: str) -> None:
    plan.records.append(Record("event", {"kind": kind, "summary": summary}))
