"""One live server with two worker processes, shared by the concurrency and regex tests of this package (each
test uses its own table): starting a server is most of their cost."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from tests.faults.serving import Seeded, seed, serving


@dataclass(frozen=True)
class Live:
    base: str
    seeded: Seeded

    def create_table(self, definition: dict) -> None:
        response = httpx.post(f"{self.base}/v1/tables", json=definition, headers=self.seeded.sk, timeout=10)
        assert response.status_code == 201, response.text


@pytest.fixture(scope="package")
def live(tmp_path_factory) -> Live:
    seeded = seed(tmp_path_factory.mktemp("live") / "data")
    with serving(seeded.data_dir, workers=2) as base:
        yield Live(base, seeded)
