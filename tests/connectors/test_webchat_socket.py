"""The chat over a real websocket on loopback: conversation paths, storage, limits and isolation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import websockets
from sqlmodel import Session, col, func, select

from intake.context import AppContext
from intake.worker import drain
from store.crud import QueueFilter, queue_query
from store.models import (
    Case,
    Channel,
    ChatTurn,
    Direction,
    Event,
    Inbound,
    Message,
    ReasonableAdjustment,
    Representative,
    Resident,
)
from tests.connectors.webchat_support import ChatServer, choices_of, text_of
from tests.connectors.webchat_support import Resident as Chat
from tests.intake.helpers import new_case

COMPLAINT = "I reported my boiler twice and nobody came. I am really unhappy with you."
OPEN = {"chat_rate_limit": "1000/minute", "chat_address_rate_limit": "1000/minute"}


def make_ctx(ctx: AppContext, **settings: object) -> AppContext:
    """The test context with some chat settings changed."""
    changed = ctx.settings.model_copy(update={**OPEN, **settings})
    return AppContext.build(
        changed, engine=ctx.engine, clock=ctx.clock, classifier_factory=ctx.classifier_factory
    )


@pytest.fixture
def server(ctx: AppContext) -> Iterator[ChatServer]:
    with ChatServer(make_ctx(ctx)) as running:
        yield running


def count(ctx: AppContext, model: type, *where: object) -> int:
    with Session(ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


async def test_a_complaint_conversation_ends_in_the_queue_with_every_turn_in_the_case(
    server: ChatServer, ctx: AppContext
) -> None:
    chat = await Chat.connect(server)
    assert "Tell me in your own words" in chat.welcome["lines"][0]["text"]
    assert "more" in text_of(await chat.say("hello"))
    offer = await chat.say(COMPLAINT)
    # 1.3: dissatisfaction heard, so the choice to complain is offered, with both stages.
    assert "make a complaint" in text_of(offer) and "Stage 2" in text_of(offer)
    assert "10 working days" in text_of(offer) and choices_of(offer) == [
        "yes_complain",
        "no_complain",
    ]
    # Stored as it happens: the case exists and both turns so far are queued.
    assert count(ctx, Inbound, Inbound.channel == Channel.CHAT) == 2
    shown = await chat.say("Yes, I want to make a complaint", "yes_complain")
    assert "So we've understood" in text_of(shown) and "nobody came" in text_of(shown)
    assert "What would you like us to do" in text_of(await chat.say("Yes", "definition_right"))
    logged = await chat.say("Please fix the boiler")
    assert "INT-000001" in text_of(logged) and "Monday 23 November 2026" in text_of(logged)
    await chat.say("My own home", "own_home")
    await chat.say("Jane Smith")
    await chat.say("TEN-00412")
    again = await chat.say("you can call me")
    assert "couldn't find an email address or phone number" in text_of(again)
    await chat.say("jane@example.org or 07700 900123")
    done = await chat.say("Large print letters please")
    assert "Thank you, Jane Smith" in text_of(done) and "INT-000001" in text_of(done)
    await chat.close()

    drain(ctx)
    with Session(ctx.engine) as session:
        [case] = session.exec(queue_query(today=ctx.clock().date(), filters=QueueFilter())).all()
        assert case.channel is Channel.CHAT and case.proposed_label == "complaint"
        assert case.definition is not None
        assert case.definition["issues"] == ["I reported my boiler twice and nobody came"]
        assert case.definition["outcomes"] == ["Wants it fixed"]
        messages = session.exec(
            select(Message).where(Message.case_id == case.id).order_by(col(Message.id))
        ).all()
        inbound = [m for m in messages if m.direction is Direction.IN]
        assert len(inbound) == 11  # every resident turn, the greeting "hello" included
        assert all(m.channel is Channel.CHAT for m in messages)
        assert {m.meta["chat"]["conversation"] for m in messages} == {chat.conversation}
        assert sum(m.direction is Direction.OUT for m in messages) >= 12
        resident = session.get(Resident, case.resident_id)
        assert resident is not None and resident.name == "Jane Smith"
        assert resident.tenancy_ref == "TEN-00412" and resident.email == "jane@example.org"
        assert resident.phone == "07700 900123"
        [adjustment] = session.exec(select(ReasonableAdjustment)).all()
        assert "Large print letters" in adjustment.description and adjustment.case_id == case.id
        kinds = {e.kind for e in session.exec(select(Event).where(Event.case_id == case.id))}
        assert {"chat_choice", "chat_definition", "adjustment_requested"} <= kinds


async def test_a_service_request_is_logged_and_the_resident_told_how_to_complain(
    server: ChatServer, ctx: AppContext
) -> None:
    chat = await Chat.connect(server)
    lines = await chat.say("My kitchen tap is broken, please can someone repair it")
    said = text_of(lines)
    assert "INT-000001" in said and "What happens next" in said
    assert "make a complaint at any time" in said and "make a complaint?" not in said
    assert choices_of(lines) == ["own_home", "for_someone", "has_representative"]
    await chat.say("For someone else", "for_someone")
    await chat.say("Sam Patel")
    assert "agreed" in text_of(await chat.say("Her son"))
    await chat.say("Yes", "consent_yes")
    await chat.say("Mrs Patel")
    await chat.say("4 Mill Lane, Leeds")
    await chat.say("I'd rather not say", "skip")
    done = await chat.say("No, thank you", "no_adjustments")
    assert "complaint at any time" in text_of(done)
    await chat.close()
    drain(ctx)
    with Session(ctx.engine) as session:
        [case] = session.exec(select(Case)).all()
        assert case.proposed_label == "service_request" and case.definition is None
        representative = session.get(Representative, case.representative_id)
        assert representative is not None and representative.name == "Sam Patel"
        assert representative.relationship == "Her son" and representative.consent_obtained
        assert "web chat" in representative.consent_evidence
        resident = session.get(Resident, case.resident_id)
        assert resident is not None and resident.name == "Mrs Patel"
        assert resident.address == "4 Mill Lane, Leeds"


async def test_a_hazard_gets_the_emergency_advice_first_and_tops_the_queue(
    server: ChatServer, ctx: AppContext
) -> None:
    with Session(ctx.engine) as session:  # an older, ordinary case already in the queue
        new_case(session, ctx, received_at=ctx.clock() - timedelta(days=2))
    chat = await Chat.connect(server)
    lines = await chat.say("There is a strong smell of gas in my kitchen")
    assert lines[0]["text"].startswith("If you can smell gas")
    assert ctx.settings.emergency_phone in lines[0]["text"]
    await chat.close()
    drain(ctx)
    with Session(ctx.engine) as session:
        queue = session.exec(queue_query(today=ctx.clock().date(), filters=QueueFilter())).all()
        assert queue[0].channel is Channel.CHAT and queue[0].emergency
        assert queue[0].hazards == ["gas"]
        kinds = [e.kind for e in session.exec(select(Event).where(Event.case_id == queue[0].id))]
        assert "chat_emergency_advice" in kinds


async def test_no_heating_advice_waits_for_a_vulnerable_household(
    server: ChatServer, ctx: AppContext
) -> None:
    chat = await Chat.connect(server)
    first = await chat.say("There is no heating in the flat since Monday, please repair it")
    assert "emergency" not in text_of(first).lower().split("call ")[0]
    assert not text_of(first).startswith("Having no heating")
    later = await chat.say("My own home", "own_home")
    assert "What is your name" in text_of(later)
    vulnerable = await chat.say("It's urgent, I have a baby")
    assert vulnerable[0]["text"].startswith("Having no heating")
    assert vulnerable[-1]["text"] == "What is your name?"  # that was not a name: asked again
    await chat.close()


async def test_the_resident_can_decline_and_complain_later(server: ChatServer) -> None:
    chat = await Chat.connect(server)
    await chat.say(COMPLAINT)
    declined = await chat.say("No, just deal with it", "no_complain")
    assert "make a complaint at any time" in text_of(declined)
    again = await chat.say("Actually I want to make a complaint")
    assert choices_of(again) == ["yes_complain", "no_complain"]
    await chat.close()


async def test_a_corrected_definition_replaces_the_draft(server: ChatServer) -> None:
    chat = await Chat.connect(server)
    await chat.say(COMPLAINT)
    await chat.say("yes please")
    fixed = await chat.say("No, the contractor was rude and still not fixed my boiler")
    assert "the contractor was rude" in text_of(fixed) and "nobody came" not in text_of(fixed)
    await chat.close()


async def test_the_websocket_refuses_pages_from_other_sites(ctx: AppContext) -> None:
    allowed = "https://www.landlord.example"
    with ChatServer(make_ctx(ctx, chat_allowed_origins=[allowed])) as server:
        ws = await websockets.connect(server.ws_url, origin="https://evil.example")  # type: ignore[arg-type]
        chat = Chat(ws)
        refusal = await chat.receive()
        assert refusal["code"] == "origin" and "not available on this website" in refusal["text"]
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        welcomed = await Chat.connect(server, origin=allowed)
        assert welcomed.conversation
        await welcomed.close()
    assert count(ctx, Inbound) == 0


async def test_messages_over_the_size_limit_are_refused_and_not_stored(ctx: AppContext) -> None:
    with ChatServer(make_ctx(ctx, chat_max_message_chars=200)) as server:
        chat = await Chat.connect(server)
        turn = await chat.send("x" * 201)
        refusal = await chat.receive()
        assert refusal["id"] == turn and refusal["code"] == "too_long"
        assert "the limit is 200 characters" in refusal["text"]
        await chat.ws.send("y" * 10_000)  # a raw frame far over the limit is not even parsed
        assert (await chat.receive())["code"] == "too_long"
        assert "more" in text_of(await chat.say("hello"))  # the chat goes on
        await chat.close()
    assert count(ctx, ChatTurn, ChatTurn.direction == Direction.IN) == 1


async def test_rate_limits_per_connection_and_per_address(ctx: AppContext) -> None:
    limited = make_ctx(ctx, chat_rate_limit="3/minute", chat_address_rate_limit="5/minute")
    with ChatServer(limited) as server:
        first = await Chat.connect(server)
        for _ in range(3):
            await first.say("hello")
        turn = await first.send("hello again")
        refusal = await first.receive()
        assert refusal == {
            "type": "error",
            "code": "too_fast",
            "id": turn,
            "text": "You are sending messages very quickly. Please wait a moment, then send your message again.",
        }
        second = await Chat.connect(server)  # same address, new connection: 2 left of 5
        await second.say("hello")
        await second.say("hello")
        await second.send("hello")
        assert (await second.receive())["code"] == "too_fast"
        await first.close()
        await second.close()
    with ChatServer(make_ctx(ctx, chat_max_connections_per_address=1)) as server:
        first = await Chat.connect(server)
        ws = await websockets.connect(server.ws_url, origin=server.url)  # type: ignore[arg-type]
        assert (await Chat(ws).receive())["code"] == "too_many_chats"
        await ws.close()
        await first.close()


async def test_a_dropped_connection_resumes_the_same_conversation(
    server: ChatServer, ctx: AppContext
) -> None:
    chat = await Chat.connect(server)
    await chat.say(COMPLAINT)
    await chat.ws.close()  # the connection drops
    back = await Chat.connect(server, conversation=chat.conversation, token=chat.token)
    assert back.welcome["resumed"] is True and back.conversation == chat.conversation
    lines = back.welcome["lines"]
    assert [line["from"] for line in lines] == ["bot", "resident", "bot"]
    assert lines[1]["text"] == COMPLAINT and lines[-1]["choices"]
    # A turn resent after the reconnect (same id) is stored once.
    turn = await back.send("Yes", "yes_complain")
    assert (await back.receive())["type"] == "receipt"
    assert (await back.receive())["type"] == "replies"
    await back.send("Yes", "yes_complain", turn_id=turn)
    assert (await back.receive()) == {"type": "receipt", "id": turn, "seq": 4}
    await back.close()
    assert count(ctx, ChatTurn, ChatTurn.client_id == turn) == 1


async def test_a_resident_never_sees_another_residents_conversation(server: ChatServer) -> None:
    alice = await Chat.connect(server)
    await alice.say("My neighbour's dog barks all night and nobody came when I reported it")
    bob = await Chat.connect(server)
    # Bob tries Alice's conversation id with his own token, and with a made-up one.
    for token in (bob.token, "guess", ""):
        intruder = await Chat.connect(server, conversation=alice.conversation, token=token)
        assert intruder.conversation != alice.conversation
        assert intruder.welcome["resumed"] is False
        said = " ".join(line["text"] for line in intruder.welcome["lines"])
        assert "neighbour" not in said and "could not be reopened" in intruder.welcome["notice"]
        await intruder.close()
    await alice.close()
    await bob.close()


async def test_the_chat_carries_on_when_the_classifier_fails(
    server: ChatServer, ctx: AppContext
) -> None:
    chat = await Chat.connect(server)
    lines = await chat.say("My window will explode any minute, please help")
    assert "INT-000001" in text_of(lines) and "a member of our team will read it" in text_of(lines)
    await chat.close()
    assert count(ctx, Case) == 1


def test_the_landlord_changes_the_wording_without_code(ctx: AppContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from intake.app import create_app

    (tmp_path / "chat_wording.toml").write_text(
        '[bot]\ngreeting = "Hiya from {{ landlord_name }}! What\'s up?"\n'
        '[ui]\nlauncher = "Talk to us"\n',
        encoding="utf-8",
    )
    custom = make_ctx(ctx, data_dir=tmp_path)
    with TestClient(create_app(custom)) as client:
        assert "Talk to us" in client.get("/chat/widget.js").text
        with client.websocket_connect("/chat/ws", headers={"origin": "http://testserver"}) as ws:
            ws.send_json({"type": "hello"})
            assert ws.receive_json()["lines"][0]["text"] == "Hiya from Test Homes! What's up?"
    (tmp_path / "chat_wording.toml").write_text(
        '[bot]\ngreeting = "Hello {{ landlord_nam }}"\n', encoding="utf-8"
    )
    from connectors.webchat.wording import WordingError

    with pytest.raises(WordingError, match=r"bot\.greeting"):
        create_app(custom)


def test_the_page_and_widget_are_served_with_safe_headers(ctx: AppContext) -> None:
    from fastapi.testclient import TestClient

    from intake.app import create_app

    with TestClient(create_app(make_ctx(ctx))) as client:
        page = client.get("/chat")
        assert page.status_code == 200 and "Talk to Test Homes" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        widget = client.get("/chat/widget.js")
        assert widget.headers["content-type"].startswith("text/javascript")
        assert "/*CONFIG*/null" not in widget.text and '"maxChars": 4000' in widget.text
        assert client.get("/chat/widget.css").status_code == 200


async def test_a_turn_stored_before_a_crash_joins_the_case_on_resume(
    server: ChatServer, ctx: AppContext
) -> None:
    from connectors.webchat import records

    chat = await Chat.connect(server)
    await chat.say(COMPLAINT)
    await chat.close()
    # The server stopped after storing a turn and before queueing it.
    records.accept_turn(ctx, chat.conversation, "lost-turn", "It is still not fixed")
    queued = count(ctx, Inbound)
    back = await Chat.connect(server, conversation=chat.conversation, token=chat.token)
    assert back.welcome["lines"][-1]["text"] == "It is still not fixed"
    assert count(ctx, Inbound) == queued + 1
    await back.close()
    drain(ctx)
    with Session(ctx.engine) as session:
        texts = [
            m.body_text
            for m in session.exec(select(Message).where(Message.direction == Direction.IN))
        ]
    assert "It is still not fixed" in texts
