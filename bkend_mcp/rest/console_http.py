"""What every management route (`/v1/console/...`) shares: reading the request's credentials, acting as the
principal the domain derives from them, and the session cookie. Bodies are never wrapped in `{success, data}`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.console import console_access, console_activity
from bkend_mcp.domain.console.console_access import Credentials
from bkend_mcp.domain.console.console_sessions import COOKIE, CSRF_HEADER, Opened
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.principal import Principal
from bkend_mcp.rest.http import JSONResponse, backend_of, int_param, read_json, run

T = TypeVar("T")
NO_STORE = {"Cache-Control": "no-store"}


def credentials(request: Request) -> Credentials:
    return Credentials(
        method=request.method,
        session_token=request.cookies.get(COOKIE),
        authorization=request.headers.get("authorization"),
        csrf=request.headers.get(CSRF_HEADER),
        origin=request.headers.get("origin"),
    )


def client_of(request: Request) -> Client:
    return Client(ip=request.client.host if request.client else "", user_agent=request.headers.get("user-agent", ""))


def _secure(request: Request) -> bool:
    return backend_of(request).config.base_url.startswith("https://")


def _expired_cookie(request: Request) -> str:
    secure = "; Secure" if _secure(request) else ""
    return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}"


async def guarded(request: Request, work: Callable[[Backend], T]) -> T:
    """Run `work` in the worker pool; a 401 to a request that sent a session cookie also clears that cookie."""
    try:
        return await run(request, work)
    except BkendError as exc:
        if exc.status == 401 and COOKIE in request.cookies:
            exc.headers["Set-Cookie"] = _expired_cookie(request)
        raise


async def call(
    request: Request,
    scope: str | None,
    work: Callable[[Backend, Principal], T],
    *,
    organization: str | None = None,
    project: str | None = None,
) -> T:
    """Authenticate (session or personal token), act in the organization (given, or the project's) with `scope`
    checked, then do `work`."""
    found = credentials(request)
    return await _acting(
        request, lambda b: console_access.act(b, found, scope, organization=organization, project=project), work
    )


async def call_in_session(
    request: Request, work: Callable[[Backend, Principal], T], *, organization: str | None = None
) -> T:
    """Like `call`, for what needs a console session (team, organization settings, tokens, MCP access)."""
    found = credentials(request)
    return await _acting(request, lambda b: console_access.act_in_session(b, found, organization), work)


async def _acting(
    request: Request, principal_of: Callable[[Backend], Principal], work: Callable[[Backend, Principal], T]
) -> T:
    """Do `work` as `principal_of`'s principal; a write is also filed in the activity log with the path
    parameters and the body it was given."""
    unsafe = request.method not in console_access.SAFE_METHODS
    arguments = {**request.path_params, "body": getattr(request.state, "console_body", None)}

    def job(backend: Backend) -> T:
        principal = principal_of(backend)
        if not unsafe:
            return work(backend, principal)
        return console_activity.logged(backend, principal, _action(request), arguments, work)

    return await guarded(request, job)


def _action(request: Request) -> str:
    route = request.scope.get("route")
    return f"console {request.method} {getattr(route, 'path', request.url.path)}"


def reply(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def with_session(request: Request, opened: Opened) -> Response:
    response = reply(opened.view)
    response.set_cookie(
        COOKIE,
        opened.token,
        max_age=opened.max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


def without_session(request: Request, body: Any) -> Response:
    response = reply(body)
    response.headers["Set-Cookie"] = _expired_cookie(request)
    return response


async def read_object(request: Request) -> dict[str, Any]:
    """The JSON body, which must be an object (an empty body is `{}`)."""
    body = await read_json(request)
    if not isinstance(body, dict):
        message = "The request body must be a JSON object"
        raise BkendError(
            "common/invalid-parameters", message, [{"field": "body", "reason": "type", "message": message}]
        )
    request.state.console_body = body
    return body


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


SHAPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "objects": (_objects, "a list of objects"),
    "strings": (_strings, "a list of strings"),
    "object": (lambda v: isinstance(v, dict), "an object"),
    "string": (lambda v: isinstance(v, str), "a string"),
}


def shaped(body: dict[str, Any], shapes: dict[str, str]) -> dict[str, Any]:
    """`body` after checking the JSON type of each key named in `shapes` (absent or null keys pass), the way the
    MCP tools' input schemas check them; every wrong key is reported at once."""
    wrong = [
        {"field": key, "reason": "type", "message": f"'{key}' must be {SHAPES[kind][1]}"}
        for key, kind in shapes.items()
        if body.get(key) is not None and not SHAPES[kind][0](body[key])
    ]
    if wrong:
        raise BkendError("common/invalid-parameters", wrong[0]["message"], wrong)
    return body


def page_args(request: Request, default_limit: int = 20) -> tuple[int, int]:
    return int_param(request, "page", 1), int_param(request, "limit", default_limit)
