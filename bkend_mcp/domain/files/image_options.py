"""The image-optimizer URL grammar (spec/storage.md §5.1-§5.3), Thumbor style:
`/img/[unsafe/][fit-in/][{W}x{H}/][smart/][filters:{name}({args})[:…]/]{key}`.

Option segments are consumed from the left; the first segment that is not one starts the key (keys start with a
project id, which never looks like an option). Unknown filters are ignored, as Thumbor does; a known filter with
bad arguments is 400 `file/invalid-transform`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bkend_mcp.domain.errors import BkendError

SIZE = re.compile(r"^(\d{1,5})x(\d{1,5})$")
FILTER = re.compile(r"([a-z_]+)\(([^()]*)\)")
MAX_SIDE = 4096
FORMATS = {"webp": "WEBP", "jpeg": "JPEG", "jpg": "JPEG", "png": "PNG", "gif": "GIF"}
HEX_COLOR = re.compile(r"^#?([0-9a-fA-F]{6})$")


@dataclass(frozen=True, slots=True)
class Transform:
    fit_in: bool = False
    width: int = 0
    height: int = 0
    smart: bool = False
    quality: int | None = None
    format: str | None = None
    blur: float | None = None
    upscale: bool = False
    grayscale: bool = False
    rotate: int = 0
    background: str | None = None

    @property
    def resizes(self) -> bool:
        return bool(self.width or self.height)

    def signature(self) -> str:
        """A stable text of every option, for cache keys and ETags."""
        return "|".join(f"{name}={getattr(self, name)}" for name in self.__slots__)  # type: ignore[attr-defined]


def _bad(message: str) -> BkendError:
    return BkendError("file/invalid-transform", message)


def _number(args: str, low: float, high: float, name: str) -> float:
    try:
        value = float(args.split(",")[0])
    except ValueError:
        raise _bad(f"{name}() takes a number") from None
    if not low <= value <= high:
        raise _bad(f"{name}() takes {low:g}-{high:g}")
    return value


def _format(args: str) -> dict[str, Any]:
    name = args.strip().lower()
    if name not in FORMATS:
        raise _bad(f"format() takes one of {', '.join(FORMATS)}")
    return {"format": FORMATS[name]}


def _rotate(args: str) -> dict[str, Any]:
    degrees = int(_number(args, 0, 270, "rotate"))
    if degrees not in (0, 90, 180, 270):
        raise _bad("rotate() takes 0, 90, 180 or 270")
    return {"rotate": degrees}


def _color(args: str) -> dict[str, Any]:
    match = HEX_COLOR.match(args.strip())
    if match is None:
        raise _bad("background_color() takes a RRGGBB colour")
    return {"background": "#" + match.group(1).lower()}


FILTERS: dict[str, Callable[[str], dict[str, Any]]] = {
    "quality": lambda a: {"quality": int(_number(a, 1, 100, "quality"))},
    "format": _format,
    "blur": lambda a: {"blur": _number(a, 0, 150, "blur")},
    "upscale": lambda a: {"upscale": True},
    "no_upscale": lambda a: {"upscale": False},
    "grayscale": lambda a: {"grayscale": True},
    "rotate": _rotate,
    "strip_exif": lambda a: {},
    "strip_icc": lambda a: {},
    "background_color": _color,
    "fill": _color,
}
"""Filter name → its argument parser, returning the options it sets."""


def _filters(segment: str, transform: Transform) -> Transform:
    for name, args in FILTER.findall(segment[len("filters:") :]):
        if name in FILTERS:
            transform = replace(transform, **FILTERS[name](args))
    return transform


def _size(match: re.Match[str], transform: Transform) -> Transform:
    width, height = int(match.group(1)), int(match.group(2))
    if width > MAX_SIDE or height > MAX_SIDE:
        raise _bad(f"Width and height must be at most {MAX_SIDE}")
    return replace(transform, width=width, height=height)


def parse(path: str) -> tuple[Transform, str]:
    """(the options, the key) of the part of an `/img/` URL after `/img/`."""
    segments = path.split("/")
    transform, index = Transform(), 0
    while index < len(segments) - 1:
        segment = segments[index]
        size = SIZE.match(segment)
        if segment == "unsafe":
            pass
        elif segment == "fit-in":
            transform = replace(transform, fit_in=True)
        elif segment == "smart":
            transform = replace(transform, smart=True)
        elif size is not None:
            transform = _size(size, transform)
        elif segment.startswith("filters:"):
            transform = _filters(segment, transform)
        else:
            break
        index += 1
    key = "/".join(segments[index:])
    if not key:
        raise BkendError("file/not-found", "No file named in this image URL")
    return transform, key
