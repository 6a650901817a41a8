"""HMAC-signed, expiring URLs of the local blob store (spec/storage.md §7.2).

A URL is `{base}/_storage/o/{key}?op=…&exp=…[&ct=…][&uploadId=…&partNumber=…][&disp=…&rct=…][&max=…]&sig=…`.
`sig` is base64url (no padding) of HMAC-SHA256 over the lines `BKEND1`, op, key, exp, ct, uploadId, partNumber,
disp, rct, max: every parameter is covered, so changing any of them (or the key) breaks the signature. The
signature is the credential: these routes take no API key and no token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlencode

from bkend_mcp.blobs.base import MAX_PART_NUMBER, BlobError

OBJECT_ROUTE = "/_storage/o/"
SIGNED_FIELDS = ("op", "exp", "ct", "uploadId", "partNumber", "disp", "rct", "max")
OPS = ("put", "part", "get")


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid signed URL allows."""

    op: str
    key: str
    exp: int
    ct: str = ""
    """put: the Content-Type the PUT must carry."""
    uploadId: str = ""  # noqa: N815 - the S3 parameter name, kept in URLs
    partNumber: str = ""  # noqa: N815
    disp: str = ""
    """get: the Content-Disposition to answer with."""
    rct: str = ""
    """get: the Content-Type to answer with."""
    max: str = ""
    """put/part: the most bytes the body may have."""

    @property
    def max_bytes(self) -> int | None:
        return int(self.max) if self.max else None

    @property
    def part_number(self) -> int:
        return int(self.partNumber)


def object_path(key: str) -> str:
    """The key, percent-encoded per segment (the `/` between segments kept)."""
    return quote(key, safe="/")


def _signature(secret: bytes, grant: Grant) -> str:
    lines = ["BKEND1", grant.op, grant.key, *(str(getattr(grant, name)) for name in SIGNED_FIELDS[1:])]
    digest = hmac.new(secret, "\n".join(lines).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: bytes, base_url: str, grant: Grant) -> str:
    params = {name: str(getattr(grant, name)) for name in SIGNED_FIELDS if getattr(grant, name) != ""}
    params["sig"] = _signature(secret, grant)
    return f"{base_url}{OBJECT_ROUTE}{object_path(grant.key)}?{urlencode(params)}"


def expiry(expires_in: int) -> int:
    return int(time.time()) + expires_in


def verify(secret: bytes, key: str, params: dict[str, str], now: float | None = None) -> Grant:
    """The grant of a signed URL, or BlobError: `AccessDenied` when a parameter is missing or the URL has expired,
    `SignatureDoesNotMatch` when anything was changed."""
    op, exp, sig = params.get("op", ""), params.get("exp", ""), params.get("sig", "")
    if op not in OPS or not exp.isdigit() or not sig:
        raise BlobError("AccessDenied", "Query-string authentication requires op, exp and sig")
    fields: dict[str, Any] = {name: params.get(name, "") for name in SIGNED_FIELDS[2:]}
    grant = replace(Grant(op=op, key=key, exp=int(exp)), **fields)
    if int(exp) < (time.time() if now is None else now):
        raise BlobError("AccessDenied", "Request has expired")
    if not hmac.compare_digest(_signature(secret, grant), sig):
        raise BlobError("SignatureDoesNotMatch", "The request signature we calculated does not match")
    if op == "part" and not (grant.partNumber.isdigit() and 1 <= int(grant.partNumber) <= MAX_PART_NUMBER):
        raise BlobError("InvalidArgument", f"Part number must be an integer between 1 and {MAX_PART_NUMBER}")
    return grant
