"""A workshop's changes pushed to the pages that follow it, within a fraction of a second.

A Streamlit page learns news only when its browser asks: with 150 phones refreshing every 6 s
(`st.fragment(run_every=…)`), a new step reached the last phone 6 s later. Instead, each server
process runs one `Watcher`: every `interval` seconds it reads the live state of the
workshops its pages follow (one small query, none while nobody follows), and for each page
whose workshop changed since the page last looked (the counter `workshop.changes`, +1 at each
change the room must see) it asks for that page's live fragment to run again (`rerun`, given
by pages/_push.py, which speaks to Streamlit). The fragment then does what a timed refresh
does; the timed refresh stays, as the fallback. The state read is kept (`latest`): the pages
of a room read it there rather than each from the database.

Several processes behind a proxy each watch the same database: a change made through one
reaches the pages served by every other one.

No Streamlit here: `rerun` receives a `Follower` and its opaque `target`, and says whether the
page is still there (False: it is forgotten).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from diagnostic.workshop.service import Live

LOGGER = logging.getLogger(__name__)
INTERVAL = 0.25  # seconds between two looks at the counters (settings: WORKSHOP_PUSH_SECONDS)
RETRY = 5.0  # seconds a page has to draw a change pushed to it before it is pushed it again
ERROR_PAUSE = 5.0  # seconds of rest after the database refused a look (it may be restarting)


Seen = tuple[int, ...]


@dataclass
class Follower:
    """A browser session's page following a workshop, and the counters it was drawn at: a
    phone (`seat_id`) follows the changes every phone shows and those of its own posts; a
    screen or a console (no seat) follows every change."""

    session_id: str
    workshop_id: int
    seen: Seen
    target: object  # what `rerun` needs to refresh that page
    seat_id: int | None = None


def seen_by(follower: Follower, state: Live | None, seats: Mapping[int, int]) -> Seen | None:
    """The counters `follower` follows as they are now (None: the workshop is gone)."""
    if state is None:
        return None
    if follower.seat_id is None:
        return (state.changes,)
    return (state.phone_changes, seats.get(follower.seat_id, 0))


# workshop ids, seat ids -> the workshops' states, the seats' counters (two small queries)
Read = Callable[[Iterable[int], Iterable[int]], tuple[Mapping[int, Live], Mapping[int, int]]]
Rerun = Callable[[Follower], bool]


class Watcher:
    """The pages of one server process that follow workshops; one daemon thread looks at the
    counters and asks for reruns (thread-safe: pages register from their script threads)."""

    def __init__(
        self,
        read: Read,
        rerun: Rerun,
        *,
        interval: float = INTERVAL,
        retry: float = RETRY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self._read = read
        self._rerun = rerun
        self.interval = interval
        self.retry = retry
        self._clock = clock
        self._lock = threading.Lock()
        self._followers: dict[str, Follower] = {}
        # session -> (counter, when) of the last push: a page busy drawing it (150 phones of a
        # room take a moment) is not pushed the same change again, which would only queue runs
        self._asked: dict[str, tuple[Seen | None, float]] = {}
        self._latest: dict[int, tuple[float, Live]] = {}  # workshop -> (when read, state)
        self._seats: dict[int, int] = {}  # seat -> its counter, as last read (with _latest)
        self._read_at = float("-inf")
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.pushed = 0  # reruns asked for since the start (the bench and the tests read it)

    def follow(
        self,
        session_id: str,
        workshop_id: int,
        seen: Seen,
        target: object,
        seat_id: int | None = None,
    ) -> None:
        """This session's page shows `workshop_id` as of counters `seen` (`seen_by`): push it
        the next change it shows. A session follows one workshop page at a time (the last one
        registered)."""
        with self._lock:
            self._followers[session_id] = Follower(session_id, workshop_id, seen, target, seat_id)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="atelier-push", daemon=True)
                self._thread.start()

    def latest(self, workshop_id: int, max_age: float) -> Live | None:
        """The workshop's state as last read, if read less than `max_age` seconds ago."""
        with self._lock:
            found = self._latest.get(workshop_id)
        if found is None or self._clock() - found[0] > max_age:
            return None
        return found[1]

    def seat_counter(self, seat_id: int, max_age: float) -> int | None:
        """A seat's counter as last read, if read less than `max_age` seconds ago."""
        with self._lock:
            if self._clock() - self._read_at > max_age or seat_id not in self._seats:
                return None
            return self._seats[seat_id]

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._followers.pop(session_id, None)
            self._asked.pop(session_id, None)

    def following(self) -> int:
        """How many pages are followed now."""
        with self._lock:
            return len(self._followers)

    def stop(self) -> None:
        """End the thread (tests); `follow` starts it again."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def poll(self) -> int:
        """One look at the counters; returns how many reruns were asked for."""
        with self._lock:
            followers = list(self._followers.values())
        if not followers:
            return 0
        read_at = self._clock()
        states, seats = self._read(
            {f.workshop_id for f in followers},
            {f.seat_id for f in followers if f.seat_id is not None},
        )
        with self._lock:
            self._latest = {i: (read_at, state) for i, state in states.items()}
            self._seats, self._read_at = dict(seats), read_at
        asked = 0
        for f in followers:
            now = seen_by(f, states.get(f.workshop_id), seats)
            if now == f.seen:
                continue
            when = self._clock()
            last = self._asked.get(f.session_id)
            if last is not None and last[0] == now and when - last[1] < self.retry:
                continue  # pushed already: the page is drawing it
            kept = self._rerun(f)  # a workshop gone (None): one last refresh says so
            asked += kept
            with self._lock:
                if not kept or now is None:
                    if self._followers.get(f.session_id) is f:
                        del self._followers[f.session_id]
                    self._asked.pop(f.session_id, None)
                else:
                    self._asked[f.session_id] = (now, when)
        self.pushed += asked
        return asked

    def _loop(self) -> None:
        failing = False
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # a database restarting must not end the push for good
                if not failing:
                    LOGGER.warning("atelier : lecture des changements impossible", exc_info=True)
                failing = True
                self._stop.wait(ERROR_PAUSE)
            else:
                failing = False
