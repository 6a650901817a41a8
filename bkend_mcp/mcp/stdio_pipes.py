"""stdin and stdout as non-blocking pipes on the event loop, for the stdio transport.

The SDK's `stdio_server()` wraps the standard streams in `anyio.wrap_file`, which runs every line read, every write
and every flush in a worker thread: three thread hops per message on top of the tool's own. When stdin and stdout
are pipes (which is how an MCP client starts a server), asyncio reads and writes them without threads, and the
SDK's server loop reads and sends messages on them directly (`MessageReader`, `MessageWriter`), without the reader
and writer tasks `stdio_server()` puts in between; anything else (a terminal, a file, Windows) keeps the SDK's
streams.

Like the SDK, the protocol gets private duplicates of descriptors 0 and 1 while it runs; fd 0 then reads from the
null device and fd 1 writes to stderr, so a stray `print` cannot corrupt the wire. Both are restored on exit.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import IO, Self

import anyio
from mcp import types
from mcp.shared.message import SessionMessage

MAX_LINE_BYTES = 256 * 1024 * 1024
"""The longest message read (one JSON-RPC message is one line); the SDK's own reader has no limit."""


def usable() -> bool:
    """Whether stdin and stdout are both pipes (or sockets) on a POSIX system, served by an asyncio loop."""
    if sys.platform == "win32":
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    try:
        modes = [os.fstat(fd).st_mode for fd in (0, 1)]
        os.fstat(2)  # stray output is sent there
    except OSError:
        return False
    return all(stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) for mode in modes)


class _Closable:
    """What the SDK's loop does with either stream besides reading or sending: close it (the pipe itself is closed
    by `standard_pipes`), also as an async context manager."""

    closed = False

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


class MessageReader(_Closable):
    """The JSON-RPC messages of a pipe, as the SDK's server loop reads its stream: each line is parsed where the
    loop asks for it, as the SDK's `stdio_server` parses it (UTF-8 with replacement, then its message adapter; a line
    that does not parse is handed on as the exception, which the dispatcher logs and drops). The SDK's own
    `stdio_server` passes each line through a reader task and a memory stream first: a task switch per message."""

    def __init__(self, reader: asyncio.StreamReader):
        self.reader = reader

    def __aiter__(self) -> MessageReader:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def receive(self) -> SessionMessage | Exception:
        if self.closed:
            raise anyio.ClosedResourceError
        line = await self.reader.readline()
        if not line:
            raise anyio.EndOfStream
        try:
            message = types.jsonrpc_message_adapter.validate_json(line.decode("utf-8", errors="replace"), by_name=False)
        except Exception as exc:
            return exc
        return SessionMessage(message)


class MessageWriter(_Closable):
    """A pipe the SDK's server loop sends messages to: each is written as one line by the task that sends it, and
    `send` returns once the bytes are in the pipe (waiting only while the reader on the other end is behind). The
    SDK's `stdio_server` hands each message to a writer task first."""

    def __init__(self, writer: asyncio.StreamWriter):
        self.writer = writer

    async def send(self, message: SessionMessage) -> None:
        if self.closed:
            raise anyio.ClosedResourceError
        text = message.message.model_dump_json(by_alias=True, exclude_unset=True)
        self.writer.write(text.encode("utf-8") + b"\n")
        await self.writer.drain()


@asynccontextmanager
async def standard_pipes() -> AsyncIterator[tuple[MessageReader, MessageWriter]]:
    """The process's stdin and stdout as the server loop's message streams; fd 0 and 1 are diverted meanwhile
    (see the module)."""
    loop = asyncio.get_running_loop()
    wire_in, wire_out = os.dup(0), os.dup(1)
    saved_in, saved_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    files: list[IO[bytes]] = [os.fdopen(wire_in, "rb", buffering=0), os.fdopen(wire_out, "wb", buffering=0)]
    try:
        reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), files[0])
        transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, files[1])
        transport.set_write_buffer_limits(high=0)  # `drain` then waits until every byte is in the pipe, like flush
        writer = asyncio.StreamWriter(transport, protocol, None, loop)
        try:
            yield MessageReader(reader), MessageWriter(writer)
        finally:
            transport.close()
    finally:
        for fd, saved in ((0, saved_in), (1, saved_out)):
            os.dup2(saved, fd)
            os.set_blocking(fd, True)  # the pipe's blocking mode is shared with whoever started this process
            os.close(saved)
        for file in files:
            if not file.closed:
                file.close()
