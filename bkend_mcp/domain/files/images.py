"""Image transforms of public files with Pillow (spec/storage.md §5.2-§5.5), cached on disk.

`fit-in/WxH` scales to fit inside the box (never up unless `upscale()`); `WxH` fills the box and crops the centre
(`smart` crops the centre too: no saliency model ships here); a 0 side follows the aspect ratio. Output: `format()`
wins, else WebP when the browser accepts it and the source is JPEG or PNG, else the source format; quality 80 by
default. EXIF orientation is applied, then EXIF is dropped. Animated sources give their first frame.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps

from bkend_mcp.domain.backend import Backend
from bkend_mcp.domain.errors import BkendError
from bkend_mcp.domain.files import image_cache
from bkend_mcp.domain.files.image_options import Transform, parse
from bkend_mcp.domain.files.public import public_file

RASTER = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MAX_SOURCE_BYTES = 50 * 1024 * 1024
MAX_SOURCE_PIXELS = 100_000_000
MAX_OUTPUT_PIXELS = 25_000_000
DEFAULT_QUALITY = 80


@dataclass(frozen=True, slots=True)
class Rendered:
    path: Path
    media_type: str
    etag: str
    varies_by_accept: bool


def _output_format(transform: Transform, source: str, accept: str) -> str:
    if transform.format:
        return transform.format
    if source in ("JPEG", "PNG") and "image/webp" in accept:
        return "WEBP"
    return source


def render(backend: Backend, path: str, accept: str = "") -> Rendered | None:
    """The transformed image for an `/img/{path}` URL, or None when the URL names no option (serve the original).
    404 `file/not-found` unless the file is public; 400 `file/invalid-transform` for a non-raster source."""
    transform, key = parse(path)
    doc = public_file(backend, key)
    if transform == Transform():
        return None
    source = RASTER.get(doc["mimeType"])
    if source is None:
        raise BkendError("file/invalid-transform", f"{doc['mimeType']} files cannot be transformed")
    if doc["size"] > MAX_SOURCE_BYTES:
        raise BkendError("file/image-too-large", "The source image is larger than 50 MiB")
    output = _output_format(transform, source, accept)
    digest = hashlib.sha256(f"{transform.signature()}|{output}|{doc.get('etag')}".encode()).hexdigest()[:32]
    variant = f"{digest}.{EXTENSIONS[output]}"
    found = image_cache.lookup(backend, key, variant)
    if found is None:
        data = b"".join(backend.blobs.read(key))
        found = image_cache.store(backend, key, variant, transform_bytes(data, transform, output))
    return Rendered(found, MEDIA_TYPES[output], digest, transform.format is None and source in ("JPEG", "PNG"))


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_SOURCE_PIXELS:
            raise BkendError("file/image-too-large", "The source image has more than 100 megapixels")
        image.seek(0)
        return ImageOps.exif_transpose(image.convert("RGBA") if image.mode == "P" else image)
    except (OSError, Image.DecompressionBombError) as exc:
        raise BkendError("file/invalid-transform", "The file is not a readable image") from exc


def _box(image: Image.Image, transform: Transform) -> tuple[int, int]:
    """The target size with a 0 side derived from the aspect ratio."""
    width, height = transform.width, transform.height
    if not width:
        width = max(1, round(image.width * height / image.height))
    if not height:
        height = max(1, round(image.height * width / image.width))
    return width, height


def _resize(image: Image.Image, transform: Transform) -> Image.Image:
    if not transform.resizes:
        return image
    width, height = _box(image, transform)
    if width * height > MAX_OUTPUT_PIXELS:
        raise BkendError("file/invalid-transform", "The output would be larger than 25 megapixels")
    if transform.fit_in or not (transform.width and transform.height):
        scale = min(width / image.width, height / image.height)
        if scale >= 1 and not transform.upscale:
            return image
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        return image.resize(size, Image.Resampling.LANCZOS)
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)


def _flatten(image: Image.Image, output: str, background: str | None) -> Image.Image:
    """JPEG has no alpha: composite on the background colour (white by default)."""
    if output != "JPEG":
        return image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, background or "#ffffff")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def transform_bytes(data: bytes, transform: Transform, output: str) -> bytes:
    image = _resize(_open(data), transform)
    if transform.rotate:
        image = image.rotate(-transform.rotate, expand=True)
    if transform.grayscale:
        image = ImageOps.grayscale(image) if image.mode != "RGBA" else image.convert("LA")
    if transform.blur:
        image = image.filter(ImageFilter.GaussianBlur(transform.blur))
    image = _flatten(image, output, transform.background)
    buffer = io.BytesIO()
    image.save(buffer, output, quality=transform.quality or DEFAULT_QUALITY)
    return buffer.getvalue()
