"""The one place REST turns a failure into a response: the error body of decision D1 / compat C24."""

from __future__ import annotations

import logging
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from bkend_mcp.domain.errors import BkendError, known_failure
from bkend_mcp.rest.http import JSONResponse

log = logging.getLogger("bkend_mcp")

HTTP_CODES = {404: "common/not-found", 405: "data/method-not-allowed"}


def render(exc: BkendError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "common/invalid-parameters")
    return render(
        BkendError(code, None if exc.status_code in HTTP_CODES else str(exc.detail), headers=dict(exc.headers or {}))
    )


class ErrorMiddleware:
    """Catches `BkendError`, storage faults and timed-out regexes (`known_failure`), and anything unexpected
    below it; the latter is logged with a request id and answered with a generic 500 that reveals nothing
    internal."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except BkendError as exc:
            if started:
                raise
            await render(exc)(scope, receive, send)
        except Exception as exc:
            if started:
                raise
            known = known_failure(exc)
            if known is not None:
                log.warning("%s: %s", known.code, exc)
                await render(known)(scope, receive, send)
                return
            request_id = uuid.uuid4().hex[:12]
            log.exception("unexpected error (request %s)", request_id)
            error = BkendError("common/internal-error", f"Internal server error (request id {request_id})")
            await render(error)(scope, receive, send)
