"""Who may do what with a file (spec/storage.md §4.2), and the list filter that says the same (§4.3).

Admin = an `sk_` key or an admin-role user (or the tenant acting through MCP); owner = the user whose id is the
file's `ownerId`; guest = a publishable key without a user token. Order for item endpoints: authentication
(writes, 401) → existence (404) → permission (403); an existing file the caller may not see is 403, not 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files.records import is_owner
from bkend_mcp.store.base import MATCH_ALL, MATCH_NONE, And, Cond, Filter, any_of

READERS: dict[str, Callable[[Caller, dict[str, Any]], bool]] = {
    "public": lambda caller, doc: True,
    "protected": lambda caller, doc: caller.authenticated,
    "shared": lambda caller, doc: caller.authenticated and caller.uid in (doc.get("sharedWith") or []),
    "private": lambda caller, doc: False,
}
"""Visibility → may a caller who is neither admin nor owner read the file?"""


def require_writer(caller: Caller) -> None:
    """Uploads and changes need a signed-in user or a secret key."""
    if not (caller.is_admin or caller.authenticated):
        raise BkendError(
            "common/authentication-required", "Sign in (Authorization: Bearer <access token>) or use a secret key"
        )


def can_read(caller: Caller, doc: dict[str, Any], guest_read: bool = True) -> bool:
    if caller.is_admin or is_owner(caller, doc):
        return True
    if not caller.authenticated and not guest_read:
        return False
    return READERS[doc["visibility"]](caller, doc)


def require_read(caller: Caller, doc: dict[str, Any], guest_read: bool = True) -> None:
    if not can_read(caller, doc, guest_read):
        raise BkendError("file/access-denied", f"This file is {doc['visibility']}; you may not read it")


def require_owner(caller: Caller, doc: dict[str, Any], what: str = "change") -> None:
    if not (caller.is_admin or is_owner(caller, doc)):
        raise BkendError("file/access-denied", f"Only the file's owner (or an admin) may {what} it")


def require_issuer(caller: Caller, intent: dict[str, Any]) -> None:
    """Only whoever was issued an upload may continue, register or cancel it."""
    if not (caller.is_admin or (caller.authenticated and intent.get("ownerId") == caller.uid)):
        raise BkendError("file/access-denied", "This upload was issued to someone else")


def list_filter(caller: Caller, guest_read: bool = True) -> Filter:
    if caller.is_admin:
        return MATCH_ALL
    if not caller.authenticated:
        return Cond("visibility", "eq", "public", scalar=True) if guest_read else MATCH_NONE
    return any_of(
        (
            Cond("ownerId", "eq", caller.uid, scalar=True),
            Cond("visibility", "in", ("public", "protected"), scalar=True),
            And((Cond("visibility", "eq", "shared", scalar=True), Cond("sharedWith", "eq", caller.uid))),
        )
    )
