"""Benchmark: the embedded SQLite DocumentStore against raw sqlite3 doing the same work on the same machine.

    python tests/bench/bench_store.py [--records 100000] [--out tests/bench/results/store.json]

Both sides use one WAL database file with `synchronous=NORMAL`, the same table layout (`id`, `data` JSON without
`_id`) and the same expression index on (status ASC, score DESC). Measured:

- single inserts/s, each its own transaction (the whole load, in alternating chunks so both see the same machine);
- indexed filter + sort + top-20 queries/s (`status = ?` ORDER BY score DESC LIMIT 20, documents decoded), also
  with the `_id` tie-breaker the API always adds;
- filtered counts/s (`status = ?`, and `status = ? AND score > ?`);
- an unindexed list page with its total (issue #7's list: `published = true AND views >= ?`, sorted by views
  descending with the `_id` tie-breaker, top 20, plus the count), the engine's declared scalar fields against raw
  sqlite3 on real typed columns beside the JSON (PocketBase's layout), built after the load and not timed.

The engine must stay within 2x of raw on each (`ratio` = raw / engine). Exit status 1 when it does not.
"""

from __future__ import annotations

import argparse
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bkend_mcp.store.base import And, Cond, Index, Query, SortKey
from bkend_mcp.store.sqlite import SqliteStore

STATUSES = ("draft", "open", "review", "closed", "archived")
TARGET_RATIO = 2.0
ROUNDS = 3
ROUND_SECONDS = 0.7

RAW_TABLE = '"bench.records"'
RAW_DDL = (
    f"CREATE TABLE {RAW_TABLE} (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL)",
    f'CREATE INDEX "bench.records:by_status_score" ON {RAW_TABLE} '
    "(json_extract(data, '$.status') ASC, json_extract(data, '$.score') DESC)",
)
RAW_INSERT = f"INSERT INTO {RAW_TABLE} (id, data) VALUES (?, ?)"
RAW_TOP = (
    f"SELECT id, data FROM {RAW_TABLE} WHERE json_extract(data, '$.status') = ? "
    "ORDER BY json_extract(data, '$.score') DESC LIMIT ?"
)
RAW_TOP_TIEBREAK = (
    f"SELECT id, data FROM {RAW_TABLE} WHERE json_extract(data, '$.status') = ? "
    "ORDER BY json_extract(data, '$.score') DESC, id ASC LIMIT ?"
)
RAW_COUNT = f"SELECT count(*) FROM {RAW_TABLE} WHERE json_extract(data, '$.status') = ?"
RAW_COLUMNS = (
    'CREATE TABLE "bench.columns" (id TEXT PRIMARY KEY NOT NULL, data TEXT NOT NULL, published, views)',
    f"INSERT INTO \"bench.columns\" SELECT id, data, json_extract(data, '$.published'), "
    f"json_extract(data, '$.views') FROM {RAW_TABLE}",
)
RAW_LIST = (
    'SELECT id, data FROM "bench.columns" WHERE published = 1 AND views >= ? ORDER BY views DESC, id DESC LIMIT 20'
)
RAW_LIST_TOTAL = 'SELECT count(*) FROM "bench.columns" WHERE published = 1 AND views >= ?'
RAW_COUNT_RANGE = (
    f"SELECT count(*) FROM {RAW_TABLE} WHERE json_extract(data, '$.status') = ? "
    "AND json_extract(data, '$.score') > ? AND json_extract(data, '$.score') < ''"
)


def make_records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "_id": f"r{i:08d}",
            "status": rng.choice(STATUSES),
            "score": rng.randrange(1_000_000),
            "title": f"Record number {i}",
            "owner": f"user{rng.randrange(1000)}",
            "tags": rng.sample(["red", "green", "blue", "urgent", "later"], 2),
            "createdAt": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T10:00:00.000Z",
            "views": rng.randrange(100_000),
            "published": rng.random() < 0.5,
        }
        for i in range(count)
    ]


class Raw:
    """Raw sqlite3: what the engine is measured against."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        for statement in RAW_DDL:
            self.conn.execute(statement)

    def insert(self, doc: dict[str, Any]) -> None:
        body = orjson.dumps({k: v for k, v in doc.items() if k != "_id"}).decode()
        self.conn.execute(RAW_INSERT, (doc["_id"], body))

    def top(self, status: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(RAW_TOP, (status, 20)).fetchall()
        return [{"_id": doc_id, **orjson.loads(data)} for doc_id, data in rows]

    def top_tiebreak(self, status: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(RAW_TOP_TIEBREAK, (status, 20)).fetchall()
        return [{"_id": doc_id, **orjson.loads(data)} for doc_id, data in rows]

    def count(self, status: str) -> int:
        return self.conn.execute(RAW_COUNT, (status,)).fetchone()[0]

    def count_range(self, status: str, score: int) -> int:
        return self.conn.execute(RAW_COUNT_RANGE, (status, score)).fetchone()[0]

    def list_page(self, views: int) -> tuple[list[dict[str, Any]], int]:
        rows = self.conn.execute(RAW_LIST, (views,)).fetchall()
        total = self.conn.execute(RAW_LIST_TOTAL, (views,)).fetchone()[0]
        return [{"_id": doc_id, **orjson.loads(data)} for doc_id, data in rows], total

    def plan(self) -> str:
        return "; ".join(row[3] for row in self.conn.execute("EXPLAIN QUERY PLAN " + RAW_TOP, ("open", 20)))


def list_query(views: int) -> Query:
    published = Cond("published", "eq", True, scalar=True)
    sort = (SortKey("views", -1, scalar=True), SortKey("_id", -1, scalar=True))
    return Query(filter=And((published, Cond("views", "gte", views, scalar=True))), sort=sort, limit=20)


class Engine:
    """The DocumentStore under test."""

    def __init__(self, path: Path) -> None:
        self.store = SqliteStore(path)
        self.coll = self.store.collection("bench", "records")
        self.coll.create_index(Index("by_status_score", (("status", 1), ("score", -1))))

    def insert(self, doc: dict[str, Any]) -> None:
        self.coll.insert(doc)

    def top(self, status: str) -> list[dict[str, Any]]:
        query = Query(filter=Cond("status", "eq", status, scalar=True), sort=(SortKey("score", -1),), limit=20)
        return self.coll.find(query)

    def top_tiebreak(self, status: str) -> list[dict[str, Any]]:
        sort = (SortKey("score", -1), SortKey("_id", 1))
        return self.coll.find(Query(filter=Cond("status", "eq", status, scalar=True), sort=sort, limit=20))

    def count(self, status: str) -> int:
        return self.coll.count(Cond("status", "eq", status, scalar=True))

    def count_range(self, status: str, score: int) -> int:
        return self.coll.count(
            And((Cond("status", "eq", status, scalar=True), Cond("score", "gt", score, scalar=True)))
        )

    def list_page(self, views: int) -> tuple[list[dict[str, Any]], int]:
        query = list_query(views)
        return self.coll.find(query), self.coll.count(query.filter)


def load(engine: Engine, raw: Raw, records: list[dict[str, Any]], chunks: int = 10) -> dict[str, float]:
    """Insert every record into both, one transaction per insert, alternating chunks; inserts per second."""
    spent = {"engine": 0.0, "raw": 0.0}
    size = max(1, len(records) // chunks)
    for start in range(0, len(records), size):
        chunk = records[start : start + size]
        for name, insert in (("engine", engine.insert), ("raw", raw.insert)):
            began = time.perf_counter()
            for doc in chunk:
                insert(doc)
            spent[name] += time.perf_counter() - began
    return {name: len(records) / seconds for name, seconds in spent.items()}


def rate(run: Callable[[int], object]) -> float:
    """Calls per second of `run(i)` over one timed round (after a short warm-up)."""
    for i in range(5):
        run(i)
    calls, began = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - began) < ROUND_SECONDS:
        for _ in range(10):
            run(calls)
            calls += 1
    return calls / elapsed


def compare(engine_run: Callable[[int], object], raw_run: Callable[[int], object]) -> dict[str, float]:
    """Median rate of each side over alternating rounds."""
    engine_rates, raw_rates = [], []
    for _ in range(ROUNDS):
        engine_rates.append(rate(engine_run))
        raw_rates.append(rate(raw_run))
    return {"engine": statistics.median(engine_rates), "raw": statistics.median(raw_rates)}


def check_same_answers(engine: Engine, raw: Raw) -> None:
    for status in STATUSES:
        assert engine.top(status) == raw.top(status), status
        assert engine.top_tiebreak(status) == raw.top_tiebreak(status), status
        assert engine.count(status) == raw.count(status), status
        assert engine.count_range(status, 500_000) == raw.count_range(status, 500_000), status
    for views in (0, 50_000, 99_990):
        assert engine.list_page(views) == raw.list_page(views), views


def run(records: int, out: Path) -> bool:
    docs = make_records(records)
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        engine, raw = Engine(Path(tmp) / "engine.db"), Raw(Path(tmp) / "raw.db")
        metrics = {"single_inserts_per_s": load(engine, raw, docs)}
        for statement in RAW_COLUMNS:
            raw.conn.execute(statement)
        check_same_answers(engine, raw)
        scores = [random.Random(i).randrange(1_000_000) for i in range(64)]
        metrics["top20_filter_sort_per_s"] = compare(
            lambda i: engine.top(STATUSES[i % 5]), lambda i: raw.top(STATUSES[i % 5])
        )
        metrics["top20_with_id_tiebreak_per_s"] = compare(
            lambda i: engine.top_tiebreak(STATUSES[i % 5]), lambda i: raw.top_tiebreak(STATUSES[i % 5])
        )
        metrics["filtered_count_per_s"] = compare(
            lambda i: engine.count(STATUSES[i % 5]), lambda i: raw.count(STATUSES[i % 5])
        )
        metrics["filtered_range_count_per_s"] = compare(
            lambda i: engine.count_range(STATUSES[i % 5], scores[i % 64]),
            lambda i: raw.count_range(STATUSES[i % 5], scores[i % 64]),
        )
        views = [random.Random(i).randrange(40_000, 60_000) for i in range(64)]
        metrics["unindexed_list_page_with_total_per_s"] = compare(
            lambda i: engine.list_page(views[i % 64]), lambda i: raw.list_page(views[i % 64])
        )
        plan = raw.plan()
        engine.store.close()
        raw.conn.close()
    for name, figures in metrics.items():
        ratio = figures["raw"] / figures["engine"]
        metrics[name] = {
            "engine": round(figures["engine"], 1),
            "raw": round(figures["raw"], 1),
            "ratio": round(ratio, 3),
        }
    ok = all(figures["ratio"] <= TARGET_RATIO for figures in metrics.values())
    result = {
        "records": records,
        "target_ratio": TARGET_RATIO,
        "within_target": ok,
        "metrics": metrics,
        "query_plan": plan,
        "sqlite": sqlite3.sqlite_version,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print_table(result)
    return ok


def print_table(result: dict[str, Any]) -> None:
    print(f"{result['records']:,} records, SQLite {result['sqlite']}, Python {result['python']}")
    print(f"plan: {result['query_plan']}")
    print(f"{'metric':<32}{'engine/s':>12}{'raw/s':>12}{'raw/engine':>12}")
    for name, figures in result["metrics"].items():
        print(f"{name:<32}{figures['engine']:>12,.0f}{figures['raw']:>12,.0f}{figures['ratio']:>12.2f}")
    print("within 2x of raw" if result["within_target"] else "SLOWER than 2x raw")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "store.json")
    args = parser.parse_args(argv)
    return 0 if run(args.records, args.out) else 1


if __name__ == "__main__":
    sys.exit(main())
