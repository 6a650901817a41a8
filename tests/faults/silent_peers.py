"""Network peers that fail the two ways a remote store does: `silent` accepts connections and never answers (a
hung MongoDB or S3), `closed_port` has nobody listening (a dead one)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def silent() -> Iterator[int]:
    """A loopback port that accepts every connection, reads nothing back and never answers; closed afterwards."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # so the accepting thread sees `stopping` promptly
    held: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stopping.set()
        listener.close()
        thread.join(timeout=5)  # first: a connection accepted just before the close must be in `held` too
        for conn in held:
            conn.close()


def closed_port() -> int:
    """A loopback port nobody listens on (connecting is refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
