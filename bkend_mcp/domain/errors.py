"""The one error class and the catalogue of every code the product emits.

The domain raises `BkendError`; each interface renders it once (REST: the C24 body, MCP: a tool error with the
same code and message). A code's HTTP status and JSON-RPC code come from `CATALOGUE`, never from the raiser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bkend_mcp.blobs.base import BlobError
from bkend_mcp.store.base import Cond, Filter, QueryTimeout
from bkend_mcp.store.faults import StorageFault, StorageFull, StorageReadOnly, StorageUnavailable
from bkend_mcp.store.sqlite_regex import RegexTimeout

INVALID_PARAMS = -32602
INVALID_REQUEST = -32600
INTERNAL_ERROR = -32603
# Application-level JSON-RPC codes (the MCP spec leaves -32000..-32099 to servers).
UNAUTHORIZED_RPC = -32001
FORBIDDEN_RPC = -32003
NOT_FOUND_RPC = -32004
CONFLICT_RPC = -32009
RATE_LIMITED_RPC = -32029


@dataclass(frozen=True, slots=True)
class ErrorKind:
    status: int
    rpc: int
    message: str


CATALOGUE: dict[str, ErrorKind] = {
    # data API (spec/data.md §8.1)
    "data/invalid-header": ErrorKind(400, INVALID_PARAMS, "X-API-Key header is required"),
    "data/validation-error": ErrorKind(400, INVALID_PARAMS, "Validation failed"),
    "data/project-access-denied": ErrorKind(403, FORBIDDEN_RPC, "Token belongs to another project or environment"),
    "data/scope-insufficient": ErrorKind(403, FORBIDDEN_RPC, "API key scope is insufficient"),
    "data/system-table-access": ErrorKind(
        403, FORBIDDEN_RPC, "System tables are not accessible with these credentials"
    ),
    "data/permission-denied": ErrorKind(403, FORBIDDEN_RPC, "Permission denied"),
    "data/project-not-found": ErrorKind(404, NOT_FOUND_RPC, "Project not found"),
    "data/environment-not-found": ErrorKind(404, NOT_FOUND_RPC, "Environment not found"),
    "data/table-not-found": ErrorKind(404, NOT_FOUND_RPC, "Table not found"),
    "data/not-found": ErrorKind(404, NOT_FOUND_RPC, "Record not found"),
    "data/method-not-allowed": ErrorKind(405, INVALID_REQUEST, "Method not allowed"),
    "data/duplicate-value": ErrorKind(409, CONFLICT_RPC, "Duplicate value"),
    "data/payload-too-large": ErrorKind(413, INVALID_PARAMS, "Request body is too large"),
    "data/rate-limit-exceeded": ErrorKind(429, RATE_LIMITED_RPC, "Rate limit exceeded"),
    "data/table-not-ready": ErrorKind(503, INTERNAL_ERROR, "Table is not ready"),
    # credentials
    "auth/invalid-token-format": ErrorKind(401, UNAUTHORIZED_RPC, "Malformed credentials"),
    "auth/unauthorized": ErrorKind(401, UNAUTHORIZED_RPC, "Invalid API key"),
    "auth/api-key-revoked": ErrorKind(401, UNAUTHORIZED_RPC, "API key has been revoked"),
    "auth/api-key-expired": ErrorKind(401, UNAUTHORIZED_RPC, "API key has expired"),
    "auth/invalid-access-token": ErrorKind(401, UNAUTHORIZED_RPC, "Invalid access token"),
    "auth/access-token-expired": ErrorKind(401, UNAUTHORIZED_RPC, "Access token has expired"),
    # app-user authentication (spec/auth.md §5)
    "auth/validation-error": ErrorKind(400, INVALID_PARAMS, "Invalid request"),
    "auth/invalid-email": ErrorKind(400, INVALID_PARAMS, "Invalid email address"),
    "auth/invalid-password-format": ErrorKind(400, INVALID_PARAMS, "Password does not meet the policy"),
    "auth/weak-password": ErrorKind(400, INVALID_PARAMS, "Password is too common"),
    "auth/invalid-name-format": ErrorKind(400, INVALID_PARAMS, "Name must be 1-100 characters"),
    "auth/invalid-url": ErrorKind(400, INVALID_PARAMS, "Invalid or not allowed URL"),
    "auth/same-as-previous-password": ErrorKind(400, INVALID_PARAMS, "New password must differ from the current one"),
    "auth/already-verified": ErrorKind(400, INVALID_PARAMS, "Email address is already verified"),
    "auth/magic-token-missing": ErrorKind(400, INVALID_PARAMS, "Magic link token is missing"),
    "auth/magiclink-disabled": ErrorKind(400, INVALID_PARAMS, "Magic link sign-in is disabled"),
    "auth/magiclink-not-available-for-social": ErrorKind(
        400, INVALID_PARAMS, "This address signs in with a social provider"
    ),
    "auth/invalid-credentials": ErrorKind(401, UNAUTHORIZED_RPC, "Invalid email or password"),
    "auth/invalid-password": ErrorKind(401, UNAUTHORIZED_RPC, "Current password is incorrect"),
    "auth/invalid-mfa-code": ErrorKind(401, UNAUTHORIZED_RPC, "Invalid MFA code"),
    "auth/invalid-refresh-token": ErrorKind(401, UNAUTHORIZED_RPC, "Invalid refresh token"),
    "auth/session-expired": ErrorKind(401, UNAUTHORIZED_RPC, "Session has expired; sign in again"),
    "auth/invalid-token": ErrorKind(401, UNAUTHORIZED_RPC, "Invalid or already used token"),
    "auth/token-expired": ErrorKind(401, UNAUTHORIZED_RPC, "Token has expired"),
    "auth/verification-token-expired": ErrorKind(401, UNAUTHORIZED_RPC, "Verification token has expired"),
    "auth/mfa-required": ErrorKind(403, FORBIDDEN_RPC, "MFA code required"),
    "auth/email-not-verified": ErrorKind(403, FORBIDDEN_RPC, "Email address is not verified"),
    "auth/account-banned": ErrorKind(403, FORBIDDEN_RPC, "Account is banned"),
    "auth/forbidden": ErrorKind(403, FORBIDDEN_RPC, "Forbidden"),
    "auth/session-not-found": ErrorKind(404, NOT_FOUND_RPC, "Session not found"),
    "auth/user-not-found": ErrorKind(404, NOT_FOUND_RPC, "User not found"),
    "auth/account-not-found": ErrorKind(404, NOT_FOUND_RPC, "Account not found"),
    "auth/verification-token-not-found": ErrorKind(404, NOT_FOUND_RPC, "Verification token not found or already used"),
    "auth/email-already-exists": ErrorKind(409, CONFLICT_RPC, "Email address is already registered"),
    "auth/account-already-linked": ErrorKind(409, CONFLICT_RPC, "This sign-in account is already linked"),
    "auth/too-many-requests": ErrorKind(429, RATE_LIMITED_RPC, "Too many requests; try again later"),
    "auth/too-many-login-attempts": ErrorKind(429, RATE_LIMITED_RPC, "Too many sign-in attempts; try again later"),
    "auth/too-many-code-requests": ErrorKind(429, RATE_LIMITED_RPC, "Too many emails requested; try again later"),
    "auth/account-locked": ErrorKind(429, RATE_LIMITED_RPC, "Account temporarily locked after failed sign-ins"),
    "auth/unsupported-provider": ErrorKind(400, INVALID_PARAMS, "Unsupported sign-in provider; use google or github"),
    "auth/oauth-not-configured": ErrorKind(400, INVALID_PARAMS, "This sign-in provider is not configured"),
    "auth/missing-credentials": ErrorKind(400, INVALID_PARAMS, "Send code (with redirectUri), idToken or accessToken"),
    "auth/invalid-state": ErrorKind(400, INVALID_PARAMS, "OAuth state is expired or already used"),
    "auth/github-email-not-found": ErrorKind(400, INVALID_PARAMS, "The GitHub account has no verified primary email"),
    "auth/invalid-oauth-code": ErrorKind(401, UNAUTHORIZED_RPC, "The provider rejected the code or token"),
    "auth/google-id-token-invalid": ErrorKind(401, UNAUTHORIZED_RPC, "Invalid Google ID token"),
    "auth/account-exists-different-provider": ErrorKind(
        409, CONFLICT_RPC, "This email is registered with another sign-in method; sign in that way and link"
    ),
    "auth/oauth-callback-failed": ErrorKind(500, INTERNAL_ERROR, "The sign-in provider could not be reached"),
    "auth/mfa-not-enabled": ErrorKind(400, INVALID_PARAMS, "MFA is not enabled"),
    "auth/mfa-setup-expired": ErrorKind(400, INVALID_PARAMS, "No MFA setup is pending; call mfa/enable again"),
    "auth/mfa-backup-codes-exhausted": ErrorKind(
        400, INVALID_PARAMS, "No backup codes are left; disable and enable MFA again"
    ),
    "auth/mfa-already-enabled": ErrorKind(409, CONFLICT_RPC, "MFA is already enabled"),
    "auth/last-auth-method": ErrorKind(400, INVALID_PARAMS, "This is the last way to sign in; add another first"),
    "auth/invitation-not-found": ErrorKind(404, NOT_FOUND_RPC, "Invitation not found"),
    "auth/invitation-already-accepted": ErrorKind(400, INVALID_PARAMS, "Invitation was already accepted"),
    "auth/invitation-not-pending": ErrorKind(400, INVALID_PARAMS, "Invitation is no longer pending"),
    "auth/invitation-already-pending": ErrorKind(
        409, CONFLICT_RPC, "A pending invitation for this email and resource exists"
    ),
    "auth/invitation-expired": ErrorKind(410, NOT_FOUND_RPC, "Invitation has expired"),
    "auth/template-not-found": ErrorKind(404, NOT_FOUND_RPC, "Email template not found"),
    # app-user management (spec/auth.md §2.10, §2.11)
    "user/unauthorized": ErrorKind(401, UNAUTHORIZED_RPC, "Sign in first: send Authorization: Bearer <access token>"),
    "user/forbidden": ErrorKind(403, FORBIDDEN_RPC, "Only the user themselves or an admin may do this"),
    "user/not-found": ErrorKind(404, NOT_FOUND_RPC, "User not found"),
    "user/invalid-role": ErrorKind(400, INVALID_PARAMS, "Role must be admin, user, guest or a custom role name"),
    "user/invalid-name": ErrorKind(400, INVALID_PARAMS, "Name must be 1-100 characters"),
    "user/invalid-nickname": ErrorKind(400, INVALID_PARAMS, "Nickname must be 1-50 characters"),
    "user/validation-error": ErrorKind(400, INVALID_PARAMS, "Invalid request"),
    "user/slug-already-exists": ErrorKind(409, CONFLICT_RPC, "This public slug is taken"),
    # management: tables (spec/data.md §8.2)
    "table/already-exists": ErrorKind(409, CONFLICT_RPC, "Table already exists"),
    "table/invalid-name": ErrorKind(400, INVALID_PARAMS, "Invalid name"),
    "table/invalid-schema": ErrorKind(400, INVALID_PARAMS, "Invalid schema"),
    "table/invalid-column-type": ErrorKind(400, INVALID_PARAMS, "Invalid column type"),
    "table/duplicate-column": ErrorKind(400, INVALID_PARAMS, "Duplicate column"),
    "table/field-conflict": ErrorKind(400, INVALID_PARAMS, "A field is both added and removed"),
    "table/required-conflict": ErrorKind(400, INVALID_PARAMS, "A field is both required and not required"),
    "table/system-field-protected": ErrorKind(400, INVALID_PARAMS, "System fields cannot be changed"),
    "table/system-index-protected": ErrorKind(400, INVALID_PARAMS, "Default indexes cannot be changed"),
    "table/duplicate-data": ErrorKind(409, CONFLICT_RPC, "Existing data violates the unique index"),
    "table/invalid-permissions": ErrorKind(400, INVALID_PARAMS, "Invalid permissions"),
    "table/limit-exceeded": ErrorKind(400, INVALID_PARAMS, "Limit exceeded"),
    "table/not-found": ErrorKind(404, NOT_FOUND_RPC, "Table not found"),
    "table/schema-version-not-found": ErrorKind(404, NOT_FOUND_RPC, "Schema version not found"),
    "table/index-version-not-found": ErrorKind(404, NOT_FOUND_RPC, "Index version not found"),
    "table/permission-denied": ErrorKind(403, FORBIDDEN_RPC, "Not allowed to manage tables"),
    # management: tenancy and keys
    "common/invalid-parameters": ErrorKind(400, INVALID_PARAMS, "Invalid parameters"),
    "common/not-found": ErrorKind(404, NOT_FOUND_RPC, "Not found"),
    "common/conflict": ErrorKind(409, CONFLICT_RPC, "Conflict"),
    "common/forbidden": ErrorKind(403, FORBIDDEN_RPC, "Forbidden"),
    "common/authentication-required": ErrorKind(401, UNAUTHORIZED_RPC, "Authentication required"),
    "common/confirmation-required": ErrorKind(400, INVALID_PARAMS, "Confirmation required"),
    "common/limit-exceeded": ErrorKind(400, INVALID_PARAMS, "Limit exceeded"),
    "common/internal-error": ErrorKind(500, INTERNAL_ERROR, "Internal server error"),
    # file storage (spec/storage.md §6.1)
    "file/not-found": ErrorKind(404, NOT_FOUND_RPC, "File not found"),
    "file/access-denied": ErrorKind(403, FORBIDDEN_RPC, "You do not have access to this file"),
    "file/invalid-name": ErrorKind(400, INVALID_PARAMS, "Invalid file name"),
    "file/original-name-too-long": ErrorKind(400, INVALID_PARAMS, "originalName is longer than 255 characters"),
    "file/file-too-large": ErrorKind(400, INVALID_PARAMS, "File is too large"),
    "file/file-too-small": ErrorKind(400, INVALID_PARAMS, "File is too small"),
    "file/size-negative": ErrorKind(400, INVALID_PARAMS, "Size must not be negative"),
    "file/invalid-format": ErrorKind(400, INVALID_PARAMS, "Content type is invalid or not allowed"),
    "file/mime-type-too-long": ErrorKind(400, INVALID_PARAMS, "Content type is longer than 100 characters"),
    "file/invalid-path": ErrorKind(400, INVALID_PARAMS, "Invalid storage key"),
    "file/s3-key-too-long": ErrorKind(400, INVALID_PARAMS, "Storage key is longer than 500 characters"),
    "file/s3-key-already-exists": ErrorKind(409, CONFLICT_RPC, "This storage key is already registered"),
    "file/invalid-part-number-range": ErrorKind(400, INVALID_PARAMS, "partNumber must be an integer from 1 to 10000"),
    "file/invalid-parts-array": ErrorKind(400, INVALID_PARAMS, "Invalid parts array"),
    "file/invalid-transform": ErrorKind(400, INVALID_PARAMS, "Invalid image transform"),
    "file/image-too-large": ErrorKind(413, INVALID_PARAMS, "Image is too large to transform"),
    "file/upload-init-failed": ErrorKind(500, INTERNAL_ERROR, "Could not start the multipart upload"),
    "file/bucket-not-configured": ErrorKind(500, INTERNAL_ERROR, "File storage is not configured"),
    "file/storage-unavailable": ErrorKind(503, INTERNAL_ERROR, "File storage is unavailable; try again"),
    # the storage underneath (issue #8): never the caller's fault, nothing was written
    "storage/disk-full": ErrorKind(507, INTERNAL_ERROR, "The server's disk is full; nothing was written"),
    "storage/read-only": ErrorKind(503, INTERNAL_ERROR, "The data directory is read-only; nothing was written"),
    "storage/unavailable": ErrorKind(503, INTERNAL_ERROR, "Storage is unavailable; retry"),
    "storage/query-timeout": ErrorKind(503, INTERNAL_ERROR, "The query ran past the read time limit and was stopped"),
    # MCP guardrails (docs/mcp.md "Safety for agents")
    "mcp/read-only": ErrorKind(403, FORBIDDEN_RPC, "Read-only mode is on; nothing was changed"),
    "mcp/environment-closed": ErrorKind(403, FORBIDDEN_RPC, "MCP access to this environment is off"),
    "mcp/pinned": ErrorKind(403, FORBIDDEN_RPC, "This connection is pinned to one project or environment"),
    "mcp/pin-conflict": ErrorKind(400, INVALID_PARAMS, "The requested pin is outside the server's pin"),
    "mcp/toolset-not-enabled": ErrorKind(400, INVALID_PARAMS, "The tool's toolset is not enabled in this session"),
    "mcp/dynamic-needs-session": ErrorKind(400, INVALID_REQUEST, "Dynamic toolsets need a stateful session"),
    # MCP OAuth authorization server and bearer tokens (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 6750 §3.1)
    "oauth/invalid-request": ErrorKind(400, INVALID_REQUEST, "The request is missing or repeats a parameter"),
    "oauth/invalid-client": ErrorKind(401, UNAUTHORIZED_RPC, "Client authentication failed"),
    "oauth/invalid-grant": ErrorKind(400, INVALID_PARAMS, "The code or refresh token is invalid"),
    "oauth/unauthorized-client": ErrorKind(400, INVALID_REQUEST, "The client may not use this grant"),
    "oauth/unsupported-grant-type": ErrorKind(400, INVALID_PARAMS, "Unsupported grant type"),
    "oauth/unsupported-response-type": ErrorKind(400, INVALID_PARAMS, "Unsupported response type"),
    "oauth/invalid-scope": ErrorKind(400, INVALID_PARAMS, "Invalid scope"),
    "oauth/invalid-target": ErrorKind(400, INVALID_PARAMS, "Invalid resource"),
    "oauth/access-denied": ErrorKind(403, FORBIDDEN_RPC, "Access denied"),
    "oauth/invalid-client-metadata": ErrorKind(400, INVALID_PARAMS, "Invalid client metadata"),
    "oauth/invalid-redirect-uri": ErrorKind(400, INVALID_PARAMS, "Invalid redirect URI"),
    "oauth/temporarily-unavailable": ErrorKind(429, RATE_LIMITED_RPC, "Too many requests; try again later"),
    "oauth/invalid-token": ErrorKind(401, UNAUTHORIZED_RPC, "Authentication required"),
}


class BkendError(Exception):
    """A failure a caller can act on: a stable code, its status, a safe message and optional details."""

    def __init__(
        self, code: str, message: str | None = None, details: Any = None, headers: dict[str, str] | None = None
    ):
        kind = CATALOGUE[code]
        self.code = code
        self.status = kind.status
        self.rpc_code = kind.rpc
        self.message = message or kind.message
        self.details = details
        self.headers = headers or {}
        super().__init__(f"{code}: {self.message}")

    def body(self) -> dict[str, Any]:
        """The error body of decision D1 / compat C24."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"success": False, "statusCode": self.status, "error": error, "message": self.message}


def validation_error(details: list[dict[str, Any]]) -> BkendError:
    """One `data/validation-error` carrying every failing field; the message names the first."""
    first = details[0].get("message") or f"'{details[0]['field']}' is invalid"
    return BkendError("data/validation-error", f"Validation failed: {first}", details)


def invalid_param(field: str, reason: str, message: str) -> BkendError:
    """A bad query or management parameter, reported like a field failure."""
    return validation_error([{"field": field, "reason": reason, "message": message}])


FAULT_CODES: dict[type[StorageFault], str] = {
    StorageFull: "storage/disk-full",
    StorageReadOnly: "storage/read-only",
    StorageUnavailable: "storage/unavailable",
}
RETRY_AFTER_SECONDS = "5"
QUERY_TIMEOUT_MESSAGE = (
    "The query ran longer than the read time limit and was stopped; nothing was changed. Declare an index on the "
    "fields it filters and sorts on, or narrow the filter."
)


def regex_timeout_error(exc: RegexTimeout, filter: Filter | None = None) -> BkendError:
    """A `$regex` backtracked past the per-value time limit: the nested-repeat guard's code, naming the field of
    `filter` that carries the pattern (`$regex` when unknown)."""
    field = _regex_field(filter, exc.pattern) if filter is not None else None
    return invalid_param(
        field or "$regex",
        "invalid-regex",
        f"'{field or '$regex'}': $regex took too long on a stored value (it backtracks, like (a|aa)+$); write it "
        "without alternatives or repeats that can match the same text",
    )


def _regex_field(node: Filter, pattern: str) -> str | None:
    if isinstance(node, Cond):
        return node.path if node.op == "regex" and node.value.pattern == pattern else None
    return next((found for item in node.items if (found := _regex_field(item, pattern))), None)


def known_failure(exc: Exception) -> BkendError | None:
    """The error a storage fault, an unreachable object store or a timed-out regex is reported as, for the
    renderers; None for anything else (which stays an internal error)."""
    if isinstance(exc, StorageFault):
        code = next(code for kind, code in FAULT_CODES.items() if isinstance(exc, kind))
        headers = {"Retry-After": RETRY_AFTER_SECONDS} if code == "storage/unavailable" else None
        return BkendError(code, str(exc) or None, headers=headers)
    if isinstance(exc, RegexTimeout):
        return regex_timeout_error(exc)
    if isinstance(exc, QueryTimeout):
        return BkendError("storage/query-timeout", QUERY_TIMEOUT_MESSAGE)
    if isinstance(exc, BlobError) and exc.code == "ServiceUnavailable":
        return BkendError("file/storage-unavailable", exc.message, headers={"Retry-After": RETRY_AFTER_SECONDS})
    return None
