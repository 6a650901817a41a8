"""Making a data dir read-only for a server process, even when the tests run as root.

Root ignores file modes through CAP_DAC_OVERRIDE. The brief's `user=nobody` cannot run an interpreter installed
under a private home (e.g. pyenv in /root, mode 0700), so a root test run instead starts the server as root
without the capabilities that bypass file modes: the files stay root-owned with mode 0444/0555 and the kernel
refuses every write, exactly as for an unprivileged user. Without root, `chmod` alone does it.
"""

from __future__ import annotations

import ctypes
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3
WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _drop_file_capabilities() -> None:
    """In the child before exec: remove the capabilities that ignore file modes from the bounding set, so the
    exec'd server has none of them."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def as_file_mode_bound() -> Callable[[], None] | None:
    """A `preexec_fn` under which the server obeys file modes (None when it already does)."""
    return _drop_file_capabilities if os.geteuid() == 0 else None


@contextmanager
def read_only(*roots: Path) -> Iterator[None]:
    """Every directory under `roots` 0555 and every file 0444 for the duration; the old modes afterwards."""
    paths = [path for root in roots for path in (root, *root.rglob("*"))]
    modes = {path: path.stat().st_mode for path in paths}
    for path in reversed(paths):
        path.chmod(stat.S_IMODE(modes[path]) & ~WRITE_BITS)
    try:
        yield
    finally:
        for path in paths:
            path.chmod(stat.S_IMODE(modes[path]))
