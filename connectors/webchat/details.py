"""The chat's questions about who is writing: representative, name, address, contact, needs."""

from __future__ import annotations

from connectors.webchat import intents
from connectors.webchat.state import (
    ADDRESS,
    ADJUSTMENTS,
    CONTACT,
    DONE,
    NAME,
    REP_CONSENT,
    REP_NAME,
    REP_RELATIONSHIP,
    WHO,
    ChatState,
    Plan,
    Record,
    Reply,
)

WHO_CHOICES = ["own_home", "for_someone", "has_representative"]


def ask_who() -> Reply:
    """The first details question (Code 1.3, 3.6: someone may complain for the resident)."""
    return Reply("bot.ask_who", choices=WHO_CHOICES)


def ask_again(state: ChatState) -> Reply:
    """The current question once more (the last answer was about something else)."""
    questions = {
        WHO: ask_who(),
        REP_NAME: Reply(
            "bot.ask_rep_name" if state.acting == "for_other" else "bot.ask_their_rep_name"
        ),
        REP_RELATIONSHIP: Reply(
            "bot.ask_rep_relationship"
            if state.acting == "for_other"
            else "bot.ask_their_rep_relationship"
        ),
        REP_CONSENT: Reply("bot.ask_consent", choices=["consent_yes", "consent_no"]),
        NAME: _ask_name(state),
        ADDRESS: Reply("bot.ask_address", choices=["skip"]),
        CONTACT: Reply("bot.ask_contact", choices=["skip"]),
        ADJUSTMENTS: Reply("bot.ask_adjustments", choices=["no_adjustments"]),
    }
    return questions.get(state.step, Reply("bot.added_to_case"))


def _done(state: ChatState) -> Reply:
    key = "bot.done_complaint" if state.complaint else "bot.done_request"
    return Reply(key, {"resident": state.details.get("name", "")})


def _ask_name(state: ChatState) -> Reply:
    key = "bot.ask_resident_name" if state.acting == "for_other" else "bot.ask_name"
    return Reply(key, choices=["skip"])


def answer(plan: Plan, text: str, choice: str | None) -> None:
    """Take the answer to the current details question and ask the next one."""
    state = plan.state
    step = state.step
    skipped = choice == "skip" or intents.is_skip(text)
    if step == WHO:
        acting = {
            "own_home": "self",
            "for_someone": "for_other",
            "has_representative": "has_rep",
        }.get(choice or "") or intents.acting_for(text)
        if not acting:
            plan.replies.append(Reply("bot.not_understood_choice", choices=WHO_CHOICES))
            plan.replies.append(ask_who())
            return
        state.acting = acting
        if acting == "self":
            state.step = NAME
            plan.replies.append(_ask_name(state))
        else:
            state.step = REP_NAME
            key = "bot.ask_rep_name" if acting == "for_other" else "bot.ask_their_rep_name"
            plan.replies.append(Reply(key))
    elif step == REP_NAME:
        state.representative["name"] = " ".join(text.split())[:200]
        state.step = REP_RELATIONSHIP
        key = (
            "bot.ask_rep_relationship"
            if state.acting == "for_other"
            else "bot.ask_their_rep_relationship"
        )
        plan.replies.append(Reply(key))
    elif step == REP_RELATIONSHIP:
        state.representative["relationship"] = " ".join(text.split())[:100]
        if state.acting == "for_other":
            state.step = REP_CONSENT
            plan.replies.append(Reply("bot.ask_consent", choices=["consent_yes", "consent_no"]))
        else:
            # The resident themselves tells us who acts for them: that is their consent.
            _record_representative(plan, consent=True, evidence="The resident said so")
            state.step = NAME
            plan.replies.append(_ask_name(state))
    elif step == REP_CONSENT:
        consent = choice == "consent_yes" or (choice is None and intents.is_yes(text))
        _record_representative(
            plan, consent=consent, evidence="The representative said so" if consent else ""
        )
        plan.replies.append(Reply("bot.consent_noted" if consent else "bot.consent_missing"))
        state.step = NAME
        plan.replies.append(_ask_name(state))
    elif step == NAME:
        if not skipped:
            _resident(plan, name=" ".join(text.split())[:200])
        state.step = ADDRESS
        plan.replies.append(Reply("bot.ask_address", choices=["skip"]))
    elif step == ADDRESS:
        if not skipped:
            _resident(plan, **intents.address_or_tenancy(text))
        state.step = CONTACT
        plan.replies.append(Reply("bot.ask_contact", choices=["skip"]))
    elif step == CONTACT:
        found = {} if skipped else intents.contact_details(text)
        if not found and not skipped and state.contact_asks == 0:
            state.contact_asks += 1
            plan.replies.append(Reply("bot.ask_contact_again", choices=["skip"]))
            return
        if found:
            _resident(plan, **found)
        state.step = ADJUSTMENTS
        plan.replies.append(Reply("bot.ask_adjustments", choices=["no_adjustments"]))
    elif step == ADJUSTMENTS:
        declined = choice == "no_adjustments" or (
            choice is None and (intents.is_no(text) or skipped)
        )
        if not declined:
            description = " ".join(text.split())[:1000]
            plan.records.append(Record("adjustment", {"description": description}))
            plan.replies.append(Reply("bot.adjustment_noted", {"adjustment": description}))
        state.step = DONE
        plan.replies.append(_done(state))


def _resident(plan: Plan, **values: str) -> None:
    plan.state.details.update(values)
    plan.records.append(Record("resident", dict(values)))


def _record_representative(plan: Plan, *, consent: bool, evidence: str) -> None:
    rep = plan.state.representative
    rep["consent"] = consent
    plan.records.append(
        Record(
            "representative",
            {
                "name": rep.get("name", ""),
                "relationship": rep.get("relationship", ""),
                "consent": consent,
                "evidence": evidence,
            },
        )
    )
