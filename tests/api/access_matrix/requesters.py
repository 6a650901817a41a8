"""Who asks: each row is a name and the headers it sends (spec/data.md §5.1, §5.9; auth.md §1.2-§1.4).

`IN_ENVIRONMENT` act in the `dev` environment the targets live in; `ELSEWHERE` hold genuine credentials of another
environment or project; `REFUSED` carry a credential that must fail before anything is looked at."""

from __future__ import annotations

from collections.abc import Callable

from bkend_mcp.domain.console.console_sessions import COOKIE
from tests.api.access_matrix.world import ADMIN, GUEST_ROLE, NOTES, OTHER, OWNER, World

Headers = Callable[[World], dict[str, str]]

IN_ENVIRONMENT: dict[str, Headers] = {
    "guest": lambda w: {"x-api-key": w.env.pk},
    "owner": lambda w: w.bearer(OWNER),
    "other user": lambda w: w.bearer(OTHER),
    "admin user": lambda w: w.bearer(ADMIN, "admin"),
    "secret key": lambda w: {"x-api-key": w.env.sk},
    "secret key *:read": lambda w: {"x-api-key": w.keys["secret *:read"]},
    f"secret key {NOTES}:*": lambda w: {"x-api-key": w.keys[f"secret {NOTES}:*"]},
    "secret key []": lambda w: {"x-api-key": w.keys["secret []"]},
    "owner via *:read publishable key": lambda w: w.bearer(OWNER, key=w.keys["publishable *:read"]),
    "secret key + owner's token": lambda w: w.bearer(OWNER, key=w.env.sk),
    "guest-role user": lambda w: w.bearer(GUEST_ROLE, "guest"),
}
ELSEWHERE: dict[str, Headers] = {
    "staging secret key": lambda w: {"x-api-key": w.staging.secret},
    "other project's secret key": lambda w: {"x-api-key": w.other_project.secret},
    "owner's staging token": lambda w: {"x-api-key": w.env.pk, "authorization": f"Bearer {w.staging.user_token}"},
    "secret key + owner's staging token": lambda w: {
        "x-api-key": w.env.sk,
        "authorization": f"Bearer {w.staging.user_token}",
    },
    "owner's token of the other project": lambda w: {
        "x-api-key": w.env.pk,
        "authorization": f"Bearer {w.other_project.user_token}",
    },
}
REFUSED: dict[str, Headers] = {
    "revoked secret key": lambda w: {"x-api-key": w.keys["revoked secret"]},
    "expired secret key": lambda w: {"x-api-key": w.keys["expired secret"]},
    "owner's revoked session": lambda w: {
        "x-api-key": w.env.pk,
        "authorization": f"Bearer {w.tokens['revoked session']}",
    },
    "owner's expired token": lambda w: {"x-api-key": w.env.pk, "authorization": f"Bearer {w.tokens['expired']}"},
    "owner's token, alg=none": lambda w: {"x-api-key": w.env.pk, "authorization": f"Bearer {w.tokens['alg none']}"},
    "console owner's session, no key": lambda w: {"cookie": f"{COOKIE}={w.consoles['owner'].cookie}"},
}


def _legacy(
    environment: str, bearer: Callable[[World], str] | None = None, project: Callable[[World], str] | None = None
) -> Headers:
    def headers(w: World) -> dict[str, str]:
        sent = {"x-project-id": project(w) if project else w.env.project_id, "x-environment": environment}
        return {**sent, "authorization": f"Bearer {bearer(w)}"} if bearer else sent

    return headers


LEGACY: dict[str, Headers] = {
    "legacy headers": _legacy("dev"),
    "legacy headers + owner's token": _legacy("dev", lambda w: w.env.user_token(OWNER)),
    "legacy headers + Bearer secret key": _legacy("dev", lambda w: w.env.sk),
    "legacy headers + Bearer secret key *:read": _legacy("dev", lambda w: w.keys["secret *:read"]),
    "legacy headers + Bearer revoked secret key": _legacy("dev", lambda w: w.keys["revoked secret"]),
    "legacy headers + Bearer staging secret key": _legacy("dev", lambda w: w.staging.secret),
    "legacy headers for staging + owner's dev token": _legacy("staging", lambda w: w.env.user_token(OWNER)),
    "legacy headers for the other project + this secret key": _legacy(
        "dev", lambda w: w.env.sk, lambda w: w.other_project.env.project_id
    ),
}
APP_REQUESTERS: dict[str, Headers] = {**IN_ENVIRONMENT, **ELSEWHERE, **REFUSED, **LEGACY}
