"""The SDK's OpenTelemetry span per message is kept when a tracer provider is set up before the server is built,
and left out otherwise (nowhere for the span to go)."""

from __future__ import annotations

import pytest
from mcp.server._otel import OpenTelemetryMiddleware
from opentelemetry import trace

from bkend_mcp.domain.mcp_access import local_owner_principal
from bkend_mcp.mcp import server as mcp_server

CASES = [(None, False), (trace.NoOpTracerProvider(), True)]


@pytest.mark.parametrize(("provider", "spans"), CASES, ids=["unset", "set"])
def test_spans_follow_whether_tracing_is_set_up(backend, env, monkeypatch, provider, spans):
    if provider is not None:
        monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    owner = local_owner_principal(backend)
    built = mcp_server.build_server(backend, lambda: owner)
    assert any(isinstance(m, OpenTelemetryMiddleware) for m in built.middleware) is spans
    assert any(isinstance(m, mcp_server.Counted) for m in built.middleware)
