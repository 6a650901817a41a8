"""The management API contract (`bkend_mcp/docs/management-api.md`) lists every `/v1/console` route the server
answers, with its method, so the console UI can be built from the document alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bkend_mcp.rest import console
from bkend_mcp.rest.console_projects import ENV

DOC = (Path(__file__).resolve().parents[2] / "bkend_mcp" / "docs" / "management-api.md").read_text()
PARAM = re.compile(r"\{[^}]*\}")


def _normal(path: str) -> str:
    return PARAM.sub("{}", path).replace(PARAM.sub("{}", ENV), "E")


ROUTES = sorted(
    (method, _normal(path))
    for module in console.MODULES
    for path, methods in module.ROUTES.items()
    for method in methods
)


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_route_is_documented(method, path):
    assert re.search(re.escape(f"`{method} {path}") + r"[`?]", _normal(DOC)), f"{method} {path} is undocumented"
