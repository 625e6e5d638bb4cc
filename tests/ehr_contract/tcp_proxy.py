"""A TCP proxy on loopback in front of a real server, which a test can break: "down" refuses (closes)
every connection, "timeout" accepts and forwards nothing. Leaving a fault closes the stalled
connections, so the client's pool starts afresh."""
from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator, Literal


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Literal["up", "down", "timeout"] = "up"
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._up = asyncio.Event()
        self._up.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self._drop_all()
        if self._server is not None:
            self._server.close()

    def _drop_all(self) -> None:
        for w in list(self._writers):
            w.transport.abort()
        self._writers.clear()

    @contextlib.asynccontextmanager
    async def fault(self, mode: Literal["down", "timeout"]) -> AsyncIterator[None]:
        self.mode = mode
        self._up.clear()
        if mode == "down":
            self._drop_all()
        try:
            yield
        finally:
            self.mode = "up"
            self._drop_all()
            self._up.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "down":
            writer.transport.abort()
            return
        self._writers.add(writer)
        if self.mode == "timeout":
            await self._up.wait()   # held open, never answered; dropped when the fault ends
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while True:
                    if self.mode == "timeout":
                        await self._up.wait()
                        break
                    data = await src.read(65536)
                    if not data:
                        break
                    if self.mode == "timeout":
                        await self._up.wait()
                        break
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                dst.transport.abort()

        asyncio.ensure_future(pump(reader, up_writer))
        asyncio.ensure_future(pump(up_reader, writer))
