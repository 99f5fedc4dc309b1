"""The resident web chat: a page, an embeddable widget and its websocket, mounted on the app."""

from __future__ import annotations

from fastapi import FastAPI

from intake.context import AppContext


def mount(app: FastAPI, ctx: AppContext) -> None:
    """Add /chat, /chat/widget.js and /chat/ws; a mistake in the wording file stops start-up."""
    from connectors.webchat.routes import add_routes
    from connectors.webchat.session import ChatService
    from connectors.webchat.wording import load_wording

    service = ChatService(ctx, load_wording(ctx.settings))
    app.state.chat = service
    add_routes(app, service)
