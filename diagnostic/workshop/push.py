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


@dataclass
class Follower:
    """A browser session's page following a workshop, and the counter it was drawn at."""

    session_id: str
    workshop_id: int
    seen: int
    target: object  # what `rerun` needs to refresh that page


Read = Callable[[Iterable[int]], Mapping[int, Live]]
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
        self._asked: dict[str, tuple[int | None, float]] = {}
        self._latest: dict[int, tuple[float, Live]] = {}  # workshop -> (when read, state)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.pushed = 0  # reruns asked for since the start (the bench and the tests read it)

    def follow(self, session_id: str, workshop_id: int, seen: int, target: object) -> None:
        """This session's page shows `workshop_id` as of counter `seen`: push it the next
        change. A session follows one workshop page at a time (the last one registered)."""
        with self._lock:
            self._followers[session_id] = Follower(session_id, workshop_id, seen, target)
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
        states = self._read({f.workshop_id for f in followers})
        with self._lock:
            self._latest = {i: (read_at, state) for i, state in states.items()}
        asked = 0
        for f in followers:
            state = states.get(f.workshop_id)
            now = state.changes if state is not None else None
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
