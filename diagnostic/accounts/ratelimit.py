"""Sliding windows of failures (wrong passwords, wrong workshop codes), bounded in memory.

A limit is « at most `limit` failures in the last `window` seconds »: once a window holds
`limit` failures, the next attempt waits until the oldest of them leaves the window. The
counters live in the memory of the server process (one per process, lost at a restart), and
each structure has a fixed maximum size whatever the traffic.

Failures are counted per network address (`source_of`: the address Streamlit reads from the
connection, `st.context.ip_address`) so that an attempt from one address never blocks someone
at another one.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable

# Sign-in from an unknown address (a local connection, or a reverse proxy that does not pass
# the visitor's address on): all such attempts on one account share one window, with a
# ceiling UNKNOWN_SOURCE_FACTOR times MAX_FAILED_LOGINS.
UNKNOWN_SOURCE_FACTOR = 4
MAX_KEYS = 10_000  # keys (addresses, account and address pairs) kept at most in one structure


def source_of(value: object) -> str | None:
    """The address an attempt comes from, as a counting key; None when unknown or not an IP.

    IPv4 addresses are kept as they are (an IPv4-mapped IPv6 address is its IPv4); an IPv6
    connection counts for its whole /64 network, which one subscriber usually holds entirely.
    """
    if not isinstance(value, str):
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def retry_after(failures: Iterable[float], now: float, *, limit: int, window: float) -> float:
    """Seconds before one more attempt is allowed after these failure times (0.0: at once)."""
    recent = sorted(t for t in failures if now - t < window)
    if len(recent) < limit:
        return 0.0
    # allowed again once all but limit - 1 of the recent failures have left the window
    return max(0.0, recent[len(recent) - limit] + window - now)


def remember(failures: Iterable[float], now: float, *, limit: int, window: float) -> list[float]:
    """The failure times to keep after one more failure at `now` (at most `limit`)."""
    recent = sorted(t for t in failures if now - t < window)
    return [*recent, now][-limit:]


class SlidingWindow:
    """One window for every attempt of the process (thread-safe: one thread per session)."""

    def __init__(self, limit: int, window: float) -> None:
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


class KeyedWindows:
    """One window per key (an address, an account and an address), thread-safe and bounded.

    Each key keeps at most `limit` failure times; at most `max_keys` keys are kept: when a new
    key comes in over the bound, the key whose last failure is the oldest is forgotten (its
    failures have left their window first).
    """

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self.max_keys = max_keys
        self._times: OrderedDict[Hashable, list[float]] = OrderedDict()  # oldest change first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._times)

    def retry_after(self, key: Hashable, now: float, *, limit: int, window: float) -> float:
        with self._lock:
            return retry_after(self._times.get(key, ()), now, limit=limit, window=window)

    def recent(self, key: Hashable, now: float, *, window: float) -> list[float]:
        """The failure times of a key still in the window."""
        with self._lock:
            return [t for t in self._times.get(key, ()) if now - t < window]

    def failed(self, key: Hashable, now: float, *, limit: int, window: float) -> float:
        """Count a failure; returns the wait it brings (0.0 while below the limit)."""
        with self._lock:
            kept = remember(self._times.pop(key, ()), now, limit=limit, window=window)
            self._times[key] = kept
            while len(self._times) > self.max_keys:
                self._times.popitem(last=False)
            return retry_after(kept, now, limit=limit, window=window)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._times.pop(key, None)

    def forget_where(self, predicate: Callable[[Hashable], bool]) -> None:
        with self._lock:
            for key in [k for k in self._times if predicate(k)]:
                del self._times[key]

    def clear(self) -> None:
        with self._lock:
            self._times.clear()


class SignInFailures:
    """Wrong passwords per account and address (see `diagnostic.store.accounts.authenticate`).

    An address gets `max_failures` wrong passwords on one account in `window` seconds, then
    waits (that account, from that address only); attempts whose address is unknown share one
    window per account with a ceiling `UNKNOWN_SOURCE_FACTOR` times higher. Only existing
    accounts are counted (an unknown address cannot fill the memory with invented ones).
    """

    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._windows = KeyedWindows(max_keys)

    @staticmethod
    def limit(source: str | None, max_failures: int) -> int:
        return max_failures if source is not None else max_failures * UNKNOWN_SOURCE_FACTOR

    def retry_after(
        self, account: str, source: str | None, now: float, *, max_failures: int, window: float
    ) -> float:
        limit = self.limit(source, max_failures)
        return self._windows.retry_after((account, source), now, limit=limit, window=window)

    def failed(
        self, account: str, source: str | None, now: float, *, max_failures: int, window: float
    ) -> float:
        """Count a wrong password; returns the wait it brings (0.0 while below the limit)."""
        limit = self.limit(source, max_failures)
        return self._windows.failed((account, source), now, limit=limit, window=window)

    def succeeded(self, account: str, source: str | None) -> None:
        self._windows.forget((account, source))

    def forget_account(self, account: str) -> None:
        """Lift every lock of an account (an administrator unlocked it)."""
        self._windows.forget_where(lambda key: isinstance(key, tuple) and key[0] == account)

    def clear(self) -> None:
        self._windows.clear()
