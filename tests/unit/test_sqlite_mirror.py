"""The SQLite engine's mirror columns: which fields get them, that SQLite keeps them equal to the JSON on every
write, and that queries and indexes read them (the answers themselves are pinned by tests/contract)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bkend_mcp.store import sqlite as sqlite_store
from bkend_mcp.store.base import And, Cond, DuplicateKey, Index, Query, SortKey
from bkend_mcp.store.sqlite import SqliteCollection, SqliteStore
from bkend_mcp.store.sqlite_mirror import layout_of
from bkend_mcp.store.sqlite_schema import Names, create_index, index_spec
from bkend_mcp.store.sqlite_sql import count_sql, select_sql

TABLE = '"app.posts"'
LIST = Query(
    filter=And((Cond("published", "eq", True, scalar=True), Cond("views", "gte", 50, scalar=True))),
    sort=(SortKey("views", -1, scalar=True), SortKey("_id", -1, scalar=True)),
    limit=20,
)
VALUES = [True, False, 1, 0, None, 7, 7.5, "7", "", [1, 2], {"a": 1}, "2026-01-01T00:00:00.000Z"]


@pytest.fixture(autouse=True)
def mirror_every_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tables are small; mirror them anyway (the size rule has its own test)."""
    monkeypatch.setattr(sqlite_store, "MIRROR_MIN_ROWS", 0)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def posts(path: Path) -> Iterator[SqliteCollection]:
    store = SqliteStore(path)
    posts = store.collection("app", "posts")
    for i, value in enumerate(VALUES):
        posts.insert({"_id": f"p{i:02d}", "views": value, "published": value, "title": f"t{i}"})
    posts.insert({"_id": "missing"})
    posts.insert({"_id": "hit", "views": 60, "published": True})
    posts.insert({"_id": "one_is_not_true", "views": 70, "published": 1})
    yield posts
    store.close()


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


def _columns(path: Path) -> list[str]:
    with _raw(path) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({TABLE})")]


def _mirrors_match_json(path: Path, field: str) -> None:
    with _raw(path) as conn:
        rows = conn.execute(
            f'SELECT id, "${field}", "${field}:type", json_extract(data, ?), json_type(data, ?) FROM {TABLE}',
            (f"$.{field}", f"$.{field}"),
        ).fetchall()
    assert rows
    for doc_id, value, kind, json_value, json_kind in rows:
        assert (value, kind) == (json_value, json_kind), doc_id
        assert type(value) is type(json_value), doc_id


def test_declared_fields_a_query_reads_get_mirrors_and_others_do_not(path: Path, posts: SqliteCollection) -> None:
    posts.count(Cond("title", "eq", "t1"))
    assert "$title" not in _columns(path)
    posts.find(LIST)
    assert {"$views", "$views:type", "$published", "$published:type"} <= set(_columns(path))
    assert "$title" not in _columns(path)


def test_small_tables_read_the_json_until_they_grow_past_the_size_rule(
    path: Path, posts: SqliteCollection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "MIRROR_MIN_ROWS", 100)
    before = posts.find(LIST)
    posts.create_index(Index("by_views", (("views", -1),)))
    assert not {"$views", "$published"} & set(_columns(path))
    for i in range(100):
        posts.insert({"_id": f"grow{i:03d}", "views": 55 + i % 3, "published": i % 2 == 0})
    posts.forget_layout()
    grown = posts.find(LIST)
    assert {"$views", "$views:type", "$published", "$published:type"} <= set(_columns(path))
    assert [doc["_id"] for doc in grown if not doc["_id"].startswith("grow")] == [doc["_id"] for doc in before]
    _mirrors_match_json(path, "views")
    plan = " ".join(
        row[3] for row in _raw(path).execute(f'EXPLAIN QUERY PLAN SELECT id FROM {TABLE} ORDER BY "$views" DESC')
    )
    assert "by_views" in plan  # the index was rebuilt on the new column


def test_mirrors_equal_the_json_after_backfill_inserts_updates_and_unsets(path: Path, posts: SqliteCollection) -> None:
    posts.count(LIST.filter)
    _mirrors_match_json(path, "views")
    posts.insert({"_id": "late", "views": 3, "published": True})
    posts.update("p00", {"views": "now text"}, ["published"])
    posts.update("p01", {"views": {"nested": [1]}})
    _mirrors_match_json(path, "views")
    _mirrors_match_json(path, "published")
    posts.unset_everywhere("views")
    _mirrors_match_json(path, "views")


def test_writes_through_plain_sql_keep_mirrors_exact(path: Path, posts: SqliteCollection) -> None:
    """Another process or an older build writes only `data`; the triggers keep the mirrors right."""
    posts.count(LIST.filter)
    with _raw(path) as conn:
        conn.execute(f"INSERT INTO {TABLE} (id, data) VALUES ('raw', '{{\"views\": 99, \"published\": true}}')")
        conn.execute(f"UPDATE {TABLE} SET data = json_set(data, '$.views', 'x') WHERE id = 'p05'")
    _mirrors_match_json(path, "views")
    assert posts.count(Cond("views", "eq", 99, scalar=True)) == 1


def test_list_query_reads_columns_not_json(path: Path, posts: SqliteCollection) -> None:
    posts.find(LIST)
    layout = layout_of(_columns(path))
    for statement in (select_sql(TABLE, LIST, layout), count_sql(TABLE, LIST.filter, layout)):
        assert "json_" not in statement.sql


def test_index_named_before_any_query_is_built_on_mirror_columns_and_used(path: Path, posts: SqliteCollection) -> None:
    posts.create_index(Index("by_published_views", (("published", 1), ("views", -1))))
    with _raw(path) as conn:
        (definition,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'app.posts:by_published_views'")
        assert '"$views" DESC' in definition[0]
        layout = layout_of(_columns(path))
        count = count_sql(TABLE, LIST.filter, layout)
        plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + count.sql, count.params))
    assert "COVERING INDEX app.posts:by_published_views" in plan


def test_index_from_before_mirrors_is_rebuilt_on_them_and_stays_unique(path: Path, posts: SqliteCollection) -> None:
    index = Index("by_title", (("title", 1),), unique=True, sparse=True)
    with _raw(path) as conn:  # as an older build left it: expressions over the JSON
        for statement in create_index(Names("app", "posts"), index):
            conn.execute(statement)
        conn.execute("INSERT INTO bk_indexes VALUES ('app', 'posts', 'by_title', ?)", (index_spec(index),))
    assert posts.count(Cond("title", "eq", "t3", scalar=True)) == 1
    with _raw(path) as conn:
        definitions = [row[0] for row in conn.execute("SELECT sql FROM sqlite_master WHERE name LIKE '%by_title%'")]
    assert len(definitions) == 2 and all('"$title' in sql and "json_" not in sql for sql in definitions)
    with pytest.raises(DuplicateKey):
        posts.insert({"_id": "again", "title": "t3"})


def test_mirrors_survive_reopen_and_serve_a_second_handle(path: Path, posts: SqliteCollection) -> None:
    posts.find(LIST)
    other = SqliteStore(path)
    try:
        again = other.collection("app", "posts")
        assert again.find(LIST) == posts.find(LIST)
        assert [doc["_id"] for doc in again.find(LIST)] == ["hit"]
    finally:
        other.close()


def test_table_dropped_and_made_again_by_another_handle_is_read_without_its_old_mirrors(
    path: Path, posts: SqliteCollection
) -> None:
    assert [doc["_id"] for doc in posts.find(LIST)] == ["hit"]
    other = SqliteStore(path)
    try:
        other.drop_collection("app", "posts")
        other.collection("app", "posts").insert({"_id": "new", "views": 80, "published": True})
    finally:
        other.close()
    posts.insert({"_id": "mine", "views": 90, "published": True})
    assert [doc["_id"] for doc in posts.find(LIST)] == ["mine", "new"]
    assert posts.count(LIST.filter) == 2
    _mirrors_match_json(path, "views")


def test_a_locked_file_answers_from_the_json_and_mirrors_later(
    path: Path, posts: SqliteCollection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "MIRROR_RETRY_SECONDS", 0.0)
    locked = SqliteStore(path, busy_timeout=0.05)
    try:
        waiting = locked.collection("app", "posts")
        with _raw(path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            assert [doc["_id"] for doc in waiting.find(LIST)] == ["hit"]
            assert "$views" not in _columns(path)
            conn.execute("ROLLBACK")
        assert [doc["_id"] for doc in waiting.find(LIST)] == ["hit"]
        assert "$views" in _columns(path)
    finally:
        locked.close()


def test_rows_another_handle_adds_to_a_small_table_are_noticed_within_a_second(
    path: Path, posts: SqliteCollection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small table's size is not asked on every query: once found small, it is believed for a second (its own
    inserts make it ask at once, see the test above)."""
    monkeypatch.setattr(sqlite_store, "MIRROR_MIN_ROWS", 100)
    clock = [1000.0]
    monkeypatch.setattr(sqlite_store, "monotonic", lambda: clock[0])
    posts.find(LIST)
    with _raw(path) as conn:
        rows = [(f"raw{i:03d}", f'{{"views": {i}, "published": true}}') for i in range(100)]
        conn.executemany(f"INSERT INTO {TABLE} (id, data) VALUES (?, ?)", rows)
    posts.find(LIST)
    assert "$views" not in _columns(path)
    clock[0] += sqlite_store.LAYOUT_RECHECK_SECONDS + 0.1
    assert [doc["_id"] for doc in posts.find(LIST)][:2] == ["raw099", "raw098"]
    assert {"$views", "$published"} <= set(_columns(path))
