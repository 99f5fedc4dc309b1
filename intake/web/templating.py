"""The staff app's shared Jinja environment, its navigation, flash messages and render_page()."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from intake.context import AppContext
from intake.web import filters
from store.models import ROLE_RANK, Role

FLASH_COOKIE = "intake_flash"


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation, shown to people with at least `min_role`."""

    label: str
    path: str
    min_role: Role = Role.FRONTLINE


@dataclass
class WebUI:
    """Per-application page machinery: one environment, one navigation."""

    env: Environment
    loader: ChoiceLoader
    nav: list[NavItem] = field(default_factory=list)

    def add_templates(self, package: str, folder: str = "templates") -> None:
        """Let another package's templates be found (and extend "base.html")."""
        self.loader.loaders = [*self.loader.loaders, PackageLoader(package, folder)]


def setup(app: FastAPI) -> WebUI:
    """Create the environment once per application."""
    loader = ChoiceLoader([PackageLoader("intake.web", "templates")])
    env = Environment(
        loader=loader,
        # Everything rendered is HTML; message text must never become markup.
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.install(env)
    ui = WebUI(env=env, loader=loader)
    app.state.web = ui
    return ui


def web_ui(app: Any) -> WebUI:
    """The application's page machinery (after intake.web.mount ran)."""
    ui: WebUI = app.state.web
    return ui


def add_nav(app: FastAPI, label: str, path: str, min_role: Role = Role.FRONTLINE) -> None:
    """Add a link to the staff navigation (e.g. Reports for team leads)."""
    web_ui(app).nav.append(NavItem(label, path, min_role))


def add_templates(app: FastAPI, package: str, folder: str = "templates") -> None:
    """Make `package`'s templates available to render_page()."""
    web_ui(app).add_templates(package, folder)


def _serializer(request: Request) -> URLSafeSerializer:
    ctx: AppContext = request.app.state.ctx
    return URLSafeSerializer(ctx.settings.secret_key.get_secret_value(), salt="intake-flash")


def flash(request: Request, response: Response, text: str, kind: str = "success") -> None:
    """Show `text` once on the next page this browser renders (after a redirect)."""
    response.set_cookie(
        FLASH_COOKIE,
        _serializer(request).dumps([kind, text[:500]]),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _take_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        kind, text = _serializer(request).loads(raw)
    except (BadSignature, ValueError, TypeError):
        return None
    return str(kind), str(text)


def render_page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a template with what every page needs: the person, navigation, CSRF token, flash."""
    signed_in = getattr(request.state, "signed_in", None)
    user = signed_in.user if signed_in else None
    csrf = signed_in.csrf_token if signed_in else getattr(request.state, "login_csrf", "")
    ctx: AppContext = request.app.state.ctx
    ui = web_ui(request.app)
    rank = ROLE_RANK[user.role] if user else -1
    message = _take_flash(request)
    values: dict[str, Any] = {
        "request": request,
        "user": user,
        "csrf_token": csrf,
        "csrf_field": Markup('<input type="hidden" name="csrf_token" value="{}">').format(
            escape(csrf)
        ),
        "nav": [item for item in ui.nav if user and ROLE_RANK[item.min_role] <= rank],
        "flash": message,
        "landlord_name": ctx.settings.landlord_name,
        "can": lambda role: user is not None and rank >= ROLE_RANK[Role(role)],
        "path": request.url.path,
    }
    values.update(context or {})
    html = ui.env.get_template(name).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    # Pages show residents' personal details: never keep them in shared caches or history.
    response.headers.setdefault("Cache-Control", "no-store")
    if message is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
