"""The management API (`/v1/console/...`) as a matrix: console accounts of each organization role, a tenant of
another organization, a personal token with read-only scopes, nobody — and every app credential, which must never
reach it (spec/mcp-and-console.md §4.3 role table, §7 #14; decisions: personal tokens are `mcp_…`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bkend_mcp.domain import ids, keys, tables, tenancy
from bkend_mcp.domain.console.console_collections import INVITATIONS
from bkend_mcp.domain.mcp_auth import pats
from bkend_mcp.domain.team import org_roles
from tests.api.access_matrix.requesters import ELSEWHERE, IN_ENVIRONMENT, REFUSED
from tests.api.access_matrix.world import NOTES, World
from tests.api.console_helpers import Browser

Request = Callable[[str, str, Any], httpx.Response]
"""(method, url, json) → response, as one requester."""


def _browser(role: str) -> Callable[[World], Request]:
    return lambda w: w.consoles[role].request


def _signed_out(w: World) -> Request:
    return Browser(w.client).request


def _token(w: World) -> Request:
    made = pats.create_pat(
        w.backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=w.env.organization_id, scopes=["project:read"]
    )
    return lambda method, url, json: w.client.request(
        method, url, json=json, headers={"authorization": f"Bearer {made['token']}"}
    )


def _app(headers: Callable[[World], dict[str, str]]) -> Callable[[World], Request]:
    def request(w: World) -> Request:
        sent = headers(w)
        return lambda method, url, json: w.client.request(method, url, json=json, headers=sent)

    return request


CONSOLE_REQUESTERS: dict[str, Callable[[World], Request]] = {
    "console owner": _browser("owner"),
    "console admin": _browser("admin"),
    "console member": _browser("member"),
    "console billing": _browser("billing"),
    "tenant of another organization": _browser("outsider"),
    "owner's personal token (project:read)": _token,
    "signed out": _signed_out,
}
APP_CREDENTIAL_HEADERS: dict[str, Callable[[World], dict[str, str]]] = {
    f"app: {name}": headers
    for name, headers in {**IN_ENVIRONMENT, **ELSEWHERE, **REFUSED}.items()
    if "console" not in name
}
APP_CREDENTIALS: dict[str, Callable[[World], Request]] = {
    name: _app(headers) for name, headers in APP_CREDENTIAL_HEADERS.items()
}


@dataclass(frozen=True)
class ConsoleOperation:
    send: Callable[[Request, World, Any], httpx.Response]
    prepare: Callable[[World], Any] = lambda w: None
    state: Callable[[World, Any], Any] | None = None
    cleanup: Callable[[World, Any], None] = lambda w, target: None


def _org(w: World) -> str:
    return f"/v1/console/organizations/{w.env.organization_id}"


def _dev(w: World) -> str:
    return f"/v1/console/projects/{w.env.project_id}/environments/dev"


def _spare_project(w: World) -> dict[str, Any]:
    """A project nobody needs, made again only once a cell has deleted it (making one costs ~1 s)."""
    spare = w.spare.get("project")
    if spare is None or tenancy.find_project(w.backend, spare["id"]) is None:
        slug = f"p-{ids.short_id('p')[-8:]}".lower()
        owner = tenancy.LOCAL_OWNER_ID
        spare = w.spare["project"] = tenancy.create_project(
            w.backend, owner, organization_id=w.env.organization_id, slug=slug, name=slug, environments=("dev",)
        )
    return spare


def _projects(w: World, _: Any = None) -> int:
    return len(tenancy.list_projects(w.backend, tenancy.LOCAL_OWNER_ID, w.env.organization_id))


def _tables(w: World, _: Any = None) -> int:
    return len(tables.list_tables(w.backend, w.env.environment_id))


def _keys(w: World, _: Any = None) -> int:
    return len(keys.list_keys(w.backend, w.env.environment_id))


def _invitations(w: World, _: Any = None) -> int:
    return w.backend.control(INVITATIONS).count()


def _mcp_access(w: World, _: Any = None) -> Any:
    return (w.backend.control("environments").get(w.env.environment_id) or {}).get("mcpAccess")


def _organization(w: World, _: Any = None) -> Any:
    return (w.backend.control("organizations").get(w.env.organization_id) or {}).get("description")


def _environments(w: World, _: Any = None) -> int:
    return len(tenancy.list_environments(w.backend, tenancy.LOCAL_OWNER_ID, w.env.project_id))


def _drop_new_environments(w: World, _: Any) -> None:
    for env in tenancy.list_environments(w.backend, tenancy.LOCAL_OWNER_ID, w.env.project_id):
        if env["environment"].startswith("made"):
            tenancy.delete_environment(w.backend, tenancy.LOCAL_OWNER_ID, env["id"])


def _billing_member(w: World) -> str:
    return w.tenants["billing"]


def _role_of(w: World, tenant_id: str) -> Any:
    org = w.backend.control("organizations").get(w.env.organization_id) or {}
    return org_roles.role_in(org, tenant_id)


def _restore_billing(w: World, tenant_id: str) -> None:
    org = w.backend.control("organizations").get(w.env.organization_id) or {}
    members = [{**m, "role": "billing"} if m.get("tenantId") == tenant_id else m for m in org.get("members", [])]
    w.backend.control("organizations").update(w.env.organization_id, {"members": members})


def _reopen(w: World, _: Any) -> None:
    w.backend.control("environments").update(w.env.environment_id, {"mcpAccess": "write"})


def _unique(prefix: str) -> str:
    return f"{prefix}{ids.short_id('x')[-8:]}".lower()


CONSOLE_OPERATIONS: dict[str, ConsoleOperation] = {
    "organization update": ConsoleOperation(
        lambda r, w, t: r("PATCH", _org(w), {"description": _unique("d")}), state=_organization
    ),
    "member role change": ConsoleOperation(
        lambda r, w, t: r("PATCH", f"{_org(w)}/members/{t}", {"role": "member"}),
        _billing_member,
        _role_of,
        _restore_billing,
    ),
    "projects list": ConsoleOperation(lambda r, w, t: r("GET", f"{_org(w)}/projects", None)),
    "project create": ConsoleOperation(
        lambda r, w, t: r("POST", f"{_org(w)}/projects", {"name": _unique("Made ")}), state=_projects
    ),
    "project delete": ConsoleOperation(
        lambda r, w, t: r("DELETE", f"/v1/console/projects/{t['id']}", {"confirm": t["slug"]}),
        _spare_project,
        lambda w, t: _projects(w),
    ),
    "environment create": ConsoleOperation(
        lambda r, w, t: r("POST", f"/v1/console/projects/{w.env.project_id}/environments", {"name": _unique("made")}),
        state=_environments,
        cleanup=_drop_new_environments,
    ),
    "tables list": ConsoleOperation(lambda r, w, t: r("GET", f"{_dev(w)}/tables", None)),
    "table create": ConsoleOperation(
        lambda r, w, t: r("POST", f"{_dev(w)}/tables", {"table": _unique("made_")}), state=_tables
    ),
    "rows list": ConsoleOperation(lambda r, w, t: r("GET", f"{_dev(w)}/tables/{NOTES}/rows", None)),
    "app users list": ConsoleOperation(lambda r, w, t: r("GET", f"{_dev(w)}/users", None)),
    "api key create": ConsoleOperation(
        lambda r, w, t: r("POST", f"{_dev(w)}/api-keys", {"name": _unique("ci-"), "type": "secret"}), state=_keys
    ),
    "member invite": ConsoleOperation(
        lambda r, w, t: r("POST", f"{_org(w)}/invitations", {"email": f"{_unique('i')}@example.com"}),
        state=_invitations,
    ),
    "mcp-access set": ConsoleOperation(
        lambda r, w, t: r("PUT", f"{_dev(w)}/mcp-access", {"mcpAccess": "read"}), state=_mcp_access, cleanup=_reopen
    ),
}

OK, NEW = "200", "201"
FORBIDDEN = "403 common/forbidden"
NOT_FOUND = "404 common/not-found"  # another organization's project is not even confirmed to exist
SIGN_IN = "401 common/authentication-required"

# fmt: off
CONSOLE_COLUMNS = tuple(CONSOLE_REQUESTERS)
CONSOLE_EXPECTED: dict[str, tuple[str, ...]] = {
    #                       owner  admin  member     billing    outsider   token      signed out
    "projects list":       (OK,    OK,    OK,        OK,        NOT_FOUND, OK,        SIGN_IN),
    "project create":      (NEW,   NEW,   FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "environment create":  (NEW,   NEW,   NEW,       FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "project delete":      (OK,    OK,    FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "tables list":         (OK,    OK,    OK,        FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "table create":        (NEW,   NEW,   NEW,       FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "rows list":           (OK,    OK,    OK,        FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "app users list":      (OK,    OK,    OK,        FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "api key create":      (NEW,   NEW,   NEW,       FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    # Team, organization and MCP-access changes are for a signed-in person only: no credential is 401 (sign in),
    # a personal token 403.
    "member invite":       (NEW,   NEW,   FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "mcp-access set":      (OK,    OK,    FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "organization update": (OK,    OK,    FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
    "member role change":  (OK,    OK,    FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, SIGN_IN),
}
# fmt: on
SESSION_ONLY = ("member invite", "mcp-access set", "organization update", "member role change")


def app_credential_outcome(op: str, headers: dict[str, str]) -> str:
    """App keys and user tokens are no management credential: 401 like no credential, except that a bearer token
    on an operation only a console session may do is 403 (like a personal token there); either way nothing
    changes."""
    bearer = any(name.lower() == "authorization" for name in headers)
    return FORBIDDEN if op in SESSION_ONLY and bearer else SIGN_IN
