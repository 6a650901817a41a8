"""The value rules of file storage (spec/storage.md §1.3, §1.7-§1.10): names, content types and their classes,
sizes and limits, keys, enums and metadata. Each check returns the clean value or raises the spec's code."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any
from urllib.parse import quote

import orjson

from bkend_mcp.config_storage import StorageConfig
from bkend_mcp.domain.errors import BkendError

VISIBILITIES = ("public", "private", "protected", "shared")
BUCKETS: dict[str, str] = {
    "images": "Pictures and other images",
    "documents": "PDFs, office documents and text",
    "media": "Video and audio",
    "attachments": "Anything attached to a record (the default)",
    "exports": "Data exports",
    "backups": "Backups",
    "temp": "Short-lived files",
    "avatars": "User profile pictures",
    "files": "General files",
}
"""The §1.3 union accepted as upload `category` and registration `bucket`."""
DEFAULT_BUCKET = "attachments"
TYPE_CLASSES: dict[str, tuple[str, ...]] = {
    "image": ("image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml"),
    "video": ("video/mp4", "video/webm", "video/ogg", "video/x-msvideo", "video/quicktime"),
    "audio": ("audio/mpeg", "audio/wav", "audio/x-wav", "audio/wave", "audio/ogg", "audio/aac"),
    "document": (
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "other": ("text/plain", "text/csv", "application/json", "application/zip", "application/gzip"),
}
"""The default allow-list (§1.9), by the class whose size limit applies."""
MIME_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
EXTENSIONS = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "svg": "image/svg+xml", "mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
    "avi": "video/x-msvideo", "mp3": "audio/mpeg", "wav": "audio/wav", "aac": "audio/aac", "pdf": "application/pdf",
    "txt": "text/plain", "csv": "text/csv", "json": "application/json", "zip": "application/zip",
}  # fmt: skip
"""Extension → type, to infer a missing content type (avatars, compat C20) and name keys without one."""
UNSAFE_INLINE = ("image/svg+xml", "text/html", "application/xhtml+xml", "text/xml")
"""Types always downloaded as attachments (stored-XSS guard, §3.4)."""
MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 255
MAX_KEY = 500
MAX_MIME = 100


def _fail(code: str, field: str, reason: str, message: str) -> BkendError:
    return BkendError(code, message, [{"field": field, "reason": reason, "message": message}])


def invalid(field: str, reason: str, message: str) -> BkendError:
    return _fail("common/invalid-parameters", field, reason, message)


def body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid("body", "type", "The request body must be a JSON object")
    return body


def filename(value: Any, field: str = "filename") -> str:
    """Trimmed, NFC. Over 255 characters: `file/original-name-too-long` for `originalName`, else invalid-name."""
    if not isinstance(value, str) or not value.strip():
        raise _fail("file/invalid-name", field, "required", f"'{field}' must be a non-empty string")
    text = unicodedata.normalize("NFC", value.strip())
    if len(text) > MAX_NAME:
        code = "file/original-name-too-long" if field == "originalName" else "file/invalid-name"
        raise _fail(code, field, "maxLength", f"'{field}' must be at most {MAX_NAME} characters")
    if "/" in text or "\\" in text or CONTROL.search(text) or text in (".", ".."):
        raise _fail("file/invalid-name", field, "pattern", f"'{field}' must not contain / \\ or control characters")
    return text


def normalize_mime(value: str) -> str:
    base = value.split(";", 1)[0].strip().lower()
    return MIME_ALIASES.get(base, base)


def allowed_types(config: StorageConfig) -> tuple[str, ...]:
    return config.allowed_types or tuple(t for types in TYPE_CLASSES.values() for t in types)


def content_type(value: Any, config: StorageConfig, field: str = "contentType") -> str:
    """The exact string sent (trimmed), after checking its normalized form is well-formed and allowed."""
    if not isinstance(value, str):
        raise _fail("file/invalid-format", field, "type", f"'{field}' must be a MIME type such as image/png")
    text = value.strip()
    if len(text) > MAX_MIME:
        raise _fail("file/mime-type-too-long", field, "maxLength", f"'{field}' must be at most {MAX_MIME} characters")
    normalized = normalize_mime(text)
    if not MIME.match(normalized):
        raise _fail("file/invalid-format", field, "pattern", f"'{field}' must be a MIME type such as image/png")
    if normalized not in allowed_types(config):
        raise _fail("file/invalid-format", field, "enum", f"'{normalized}' files are not allowed here")
    return text


def infer_type(name: str) -> str | None:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXTENSIONS.get(extension)


def type_class(mime: str) -> str:
    normalized = normalize_mime(mime)
    return next((cls for cls, types in TYPE_CLASSES.items() if normalized in types), "other")


def size_limit(config: StorageConfig, mime: str) -> int:
    """The most bytes an object of this type may have, single or multipart."""
    return min(config.limits.get(type_class(mime), config.limits["other"]), config.max_multipart_bytes)


def size(value: Any, config: StorageConfig, mime: str, field: str = "fileSize") -> int:
    whole = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not whole or value != int(value):
        raise invalid(field, "type", f"'{field}' must be an integer number of bytes")
    return check_size(int(value), config, mime, field)


def check_size(value: int, config: StorageConfig, mime: str, field: str = "size") -> int:
    if value < 0:
        raise _fail("file/size-negative", field, "minimum", f"'{field}' must not be negative")
    if value < config.min_bytes:
        raise _fail("file/file-too-small", field, "minimum", f"'{field}' must be at least {config.min_bytes} byte(s)")
    limit = size_limit(config, mime)
    if value > limit:
        message = f"'{field}' is {value} bytes; {type_class(mime)} files may have at most {limit} bytes"
        raise _fail("file/file-too-large", field, "maximum", message)
    return value


def choice(value: Any, field: str, options: tuple[str, ...] | dict[str, str], default: str) -> str:
    if value is None:
        return default
    if value not in options:
        raise invalid(field, "enum", f"'{field}' must be one of: {', '.join(options)}")
    return str(value)


def maybe_choice(value: Any, field: str, options: tuple[str, ...] | dict[str, str]) -> str | None:
    return None if value is None else choice(value, field, options, "")


def positive_int(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise invalid(field, "type", f"'{field}' must be a positive integer")
    return value


def metadata(value: Any) -> dict[str, Any]:
    """§1.5 metadata: known keys checked, unknown ones kept, ≤ 32 KiB in all."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("metadata", "type", "'metadata' must be an object")
    checks = {"category": 100, "description": 1000, "alt": 500, "relatedEntityId": 200}
    for name, limit in checks.items():
        item = value.get(name)
        if item is not None and (not isinstance(item, str) or len(item) > limit):
            raise invalid(f"metadata.{name}", "maxLength", f"'metadata.{name}' must be a string of ≤ {limit} chars")
    tags = value.get("tags")
    if tags is not None and (
        not isinstance(tags, list) or len(tags) > 50 or not all(isinstance(t, str) and 1 <= len(t) <= 50 for t in tags)
    ):
        raise invalid("metadata.tags", "type", "'metadata.tags' must be up to 50 strings of 1-50 characters")
    if "custom" in value and len(orjson.dumps(value["custom"])) > 16 * 1024:
        raise invalid("metadata.custom", "maxLength", "'metadata.custom' must be at most 16 KiB of JSON")
    if len(orjson.dumps(value)) > 32 * 1024:
        raise invalid("metadata", "maxLength", "'metadata' must be at most 32 KiB of JSON")
    return value


def shared_with(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 100 or not all(isinstance(u, str) and u for u in value):
        raise invalid("sharedWith", "type", "'sharedWith' must be a list of up to 100 user ids")
    return list(dict.fromkeys(value))


# --- keys ----------------------------------------------------------------------------------------------------------


def _clean_stem(text: str) -> str:
    text = re.sub(r"[^A-Za-z0-9._-]", "", re.sub(r"\s+", "-", text))
    return re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", ".", text)).strip(".")


def safe_name(name: str, mime: str) -> str:
    """§1.7: accents folded (NFKD), whitespace → `-`, only `[A-Za-z0-9._-]`, no leading dots, lower-case extension,
    ≤ 100 chars; a name with nothing left is `file` + the type's extension."""
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    stem, extension = _clean_stem(stem), re.sub(r"[^a-z0-9]", "", extension.lower())[:10]
    if not stem:
        stem = "file"
        extension = extension or next((ext for ext, t in EXTENSIONS.items() if t == normalize_mime(mime)), "bin")
    stem = stem[: 100 - len(extension) - 1] if extension else stem[:100]
    return f"{stem}.{extension}" if extension else stem


def build_key(scope: str, bucket: str, file_id: str, name: str, mime: str) -> str:
    key = f"{scope}{bucket}/{file_id}/{safe_name(name, mime)}"
    if len(key) > MAX_KEY:
        raise _fail("file/s3-key-too-long", "key", "maxLength", f"The storage key would exceed {MAX_KEY} characters")
    return key


def check_key(value: Any, scope: str, field: str = "s3Key") -> str:
    """A key given back by a client: ≤ 500 chars, no traversal, inside the caller's `{project}/{environment}/`."""
    if not isinstance(value, str) or not value:
        raise _fail("file/invalid-path", field, "required", f"'{field}' is required: the key the upload URL returned")
    if len(value) > MAX_KEY:
        raise _fail("file/s3-key-too-long", field, "maxLength", f"'{field}' must be at most {MAX_KEY} characters")
    segments = value.split("/")
    if value.startswith("/") or "\\" in value or CONTROL.search(value) or any(s in ("", ".", "..") for s in segments):
        raise _fail("file/invalid-path", field, "pattern", f"'{field}' is not a valid storage key")
    if not value.startswith(scope):
        raise _fail("file/invalid-path", field, "scope", f"'{field}' belongs to another project or environment")
    return value


def key_scope(project_id: str, environment: str) -> str:
    return f"{project_id}/{environment}/"


def content_disposition(name: str, mime: str, disposition: str = "inline") -> str:
    """RFC 6266/5987; types that could run script in the browser are always attachments."""
    kind = "attachment" if normalize_mime(mime) in UNSAFE_INLINE else disposition
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
