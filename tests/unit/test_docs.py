"""The bundled docs keep up with the code: every error code and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bkend_mcp.domain.errors import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "bkend_mcp" / "docs"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_error_code_is_documented(code):
    assert f"`{code}`" in (DOCS / "errors.md").read_text()


def test_every_setting_is_in_the_readme():
    config = (ROOT / "bkend_mcp" / "config.py").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in sorted(set(re.findall(r"BKEND_[A-Z_]+", config))):
        if name not in ("BKEND_WORKER_THREADS",):
            assert name in readme, f"{name} is not documented in README.md"


def test_readme_links_point_at_real_docs():
    readme = (ROOT / "README.md").read_text()
    for link in re.findall(r"\]\((bkend_mcp/docs/[^)]+)\)", readme):
        assert (ROOT / link).exists(), link


def test_readme_quick_start_has_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    serve = "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && bkend-mcp serve"
    test = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && python -m pytest"
    assert serve in readme and test in readme
    assert test in (ROOT / ".ci" / "run").read_text()
