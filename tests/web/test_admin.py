"""Admin user management: create with a one-time password, change roles, disable, reset."""

from __future__ import annotations

import re

from sqlmodel import Session

from store.crud import get_user_by_email
from store.models import Role, StaffUser


def _admin(browser, staff):  # type: ignore[no-untyped-def]
    admin = staff("admin@landlord.example", Role.ADMIN)
    b = browser()
    b.sign_in("admin@landlord.example")
    return b, admin


def test_admin_adds_an_account_whose_one_time_password_works_once(browser, staff, engine) -> None:
    b, _ = _admin(browser, staff)
    page = b.post(
        "/admin/users",
        {"email": "New.Person@landlord.example", "display_name": "New Person", "role": "team_lead"},
        page="/admin/users",
    )
    assert page.status_code == 200
    password = re.search(r"<code>([^<]+)</code>", page.text).group(1)
    assert "new.person@landlord.example" in page.text
    assert password not in b.get("/admin/users").text  # shown once only
    newcomer = browser()
    assert newcomer.sign_in("new.person@landlord.example", password).headers["location"] == (
        "/account/password"
    )
    with Session(engine) as session:
        user = get_user_by_email(session=session, email="new.person@landlord.example")
        assert user.role is Role.TEAM_LEAD and user.must_change_password
    again = b.post(
        "/admin/users",
        {"email": "new.person@landlord.example", "role": "frontline"},
        page="/admin/users",
    )
    assert again.status_code == 422 and "already an account" in again.text


def test_a_new_role_or_disabling_takes_effect_at_once(browser, staff, engine) -> None:
    b, _ = _admin(browser, staff)
    lead = staff("lead@landlord.example", Role.TEAM_LEAD)
    theirs = browser()
    theirs.sign_in("lead@landlord.example")
    assert theirs.get("/", follow_redirects=False).status_code == 200
    response = b.post(
        f"/admin/users/{lead.id}", {"change": "role", "role": "frontline"}, page="/admin/users"
    )
    assert response.status_code == 303
    assert theirs.get("/", follow_redirects=False).status_code == 303  # signed out
    theirs.sign_in("lead@landlord.example")
    assert "Confirm what this is" not in theirs.get("/").text
    b.post(f"/admin/users/{lead.id}", {"change": "disable"}, page="/admin/users")
    assert theirs.get("/", follow_redirects=False).status_code == 303
    assert browser().sign_in("lead@landlord.example").status_code == 401
    with Session(engine) as session:
        assert session.get(StaffUser, lead.id).is_active is False


def test_an_admin_cannot_lock_themselves_out(browser, staff) -> None:
    b, admin = _admin(browser, staff)
    response = b.post(f"/admin/users/{admin.id}", {"change": "disable"}, page="/admin/users")
    assert response.status_code == 422 and "your own" in response.text
    demote = b.post(
        f"/admin/users/{admin.id}", {"change": "role", "role": "frontline"}, page="/admin/users"
    )
    assert demote.status_code == 422
    assert b.get("/admin/users").status_code == 200


def test_only_admins_see_the_users_page(browser, staff) -> None:
    staff("lead@landlord.example", Role.TEAM_LEAD)
    b = browser()
    b.sign_in("lead@landlord.example")
    assert "/admin/users" not in b.get("/").text
    response = b.get("/admin/users")
    assert response.status_code == 403 and "for admins" in response.text
