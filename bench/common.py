"""What the benches share: throwaway databases, a copy of the questions, percentiles, /proc,
and the page probe with which the browser benches wait for a click's rerun to be drawn.

Servers are started by `tests/live.py` (`running(…, script=…, args=…)`), as in the tests.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BROWSER_TIMEOUT = 120_000  # ms, for one wait in the browser: the machine may be shared


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh SQLite file in `folder`, or a throwaway PostgreSQL base dropped afterwards."""
    name = f"diag_bench_{uuid.uuid4().hex[:12]}"
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def questions_folder(
    workdir: Path, source: Path = ROOT / "questions", *, demo: bool = False
) -> Path:
    """A copy of the shipped questions folder in `workdir`, without the demo territories
    unless `demo`."""
    folder = workdir / "questions"
    ignore = None if demo else shutil.ignore_patterns("demo")
    shutil.copytree(source, folder, ignore=ignore)
    return folder


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0 to 100) of `values`, nearest rank; nan when there are none."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int | str = "self", field: str = "VmRSS") -> float:
    """A memory line of /proc/PID/status (VmRSS now, VmHWM the peak), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return math.nan


# Added to every page before its own scripts: counts the runs the server reports finished
# (ForwardMsg.script_finished, field 6, read from the websocket frames) and remembers when the
# last pointerdown happened. A run counts as drawn one animation frame after its
# script_finished arrived, once the app root says "notRunning" and no element is a placeholder.
PROBE = """(() => {
  const b = window.__bench = {t0: 0, before: 0, finished: 0, framed: 0};
  const finished = (buffer) => {  // ForwardMsg: is it a script_finished?
    const bytes = new Uint8Array(buffer);
    let i = 0;
    const varint = () => {
      let x = 0, shift = 0, c;
      do { c = bytes[i++]; x += (c & 0x7f) * 2 ** shift; shift += 7; } while (c & 0x80);
      return x;
    };
    while (i < bytes.length) {
      const tag = varint(), wire = tag & 7;
      // script_finished, but not FINISHED_EARLY_FOR_RERUN (2): st.rerun's first run is not
      // what the person sees; the run it asks for is
      if (tag >>> 3 === 6 && wire === 0) return varint() !== 2;
      if (wire === 0) varint();
      else if (wire === 2) { const n = varint(); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return false;
    }
    return false;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (e.data instanceof ArrayBuffer && finished(e.data)) {
          const n = ++b.finished;
          requestAnimationFrame(() => { b.framed = Math.max(b.framed, n); });
        }
      });
    }
  };
  document.addEventListener('pointerdown', () => {
    b.t0 = performance.now();
    b.before = b.finished;
  }, true);
})();"""
IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSkeleton"]');
}"""
FRAMED = f"""(before) => window.__bench.framed > before && ({IDLE})()"""


def pause(page: object, act: object) -> None:
    """Do `act()` (a click that changes a widget) and wait for the rerun it causes to be drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.live import drawn

    before = page.evaluate("window.__bench.finished")  # type: ignore[attr-defined]
    act()  # type: ignore[operator]
    with contextlib.suppress(PlaywrightTimeout):  # a click that changes nothing reruns nothing
        page.wait_for_function(FRAMED, arg=before, polling="raf", timeout=15000)  # type: ignore[attr-defined]
    drawn(page, BROWSER_TIMEOUT)


def click_option(page: object, key: str, index: int) -> bool:
    """Click option `index` of the radio keyed `key` (if shown, enabled and not already chosen).

    Whether the option is now chosen (clicked, or chosen already)."""
    options = page.locator(f'.st-key-{key} [data-testid="stRadioOption"]')  # type: ignore[attr-defined]
    if not options.count():
        return False
    option = options.nth(index)
    radio = option.locator("input")
    if radio.is_checked() or radio.is_disabled():
        return radio.is_checked()
    option.scroll_into_view_if_needed()
    pause(page, lambda: option.click(force=True))
    return True
