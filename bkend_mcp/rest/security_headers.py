"""Security headers on every HTTP response, unless the route set its own: no MIME sniffing, no referrer, HTML
never framed, and HSTS when the request came over https."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULTS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
HTML_CSP = (b"content-security-policy", b"frame-ancestors 'none'")
HSTS = (b"strict-transport-security", b"max-age=31536000")


def add_defaults(message: Message, https: bool) -> None:
    """Append each header the response start `message` does not set already (names compared lower-cased)."""
    headers = message["headers"] = list(message.get("headers", ()))
    present = {name.lower(): value for name, value in headers}
    wanted = [*DEFAULTS]
    if present.get(b"content-type", b"").startswith(b"text/html"):
        wanted.append(HTML_CSP)
    if https:
        wanted.append(HSTS)
    headers.extend(pair for pair in wanted if pair[0] not in present)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_defaults(message, https)
            await send(message)

        await self.app(scope, receive, send_with_headers)
