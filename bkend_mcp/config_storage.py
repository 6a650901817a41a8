"""Storage settings (files, blobs, image transforms), read once from `BKEND_STORAGE_*`, `BKEND_S3_*` and
`BKEND_IMAGE_*` variables. `Config.storage` holds them; nothing here is a module-level singleton."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import orjson

MIB = 1024 * 1024
GIB = 1024 * MIB
DEFAULT_LIMITS: dict[str, int] = {
    "image": 10 * MIB,
    "document": 20 * MIB,
    "video": 100 * MIB,
    "audio": 100 * MIB,
    "other": 50 * MIB,
}
"""Largest object per content class (spec/storage.md §1.8); `BKEND_STORAGE_LIMITS` overrides single classes."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _on(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if not raw else raw in ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class S3Settings:
    """An S3 or S3-compatible bucket. Credentials fall back to the standard AWS chain when not given."""

    bucket: str
    region: str = "us-east-1"
    endpoint: str | None = None
    """Where the server talks to S3 (e.g. `http://minio:9000`); None = AWS."""
    public_endpoint: str | None = None
    """The endpoint presigned URLs name, reachable by browsers; default `endpoint`."""
    access_key_id: str | None = None
    secret_access_key: str | None = None
    force_path_style: bool = False
    key_prefix: str = ""
    timeout_s: float = 5.0
    """Seconds one connect or one read from the object store may take (`BKEND_S3_TIMEOUT_S`); after three tries
    (`blobs/s3.py` `S3_ATTEMPTS`) the call fails with `file/storage-unavailable`."""

    @classmethod
    def from_env(cls) -> S3Settings | None:
        bucket = os.environ.get("BKEND_S3_BUCKET")
        if not bucket:
            return None
        return cls(
            bucket=bucket,
            region=os.environ.get("BKEND_S3_REGION") or "us-east-1",
            endpoint=os.environ.get("BKEND_S3_ENDPOINT") or None,
            public_endpoint=os.environ.get("BKEND_S3_PUBLIC_ENDPOINT") or None,
            access_key_id=os.environ.get("BKEND_S3_ACCESS_KEY_ID") or None,
            secret_access_key=os.environ.get("BKEND_S3_SECRET_ACCESS_KEY") or None,
            force_path_style=_on("BKEND_S3_FORCE_PATH_STYLE", False),
            key_prefix=os.environ.get("BKEND_S3_KEY_PREFIX", ""),
            timeout_s=float(os.environ.get("BKEND_S3_TIMEOUT_S") or 5.0),
        )


@dataclass(frozen=True, slots=True)
class StorageConfig:
    backend: str = "local"
    """`local` (files under `directory`, URLs served by this server) or `s3`."""
    directory: Path | None = None
    """Local blob root; None = `<data dir>/blobs`. Also holds the image cache in either mode."""
    public_url: str | None = None
    """Base of every storage URL handed to clients; None = the server's public URL."""
    signing_secret: str | None = None
    """HMAC key of local signed URLs; None = derived from the master key (shared by every app server)."""
    upload_url_ttl: int = 900
    download_url_ttl: int = 3600
    pending_ttl: int = 86400
    """Seconds after which an upload that never completed is cleaned up."""
    sweep_seconds: int = 600
    """How often the server cleans up and registers completed uploads; 0 = never (run `bkend-mcp storage sweep`)."""
    guest_read: bool = True
    limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    allowed_types: tuple[str, ...] | None = None
    """None = the default allow-list of spec/storage.md §1.9."""
    max_multipart_bytes: int = 5 * GIB
    min_bytes: int = 1
    image_cache_max_bytes: int = GIB
    mcp_max_upload_bytes: int = 10 * MIB
    s3: S3Settings | None = None

    @classmethod
    def from_env(cls) -> StorageConfig:
        s3 = S3Settings.from_env()
        backend = os.environ.get("BKEND_STORAGE_BACKEND") or ("s3" if s3 else "local")
        if backend not in ("local", "s3"):
            raise ValueError("BKEND_STORAGE_BACKEND must be 'local' or 's3'")
        if backend == "s3" and s3 is None:
            raise ValueError("BKEND_STORAGE_BACKEND=s3 needs BKEND_S3_BUCKET")
        limits = dict(DEFAULT_LIMITS)
        limits.update({str(k): int(v) for k, v in orjson.loads(os.environ.get("BKEND_STORAGE_LIMITS") or "{}").items()})
        types = os.environ.get("BKEND_STORAGE_ALLOWED_TYPES")
        directory = os.environ.get("BKEND_STORAGE_DIR")
        return cls(
            backend=backend,
            directory=Path(directory) if directory else None,
            public_url=os.environ.get("BKEND_STORAGE_PUBLIC_URL") or None,
            signing_secret=os.environ.get("BKEND_STORAGE_SIGNING_SECRET") or None,
            upload_url_ttl=_int("BKEND_STORAGE_UPLOAD_URL_TTL", 900),
            download_url_ttl=_int("BKEND_STORAGE_DOWNLOAD_URL_TTL", 3600),
            pending_ttl=_int("BKEND_STORAGE_PENDING_TTL", 86400),
            sweep_seconds=_int("BKEND_STORAGE_SWEEP_SECONDS", 600),
            guest_read=_on("BKEND_STORAGE_GUEST_READ", True),
            limits=limits,
            allowed_types=tuple(t.strip().lower() for t in types.split(",") if t.strip()) if types else None,
            max_multipart_bytes=_int("BKEND_STORAGE_MAX_MULTIPART_BYTES", 5 * GIB),
            min_bytes=_int("BKEND_STORAGE_MIN_BYTES", 1),
            image_cache_max_bytes=_int("BKEND_IMAGE_CACHE_MAX_BYTES", GIB),
            mcp_max_upload_bytes=_int("BKEND_MCP_MAX_UPLOAD_BYTES", 10 * MIB),
            s3=s3,
        )
