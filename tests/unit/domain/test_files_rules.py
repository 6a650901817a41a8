"""The value rules of file storage (domain/files/rules.py), the image-URL grammar, and the storage settings being
documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bkend_mcp.config_storage import StorageConfig
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import rules
from bkend_mcp.domain.files.image_options import Transform, parse

ROOT = Path(__file__).resolve().parents[3]
CONFIG = StorageConfig()


@pytest.mark.parametrize(
    "name, mime, expected",
    [
        ("My Photo (1).JPG", "image/jpeg", "My-Photo-1.jpg"),
        ("..hidden.png", "image/png", "hidden.png"),
        ("résumé final.pdf", "application/pdf", "resume-final.pdf"),
        ("사진.png", "image/png", "file.png"),
        ("漢字", "image/webp", "file.webp"),
        ("a" * 300 + ".png", "image/png", "a" * 96 + ".png"),
        ("a--b..c.txt", "text/plain", "a-b.c.txt"),
    ],
)
def test_safe_name(name, mime, expected):
    assert rules.safe_name(name, mime) == expected


@pytest.mark.parametrize("value", ["image/jpg", "IMAGE/PNG", "image/jpeg; charset=binary", " text/csv "])
def test_content_types_are_checked_normalised_but_kept_as_sent(value):
    assert rules.content_type(value, CONFIG) == value.strip()


@pytest.mark.parametrize(
    "value, code",
    [(None, "file/invalid-format"), ("", "file/invalid-format"), ("png", "file/invalid-format"),
     ("application/x-sh", "file/invalid-format"), ("image/" + "x" * 100, "file/mime-type-too-long")],
)  # fmt: skip
def test_bad_content_types(value, code):
    with pytest.raises(BkendError) as caught:
        rules.content_type(value, CONFIG)
    assert caught.value.code == code


def test_the_allow_list_can_be_replaced():
    config = StorageConfig(allowed_types=("application/x-custom",))
    assert rules.content_type("application/x-custom", config) == "application/x-custom"
    with pytest.raises(BkendError):
        rules.content_type("image/png", config)


@pytest.mark.parametrize(
    "mime, limit",
    [("image/png", 10), ("application/pdf", 20), ("video/mp4", 100), ("audio/mpeg", 100), ("text/csv", 50)],
)
def test_limits_by_type_class(mime, limit):
    assert rules.size_limit(CONFIG, mime) == limit * 1024 * 1024


def test_key_checks():
    scope = "proj_a/dev/"
    assert rules.check_key("proj_a/dev/images/f/a.png", scope) == "proj_a/dev/images/f/a.png"
    for bad in ("proj_a/dev/../prod/a", "proj_a/dev//a", "proj_b/dev/a", "proj_a/dev/a\\b", "proj_a/dev/a\x00"):
        with pytest.raises(BkendError) as caught:
            rules.check_key(bad, scope)
        assert caught.value.code == "file/invalid-path", bad


def test_content_disposition_is_rfc_5987_and_never_inline_for_active_types():
    assert rules.content_disposition("naïve.png", "image/png") == (
        "inline; filename=\"nave.png\"; filename*=UTF-8''na%C3%AFve.png")  # fmt: skip
    assert rules.content_disposition("x.svg", "image/svg+xml").startswith("attachment;")


@pytest.mark.parametrize(
    "path, transform, key",
    [
        ("proj_a/dev/x.png", Transform(), "proj_a/dev/x.png"),
        ("fit-in/300x200/proj_a/x.png", Transform(fit_in=True, width=300, height=200), "proj_a/x.png"),
        ("unsafe/80x80/smart/proj_a/x.png", Transform(width=80, height=80, smart=True), "proj_a/x.png"),
        ("filters:quality(80):format(jpg)/proj_a/x.png", Transform(quality=80, format="JPEG"), "proj_a/x.png"),
        ("filters:nope(1)/proj_a/x.png", Transform(), "proj_a/x.png"),
    ],
)
def test_image_url_grammar(path, transform, key):
    assert parse(path) == (transform, key)


def test_every_storage_setting_is_documented():
    names = set(re.findall(r"BKEND_[A-Z0-9_]+", (ROOT / "bkend_mcp" / "config_storage.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    guide = (ROOT / "bkend_mcp" / "docs" / "storage.md").read_text()
    for name in sorted(names):
        assert name in readme, f"{name} is not in README.md"
        assert name in guide, f"{name} is not in docs/storage.md"
