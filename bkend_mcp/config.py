"""Settings, read once from the environment and the command line. Nothing here is a module-level singleton."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True, slots=True)
class Config:
    data_dir: Path = Path(".bkend")
    mongodb_uri: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    max_page_size: int = 100
    response_envelope: str = "bare"
    master_key: str | None = None
    jwt_secret: str | None = None
    worker_threads: int = 32
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        """Settings from `BKEND_*` variables; explicit keyword arguments (the CLI's flags) win."""
        values: dict[str, object] = {
            "data_dir": Path(os.environ.get("BKEND_DATA_DIR", ".bkend")),
            "mongodb_uri": os.environ.get("BKEND_MONGODB_URI") or None,
            "host": os.environ.get("BKEND_HOST", "127.0.0.1"),
            "port": _int("BKEND_PORT", 8000),
            "public_url": os.environ.get("BKEND_PUBLIC_URL") or None,
            "max_body_bytes": _int("BKEND_MAX_BODY_BYTES", 1024 * 1024),
            "response_envelope": os.environ.get("BKEND_RESPONSE_ENVELOPE", "bare"),
            "master_key": os.environ.get("BKEND_MASTER_KEY") or None,
            "jwt_secret": os.environ.get("BKEND_JWT_SECRET") or None,
            "worker_threads": _int("BKEND_WORKER_THREADS", 32),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["response_envelope"] not in ("bare", "wrapped"):
            raise ValueError("BKEND_RESPONSE_ENVELOPE must be 'bare' or 'wrapped'")
        return cls(**values)  # type: ignore[arg-type]
