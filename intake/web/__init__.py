"""The staff web app (issue 5), and the seam other packages use to add staff pages.

To add a page (e.g. intake/reports/web.py), in your module's ``mount(app, ctx)``::

    from intake.web import add_nav, add_templates, render_page, require_staff

    add_templates(app, "intake.reports")            # finds intake/reports/templates/*.html
    add_nav(app, "Reports", "/reports", Role.TEAM_LEAD)

    @router.get("/reports", response_class=HTMLResponse)
    def reports(
        request: Request, user: Annotated[StaffUser, Depends(require_staff(Role.TEAM_LEAD))]
    ):
        return render_page(request, "reports/index.html", {"rows": ...})

- Templates ``{% extends "base.html" %}`` and fill ``{% block title %}``, ``{% block main %}``
  (and ``{% block head %}`` for a stylesheet under your own static mount). Autoescaping is on;
  never mark resident text ``|safe``.
- ``require_staff(min_role)`` returns the signed-in StaffUser. Browsers without a session are
  sent to the sign-in page (other clients get 401); a lower role gets a 403 page; every
  POST/PUT/PATCH/DELETE must carry the session's CSRF token, so put ``{{ csrf_field }}`` in
  each form (scripts send the ``X-CSRF-Token`` header with ``main[data-csrf]``).
- Every HTML response gets a strict Content-Security-Policy (no inline script or style; load
  ``.js``/``.css`` files from your own static mount). Set your own header to override it.
- Sign-in methods all end in ``intake.web.auth.complete_sign_in`` (the single sign-on seam).
"""

from intake.web.auth import require_staff
from intake.web.templating import add_nav, add_templates, flash, render_page

__all__ = ["add_nav", "add_templates", "flash", "render_page", "require_staff"]
