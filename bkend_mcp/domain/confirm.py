"""Destructive calls name what they destroy (spec/mcp-and-console.md §6.1 rule 7): `confirm` must equal it."""

from __future__ import annotations

from typing import Any

from bkend_mcp.domain.errors import BkendError


def require_confirmation(confirm: Any, expected: str, what: str) -> None:
    """Raise `common/confirmation-required` unless `confirm` is exactly `expected` (the name or slug)."""
    if confirm != expected:
        message = f"Deleting {what} '{expected}' is irreversible; pass confirm='{expected}' to proceed"
        raise BkendError(
            "common/confirmation-required", message, [{"field": "confirm", "reason": "confirm", "message": message}]
        )
