"""What the spec says each requester gets from each operation, written out rather than derived.

Columns follow `COLUMNS` (the requesters that hold a valid credential); a cell is `"<status>"` for a success or
`"<status> <error code>"`. Sources: data — spec/data.md §3.1, §4.9, §5.1-§5.4, §5.9 (the `notes` table is
user-create + self-only, `items` has the documented defaults); auth/users — auth.md §1.2-§1.4, §2.3, §2.4, §2.10,
§2.12; storage — storage.md §2.1, §2.2, §4.2, Appendix C; tables and MCP access — decisions.md ("Secret keys manage
tables over REST", "Access matrix (issue #8)").

The two "elsewhere" keys act in their own environment: what they reach there is not the `dev` target (404; their
environment has its own `owner-1`, which they may read and rename), and whatever they do, `dev` must stay unchanged
(checked for every cell of theirs, success or not).
"""

from __future__ import annotations

COLUMNS = (
    "guest",
    "owner",
    "other user",
    "admin user",
    "secret key",
    "secret key *:read",
    "secret key notes:*",
    "secret key []",
    "owner via *:read publishable key",
    "secret key + owner's token",
    "guest-role user",
    "staging secret key",
    "other project's secret key",
)

OK, NEW = "200", "201"
DENY = "403 data/permission-denied"
SCOPE = "403 data/scope-insufficient"
NOTAB = "404 data/table-not-found"
BATCH = "400 data/validation-error"  # no batch insert in the contract (data.md §0.1): an array body is invalid
NOMGR = "403 table/permission-denied"
A401 = "401 auth/unauthorized"
A403 = "403 auth/forbidden"
NOSES = "404 auth/session-not-found"
U401 = "401 user/unauthorized"
U403 = "403 user/forbidden"
U404 = "404 user/not-found"
SIGNIN = "401 common/authentication-required"
F403 = "403 file/access-denied"
F404 = "404 file/not-found"
T404 = "404 table/not-found"
AUTH_400 = "400 auth/validation-error"  # an invitation names the key's own project
SYS = "403 data/system-table-access"  # data.md §5.8: built-in tables are read by admins only, written by nobody

# fmt: off
EXPECTED: dict[str, tuple[str, ...]] = {
    # guest, owner, other user, admin user, secret key, secret key *:read, secret key notes:*, secret key [],
    # owner via *:read publishable key, secret key + owner's token, guest-role user, staging secret key,
    # other project's secret key
    "data list":
        (DENY,   OK,     OK,     OK,     OK,     OK,     OK,     SCOPE,  OK,     OK,     OK,     NOTAB,  NOTAB),
    "data get":
        (DENY,   OK,     DENY,   OK,     OK,     OK,     OK,     SCOPE,  OK,     OK,     DENY,   NOTAB,  NOTAB),
    "data spec":
        (DENY,   OK,     OK,     OK,     OK,     OK,     OK,     SCOPE,  OK,     OK,     OK,     NOTAB,  NOTAB),
    "data create":
        (DENY,   NEW,    NEW,    NEW,    NEW,    SCOPE,  NEW,    SCOPE,  SCOPE,  NEW,    DENY,   NOTAB,  NOTAB),
    "data create in another table":
        (DENY,   NEW,    NEW,    NEW,    NEW,    SCOPE,  SCOPE,  SCOPE,  SCOPE,  NEW,    DENY,   NOTAB,  NOTAB),
    "data bulk create":
        (BATCH,  BATCH,  BATCH,  BATCH,  BATCH,  SCOPE,  BATCH,  SCOPE,  SCOPE,  BATCH,  BATCH,  NOTAB,  NOTAB),
    "data update":
        (DENY,   OK,     DENY,   OK,     OK,     SCOPE,  OK,     SCOPE,  SCOPE,  OK,     DENY,   NOTAB,  NOTAB),
    "data delete":
        (DENY,   OK,     DENY,   OK,     OK,     SCOPE,  OK,     SCOPE,  SCOPE,  OK,     DENY,   NOTAB,  NOTAB),
    "data list system table users":
        (SYS,    SYS,    SYS,    OK,     OK,     OK,     SCOPE,  SCOPE,  SYS,    OK,     SYS,    OK,     OK),
    "data create in system table users":
        (SYS,    SYS,    SYS,    SYS,    SYS,    SCOPE,  SCOPE,  SCOPE,  SCOPE,  SYS,    SYS,    SYS,    SYS),
    "tables list":
        (NOMGR,  NOMGR,  NOMGR,  NOMGR,  OK,     SCOPE,  SCOPE,  SCOPE,  NOMGR,  OK,     NOMGR,  OK,     OK),
    "tables create":
        (NOMGR,  NOMGR,  NOMGR,  NOMGR,  NEW,    SCOPE,  SCOPE,  SCOPE,  NOMGR,  NEW,    NOMGR,  NEW,    NEW),
    "tables delete":
        (NOMGR,  NOMGR,  NOMGR,  NOMGR,  OK,     SCOPE,  SCOPE,  SCOPE,  NOMGR,  OK,     NOMGR,  T404,   T404),
    "auth me":
        (A401,   OK,     OK,     OK,     A401,   A401,   A401,   A401,   OK,     OK,     OK,     A401,   A401),
    "auth sessions list":
        (A401,   OK,     OK,     OK,     A401,   A401,   A401,   A401,   OK,     OK,     OK,     A401,   A401),
    "auth revoke another user's session":
        (A401,   NOSES,  NOSES,  NOSES,  A401,   A401,   A401,   A401,   NOSES,  NOSES,  NOSES,  A401,   A401),
    "auth change password":
        (A401,   OK,     OK,     OK,     A401,   A401,   A401,   A401,   OK,     OK,     OK,     A401,   A401),
    # only an admin invites into the project, since accepting grants the role (auth.md §2.8)
    "auth invite to the project as admin":
        (A401,   A403,   A403,   NEW,    NEW,    NEW,    NEW,    NEW,    A403,   NEW,    A403,   NEW,    AUTH_400),
    "auth providers get":
        (A403,   A403,   A403,   A403,   OK,     OK,     OK,     OK,     A403,   OK,     A403,   OK,     OK),
    "auth email provider set":
        (A403,   A403,   A403,   A403,   OK,     OK,     OK,     OK,     A403,   OK,     A403,   OK,     OK),
    "users list":
        (U401,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
    # the public view hides roles (and addresses): their order must not tell a non-admin who is an admin
    "users list sorted by role":
        (U401,   U403,   U403,   OK,     OK,     OK,     OK,     OK,     U403,   OK,     U403,   OK,     OK),
    "users create":
        (U401,   U403,   U403,   NEW,    NEW,    NEW,    NEW,    NEW,    U403,   NEW,    U403,   NEW,    NEW),
    "users get owner":
        (U401,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
    "users update owner":
        (U401,   OK,     U403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     U403,   OK,     OK),
    "users update owner's preferences":
        (U401,   OK,     U403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     U403,   OK,     OK),
    "users avatar upload url for owner":
        (U401,   OK,     U403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     U403,   OK,     OK),
    "users change role":
        (U401,   U403,   U403,   OK,     OK,     OK,     OK,     OK,     U403,   OK,     U403,   U404,   U404),
    "users delete":
        (U401,   U403,   U403,   OK,     OK,     OK,     OK,     OK,     U403,   OK,     U403,   U404,   U404),
    "files upload url":
        (SIGNIN, OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
    "files complete owner's upload":
        (SIGNIN, NEW,    F403,   NEW,    NEW,    NEW,    NEW,    NEW,    NEW,    NEW,    F403,   F404,   F404),
    "files multipart abort owner's upload":
        (SIGNIN, OK,     F403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     F403,   F404,   F404),
    "files list":
        (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK),
    "files get owner's public":
        (OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     F404,   F404),
    "files get owner's private":
        (F403,   OK,     F403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     F403,   F404,   F404),
    "files download url owner's private":
        (F403,   OK,     F403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     F403,   F404,   F404),
    "files make owner's private public":
        (SIGNIN, OK,     F403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     F403,   F404,   F404),
    "files delete owner's":
        (SIGNIN, OK,     F403,   OK,     OK,     OK,     OK,     OK,     OK,     OK,     F403,   F404,   F404),
    "mcp-access get":
        (NOMGR,  NOMGR,  NOMGR,  NOMGR,  OK,     SCOPE,  SCOPE,  SCOPE,  NOMGR,  OK,     NOMGR,  OK,     OK),
    "mcp-access set":
        (NOMGR,  NOMGR,  NOMGR,  NOMGR,  OK,     SCOPE,  SCOPE,  SCOPE,  NOMGR,  OK,     NOMGR,  OK,     OK),
}
# fmt: on

# Credentials that fail before any operation is looked at (data.md §3.1 steps 2-8, auth.md §1.2, §3.4): the same
# answer on every operation.
REFUSED_EVERYWHERE: dict[str, str] = {
    "revoked secret key": "401 auth/api-key-revoked",
    "expired secret key": "401 auth/api-key-expired",
    "owner's revoked session": "401 auth/invalid-access-token",
    "owner's expired token": "401 auth/access-token-expired",
    "owner's token, alg=none": "401 auth/invalid-access-token",
    "owner's staging token": "403 data/project-access-denied",
    "secret key + owner's staging token": "403 data/project-access-denied",
    "owner's token of the other project": "403 data/project-access-denied",
    "console owner's session, no key": "400 data/invalid-header",
}

# The seed's request style (`x-project-id` + `x-environment`, a user token or an `sk_` key as Bearer; decisions.md
# "Request styles") is first-class: each of these gets exactly what its `X-API-Key` twin gets, on one operation of
# every family.
LEGACY_TWINS: dict[str, str] = {
    "legacy headers": "guest",
    "legacy headers + owner's token": "owner",
    "legacy headers + Bearer secret key": "secret key",
    "legacy headers + Bearer secret key *:read": "secret key *:read",
}
LEGACY_REFUSED: dict[str, str] = {
    "legacy headers + Bearer revoked secret key": "401 auth/api-key-revoked",
    "legacy headers + Bearer staging secret key": "403 data/project-access-denied",
    "legacy headers for staging + owner's dev token": "403 data/project-access-denied",
    "legacy headers for the other project + this secret key": "403 data/project-access-denied",
}
LEGACY_OPERATIONS = (
    "data get",
    "data update",
    "tables create",
    "auth me",
    "users change role",
    "files get owner's private",
    "files delete owner's",
    "mcp-access set",
)

# A public auth endpoint (sign-in) needs only a valid key of this environment and ignores `Authorization`, even a
# revoked, expired, forged or foreign token (spec/auth.md §2.0 R5); another environment's key looks the address up in
# its own user pool, where this password is not set.
WRONG_POOL = "401 auth/invalid-credentials"
PUBLIC_EXPECTED: dict[str, dict[str, str]] = {
    "auth sign-in": {
        **{who: OK for who in COLUMNS[:11]},
        "staging secret key": WRONG_POOL,
        "other project's secret key": WRONG_POOL,
        "owner's staging token": OK,
        "secret key + owner's staging token": OK,
        "owner's token of the other project": OK,
        "revoked secret key": "401 auth/api-key-revoked",
        "expired secret key": "401 auth/api-key-expired",
        "owner's revoked session": OK,
        "owner's expired token": OK,
        "owner's token, alg=none": OK,
        "console owner's session, no key": "400 data/invalid-header",
        **{who: OK for who in LEGACY_TWINS},
        "legacy headers + Bearer revoked secret key": "401 auth/api-key-revoked",
        "legacy headers + Bearer staging secret key": "403 data/project-access-denied",
        "legacy headers for staging + owner's dev token": WRONG_POOL,
        "legacy headers for the other project + this secret key": "403 data/project-access-denied",
    },
}
