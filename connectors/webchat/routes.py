"""HTTP faces of the chat: the stand-alone page, the embeddable widget's files, the websocket."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from connectors.webchat.session import ChatService

STATIC = Path(__file__).parent / "static"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@cache
def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _page_env() -> Environment:
    return Environment(
        loader=PackageLoader("connectors.webchat", "templates"),
        autoescape=select_autoescape(default=True),
    )


def add_routes(app: FastAPI, service: ChatService) -> None:
    """/chat, /chat/widget.js, /chat/widget.css, /chat/page.css and the /chat/ws websocket."""
    ui = service.wording.ui()
    config = {
        "ws": "/chat/ws",
        "css": "/chat/widget.css",
        "maxChars": service.ctx.settings.chat_max_message_chars,
        "ui": ui,
    }
    # JSON is valid JavaScript; "<" is escaped so the text can never end a <script> block.
    config_js = json.dumps(config, ensure_ascii=True).replace("<", "\\u003c")
    widget_js = _static("widget.js").replace("/*CONFIG*/null", config_js)
    page = _page_env().get_template("chat.html")

    @app.get("/chat", include_in_schema=False)
    def chat_page() -> HTMLResponse:
        html = page.render(ui=ui, widget_js="/chat/widget.js", page_css="/chat/page.css")
        return HTMLResponse(html, headers={**COMMON_HEADERS, "Content-Security-Policy": PAGE_CSP})

    @app.get("/chat/widget.js", include_in_schema=False)
    def widget(request: Request) -> Response:
        # Loaded by <script> from the landlord's own site, so it is cross-origin by design.
        return Response(
            widget_js,
            media_type="text/javascript; charset=utf-8",
            headers={**COMMON_HEADERS, "Cache-Control": "public, max-age=300"},
        )

    @app.get("/chat/widget.css", include_in_schema=False)
    def widget_css() -> Response:
        return Response(
            _static("widget.css"),
            media_type="text/css; charset=utf-8",
            headers={**COMMON_HEADERS, "Cache-Control": "public, max-age=300"},
        )

    @app.get("/chat/page.css", include_in_schema=False)
    def page_css() -> Response:
        return Response(
            _static("page.css"), media_type="text/css; charset=utf-8", headers=COMMON_HEADERS
        )

    @app.websocket("/chat/ws")
    async def chat_socket(ws: WebSocket) -> None:
        await service.serve(ws)
