"""Memory and throughput of a 100 MB multipart upload through the local blob store over HTTP. Not collected by
pytest.

    python tests/bench/bench_upload.py [--mib 100] [--part-mib 10] [--concurrency 4]

Starts `bkend-mcp serve` on a free port, uploads one file of `--mib` MiB in `--part-mib` parts (the bytes are
generated and streamed in 1 MiB chunks, so the client holds one chunk at a time), first one part after another,
then `--concurrency` parts at once; downloads it back through a signed URL; and reads the server process's
resident memory from /proc (`VmRSS` before, `VmHWM` = peak after). Bodies are streamed to disk in ~1 MiB pieces,
so the peak must stay flat: a few MiB over the idle server, whatever the file size. Writes
`tests/bench/results/upload.json`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bkend_mcp.config import Config
from bkend_mcp.domain.backend import open_backend
from bkend_mcp.domain.bootstrap import first_start

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def _chunks(seed: int, size: int) -> Iterator[bytes]:
    """`size` pseudo-random bytes in 1 MiB chunks, the same for the same seed (so the ETag can be checked)."""
    block = hashlib.sha256(str(seed).encode()).digest() * (MIB // 32)
    for offset in range(0, size, MIB):
        yield block[: min(MIB, size - offset)]


def _part_md5(seed: int, size: int) -> str:
    digest = hashlib.md5()
    for chunk in _chunks(seed, size):
        digest.update(chunk)
    return digest.hexdigest()


def _start(data_dir: Path) -> tuple[subprocess.Popen, str, str]:
    backend = open_backend(Config(data_dir=data_dir))
    info = first_start(backend)
    backend.close()
    assert info is not None
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bkend_mcp", "serve", "--port", str(port), "--data-dir", str(data_dir),
         "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, "BKEND_RATE_LIMITS": "off"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base, info["secretKey"]
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start")


def _upload(http: httpx.Client, key: str, total: int, part: int, concurrency: int) -> tuple[float, dict]:
    headers = {"x-api-key": key}
    body = {"filename": "big.mp4", "contentType": "video/mp4", "fileSize": total}
    started = http.post("/v1/files/multipart/init", json=body, headers=headers).json()
    sizes = [min(part, total - offset) for offset in range(0, total, part)]

    def put(number: int) -> dict:
        asked = {"key": started["key"], "uploadId": started["uploadId"], "partNumber": number}
        url = http.post("/v1/files/multipart/presigned-url", json=asked, headers=headers).json()["url"]
        response = httpx.put(url, content=_chunks(number, sizes[number - 1]), timeout=120)
        response.raise_for_status()
        assert response.headers["etag"].strip('"') == _part_md5(number, sizes[number - 1])
        return {"partNumber": number, "etag": response.headers["etag"]}

    clock = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        parts = list(pool.map(put, range(1, len(sizes) + 1)))
    done = http.post("/v1/files/multipart/complete", headers=headers,
                     json={"key": started["key"], "uploadId": started["uploadId"], "parts": parts})  # fmt: skip
    done.raise_for_status()
    elapsed = time.perf_counter() - clock
    file = http.get(f"/v1/files/{started['fileId']}", headers=headers).json()
    assert file["size"] == total, file
    return elapsed, file


def _download(http: httpx.Client, key: str, file: dict) -> float:
    url = http.post(f"/v1/files/{file['id']}/download-url", headers={"x-api-key": key}).json()["url"]
    clock, received = time.perf_counter(), 0
    with httpx.stream("GET", url, timeout=120, follow_redirects=True) as response:
        for chunk in response.iter_bytes():
            received += len(chunk)
    assert received == file["size"]
    return time.perf_counter() - clock


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=100)
    parser.add_argument("--part-mib", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    total, part = args.mib * MIB, args.part_mib * MIB
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, secret = _start(Path(tmp) / "data")
        try:
            with httpx.Client(base_url=base, timeout=120) as http:
                http.get("/v1/files", headers={"x-api-key": secret})  # load the file routes
                idle = _memory_kib(proc.pid)
                sequential, file = _upload(http, secret, total, part, 1)
                after_sequential = _memory_kib(proc.pid)
                parallel, _ = _upload(http, secret, total, part, args.concurrency)
                after_parallel = _memory_kib(proc.pid)
                download = _download(http, secret, file)
                after_download = _memory_kib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "file_mib": args.mib,
        "part_mib": args.part_mib,
        "server_rss_mib": {
            "idle": round(idle["VmRSS"] / 1024, 1),
            "peak_after_sequential_upload": round(after_sequential["VmHWM"] / 1024, 1),
            "peak_after_parallel_upload": round(after_parallel["VmHWM"] / 1024, 1),
            "peak_after_download": round(after_download["VmHWM"] / 1024, 1),
            "peak_over_idle": round((after_download["VmHWM"] - idle["VmRSS"]) / 1024, 1),
        },
        "throughput_mib_per_s": {
            "upload_sequential": round(args.mib / sequential, 1),
            f"upload_{args.concurrency}_parts_at_once": round(args.mib / parallel, 1),
            "download": round(args.mib / download, 1),
        },
    }
    out = ROOT / "tests" / "bench" / "results" / "upload.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
