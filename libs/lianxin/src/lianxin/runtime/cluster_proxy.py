"""TCP proxies between NATS nodes, so that a node can be cut off without iptables.

Each route of an `EmbeddedNatsCluster` built with `proxied=True` goes through a `RouteProxy`:
node A dials the proxy, the proxy dials node B's route port and copies bytes both ways. To cut a
node off, every proxy on its routes (to it and from it) closes the connections it carries and
accepts new ones only to close them at once; healing lets connections through again (the nodes'
explicit routes retry on their own). The proxies run on an event loop in a thread of their own,
so the synchronous fault suite can cut and heal them from any thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

_CHUNK = 64 * 1024


class RouteProxy:
    """One listening port on loopback forwarding every connection to `target_port`."""

    def __init__(self, listen_port: int, target_port: int, host: str = "127.0.0.1") -> None:
        self.listen_port = listen_port
        self.target_port = target_port
        self.host = host
        self.cut = False
        self.refused = 0  # connections accepted and closed at once while cut
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    @property
    def connections(self) -> int:
        """Connections carried now: each counts once, however many sockets it takes."""
        return len(self._open) // 2

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._accepted, self.host, self.listen_port, reuse_address=True
        )

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self._drop_all()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def cut_off(self) -> None:
        self.cut = True
        self._drop_all()

    def heal(self) -> None:
        self.cut = False

    def _drop_all(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()  # no FIN dance: a cut cable, not a polite goodbye
        self._open.clear()

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:  # the node behind is down: the dialling node retries its route
            writer.transport.abort()
            return
        if self.cut:  # cut while we dialled
            writer.transport.abort()
            up_writer.transport.abort()
            return
        self._open.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer, writer), self._pipe(up_reader, writer, up_writer)
        )

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, own: asyncio.StreamWriter
    ) -> None:
        try:
            while chunk := await source.read(_CHUNK):
                sink.write(chunk)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            # One side gone: the connection is over, both ways.
            for writer in (sink, own):
                self._open.discard(writer)
                writer.transport.abort()


class ProxyLoop:
    """An event loop in a daemon thread that runs the proxies; its methods are called from
    other threads and wait for the loop to have done what they ask."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="nats-route-proxies", daemon=True
        )
        self._thread.start()

    def call(self, work: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)

    def do(self, action: Any, *args: Any) -> Any:
        """A plain function run on the loop (the proxies' state belongs to it)."""

        async def run() -> Any:
            return action(*args)

        return self.call(run())

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()
