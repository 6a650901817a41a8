"""Every `/v1/console` route (the management API the web console calls) and the console's UI routes."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from bkend_mcp.rest import console_admin, console_orgs, console_projects, console_session, console_tables, console_ui
from bkend_mcp.rest.data import ALL_METHODS, by_method

MODULES = (console_session, console_orgs, console_projects, console_tables, console_admin)


def routes() -> list[BaseRoute]:
    """Mount before the `/v1/{table}` shorthand (which refuses `console` anyway)."""
    api: list[BaseRoute] = [
        Route(path, by_method(endpoints), methods=ALL_METHODS)
        for module in MODULES
        for path, endpoints in module.ROUTES.items()
    ]
    return [*api, *console_ui.routes()]
