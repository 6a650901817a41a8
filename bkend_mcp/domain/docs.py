"""Offline search over the docs bundled in `bkend_mcp/docs/` (the `search_docs` tool, spec/mcp-and-console.md §2.1).

Each Markdown file is split at its `##` / `###` headings (never inside code fences); every section is scored with
BM25 over lower-cased, lightly stemmed words, headings counting three times. `{{REST_BASE_URL}}` and `{{MCP_URL}}`
placeholders are filled in when the index is built, so excerpts show this server's real URLs.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
EXCERPT_CHARS = 1200
HEADING_WEIGHT = 3
K1, B = 1.5, 0.75
WORD = re.compile(r"[A-Za-z0-9]+")
CAMEL_PART = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
STOP_WORDS = frozenset(
    "a an and are as at be by can do for from how i in is it my of on or the this to what when with you your".split()
)
SUFFIX_RULES = (  # (suffix, replacement, shortest stem kept), first match wins; then a final `e` is dropped
    ("sses", "ss", 2),
    ("ies", "y", 2),
    ("ches", "ch", 2),
    ("shes", "sh", 2),
    ("xes", "x", 2),
    ("ing", "", 3),
    ("ed", "", 3),
    ("s", "", 3),
)


def stem(word: str) -> str:
    """A small English stemmer: `tables`→`tabl`, `creating`→`creat`, `indexes`→`index`, `queries`→`query`."""
    for suffix, replacement, shortest in SUFFIX_RULES:
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)] + replacement
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def terms(text: str) -> list[str]:
    """Lower-cased stems of the words; a camelCase word also yields its parts (`andFilters` → andfilter, filter)."""
    out = []
    for word in WORD.findall(text):
        parts = [word, *(p for p in CAMEL_PART.findall(word) if p.lower() != word.lower())]
        out += [stem(p.lower()) for p in parts if p.lower() not in STOP_WORDS]
    return out


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    path: str
    section: str
    body: str
    counts: Counter[str]
    length: int


def split_sections(name: str, text: str) -> list[Section]:
    """One section per `##`/`###` heading (plus the text before the first), code fences respected."""
    lines = text.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), name)
    chunks: list[tuple[str, list[str]]] = [(title, [])]
    parent, fenced = title, False
    for line in lines:
        fenced = fenced != line.lstrip().startswith("```")
        level = len(line) - len(line.lstrip("#")) if not fenced and line.startswith("#") else 0
        if level in (2, 3) and line[level : level + 1] == " ":
            heading = line[level:].strip()
            parent = heading if level == 2 else parent
            chunks.append((heading if level == 2 else f"{parent} › {heading}", []))
        elif fenced or not line.startswith("# "):
            chunks[-1][1].append(line)
    sections = []
    for heading, body_lines in chunks:
        body = "\n".join(body_lines).strip()
        if body:
            words = terms(heading) * HEADING_WEIGHT + terms(title) + terms(body)
            sections.append(Section(title, f"bkend_mcp/docs/{name}", heading, body, Counter(words), len(words)))
    return sections


class DocsIndex:
    """BM25 over sections; built once from texts, read-only afterwards."""

    def __init__(self, sections: list[Section]):
        self.sections = sections
        self.average = sum(s.length for s in sections) / max(len(sections), 1)
        frequency = Counter(term for s in sections for term in s.counts)
        n = len(sections)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}

    def score(self, section: Section, query: list[str]) -> float:
        total = 0.0
        for term in query:
            tf = section.counts.get(term, 0)
            if tf:
                norm = K1 * (1 - B + B * section.length / self.average)
                total += self.idf[term] * tf * (K1 + 1) / (tf + norm)
        return total

    def search(self, query: str, limit: int) -> list[tuple[float, Section]]:
        wanted = list(dict.fromkeys(terms(query)))
        scored = [(self.score(s, wanted), s) for s in self.sections]
        return sorted((pair for pair in scored if pair[0] > 0), key=lambda pair: -pair[0])[:limit]


def excerpt(body: str, query: str) -> str:
    """At most `EXCERPT_CHARS` of the section, starting at the paragraph where a query word first appears."""
    if len(body) <= EXCERPT_CHARS:
        return body
    lowered = body.lower()
    hits = [lowered.find(w.lower()) for w in WORD.findall(query) if w.lower() not in STOP_WORDS]
    first = min((h for h in hits if h >= 0), default=0)
    start = body.rfind("\n\n", 0, first) + 1 if first > EXCERPT_CHARS // 2 else 0
    return body[start : start + EXCERPT_CHARS - 1].strip() + "…"


class DocsLibrary:
    """The bundled docs for one server (its URLs filled in), indexed lazily on the first search."""

    def __init__(self, rest_base_url: str, directory: Path = DOCS_DIR):
        self.placeholders = {"{{REST_BASE_URL}}": rest_base_url, "{{MCP_URL}}": f"{rest_base_url}/mcp"}
        self.directory = directory
        self._index: DocsIndex | None = None
        self._lock = threading.Lock()

    def index(self) -> DocsIndex:
        with self._lock:
            if self._index is None:
                sections = []
                for path in sorted(self.directory.glob("*.md")):
                    text = path.read_text(encoding="utf-8")
                    for placeholder, value in self.placeholders.items():
                        text = text.replace(placeholder, value)
                    sections += split_sections(path.name, text)
                self._index = DocsIndex(sections)
            return self._index

    def search(self, query: str, limit: int = 5) -> dict[str, Any]:
        """`{query, results: [{title, path, section, excerpt, score}]}`, best first; no match is an empty list."""
        found = self.index().search(query, limit)
        results = [
            {"title": s.title, "path": s.path, "section": s.section, "excerpt": excerpt(s.body, query),
             "score": round(score, 3)}
            for score, s in found
        ]  # fmt: skip
        return {"query": query, "results": results}


def search_markdown(found: dict[str, Any]) -> str:
    """The results as Markdown, the layout bkend's hosted `search_docs` used."""
    query, results = found["query"], found["results"]
    if not results:
        return (
            f'No documentation section matched "{query}". Try fewer or broader words (for example "filter", '
            '"create record", "api key", "permissions", "index"), or call get_context for URLs and keys.'
        )
    parts = [f'## Search Results for "{query}"']
    for r in results:
        parts.append(f"### {r['title']}\n**{r['section']}** ({r['path']})\n\n{r['excerpt']}")
    return "\n\n---\n\n".join(parts)
