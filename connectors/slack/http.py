"""The Slack endpoint: POST /slack/events for events, shortcuts, commands and buttons."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from connectors.slack.bolt_app import IntakeApp, build_app
from intake.context import AppContext

PATH = "/slack/events"


def mount(app: FastAPI, ctx: AppContext) -> IntakeApp | None:
    """Serve the Slack app at /slack/events when Slack is configured; otherwise do nothing."""
    if not ctx.settings.slack_enabled:
        return None
    bolt = build_app(ctx)
    app.state.slack_app = bolt

    @app.post(PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        try:
            bolt_request = to_bolt_request(request, body)
        except UnicodeDecodeError:
            return Response(status_code=400, content="The request is not UTF-8 text.")
        # bolt's own Starlette handler dispatches on the event loop; storing a message takes a
        # database write, so it runs in a worker thread and the server keeps answering.
        bolt_response = await run_in_threadpool(bolt.dispatch, bolt_request)
        return to_starlette_response(bolt_response)

    return bolt
