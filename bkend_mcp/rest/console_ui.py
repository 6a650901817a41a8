"""The console's static single-page app: `/console/` and every `/console/...` path that is not one of its files
serve `index.html`, so the app's own router handles deep links (`/console/setup?token=…`, `/console/invite?…`)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bkend_mcp.domain.errors import BkendError

UI_ROOT = Path(__file__).resolve().parent.parent / "console"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def ui_file(relative: str) -> Path | None:
    """The bundled file at `relative`, never anything outside the UI directory nor a hidden file."""
    if not relative or any(part.startswith(".") for part in relative.split("/")):
        return None
    candidate = (UI_ROOT / relative).resolve()
    return candidate if candidate.is_relative_to(UI_ROOT.resolve()) and candidate.is_file() else None


async def to_app(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=307)


async def app_page(request: Request) -> Response:
    found = ui_file(request.path_params.get("path", ""))
    if found is not None:
        return FileResponse(found, headers=HEADERS)
    index = UI_ROOT / "index.html"
    if not index.is_file():
        raise BkendError("common/not-found", "The console UI is not installed")
    return FileResponse(index, headers={**HEADERS, "Cache-Control": "no-cache"})


def routes() -> list[BaseRoute]:
    return [
        Route("/console", to_app, methods=["GET", "HEAD"]),
        Route("/console/", app_page, methods=["GET", "HEAD"]),
        Route("/console/{path:path}", app_page, methods=["GET", "HEAD"]),
    ]
