"""The staff app's routers, in the order they are included."""

from fastapi import APIRouter

from intake.web.routes import queue, signin

ROUTERS: tuple[APIRouter, ...] = (signin.router, queue.router)
