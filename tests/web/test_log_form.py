"""The staff form (Code 3.2): any member of staff logs what a resident said."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from intake.worker import drain
from store.models import Case, Channel, Inbound, Message, Representative, Resident, Role


def test_frontline_logs_a_phone_call_and_it_goes_through_the_pipeline(
    browser, staff, ctx, engine
) -> None:
    staff("front@landlord.example", Role.FRONTLINE)
    b = browser()
    b.sign_in("front@landlord.example")
    response = b.post(
        "/log",
        {
            "channel": "phone",
            "received_at": "2026-11-16T09:30",
            "text": "Mr Patel says he reported the broken boiler twice and nobody came. Unhappy.",
            "resident_name": "Mr Patel",
            "resident_phone": "07700 900456",
            "rep_name": "Cllr Smith",
            "rep_relationship": "councillor",
            "rep_consent": "on",
        },
        page="/log",
    )
    assert response.status_code == 303
    case_page = b.get(response.headers["location"])
    assert "Logged as INT-" in case_page.text
    with Session(engine) as session:
        inbound = session.exec(select(Inbound)).one()  # stored before anything else happens
        assert inbound.channel is Channel.PHONE
    drain(ctx)
    with Session(engine) as session:
        case = session.exec(select(Case)).one()
        message = session.exec(select(Message)).one()
        resident = session.get(Resident, case.resident_id)
        rep = session.get(Representative, case.representative_id)
    assert case.proposed_label == "complaint" and case.channel is Channel.PHONE
    assert case.received_at.isoformat() == "2026-11-16T09:30:00+00:00"
    assert message.meta["logged_by"] == "front@landlord.example"
    assert resident.name == "Mr Patel" and resident.phone == "07700 900456"
    assert rep.name == "Cllr Smith" and rep.consent_obtained


def test_the_form_explains_what_is_missing_and_keeps_the_typing(browser, staff, engine) -> None:
    staff("front@landlord.example", Role.FRONTLINE)
    b = browser()
    b.sign_in("front@landlord.example")
    empty = b.post(
        "/log", {"channel": "phone", "text": "  ", "resident_name": "Mrs A"}, page="/log"
    )
    assert empty.status_code == 422 and "Write down what the resident said" in empty.text
    assert 'value="Mrs A"' in empty.text
    future = b.post(
        "/log",
        {"channel": "phone", "text": "Hello", "received_at": "2030-01-01T10:00"},
        page="/log",
    )
    assert future.status_code == 422 and "cannot be in the future" in future.text
    email = b.post("/log", {"channel": "email", "text": "Hello"}, page="/log")
    assert email.status_code == 422
    with Session(engine) as session:
        assert session.exec(select(Inbound)).first() is None


def test_when_the_database_cannot_store_it_the_form_keeps_every_word(
    browser, staff, engine
) -> None:
    staff("front@landlord.example", Role.FRONTLINE)
    b = browser()
    b.sign_in("front@landlord.example")
    token = b.csrf("/log")

    def refuse_inserts(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT"):
            raise OperationalError(statement, parameters, Exception("disk I/O error"))

    event.listen(engine, "before_cursor_execute", refuse_inserts)
    try:
        response = b.client.post(
            "/log",
            data={"csrf_token": token, "channel": "phone", "text": "The lift is broken again"},
        )
    finally:
        event.remove(engine, "before_cursor_execute", refuse_inserts)
    assert response.status_code == 503 and "could not be saved just now" in response.text
    assert ">The lift is broken again</textarea>" in response.text
    assert "disk I/O" not in response.text  # no internals shown
    with Session(engine) as session:
        assert session.exec(select(Inbound)).first() is None
