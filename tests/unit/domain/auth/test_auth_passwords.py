"""Password policy and Argon2id hashing (spec/auth.md §4.1, decision D5)."""

from __future__ import annotations

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bkend_mcp.config import Argon2Params, Config
from bkend_mcp.domain.auth import passwords
from bkend_mcp.domain.auth.settings import PasswordPolicy
from bkend_mcp.domain.errors import BkendError

FAST = Argon2Params(time_cost=2, memory_kib=19456, parallelism=1)
STRICT = PasswordPolicy(
    min_length=10, require_uppercase=True, require_lowercase=True, require_numbers=True, require_special_chars=True
)


@pytest.mark.parametrize(
    ("policy", "password", "code"),
    [
        (PasswordPolicy(), "abcdefg", "auth/invalid-password-format"),
        (PasswordPolicy(), "x" * 129, "auth/invalid-password-format"),
        (PasswordPolicy(), "Password123", "auth/weak-password"),
        (PasswordPolicy(), "", "auth/validation-error"),
        (PasswordPolicy(), 12345678, "auth/validation-error"),
        (STRICT, "alllowercase1!", "auth/invalid-password-format"),
        (STRICT, "NoDigitsHere!!", "auth/invalid-password-format"),
        (STRICT, "NoSpecial1234", "auth/invalid-password-format"),
    ],
)
def test_policy_rejects(policy, password, code):
    with pytest.raises(BkendError) as caught:
        passwords.check_policy(policy, password)
    assert caught.value.code == code and caught.value.details[0]["field"] == "password"


@pytest.mark.parametrize(
    ("policy", "password"),
    [
        (PasswordPolicy(), "eight ch"),
        (PasswordPolicy(), "x" * 128),
        (PasswordPolicy(), "비밀번호는여덟글자"),
        (STRICT, "Passw0rd! long"),
        (STRICT, "Ünïcödé-1x"),
    ],
)
def test_policy_accepts(policy, password):
    assert passwords.check_policy(policy, password) == password


def test_length_counts_code_points():
    assert passwords.check_policy(PasswordPolicy(), "😀" * 8)


def test_hash_is_argon2id_with_the_configured_cost():
    stored = passwords.hash_password(FAST, "Passw0rd!")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(FAST, stored, "Passw0rd!")
    assert not passwords.verify(FAST, stored, "passw0rd!")


RFC9106_SECOND = Argon2Params(time_cost=3, memory_kib=65536, parallelism=4)
"""The former default (spec/auth.md §4.1), still available through `BKEND_ARGON2_*`."""


def test_default_cost_is_owasps_m19_t2_p1_argon2id(monkeypatch):
    for name in ("BKEND_ARGON2_TIME_COST", "BKEND_ARGON2_MEMORY_KIB", "BKEND_ARGON2_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    assert Argon2Params() == Argon2Params(time_cost=2, memory_kib=19456, parallelism=1)
    assert Config.from_env().argon2 == Argon2Params()
    assert passwords.hash_password(Argon2Params(), "Passw0rd!").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_stronger_rfc9106_cost_is_one_setting_away(monkeypatch):
    monkeypatch.setenv("BKEND_ARGON2_TIME_COST", "3")
    monkeypatch.setenv("BKEND_ARGON2_MEMORY_KIB", "65536")
    monkeypatch.setenv("BKEND_ARGON2_PARALLELISM", "4")
    assert Config.from_env().argon2 == RFC9106_SECOND


def test_a_hash_made_with_the_former_default_verifies_and_asks_for_a_rehash():
    old = passwords.hash_password(RFC9106_SECOND, "Passw0rd!")
    assert passwords.verify(Argon2Params(), old, "Passw0rd!")
    assert not passwords.verify(Argon2Params(), old, "passw0rd!")
    assert passwords.needs_rehash(Argon2Params(), old)


def test_parameters_below_owasp_are_refused():
    with pytest.raises(ValueError):
        passwords.hash_password(Argon2Params(time_cost=1, memory_kib=19456, parallelism=1), "x")
    with pytest.raises(ValueError):
        passwords.hash_password(Argon2Params(time_cost=10, memory_kib=4096, parallelism=1), "x")


def test_rehash_is_needed_when_parameters_change():
    old = passwords.hash_password(Argon2Params(time_cost=1, memory_kib=47104, parallelism=1), "Passw0rd!")
    assert passwords.needs_rehash(FAST, old)
    assert passwords.verify(FAST, old, "Passw0rd!")  # old hashes still verify
    assert not passwords.needs_rehash(FAST, passwords.hash_password(FAST, "Passw0rd!"))


def test_no_hash_never_verifies_and_garbage_hash_is_false():
    assert passwords.verify(FAST, None, passwords.DUMMY_PASSWORD) is False
    assert passwords.verify(FAST, "not-a-hash", "x") is False


def test_unknown_user_check_costs_about_as_much_as_a_real_one():
    """No enumeration by timing: a missing hash verifies a dummy hash of the same cost."""
    stored = passwords.hash_password(FAST, "Passw0rd!")
    passwords.verify(FAST, None, "warm-up")

    def median(hash_value):
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            passwords.verify(FAST, hash_value, "Wrong-pass-1")
            runs.append(time.perf_counter() - started)
        return statistics.median(runs)

    ratio = median(None) / median(stored)
    assert 0.5 < ratio < 2.0


def test_hashing_runs_on_at_most_one_thread_per_cpu_whoever_asks(monkeypatch):
    """Few fixed hashing threads bound both the CPU queue and the memory glibc keeps per thread."""
    real, seen = passwords._hasher(FAST), set()

    class Spy:
        def hash(self, password):
            seen.add(threading.current_thread().name)
            return real.hash(password)

        def verify(self, stored, password):
            seen.add(threading.current_thread().name)
            return real.verify(stored, password)

    stored = real.hash("Passw0rd!")
    monkeypatch.setattr(passwords, "_hasher", lambda params: Spy())
    with ThreadPoolExecutor(8) as callers:
        assert all(callers.map(lambda _: passwords.verify(FAST, stored, "Passw0rd!"), range(16)))
        assert all(callers.map(lambda _: passwords.hash_password(FAST, "Passw0rd!"), range(4)))
    assert 1 <= len(seen) <= (os.cpu_count() or 1)
    assert all(name.startswith("argon2") for name in seen)
