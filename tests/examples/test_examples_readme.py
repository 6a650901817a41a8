"""`examples/README.md` names every example, each with a link that exists and one command that runs it."""

from __future__ import annotations

import re

from tests.examples.conftest import EXAMPLES


def test_readme_has_one_entry_per_example_with_a_command() -> None:
    text = (EXAMPLES / "README.md").read_text()
    entries = re.findall(r"^- \[[^\]]+\]\(([^)]+)\) — (.*?)(?=^- |\Z)", text, re.S | re.M)
    linked = {target for target, _ in entries}
    assert linked == {"todo-web/", "python-client/client.py", "agent-walkthrough.md", "mcp-clients/"}
    for target, description in entries:
        assert (EXAMPLES / target).exists(), target
        assert description.count("Run: `") == 1, f"{target}: one command expected"
