"""A bound on wrong join codes, so that nobody can try codes until one opens a workshop, and
so that nobody can keep the room out by typing wrong codes.

Sliding windows of failed attempts (a well-formed code that matches no workshop), in
`WINDOW_SECONDS`:

- per browser session: `SESSION_MAX_FAILURES` wrong codes (`Tries`, kept in the page's session
  state);
- per network address (`diagnostic.accounts.ratelimit.source_of`): `SOURCE_MAX_FAILURES` wrong codes
  from all its sessions together, since a script opens a new session for each try; a room
  sharing one Wi-Fi address stays well below with its typing mistakes;
- for the whole server process, a ceiling that is never a refusal: once `PROCESS_MAX_FAILURES`
  wrong codes are in the window (many addresses at once), each address is allowed only
  `SOURCE_MAX_FAILURES_UNDER_PRESSURE` of them. A phone whose session and address have not
  reached their limit always has its code looked up: the right code opens the workshop.

When its session's or its address's window is full, a phone has no code looked up at all (an
answer would tell a valid code from a wrong one) until the oldest failure leaves the window:
a script only ever locks its own address. An unknown address (a local connection, a reverse
proxy that does not pass the visitor's address on) is limited per session only. The codes
have 31**6 ≈ 887 million values: at 30 tries every 10 minutes, one address needs about
56 years on average to hit one of ten open workshops. Someone whose browser already opened
the workshop, or who holds a valid seat link, is never held back (`service.open_code` checks
that before asking).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from diagnostic.accounts import ratelimit
from diagnostic.accounts.ratelimit import KeyedWindows, SlidingWindow

WINDOW_SECONDS = 600.0
SESSION_MAX_FAILURES = 5
SOURCE_MAX_FAILURES = 30
SOURCE_MAX_FAILURES_UNDER_PRESSURE = 15
PROCESS_MAX_FAILURES = 120  # a room of 150 phones mistyping the code stays well below
MAX_SOURCES = ratelimit.MAX_KEYS  # addresses remembered at most (the oldest are forgotten)

ProcessWindow = SlidingWindow


def clock() -> float:
    """Seconds on a monotonic clock (tests replace it)."""
    return time.monotonic()


def retry_after(
    failures: Iterable[float], now: float, *, limit: int, window: float = WINDOW_SECONDS
) -> float:
    """Seconds before one more attempt is allowed after these failure times (0.0: at once)."""
    return ratelimit.retry_after(failures, now, limit=limit, window=window)


def remember(
    failures: Iterable[float], now: float, *, limit: int, window: float = WINDOW_SECONDS
) -> list[float]:
    """The failure times to keep after one more failure at `now` (at most `limit`)."""
    return ratelimit.remember(failures, now, limit=limit, window=window)


class JoinThrottle:
    """Wrong codes per address and for the whole process (thread-safe, bounded in memory)."""

    def __init__(self, max_sources: int = MAX_SOURCES) -> None:
        self.process = SlidingWindow(PROCESS_MAX_FAILURES, WINDOW_SECONDS)
        self.sources = KeyedWindows(max_sources)

    def under_pressure(self, now: float) -> bool:
        """True while the server-wide window of wrong codes is full."""
        return self.process.retry_after(now) > 0

    def retry_after(self, source: str | None, now: float) -> float:
        """Seconds before this address may have one more code looked up (0.0: at once)."""
        if source is None:
            return 0.0
        limit = (
            SOURCE_MAX_FAILURES_UNDER_PRESSURE if self.under_pressure(now) else SOURCE_MAX_FAILURES
        )
        return self.sources.retry_after(source, now, limit=limit, window=WINDOW_SECONDS)

    def count(self, source: str, now: float) -> int:
        """Wrong codes from this address still in the window."""
        return len(self.sources.recent(source, now, window=WINDOW_SECONDS))

    def failed(self, source: str | None, now: float) -> None:
        self.process.failed(now)
        if source is not None:
            self.sources.failed(source, now, limit=SOURCE_MAX_FAILURES, window=WINDOW_SECONDS)

    def clear(self) -> None:
        self.process.clear()
        self.sources.clear()


JOIN_FAILURES = JoinThrottle()


@dataclass
class Tries:
    """One browser session's join codes: those it opened, and its recent wrong ones."""

    opened: set[str] = field(default_factory=set)
    failures: list[float] = field(default_factory=list)
    last_failed: str | None = None

    def wait(self, source: str | None, now: float) -> float:
        """Seconds before this session, from this address, may have a code looked up."""
        mine = retry_after(self.failures, now, limit=SESSION_MAX_FAILURES)
        return max(mine, JOIN_FAILURES.retry_after(source, now))

    def failed(self, code: str, source: str | None, now: float) -> None:
        """A wrong code, counted for the session and the address (a rerun is not a new try)."""
        if self.last_failed == code:
            return
        self.last_failed = code
        self.failures = remember(self.failures, now, limit=SESSION_MAX_FAILURES)
        JOIN_FAILURES.failed(source, now)


def wait_message(seconds: float) -> str:
    """« Trop d'essais… réessayez dans N minutes », N rounded up (1 at least)."""
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Trop d'essais de code incorrects : réessayez dans {minutes} {unit}. Vérifiez le code "
        "affiché à l'écran, ou scannez le code QR."
    )
