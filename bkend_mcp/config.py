"""Settings, read once from the environment and the command line. Nothing here is a module-level singleton."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bkend_mcp.config_storage import StorageConfig

MCP_AUTH_MODES = ("oauth", "token", "none")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


ARGON2_DEFAULTS = (2, 19456, 1)
"""time cost, memory (KiB), parallelism: OWASP's Argon2id m=19 MiB, t=2, p=1 (decisions.md, issue #7)."""


@dataclass(frozen=True, slots=True)
class Argon2Params:
    """Password hashing cost. The default is OWASP's recommended Argon2id configuration m=19 MiB, t=2, p=1
    (decisions.md, issue #7); RFC 9106's t=3, m=64 MiB, p=4 of spec/auth.md §4.1 is one setting away."""

    time_cost: int = ARGON2_DEFAULTS[0]
    memory_kib: int = ARGON2_DEFAULTS[1]
    parallelism: int = ARGON2_DEFAULTS[2]


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where app-user mail goes. Without a host every mail is stored in the environment's outbox instead."""

    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "bkend <no-reply@localhost>"
    tls: str = "starttls"
    """`starttls`, `ssl` or `off`."""


def _smtp_from_env() -> SmtpSettings | None:
    host = os.environ.get("BKEND_SMTP_HOST")
    if not host:
        return None
    tls = os.environ.get("BKEND_SMTP_TLS", "starttls").lower()
    tls = {"true": "starttls", "1": "starttls", "false": "off", "0": "off"}.get(tls, tls)
    if tls not in ("starttls", "ssl", "off"):
        raise ValueError("BKEND_SMTP_TLS must be 'starttls', 'ssl' or 'off'")
    return SmtpSettings(
        host=host,
        port=_int("BKEND_SMTP_PORT", 465 if tls == "ssl" else 587),
        user=os.environ.get("BKEND_SMTP_USER") or None,
        password=os.environ.get("BKEND_SMTP_PASSWORD") or None,
        sender=os.environ.get("BKEND_SMTP_FROM") or "bkend <no-reply@localhost>",
        tls=tls,
    )


def _argon2_from_env() -> Argon2Params:
    return Argon2Params(
        time_cost=_int("BKEND_ARGON2_TIME_COST", ARGON2_DEFAULTS[0]),
        memory_kib=_int("BKEND_ARGON2_MEMORY_KIB", ARGON2_DEFAULTS[1]),
        parallelism=_int("BKEND_ARGON2_PARALLELISM", ARGON2_DEFAULTS[2]),
    )


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class Config:
    data_dir: Path = Path(".bkend")
    mongodb_uri: str | None = None
    mongodb_timeout_ms: int = 10_000
    """How long finding a MongoDB server and opening a connection may take before a request fails with
    `storage/unavailable` (`BKEND_MONGODB_TIMEOUT_MS`); an open connection waits up to six times as long."""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    max_page_size: int = 100
    response_envelope: str = "bare"
    master_key: str | None = None
    jwt_secret: str | None = None
    worker_threads: int = 32
    mcp_auth: str = "oauth"
    """How `/mcp` and `/sse` authenticate: `oauth` (OAuth access tokens and PATs), `token` (PATs only), `none`."""
    mcp_http_stateful: bool = False
    mcp_auto_approve: bool = False
    mcp_allowed_hosts: tuple[str, ...] = ()
    rate_limits: bool = True
    """`BKEND_RATE_LIMITS=off` switches every app-user rate limit and lockout off (compat C25)."""
    smtp: SmtpSettings | None = None
    argon2: Argon2Params = field(default_factory=Argon2Params)
    storage: StorageConfig = field(default_factory=StorageConfig)
    """Files and blobs: `BKEND_STORAGE_*`, `BKEND_S3_*` (see `config_storage.py`)."""
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
            "mongodb_timeout_ms": _int("BKEND_MONGODB_TIMEOUT_MS", 10_000),
            "host": os.environ.get("BKEND_HOST", "127.0.0.1"),
            "port": _int("BKEND_PORT", 8000),
            "public_url": os.environ.get("BKEND_PUBLIC_URL") or None,
            "max_body_bytes": _int("BKEND_MAX_BODY_BYTES", 1024 * 1024),
            "response_envelope": os.environ.get("BKEND_RESPONSE_ENVELOPE", "bare"),
            "master_key": os.environ.get("BKEND_MASTER_KEY") or None,
            "jwt_secret": os.environ.get("BKEND_JWT_SECRET") or None,
            "worker_threads": _int("BKEND_WORKER_THREADS", 32),
            "mcp_auth": os.environ.get("BKEND_MCP_AUTH", "oauth"),
            "mcp_http_stateful": _flag("BKEND_MCP_HTTP_STATEFUL"),
            "mcp_auto_approve": _flag("BKEND_MCP_AUTO_APPROVE"),
            "mcp_allowed_hosts": tuple(
                h.strip() for h in os.environ.get("BKEND_MCP_ALLOWED_HOSTS", "").split(",") if h.strip()
            ),
            "rate_limits": os.environ.get("BKEND_RATE_LIMITS", "on").strip().lower() not in ("off", "false", "0", "no"),
            "smtp": _smtp_from_env(),
            "argon2": _argon2_from_env(),
            "storage": StorageConfig.from_env(),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["response_envelope"] not in ("bare", "wrapped"):
            raise ValueError("BKEND_RESPONSE_ENVELOPE must be 'bare' or 'wrapped'")
        config = cls(**values)  # type: ignore[arg-type]
        config.check_mcp_auth()
        return config

    @property
    def on_loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS

    def check_mcp_auth(self) -> None:
        """`BKEND_MCP_AUTH=none` hands the local owner's rights to whoever connects: loopback only."""
        if self.mcp_auth not in MCP_AUTH_MODES:
            raise ValueError(f"BKEND_MCP_AUTH must be one of {', '.join(MCP_AUTH_MODES)}")
        if self.mcp_auth == "none" and not self.on_loopback:
            raise ValueError("BKEND_MCP_AUTH=none is only allowed when bound to a loopback address (127.0.0.1)")
