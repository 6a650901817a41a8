"""`examples/agent-walkthrough.md` replayed: every ```json call block goes, in order, through the MCP SDK's stdio
client to a fresh `bkend-mcp mcp`, and the ```json result block after it must match (the rules are on the page)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.examples.conftest import EXAMPLES
from tests.mcp.test_acceptance_transports import stdio

WALKTHROUGH = EXAMPLES / "agent-walkthrough.md"
BLOCK = re.compile(r"```json (call|result)\n(.*?)```", re.S)
ANY = "…"
CAPTURE = re.compile(r"^\{\{(\w+)\}\}$")


def steps() -> list[tuple[dict[str, Any], Any]]:
    """(call, expected result) pairs in page order; every call must be followed by its result."""
    blocks = [(kind, json.loads(text)) for kind, text in BLOCK.findall(WALKTHROUGH.read_text())]
    kinds = [kind for kind, _ in blocks]
    assert kinds == ["call", "result"] * (len(blocks) // 2), f"calls and results must alternate: {kinds}"
    return [(blocks[i][1], blocks[i + 1][1]) for i in range(0, len(blocks), 2)]


def substitute(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, str) and (found := CAPTURE.match(value)):
        return names[found.group(1)]
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    return value


def match(expected: Any, actual: Any, names: dict[str, Any], where: str = "$") -> None:
    """Assert `actual` has the key parts of `expected`, remembering `{{name}}` captures."""
    if expected == ANY:
        return
    if isinstance(expected, str) and (found := CAPTURE.match(expected)):
        name = found.group(1)
        if name in names:
            assert actual == names[name], f"{where}: {actual!r} is not {{{{{name}}}}} = {names[name]!r}"
        else:
            names[name] = actual
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: no key {key!r} in {sorted(actual)}"
            match(value, actual[key], names, f"{where}.{key}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        open_ended = bool(expected) and expected[-1] == ANY
        shown = expected[:-1] if open_ended else expected
        if open_ended:
            assert len(actual) >= len(shown), f"{where}: {len(actual)} items, expected at least {len(shown)}"
        else:
            assert len(actual) == len(shown), f"{where}: {len(actual)} items, expected {len(shown)}: {actual!r}"
        for i, item in enumerate(shown):
            match(item, actual[i], names, f"{where}[{i}]")
        return
    assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_walkthrough_has_the_promised_steps() -> None:
    tools = [call["tool"] for call, _ in steps()]
    assert {"get_context", "create_table", "manage_users", "insert_data", "query_data", "aggregate_data",
            "manage_api_keys"} <= set(tools)  # fmt: skip


def test_every_walkthrough_call_gives_the_documented_result(tmp_path: Path) -> None:
    async def replay() -> None:
        names: dict[str, Any] = {}
        async with stdio(tmp_path / "data") as client:
            for number, (call, expected) in enumerate(steps(), start=1):
                result = await client.call_tool(call["tool"], substitute(call["arguments"], names))
                actual = result.structured_content or {}
                label = f"step {number} ({call['tool']})"
                assert result.is_error == ("error" in expected), f"{label}: isError={result.is_error}: {actual}"
                try:
                    match(expected, actual, names)
                except AssertionError as error:
                    pytest.fail(f"{label}: {error}\nactual: {json.dumps(actual)[:2000]}", pytrace=False)

    anyio.run(replay)


def test_the_matcher_is_strict_where_the_page_says() -> None:
    names: dict[str, Any] = {}
    match({"a": "{{x}}", "b": [1, ANY]}, {"a": 5, "b": [1, 2, 3], "c": 0}, names)
    assert names == {"x": 5}
    for expected, actual in (({"a": [1]}, {"a": [1, 2]}), ({"a": "{{x}}"}, {"a": 6}), ({"z": 1}, {"a": 1})):
        with pytest.raises(AssertionError):
            match(expected, actual, names)
