"""Login throttling: after ``LIMIT`` failures for one username from one address within ``WINDOW``
seconds, further attempts are refused (HTTP 429) until the oldest failure ages out.

In memory, per process: enough for one server; several workers each keep their own count.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from ccdrill.errors import CcdrillError
from ccdrill.i18n import N_

LIMIT = 5
WINDOW = 300.0


class TooManyAttempts(CcdrillError):
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(N_("Too many failed sign-in attempts. Try again in {seconds} seconds."),
                         seconds=retry_after)
        self.retry_after = retry_after


class LoginThrottle:
    def __init__(self, limit: int = LIMIT, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._fails: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] >= self.window:
            q.popleft()
        return q

    def check(self, username: str, address: str) -> None:
        """Raise :class:`TooManyAttempts` when this username+address is locked out."""
        key = (username.lower(), address)
        with self._lock:
            now = self._clock()
            q = self._recent(key, now)
            if len(q) >= self.limit:
                raise TooManyAttempts(max(1, int(self.window - (now - q[0]) + 0.999)))

    def failed(self, username: str, address: str) -> None:
        key = (username.lower(), address)
        with self._lock:
            now = self._clock()
            self._recent(key, now).append(now)
            if len(self._fails) > 10_000:  # bound memory: drop the idle keys
                for k in [k for k, q in self._fails.items() if not q]:
                    del self._fails[k]

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._fails.pop((username.lower(), address), None)
