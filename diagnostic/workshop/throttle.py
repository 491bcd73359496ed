"""A bound on wrong join codes, so that nobody can try codes until one opens a workshop.

Two sliding windows of failed attempts (a well-formed code that matches no workshop):

- per browser session: `SESSION_MAX_FAILURES` wrong codes in `WINDOW_SECONDS` (the page keeps
  their times in its session state);
- per server process: `PROCESS_MAX_FAILURES` wrong codes in `WINDOW_SECONDS` from all
  sessions together, since a new session (a new tab, a script) starts with an empty state.

Once a window is full no code is looked up at all (an answer would tell a valid code from a
wrong one) until its oldest failure leaves the window. The codes have 31**6 ≈ 887 million
values: at 120 tries every 10 minutes (6.3 million a year), hitting one of ten open workshops
takes about 14 years on average. Someone whose browser already opened the workshop, or who
holds a valid seat link, is never held back (the page checks that before asking).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterable

WINDOW_SECONDS = 600.0
SESSION_MAX_FAILURES = 5
PROCESS_MAX_FAILURES = 120  # a room of 150 phones mistyping the code stays well below


def clock() -> float:
    """Seconds on a monotonic clock (tests replace it)."""
    return time.monotonic()


def retry_after(
    failures: Iterable[float], now: float, *, limit: int, window: float = WINDOW_SECONDS
) -> float:
    """Seconds before one more attempt is allowed after these failure times (0.0: at once)."""
    recent = sorted(t for t in failures if now - t < window)
    if len(recent) < limit:
        return 0.0
    # allowed again once all but limit - 1 of the recent failures have left the window
    return max(0.0, recent[len(recent) - limit] + window - now)


def remember(
    failures: Iterable[float], now: float, *, limit: int, window: float = WINDOW_SECONDS
) -> list[float]:
    """The failure times to keep after one more failure at `now` (at most `limit`)."""
    recent = sorted(t for t in failures if now - t < window)
    return [*recent, now][-limit:]


class ProcessWindow:
    """The failures of every session of this process (thread-safe: one thread per session)."""

    def __init__(self, limit: int = PROCESS_MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._times: deque[float] = deque(maxlen=limit)  # only the last `limit` ones matter
        self._lock = threading.Lock()

    def retry_after(self, now: float) -> float:
        with self._lock:
            return retry_after(self._times, now, limit=self.limit, window=self.window)

    def failed(self, now: float) -> None:
        with self._lock:
            self._times.append(now)

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


JOIN_FAILURES = ProcessWindow()


def wait_message(seconds: float) -> str:
    """« Trop d'essais… réessayez dans N minutes », N rounded up (1 at least)."""
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Trop d'essais de code incorrects : réessayez dans {minutes} {unit}. Vérifiez le code "
        "affiché à l'écran, ou scannez le code QR."
    )
