"""The deployment's master key and what is derived from it: encryption at rest and token signing keys.

The master key comes from `BKEND_MASTER_KEY` (hex, 32+ bytes) or, in zero-setup mode, from `<data-dir>/master.key`,
created with 32 random bytes and mode 0600 on first start. Every app server of one deployment must share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class Keyring:
    def __init__(self, master: bytes, jwt_root: bytes | None = None):
        if len(master) < 32:
            raise ValueError("the master key must be at least 32 bytes")
        self._enc = AESGCM(_derive(master, b"bkend:encryption"))
        self._jwt_root = jwt_root or _derive(master, b"bkend:jwt")

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = self._enc.encrypt(nonce, plaintext.encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        raw = base64.urlsafe_b64decode(token.encode())
        return self._enc.decrypt(raw[:12], raw[12:], None).decode()

    def app_signing_key(self, environment_id: str) -> bytes:
        """The HS256 key of one environment's user tokens: a token minted in `dev` never verifies in `prod`."""
        return _derive(self._jwt_root, b"app:" + environment_id.encode())

    def storage_signing_key(self) -> bytes:
        """The HMAC key of the local blob store's signed URLs; shared by every app server of the deployment."""
        return _derive(self._jwt_root, b"storage:urls")

    def mcp_signing_key(self) -> bytes:
        """The HS256 key of MCP OAuth access tokens; never equal to an environment's key."""
        return _derive(self._jwt_root, b"mcp:oauth")


def _derive(key: bytes, label: bytes) -> bytes:
    return hmac.new(key, label, hashlib.sha256).digest()


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def load_keyring(data_dir: Path, master_hex: str | None, jwt_secret: str | None) -> Keyring:
    if master_hex:
        master = bytes.fromhex(master_hex)
    else:
        path = data_dir / "master.key"
        if not path.exists():
            _publish_new_key(path)
        master = bytes.fromhex(path.read_text().strip())
    return Keyring(master, jwt_secret.encode() if jwt_secret else None)


def _publish_new_key(path: Path) -> None:
    """Write a fresh key beside `path`, then link it into place, so two processes starting at once agree."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".master.key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
