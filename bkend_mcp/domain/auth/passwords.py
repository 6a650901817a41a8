"""Passwords: the environment's policy (spec/auth.md §4.1, decision D5) and Argon2id hashing.

Hashing runs wherever the domain runs: in the worker pool, never on the event loop (argon2-cffi releases the GIL
while it works). The cost comes from `Config.argon2`; the default is OWASP's recommended Argon2id configuration
(t=2, m=19 MiB, p=1, 16-byte salt, 32-byte hash; decisions.md, issue #7). RFC 9106's t=3, m=64 MiB,
p=4 (spec §4.1) is a setting away; no setting may go below OWASP's minimum (m·t ≥ 35 MiB·passes with m ≥ 7 MiB).
Stored hashes are PHC strings, so a hash made with other parameters still verifies and is replaced at the next
successful sign-in.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from bkend_mcp.config import Argon2Params
from bkend_mcp.domain.auth.common_passwords import COMMON
from bkend_mcp.domain.auth.inputs import invalid
from bkend_mcp.domain.auth.settings import PasswordPolicy

OWASP_MIN_MEMORY_KIB = 7168
OWASP_MIN_COST = 35840
"""memory (KiB) × passes of OWASP's weakest recommended configuration (m=7 MiB, t=5)."""
DUMMY_PASSWORD = "bkend-dummy-password-for-timing"
_HASHERS = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="argon2")
"""Every Argon2 computation runs on these threads, one per CPU, and the caller waits for it. More at a time would
only queue inside the CPU while each holds its memory (19 MiB by default, 64 MiB at RFC 9106's cost). Few fixed
threads also keep the memory few: glibc gives each thread that allocates its own arena and keeps a freed 19 MiB
block there (it is under the 32 MiB mmap ceiling), so 200 sign-ins on 32 pool threads grew a process by
~340 MiB, against ~60 MiB through two hashing threads."""


def _class_rules(policy: PasswordPolicy) -> list[tuple[bool, str, object]]:
    return [
        (policy.require_uppercase, "an uppercase letter", lambda s: any(c.isupper() for c in s)),
        (policy.require_lowercase, "a lowercase letter", lambda s: any(c.islower() for c in s)),
        (policy.require_numbers, "a digit", lambda s: any(c in "0123456789" for c in s)),
        (policy.require_special_chars, "a special character", lambda s: any(_special(c) for c in s)),
    ]


def _special(char: str) -> bool:
    return not char.isalnum() and (char == " " or unicodedata.category(char)[0] in "PSZ")


def check_policy(policy: PasswordPolicy, password: object, field: str = "password") -> str:
    """The password if it satisfies the policy; else 400 `auth/invalid-password-format` (length, classes) or
    `auth/weak-password` (a well-known password). Length counts Unicode code points."""
    if password is None or password == "":
        raise invalid(field, "required", f"'{field}' is required")
    if not isinstance(password, str):
        raise invalid(field, "type", f"'{field}' must be a string")
    if not policy.min_length <= len(password) <= policy.max_length:
        message = f"Password must be {policy.min_length}-{policy.max_length} characters"
        raise invalid(field, "length", message, "auth/invalid-password-format")
    missing = [name for wanted, name, test in _class_rules(policy) if wanted and not test(password)]  # type: ignore[operator]
    if missing:
        message = "Password must contain " + ", ".join(missing)
        raise invalid(field, "composition", message, "auth/invalid-password-format")
    if password.lower() in COMMON:
        raise invalid(field, "common", "This password is too common; choose another", "auth/weak-password")
    return password


def check_params(params: Argon2Params) -> Argon2Params:
    if params.memory_kib < OWASP_MIN_MEMORY_KIB or params.memory_kib * params.time_cost < OWASP_MIN_COST:
        raise ValueError(
            "Argon2 parameters are below the OWASP minimum (e.g. BKEND_ARGON2_MEMORY_KIB=19456, TIME_COST=2)"
        )
    if params.parallelism < 1:
        raise ValueError("BKEND_ARGON2_PARALLELISM must be at least 1")
    return params


@functools.lru_cache(maxsize=8)
def _hasher(params: Argon2Params) -> PasswordHasher:
    check_params(params)
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


@functools.lru_cache(maxsize=8)
def _dummy_hash(params: Argon2Params) -> str:
    return hash_password(params, DUMMY_PASSWORD)


def hash_password(params: Argon2Params, password: str) -> str:
    return _HASHERS.submit(_hasher(params).hash, password).result()


def verify(params: Argon2Params, stored_hash: str | None, password: str) -> bool:
    """True when `password` matches. With no stored hash (unknown user, password-less account) a dummy hash is
    verified instead, so the answer takes as long either way (no user enumeration by timing)."""
    try:
        target = stored_hash or _dummy_hash(params)
        return _HASHERS.submit(_hasher(params).verify, target, password).result() and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(params: Argon2Params, stored_hash: str) -> bool:
    try:
        return _hasher(params).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
