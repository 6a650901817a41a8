"""Listing over HTTP: filters, search, sort, select and paging as client apps use them (spec/data.md §4,
compat C8, C10-C15)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

MEALS = {
    "name": {"type": "string", "required": True},
    "kcal": {"type": "number"},
    "vegan": {"type": "boolean"},
    "day": {"type": "string"},
    "servedAt": {"type": "date"},
    "tags": {"type": "array", "itemType": "string"},
    "chef": {"type": "object", "properties": {"name": {"type": "string"}}},
}
ROWS = [
    {
        "name": "Porridge",
        "kcal": 300,
        "vegan": True,
        "day": "2026-03-01",
        "servedAt": "2026-03-01T08:00:00Z",
        "tags": ["breakfast", "warm"],
        "chef": {"name": "Ann"},
    },
    {
        "name": "Omelette",
        "kcal": 450,
        "vegan": False,
        "day": "2026-03-02",
        "servedAt": "2026-03-02T08:00:00Z",
        "tags": ["breakfast"],
        "chef": {"name": "Bob"},
    },
    {
        "name": "Salad bowl",
        "kcal": 250.5,
        "vegan": True,
        "day": "2026-03-03",
        "servedAt": "2026-03-03T12:00:00Z",
        "tags": ["lunch"],
        "chef": {"name": "Ann"},
    },
    {
        "name": "Steak",
        "kcal": 800,
        "vegan": False,
        "day": "2026-03-09",
        "servedAt": "2026-03-09T19:00:00Z",
        "tags": ["dinner"],
    },
]


@pytest.fixture
def meals(client, env):
    env.create_table("meals", MEALS)
    ids = []
    for i, row in enumerate(ROWS):
        token = env.user_token(f"u{i % 2}")
        response = client.post(
            "/v1/data/meals", json=row, headers={"x-api-key": env.pk, "authorization": f"Bearer {token}"}
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def names(client, env, query=""):
    response = client.get(f"/v1/data/meals{query}", headers={"x-api-key": env.pk})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def filters(obj):
    return quote(json.dumps(obj))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Steak", "Salad bowl", "Omelette", "Porridge"]),
        ("?sortBy=kcal&sortDirection=asc", ["Salad bowl", "Porridge", "Omelette", "Steak"]),
        ("?sort=-kcal", ["Steak", "Omelette", "Porridge", "Salad bowl"]),
        ("?sortBy=name&sortDirection=ASC&limit=2", ["Omelette", "Porridge"]),
        (f"?andFilters={filters({'vegan': True})}&sortBy=name&sortDirection=asc", ["Porridge", "Salad bowl"]),
        (f"?andFilters={filters({'vegan': 'false'})}&sortBy=name&sortDirection=asc", ["Omelette", "Steak"]),
        (
            f"?andFilters={filters({'kcal': {'$gte': '300', '$lt': 800}})}&sortBy=kcal&sortDirection=asc",
            ["Porridge", "Omelette"],
        ),
        (
            f"?andFilters={filters({'day': {'$gte': '2026-03-02', '$lte': '2026-03-08'}})}"
            "&sortBy=day&sortDirection=asc",
            ["Omelette", "Salad bowl"],
        ),
        (
            f"?andFilters={filters({'servedAt': {'$gt': '2026-03-02'}})}&sortBy=servedAt&sortDirection=asc",
            ["Omelette", "Salad bowl", "Steak"],
        ),
        (f"?andFilters={filters({'tags': 'breakfast'})}&sortBy=name&sortDirection=asc", ["Omelette", "Porridge"]),
        (f"?andFilters={filters({'chef.name': 'Ann'})}&sortBy=name&sortDirection=asc", ["Porridge", "Salad bowl"]),
        (f"?andFilters={filters({'chef': {'$exists': False}})}", ["Steak"]),
        (
            f"?andFilters={filters({'name': {'$in': ['Steak', 'Porridge']}})}&sortBy=name&sortDirection=asc",
            ["Porridge", "Steak"],
        ),
        (
            f"?andFilters={filters({'name': {'$nin': ['Steak', 'Porridge']}})}&sortBy=name&sortDirection=asc",
            ["Omelette", "Salad bowl"],
        ),
        (
            f"?andFilters={filters({'name': {'$regex': '^s', '$options': 'i'}})}&sortBy=name&sortDirection=asc",
            ["Salad bowl", "Steak"],
        ),
        (f"?andFilters={filters({'name': {'$ne': 'Steak'}, 'vegan': False})}", ["Omelette"]),
        (
            f"?orFilters={filters({'kcal': {'$lt': 260}, 'name': 'Steak'})}&sortBy=name&sortDirection=asc",
            ["Salad bowl", "Steak"],
        ),
        (
            f"?orFilters={filters([{'vegan': True, 'kcal': {'$gt': 260}}, {'name': 'Steak'}])}&sortBy=name"
            "&sortDirection=asc",
            ["Porridge", "Steak"],
        ),
        ("?andFilters[vegan]=true&andFilters[kcal][$gt]=260", ["Porridge"]),
        ("?search=BOWL", ["Salad bowl"]),
        ("?search=ann&searchType=name", []),
        ("?search=2026-03-09", ["Steak"]),
    ],
)
def test_list_filters_sort_and_search(client, env, meals, query, expected):
    assert names(client, env, query) == expected


def test_in_on_created_by_finds_each_users_rows(client, env, meals):
    query = f"?andFilters={filters({'createdBy': {'$in': ['u1']}})}&sortBy=name&sortDirection=asc"
    assert names(client, env, query) == ["Omelette", "Steak"]


def test_batch_fetch_by_ids(client, env, meals):
    query = f"?andFilters={filters({'id': {'$in': [meals[0], meals[3], 'data_unknown']}})}&sortBy=name"
    assert sorted(names(client, env, query)) == ["Porridge", "Steak"]


def test_pagination_has_six_integer_fields(client, env, meals):
    body = client.get("/v1/data/meals?page=2&limit=3", headers={"x-api-key": env.pk}).json()
    assert body["pagination"] == {"total": 4, "page": 2, "limit": 3, "totalPages": 2, "hasNext": False, "hasPrev": True}
    assert len(body["items"]) == 1


def test_page_past_the_end_is_empty_with_totals(client, env, meals):
    body = client.get("/v1/data/meals?page=9&limit=3", headers={"x-api-key": env.pk}).json()
    assert body["items"] == [] and body["pagination"]["total"] == 4 and body["pagination"]["totalPages"] == 2


def test_offset_compat_maps_to_a_page(client, env, meals):
    body = client.get(
        "/v1/data/meals?offset=2&limit=2&sortBy=kcal&sortDirection=asc", headers={"x-api-key": env.pk}
    ).json()
    assert [i["name"] for i in body["items"]] == ["Omelette", "Steak"]
    assert body["pagination"]["page"] == 2


def test_select_keeps_system_fields(client, env, meals):
    body = client.get("/v1/data/meals?select=name&limit=1", headers={"x-api-key": env.pk}).json()
    assert set(body["items"][0]) == {"id", "name", "createdBy", "createdAt", "updatedAt"}
    one = client.get(f"/v1/data/meals/{meals[0]}?select=kcal", headers={"x-api-key": env.pk}).json()
    assert set(one) == {"id", "kcal", "createdBy", "createdAt", "updatedAt"}


def test_numbers_keep_their_form(client, env, meals):
    response = client.get("/v1/data/meals?sortBy=kcal&sortDirection=asc", headers={"x-api-key": env.pk})
    assert '"kcal":250.5' in response.text and '"kcal":300,' in response.text and "300.0" not in response.text


def test_a_filter_number_too_large_for_a_float_is_a_400_naming_it(client, env, meals):
    huge = "1" + "0" * 400  # valid JSON; beyond what any engine stores
    query = quote('{"kcal": {"$gt": ' + huge + "}}")
    response = client.get(f"/v1/data/meals?andFilters={query}", headers={"x-api-key": env.pk})
    assert response.status_code == 400, response.text
    assert [(d["field"], d["reason"]) for d in response.json()["error"]["details"]] == [
        ("andFilters.kcal.$gt", "range")
    ]


def test_string_column_keeps_date_like_text(client, env, meals):
    one = client.get(f"/v1/data/meals/{meals[0]}", headers={"x-api-key": env.pk}).json()
    assert one["day"] == "2026-03-01"
    assert one["servedAt"] == "2026-03-01T08:00:00.000Z"


def test_wrapped_envelope_is_opt_in(tmp_path, meals, env):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from bkend_mcp.rest.app import create_app

    env.backend.config = replace(env.backend.config, response_envelope="wrapped")
    with TestClient(create_app(env.backend.config, env.backend)) as wrapped:
        body = wrapped.get("/v1/data/meals?limit=1", headers={"x-api-key": env.pk}).json()
    assert body["success"] is True and body["data"]["pagination"]["total"] == 4
