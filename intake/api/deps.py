"""FastAPI dependencies: the app context, a database session, and the signed-in API user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from intake.context import AppContext
from store.crud import user_for_token
from store.models import StaffUser

bearer = HTTPBearer(auto_error=False, description="A token from `intake user add`")


def get_ctx(request: Request) -> AppContext:
    """The context built at start-up."""
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_session(ctx: Annotated[AppContext, Depends(get_ctx)]) -> Iterator[Session]:
    """A session per request; the route commits what it changes."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        yield session


def api_user(
    session: Annotated[Session, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StaffUser:
    """The staff account behind the bearer token, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Sign in first: send an API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = user_for_token(session=session, token=credentials.credentials)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "That API token is not valid (it may have been revoked).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


Ctx = Annotated[AppContext, Depends(get_ctx)]
DbSession = Annotated[Session, Depends(get_session)]
ApiUser = Annotated[StaffUser, Depends(api_user)]
