"""The HTML of the OAuth consent and error pages: small, self-contained, every value escaped, never framed."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from starlette.responses import HTMLResponse

from bkend_mcp.domain.mcp_auth.oauth import ConsentScreen

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'",
    "Referrer-Policy": "no-referrer",
}
STYLE = """body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}code{background:#f3f3f3;padding:0 .2rem}fieldset{border:1px solid #ddd;margin:1rem 0}
label{display:block;margin:.3rem 0}input[type=password],select{width:100%;padding:.4rem}
button{padding:.5rem 1.2rem;margin-right:.6rem}.muted{color:#666;font-size:.9rem}"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{STYLE}</style></head>'
        f"<body>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def consent_page(
    screen: ConsentScreen, action: str, viewer: dict[str, Any] | None = None, return_to: str = ""
) -> HTMLResponse:
    """The consent form. Signed in to the console (`viewer`), the tenant picks an organization; otherwise an owner
    token is pasted, or the page links to the console sign-in, which comes back here."""
    scopes = "".join(
        f'<label><input type="checkbox" name="scope" value="{escape(s)}" checked> <code>{escape(s)}</code></label>'
        for s in screen.scopes
    )
    site = f' (<span class="muted">{escape(screen.client_uri)}</span>)' if screen.client_uri else ""
    approver = _as_tenant(viewer) if viewer else _with_token(return_to)
    body = f"""<h1>Connect {escape(screen.client_name)} to bkend-mcp?</h1>
<p><strong>{escape(screen.client_name)}</strong>{site} asks to manage your backend through MCP.
After approval your browser returns to <code>{escape(screen.redirect_host)}</code>.</p>
<form method="post" action="{escape(action)}">
<input type="hidden" name="request_id" value="{escape(screen.request_id)}">
<fieldset><legend>Permissions</legend>{scopes}</fieldset>
{approver}
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button></p>
</form>
<p class="muted">Client id <code>{escape(screen.client_id)}</code>. This request expires in 10 minutes.</p>"""
    return _page("Authorize MCP client", body)


def _as_tenant(viewer: dict[str, Any]) -> str:
    tenant = viewer["tenant"]
    options = "".join(
        f'<option value="{escape(o["id"])}">{escape(o["name"])} ({escape(str(o["role"]))})</option>'
        for o in viewer["organizations"]
    )
    who = escape(tenant.get("email") or tenant.get("name") or tenant["id"])
    return f"""<p>Signed in to the console as <strong>{who}</strong>. The connection acts in the organization you
pick, with at most what your role there allows.</p>
<label for="organization">Organization</label>
<select id="organization" name="organization" required>{options}</select>
<input type="hidden" name="csrf" value="{escape(viewer["csrfToken"])}">"""


def _with_token(return_to: str) -> str:
    sign_in = f"/console/signin?next={quote(return_to, safe='')}"
    return f"""<p><a href="{escape(sign_in)}">Sign in to the console</a> to approve as yourself, or paste an owner
token below.</p>
<label for="credential">Owner token (<code>mcp_…</code>). Create one in a terminal on the server with
<code>bkend-mcp token create</code>; the connection gets that token's organization and at most its scopes.</label>
<input type="password" id="credential" name="credential" autocomplete="off" required>"""


def error_page(message: str, status: int = 400) -> HTMLResponse:
    body = f"""<h1>Authorization failed</h1><p>{escape(message)}</p>
<p class="muted">Close this window and start the connection again from your AI tool.</p>"""
    return _page("Authorization failed", body, status)
