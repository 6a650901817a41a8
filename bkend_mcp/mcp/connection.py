"""How a connection states its guardrails: flags and variables for stdio and the whole server
(`--read-only`, `BKEND_MCP_READ_ONLY`, `--project`/`BKEND_MCP_PROJECT`, `--environment`/`BKEND_MCP_ENVIRONMENT`),
and the query string of one HTTP connection (`/mcp?readOnly=true&project=shop&environment=prod&dynamic=true`).

A connection can only add restrictions to the server's: `?readOnly=false` does not lift the server's read-only
mode, and a pin that differs from the server's is refused (`mcp/pin-conflict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import parse_qs

from bkend_mcp.domain.principal import ConnectionPolicy

OFF = ("", "0", "false", "no", "off")
QUERY_KEYS = {"read_only": "readOnly", "project": "project", "environment": "environment", "dynamic": "dynamic"}


def flag(value: str | None) -> bool:
    """Off when absent or `0/false/no/off`; on for anything else, so a typo turns a guardrail on, never off."""
    return value is not None and value.strip().lower() not in OFF


def policy_from_env(environ: Mapping[str, str]) -> ConnectionPolicy:
    return ConnectionPolicy(
        read_only=flag(environ.get("BKEND_MCP_READ_ONLY")),
        project=(environ.get("BKEND_MCP_PROJECT") or "").strip() or None,
        environment=(environ.get("BKEND_MCP_ENVIRONMENT") or "").strip() or None,
    )


def query_values(query_string: str) -> dict[str, str]:
    """The first value of each guardrail parameter in an HTTP query string."""
    parsed = parse_qs(query_string)
    return {key: parsed[name][0] for key, name in QUERY_KEYS.items() if parsed.get(name)}


@lru_cache(maxsize=256)
def narrowed_by_query(policy: ConnectionPolicy, query_string: str) -> ConnectionPolicy:
    """`policy` narrowed by the guardrail parameters of an HTTP query string (remembered: a pure function, asked on
    every request; a refusal is raised again each time)."""
    values = query_values(query_string)
    return policy.narrowed(
        read_only=flag(values.get("read_only")),
        project=values.get("project", "").strip() or None,
        environment=values.get("environment", "").strip() or None,
    )
