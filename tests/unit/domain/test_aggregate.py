"""domain/aggregate.py on both engines: groups, metrics, date units, unwind, ordering, permissions and the scan cap."""

from __future__ import annotations

import pytest

from bkend_mcp.domain import aggregate, bulk
from bkend_mcp.domain.caller import Caller
from bkend_mcp.domain.errors import BkendError

ORDERS = {
    "status": {"type": "string"},
    "total": {"type": "number"},
    "placed": {"type": "date"},
    "tags": {"type": "array", "itemType": "string"},
    "note": {"type": "string"},
}
ROWS = [
    {"status": "paid", "total": 10, "placed": "2026-01-05T10:00:00Z", "tags": ["a", "b"]},
    {"status": "paid", "total": 20.5, "placed": "2026-01-07T10:00:00Z", "tags": ["a"]},
    {"status": "open", "total": 5, "placed": "2026-02-01T00:00:00Z", "tags": []},
    {"status": "open", "placed": "2026-02-03T00:00:00Z"},
    {"total": 1, "placed": "2026-02-28T23:59:59Z", "tags": ["b", "c"]},
]


@pytest.fixture
def admin(env) -> Caller:
    env.create_table(
        "orders",
        ORDERS,
        permissions={"user": {"create": True}, "self": {"read": True, "list": True}},
        columnPermissions={"note": {"read": "admin"}},
    )
    caller = Caller(project_id=env.project_id, environment_id=env.environment_id, group="admin")
    bulk.insert_many(env.backend, caller, "orders", ROWS)
    return caller


def run(env, caller, **options):
    return aggregate.aggregate(env.backend, caller, "orders", **options)


def test_count_sum_avg_min_max_distinct_by_status(env, admin):
    result = run(
        env,
        admin,
        group_by=["status"],
        metrics=[
            {"op": "count"},
            {"op": "sum", "field": "total", "as": "revenue"},
            {"op": "avg", "field": "total"},
            {"op": "min", "field": "placed", "as": "first"},
            {"op": "max", "field": "total"},
            {"op": "distinct_count", "field": "tags"},
        ],
        sort_by="status",
        sort_direction="asc",
    )
    assert [g["key"] for g in result["groups"]] == [{"status": None}, {"status": "open"}, {"status": "paid"}]
    paid = result["groups"][2]
    assert paid == {
        "key": {"status": "paid"},
        "count": 2,
        "revenue": 30.5,
        "avg_total": 15.25,
        "first": "2026-01-05T10:00:00.000Z",
        "max_total": 20.5,
        "distinct_count_tags": 2,
    }
    assert result["groups"][1]["revenue"] == 5 and result["groups"][1]["avg_total"] == 5
    assert result["totals"]["count"] == 5 and result["totals"]["revenue"] == 36.5
    assert result["groupCount"] == 3 and result["scanned"] == 5


def test_integral_results_are_integers(env, admin):
    result = run(env, admin, filter={"status": "open"}, metrics=[{"op": "avg", "field": "total"}])
    assert result["totals"] == {"avg_total": 5} and isinstance(result["totals"]["avg_total"], int)


def test_group_by_month_week_and_day(env, admin):
    by_month = run(env, admin, group_by=[{"field": "placed", "unit": "month"}], metrics=[{"op": "count"}])
    assert {g["key"]["placed"]: g["count"] for g in by_month["groups"]} == {"2026-01": 2, "2026-02": 3}
    by_week = run(env, admin, group_by=[{"field": "placed", "unit": "week"}], metrics=[{"op": "count"}])
    assert {g["key"]["placed"]: g["count"] for g in by_week["groups"]} == {
        "2026-01-05": 2,
        "2026-01-26": 1,
        "2026-02-02": 1,
        "2026-02-23": 1,
    }
    by_day = run(env, admin, group_by=[{"field": "placed", "unit": "day"}], metrics=[{"op": "count"}], limit=2)
    assert len(by_day["groups"]) == 2 and by_day["groupCount"] == 5


def test_unwind_counts_each_array_element(env, admin):
    result = run(env, admin, unwind="tags", group_by=["tags"], metrics=[{"op": "count"}], sort_by="tags")
    assert [(g["key"]["tags"], g["count"]) for g in result["groups"]] == [("c", 1), ("b", 2), ("a", 2)]
    assert result["totals"] == {"count": 5}


def test_sort_by_metric_then_key_and_limit(env, admin):
    result = run(env, admin, group_by=["status"], metrics=[{"op": "count", "as": "n"}], limit=2)
    assert [(g["key"]["status"], g["n"]) for g in result["groups"]] == [("open", 2), ("paid", 2)]


def test_filter_narrows_the_rows(env, admin):
    result = run(env, admin, filter={"total": {"$gte": 10}}, or_filters=[{"status": "paid"}], metrics=[{"op": "count"}])
    assert result["totals"] == {"count": 2}


def test_a_self_only_user_aggregates_only_their_rows(env, admin):
    owner = Caller(project_id=env.project_id, environment_id=env.environment_id, group="user", uid="u1", role="user")
    bulk.insert_many(env.backend, owner, "orders", [{"status": "paid", "total": 100}])
    result = run(env, owner, metrics=[{"op": "sum", "field": "total"}])
    assert result["totals"] == {"sum_total": 100} and result["scanned"] == 1


def test_an_unreadable_column_cannot_be_aggregated(env, admin):
    owner = Caller(project_id=env.project_id, environment_id=env.environment_id, group="user", uid="u1", role="user")
    with pytest.raises(BkendError) as caught:
        run(env, owner, group_by=["note"], metrics=[{"op": "count"}])
    assert caught.value.code == "data/permission-denied"


def test_scan_cap_is_reported(env, admin, monkeypatch):
    monkeypatch.setattr(aggregate, "MAX_SCAN", 3)
    result = run(env, admin, metrics=[{"op": "count"}])
    assert result["totals"] == {"count": 3} and result["capped"] is True and "3" in result["warning"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        pytest.param({"metrics": []}, "metrics", id="no metrics"),
        pytest.param({"metrics": [{"op": "median", "field": "total"}]}, "metrics[0].op", id="unknown op"),
        pytest.param({"metrics": [{"op": "sum"}]}, "metrics[0].field", id="sum without field"),
        pytest.param({"metrics": [{"op": "count"}, {"op": "count"}]}, "metrics", id="same name twice"),
        pytest.param({"metrics": [{"op": "count", "as": "key"}]}, "metrics[0].as", id="reserved name"),
        pytest.param({"metrics": [{"op": "count"}], "group_by": ["a", "b", "c", "d"]}, "groupBy", id="four groups"),
        pytest.param(
            {"metrics": [{"op": "count"}], "group_by": [{"field": "placed", "unit": "year"}]},
            "groupBy[0].unit",
            id="unknown unit",
        ),
        pytest.param({"metrics": [{"op": "count"}], "group_by": ["$where"]}, "groupBy[0]", id="unsafe field"),
        pytest.param({"metrics": [{"op": "count"}], "sort_by": "nope"}, "sortBy", id="unknown sort"),
        pytest.param({"metrics": [{"op": "count"}], "limit": 1001}, "limit", id="limit too large"),
    ],
)
def test_bad_arguments_name_the_argument(env, admin, options, field):
    with pytest.raises(BkendError) as caught:
        run(env, admin, **options)
    assert caught.value.code == "data/validation-error"
    assert caught.value.details[0]["field"] == field
