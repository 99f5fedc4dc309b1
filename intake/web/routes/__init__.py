"""The staff app's routers, in the order they are included."""

from fastapi import APIRouter

from intake.web.routes import admin, case, log, problems, queue, signin, sso

ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    sso.router,
    queue.router,
    case.router,
    log.router,
    admin.router,
    problems.router,
)
