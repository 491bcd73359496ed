"""What the benches share: throwaway databases, a copy of the questions, percentiles, /proc.

Servers are started by `tests/live.py` (`running(…, script=…, args=…)`), as in the tests.
"""

from __future__ import annotations

import math
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


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
