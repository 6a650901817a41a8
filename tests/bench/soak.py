"""Soak and fault run against a real `bkend-mcp serve` on loopback (issue 8). Not collected by pytest.

    python tests/bench/soak.py [--seconds 180] [--workers 8]

Phases, each printing its figures:
1. unique race: N clients insert one unique value at once → exactly one 201, the rest 409;
2. PATCH race: N clients PATCH different fields of one record → no field is lost;
3. soak: steady mixed load (create, list, read, patch) for --seconds; errors (5xx, transport), RSS and open fds
   of the server before and after;
4. kill: SIGKILL the server in the middle of a write load, restart on the same data dir: every acknowledged
   (201) write is there, the unique index agrees with the data;
5. read-only data dir: start-up fails with a clear message (also as root: see tests/faults/privileges.py).
Phases 1, 2 and 5 also run in CI at small sizes (`tests/faults/`), through the same helpers.
Stops by itself; exits 1 when a phase fails.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bkend_mcp.config import Config  # noqa: E402
from bkend_mcp.domain.backend import open_backend  # noqa: E402
from bkend_mcp.domain.bootstrap import first_start  # noqa: E402
from tests import auth_testing  # noqa: E402
from tests.faults import privileges, races, serving  # noqa: E402

TABLE = {
    "tableName": "soak",
    "schema": {
        "title": {"bsonType": "string"},
        "n": {"bsonType": "int"},
        "email": {"bsonType": "string", "unique": True},
    },
    "required": ["title"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir, self.log_path, self.port = data_dir, log, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        log = self.log_path.open("ab")
        command = [
            sys.executable,
            "-m",
            "bkend_mcp",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        self.proc = subprocess.Popen([*command, "--log-level", "info"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}")
            time.sleep(0.05)  # polling for readiness
        raise RuntimeError("server did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=15)

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return -1

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))


def seed(data_dir: Path) -> tuple[dict, str]:
    backend = open_backend(Config(data_dir=data_dir))
    info = first_start(backend)
    token = auth_testing.user_token(backend, info["project"]["id"], info["environmentId"], "soak-user")
    backend.close()
    return info, token


def unique_race(base: str, sk: dict, workers: int) -> bool:
    clients = workers * 4
    codes = races.unique_race(base, sk, "soak", clients)
    ok = codes == Counter({201: 1, 409: clients - 1})
    print(f"unique race: {clients} inserts of one value → {dict(codes)} {'OK' if ok else 'FAIL'}")
    return ok


def patch_race(base: str, sk: dict, workers: int) -> bool:
    statuses, lost = races.patch_race(base, sk, "soak", clients=workers, rounds=20)
    print(f"PATCH race: 20 records × {workers} concurrent PATCHes of different fields → {dict(statuses)}, {lost} lost")
    return lost == 0 and set(statuses) == {200}


def soak(server: Server, sk: dict, user: dict, seconds: float, workers: int) -> bool:
    statuses: Counter = Counter()
    errors: list[str] = []
    ids: list[str] = []
    stop = time.monotonic() + seconds
    rss0, fd0 = server.rss_kib(), server.fds()

    def work(w: int) -> None:
        with httpx.Client(base_url=server.base, timeout=10) as client:
            i = 0
            while time.monotonic() < stop:
                i += 1
                try:
                    kind = i % 4
                    if kind == 0 or not ids:
                        r = client.post("/v1/data/soak", json={"title": f"w{w}-{i}", "n": i}, headers=user)
                        if r.status_code == 201:
                            ids.append(r.json()["id"])
                    elif kind == 1:
                        r = client.get(
                            "/v1/data/soak", params={"limit": 20, "andFilters": '{"n":{"$gte":5}}'}, headers=user
                        )
                    elif kind == 2:
                        r = client.get(f"/v1/data/soak/{ids[i % len(ids)]}", headers=user)
                    else:
                        r = client.patch(f"/v1/data/soak/{ids[i % len(ids)]}", json={"n": i}, headers=sk)
                    statuses[r.status_code] += 1
                    if r.status_code >= 500:
                        errors.append(f"{r.status_code} {r.text[:120]}")
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, range(workers)))
    rss1, fd1 = server.rss_kib(), server.fds()
    total = sum(statuses.values())
    print(
        f"soak: {seconds:.0f}s, {workers} workers, {total} requests ({total / seconds:.0f}/s), "
        f"statuses {dict(statuses)}"
    )
    print(f"soak: errors {len(errors)} {errors[:3]}")
    print(f"soak: server RSS {rss0} KiB → {rss1} KiB, open fds {fd0} → {fd1}")
    return not errors


def kill_during_writes(server: Server, sk: dict, workers: int) -> bool:
    acked: list[tuple[str, str]] = []
    stop = threading.Event()

    def write(w: int) -> None:
        with httpx.Client(base_url=server.base, timeout=5) as client:
            i = 0
            while not stop.is_set():
                i += 1
                email = f"k{w}-{i}@x"
                try:
                    r = client.post("/v1/data/soak", json={"title": "k", "email": email}, headers=sk)
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    acked.append((r.json()["id"], email))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    time.sleep(3)  # let the load run before the kill
    server.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    server.start()
    missing = [rid for rid, _ in acked if httpx.get(f"{server.base}/v1/data/soak/{rid}", headers=sk).status_code != 200]
    dup_ok = all(
        httpx.post(f"{server.base}/v1/data/soak", json={"title": "again", "email": email}, headers=sk).status_code
        == 409
        for _, email in acked[-50:]
    )
    print(
        f"kill: {len(acked)} writes acknowledged before SIGKILL, {len(acked) - len(missing)} found after restart, "
        f"unique index still refuses their values: {dup_ok}"
    )
    return not missing and dup_ok


def read_only_start(tmp: Path) -> bool:
    data_dir = tmp / "ro" / "data"
    seed(data_dir)
    try:
        with privileges.read_only(data_dir):
            proc = subprocess.run(
                serving.serve_command(data_dir, free_port()),
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=20,
                preexec_fn=privileges.as_file_mode_bound(),
            )
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        print(f"read-only data dir: exit {proc.returncode}, last line: {tail[0][:200]}")
        return proc.returncode != 0 and "Traceback" not in proc.stderr
    except subprocess.TimeoutExpired:
        print("read-only data dir: the server STARTED on a read-only data dir (ran 20 s)")
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bkend-soak-") as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        info, token = seed(data_dir)
        sk = {"x-api-key": info["secretKey"]}
        user = {"x-api-key": info["publishableKey"], "authorization": f"Bearer {token}"}
        server = Server(data_dir, tmp / "server.log")
        server.start()
        results = []
        try:
            assert httpx.post(f"{server.base}/v1/tables", json=TABLE, headers=sk).status_code == 201
            results.append(unique_race(server.base, sk, args.workers))
            results.append(patch_race(server.base, sk, args.workers))
            results.append(soak(server, sk, user, args.seconds, args.workers))
            results.append(kill_during_writes(server, sk, args.workers))
        finally:
            server.stop()
        log = (tmp / "server.log").read_text(errors="replace")
        secrets = {"sk": info["secretKey"], "pk": info["publishableKey"], "token": token}
        leaked = [name for name, value in secrets.items() if value in log]
        print(f"server log: {len(log.splitlines())} lines; secrets found in it: {leaked or 'none'}")
        results.append(not leaked)
        results.append(read_only_start(tmp))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
