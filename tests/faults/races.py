"""Concurrent clients against a live server, shared by the CI tests and `tests/bench/soak.py`: every client
starts at the same barrier, so the requests really overlap."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

TIMEOUT = 10.0


def together(clients: int, call: Any) -> list[Any]:
    """`call(i)` from `clients` threads released at once; the results in order."""
    barrier = threading.Barrier(clients)

    def run(i: int) -> Any:
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(run, range(clients)))


def unique_race(base: str, headers: dict[str, str], table: str, clients: int) -> Counter:
    """`clients` inserts of one value into the unique column `email`; their status codes."""

    def insert(i: int) -> int:
        body = {"title": f"r{i}", "email": "same@race.test"}
        return httpx.post(f"{base}/v1/data/{table}", json=body, headers=headers, timeout=TIMEOUT).status_code

    return Counter(together(clients, insert))


def patch_race(base: str, headers: dict[str, str], table: str, clients: int, rounds: int) -> tuple[Counter, int]:
    """Per round, one new record PATCHed by `clients` clients at once, each setting its own field. The status
    codes, and how many fields the final records miss."""
    statuses: Counter = Counter()
    lost = 0
    for round_ in range(rounds):
        created = httpx.post(f"{base}/v1/data/{table}", json={"title": f"p{round_}"}, headers=headers, timeout=TIMEOUT)
        record_id = created.json()["id"]
        fields = [f"f{i}" for i in range(clients)]

        def patch(i: int, record_id: str = record_id, fields: list[str] = fields) -> int:
            url = f"{base}/v1/data/{table}/{record_id}"
            return httpx.patch(url, json={fields[i]: fields[i]}, headers=headers, timeout=TIMEOUT).status_code

        statuses.update(together(clients, patch))
        final = httpx.get(f"{base}/v1/data/{table}/{record_id}", headers=headers, timeout=TIMEOUT).json()
        lost += sum(1 for name in fields if final.get(name) != name)
    return statuses, lost
