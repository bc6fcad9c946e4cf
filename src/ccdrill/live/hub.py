"""Fan-out of new events to everyone waiting on a drill — in memory, per process.

The hub carries no event data, only "drill D has reached seq N": waiters then read the events
from the service's in-memory log (which holds every committed event of a loaded drill).  One
publish wakes every waiter of the drill at once, so 1,000 open streams cost one wake-up each.

With PostgreSQL and several workers, :class:`PgListener` LISTENs on ``ccdrill_events``; every
append sends ``NOTIFY ccdrill_events, '<drill>:<seq>'`` in its own transaction (see
:func:`ccdrill.store.drills.append_event`), and each worker's listener reads the new rows and
publishes them to its own hub.  A broken listener reconnects; it never stops the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("ccdrill.live.hub")


class Hub:
    def __init__(self) -> None:
        self._latest: dict[int, int] = {}
        self._waiters: dict[int, set[asyncio.Future]] = {}

    def latest(self, drill_id: int) -> int:
        return self._latest.get(drill_id, 0)

    def publish(self, drill_id: int, seq: int) -> None:
        """Drill ``drill_id`` has events up to ``seq`` (call on the event loop's thread)."""
        if seq > self._latest.get(drill_id, 0):
            self._latest[drill_id] = seq
        waiters = self._waiters.pop(drill_id, None)
        if waiters:
            for fut in waiters:
                if not fut.done():
                    fut.set_result(seq)

    def wake(self, drill_id: int) -> None:
        """Wake the waiters without a new event (a runner re-checking its schedule)."""
        self.publish(drill_id, self._latest.get(drill_id, 0))

    async def wait(self, drill_id: int, after_seq: int, timeout: float | None = None) -> bool:
        """Wait until the drill has an event after ``after_seq`` (or a wake-up); False on timeout."""
        if self._latest.get(drill_id, 0) > after_seq:
            return True
        fut = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(drill_id, set()).add(fut)
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            waiters = self._waiters.get(drill_id)
            if waiters is not None:
                waiters.discard(fut)
                if not waiters:
                    self._waiters.pop(drill_id, None)

    def waiting(self, drill_id: int) -> int:
        return len(self._waiters.get(drill_id, ()))


class PgListener:
    """LISTEN ccdrill_events on PostgreSQL; calls ``on_notify(drill_id, seq)`` for every notification."""

    def __init__(self, conninfo: str, on_notify: Callable[[int, int], Awaitable[None]],
                 channel: str = "ccdrill_events") -> None:
        self.conninfo = conninfo
        self.on_notify = on_notify
        self.channel = channel
        self._task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ccdrill-pg-listener")

    async def stop(self, timeout: float = 5.0) -> None:
        """Cancel the listener; wait at most ``timeout`` seconds for its connection to close."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.wait([self._task], timeout=timeout)

    async def _run(self) -> None:
        import psycopg

        backoff = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {self.channel}")
                    self.ready.set()
                    backoff = 0.5
                    async for note in conn.notifies():
                        drill, _, seq = note.payload.partition(":")
                        try:
                            await self.on_notify(int(drill), int(seq))
                        except Exception:  # a broken watcher never kills the stream
                            log.exception("handling notification %s", note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reconnect
                log.warning("PostgreSQL listener lost (%s); reconnecting", exc)
                self.ready.clear()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
