"""The image optimizer over public files (spec/storage.md §5): resize modes, formats (WebP), quality, the disk
cache, and refusals."""

from __future__ import annotations

import pytest

from tests.api.files_helpers import stored_file, upload, who
from tests.api.scenario import assert_error
from tests.blobs_testing import image_size, png


@pytest.fixture
def photo(client, env):
    """A public 400×300 PNG."""
    return stored_file(client, env, filename="photo.png")


@pytest.mark.parametrize(
    "options, expected",
    [
        ("fit-in/200x200", ("PNG", 200, 150)),
        ("fit-in/100x0", ("PNG", 100, 75)),
        ("fit-in/0x60", ("PNG", 80, 60)),
        ("fit-in/800x800", ("PNG", 400, 300)),
        ("fit-in/800x0/filters:upscale()", ("PNG", 800, 600)),
        ("300x200", ("PNG", 300, 200)),
        ("80x80/smart", ("PNG", 80, 80)),
        ("unsafe/fit-in/40x40/filters:format(jpeg):quality(50)", ("JPEG", 40, 30)),
        ("filters:format(webp)", ("WEBP", 400, 300)),
        ("fit-in/100x100/filters:grayscale():rotate(90):blur(2):unknown(1)", ("PNG", 75, 100)),
    ],
)
def test_transforms_produce_the_documented_sizes_and_formats(client, photo, options, expected):
    response = client.get(f"/img/{options}/{photo['key']}")
    assert response.status_code == 200, response.text
    assert image_size(response.content) == expected
    assert response.headers["content-type"] == f"image/{expected[0].lower()}"
    assert response.headers["cache-control"] == "public, max-age=86400"


def test_browsers_that_accept_webp_get_webp(client, photo):
    response = client.get(f"/img/fit-in/100x100/{photo['key']}", headers={"Accept": "image/avif,image/webp,*/*"})
    assert image_size(response.content) == ("WEBP", 100, 75)
    assert response.headers["vary"].startswith("Accept")


def test_quality_changes_the_bytes(client, env):
    noisy = stored_file(client, env, filename="n.jpg", contentType="image/jpeg")
    low = client.get(f"/img/filters:format(jpeg):quality(10)/{noisy['key']}").content
    high = client.get(f"/img/filters:format(jpeg):quality(95)/{noisy['key']}").content
    assert len(low) < len(high)


def test_no_options_serves_the_original(client, photo):
    assert client.get(f"/img/{photo['key']}").content == png()


def test_results_are_cached_and_revalidated(client, env, photo):
    first = client.get(f"/img/fit-in/50x50/{photo['key']}")
    cached = list((env.backend.config.data_dir / "blobs" / "img-cache").glob("*/*"))
    assert len(cached) == 1
    again = client.get(f"/img/fit-in/50x50/{photo['key']}")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert client.get(f"/img/fit-in/50x50/{photo['key']}", headers={"If-None-Match": first.headers["etag"]}) \
        .status_code == 304  # fmt: skip
    client.delete(f"/v1/files/{photo['id']}", headers=who(env, "owner"))
    assert list((env.backend.config.data_dir / "blobs" / "img-cache").glob("*/*")) == []


def test_private_images_are_not_transformed(client, env):
    private = stored_file(client, env, visibility="private")
    assert_error(client.get(f"/img/fit-in/50x50/{private['key']}").json(), 404, "file/not-found")


def test_unknown_keys_are_not_found(client, env):
    assert_error(client.get(f"/img/fit-in/50x50/{env.project_id}/dev/x/y.png").json(), 404, "file/not-found")


def test_non_images_and_bad_options_are_refused(client, env, photo):
    pdf = upload(client, who(env, "owner"), b"%PDF-1.4", filename="a.pdf", contentType="application/pdf")
    assert_error(client.get(f"/img/fit-in/50x50/{pdf['key']}").json(), 400, "file/invalid-transform")
    assert_error(client.get(f"/img/5000x10/{photo['key']}").json(), 400, "file/invalid-transform")
    assert_error(client.get(f"/img/filters:quality(500)/{photo['key']}").json(), 400, "file/invalid-transform")
    assert_error(client.get(f"/img/filters:format(bmp)/{photo['key']}").json(), 400, "file/invalid-transform")


def test_a_broken_image_is_refused(client, env):
    broken = upload(client, who(env, "owner"), b"not a png", filename="b.png")
    assert_error(client.get(f"/img/fit-in/50x50/{broken['key']}").json(), 400, "file/invalid-transform")
