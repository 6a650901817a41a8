"""The offline docs search behind `search_docs`: stemming, sections, BM25 order, excerpts and placeholders."""

from __future__ import annotations

import pytest

from bkend_mcp.domain.docs import EXCERPT_CHARS, DocsLibrary, search_markdown, split_sections, stem, terms


@pytest.mark.parametrize(
    ("words", "same"),
    [(("table", "tables"), True), (("create", "creating", "created"), True), (("index", "indexes"), True),
     (("query", "queries"), True), (("filter", "filters"), True), (("user", "use"), False),
     (("status", "statu"), False)],
)  # fmt: skip
def test_stemmer_maps_word_forms_together(words, same):
    assert (len({stem(w) for w in words}) == 1) is same


def test_camel_case_words_also_index_their_parts_and_stop_words_drop():
    assert terms("the andFilters") == ["andfilter", "filter"]


def test_sections_split_at_level_two_and_three_headings_outside_code_fences():
    text = "# Guide\nintro\n## Listing\nlist text\n```bash\n## not a heading\n# comment\n```\n### Paging\npages\n"
    sections = split_sections("guide.md", text)
    assert [s.section for s in sections] == ["Guide", "Listing", "Listing › Paging"]
    assert "## not a heading" in sections[1].body and "# comment" in sections[1].body
    assert {s.title for s in sections} == {"Guide"} and sections[0].path == "bkend_mcp/docs/guide.md"


def write_docs(tmp_path):
    (tmp_path / "a.md").write_text("# Data\n## Filters\nUse andFilters at {{REST_BASE_URL}}/v1/data.\n"
                                   "## Other\nNothing about it.\n")  # fmt: skip
    (tmp_path / "b.md").write_text("# Long\n## Filtering guide\n" + ("word " * 400) + "\n\nfilters here " * 3)
    return DocsLibrary("http://example.test:9", tmp_path)


def test_search_ranks_the_heading_match_first_and_fills_placeholders(tmp_path):
    found = write_docs(tmp_path).search("filters", limit=5)
    assert [r["section"] for r in found["results"]] == ["Filters", "Filtering guide"]
    assert "http://example.test:9/v1/data" in found["results"][0]["excerpt"]
    assert all(len(r["excerpt"]) <= EXCERPT_CHARS for r in found["results"])
    assert found["results"][1]["excerpt"].startswith("filters here")


def test_no_hit_renders_a_hint(tmp_path):
    found = write_docs(tmp_path).search("quokka", limit=5)
    assert found["results"] == [] and "broader" in search_markdown(found)
