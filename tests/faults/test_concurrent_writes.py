"""Many clients at once against a real server with two worker processes (issue #8): one unique value has one
winner, concurrent PATCHes of different fields lose none, and parallel refreshes with one refresh token all
succeed within the grace period."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.faults.races import TIMEOUT, patch_race, together, unique_race

TABLE = {
    "tableName": "race",
    "schema": {
        "title": {"bsonType": "string"},
        "n": {"bsonType": "int"},
        "email": {"bsonType": "string", "unique": True},
    },
    "required": ["title"],
}
CLIENTS = 24
PASSWORD = "Passw0rd!"


@pytest.fixture(scope="module")
def server(live):
    live.create_table(TABLE)
    return live.base, live.seeded


def test_many_clients_inserting_one_unique_value_have_exactly_one_winner(server):
    base, seeded = server
    codes = unique_race(base, seeded.sk, "race", CLIENTS)
    assert codes == Counter({201: 1, 409: CLIENTS - 1})
    listed = httpx.get(
        f"{base}/v1/data/race", params={"andFilters": '{"email":"same@race.test"}'}, headers=seeded.sk, timeout=TIMEOUT
    )
    assert listed.json()["pagination"]["total"] == 1


def test_concurrent_patches_of_different_fields_lose_none(server):
    base, seeded = server
    statuses, lost = patch_race(base, seeded.sk, "race", clients=8, rounds=4)
    assert statuses == Counter({200: 32})
    assert lost == 0


def test_parallel_refreshes_with_one_token_all_succeed_within_grace(server):
    base, seeded = server
    body = {"email": "tabs@race.test", "password": PASSWORD, "name": "Tabs"}
    signed_up = httpx.post(f"{base}/v1/auth/email/signup", json=body, headers=seeded.pk, timeout=TIMEOUT)
    assert signed_up.status_code == 201, signed_up.text
    token = signed_up.json()["refreshToken"]

    def refresh(_: int) -> httpx.Response:
        return httpx.post(f"{base}/v1/auth/refresh", json={"refreshToken": token}, headers=seeded.pk, timeout=TIMEOUT)

    answers = together(8, refresh)
    assert [r.status_code for r in answers] == [200] * 8
    for answer in answers:
        me = httpx.get(
            f"{base}/v1/auth/me",
            headers={**seeded.pk, "authorization": f"Bearer {answer.json()['accessToken']}"},
            timeout=TIMEOUT,
        )
        assert me.status_code == 200, me.text
