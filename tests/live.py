"""Real `streamlit run` servers on loopback for the browser, fault and load tests (and bench/)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The marks of every browser test module: `pytestmark = BROWSER`.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Chromium de Debian absent (apt-get install chromium) : tests navigateur ignorés",
    ),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One `streamlit run serve.py` process (app.py behind the session-cookie route)."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def link(self, token: str) -> str:
        return f"{self.url}/?t={token}"


def start_server(
    database_url: str,
    questions_dir: Path | None,
    log: Path,
    *,
    port: int | None = None,
    load_demo: bool = False,
    timeout: float = 40,
    script: Path = ROOT / "serve.py",
    settings: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
) -> Server:
    """Start the app as `make run` does (serve.py: app.py and its session-cookie route), or
    another Streamlit `script` (bench/ runs its bare floors the same way), on a loopback port,
    and wait until /_stcore/health answers. `questions_dir` None: the shipped questions/;
    `settings`: more environment variables for the app; `args`: more `streamlit run` options
    (`--runner.postScriptGC`, `false`…)."""
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LOAD_DEMO": "true" if load_demo else "false",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        **(settings or {}),
    }
    if questions_dir is None:
        env.pop("QUESTIONS_DIR", None)
    else:
        env["QUESTIONS_DIR"] = str(questions_dir)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(proc, port, log)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté :\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"le serveur ne répond pas :\n{log.read_text(errors='replace')}")


def stop(server: Server) -> None:
    """Terminate the server (SIGTERM, then SIGKILL after 10 s)."""
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=10)


@contextmanager
def running(
    database_url: str, questions_dir: Path | None, log: Path, **kwargs: object
) -> Iterator[Server]:
    server = start_server(database_url, questions_dir, log, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        stop(server)


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, with no outbound traffic."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


SCRIPT_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


def settle(page: object, timeout: float = 20000) -> None:
    """Wait until Streamlit has finished the rerun triggered by the last interaction: the app
    root says the script is not running (the short pause lets the rerun start first)."""
    page.wait_for_timeout(250)  # type: ignore[attr-defined]
    page.wait_for_function(SCRIPT_IDLE, timeout=timeout)  # type: ignore[attr-defined]


DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def drawn(page: object, timeout: float = 30000) -> None:
    """`settle`, then wait until every element is drawn: Streamlit loads the code of some
    widgets (radios, download buttons…) on first use and shows a grey placeholder meanwhile;
    on a busy machine, or while keys are being pressed, that can last seconds, and a
    placeholder is neither visible as a widget nor reachable by the keyboard."""
    settle(page, timeout)
    page.wait_for_function(DRAWN, timeout=timeout)  # type: ignore[attr-defined]


DEMO_PASSWORD = "demo-diagnostic"  # the demo accounts' password (questions/demo/territoires.yaml)


def sign_in(page: object, url: str, email: str = "coordination@demo.fr") -> None:
    """Open the app at `url` and sign in with a demo account: back on « Mes territoires »."""
    from playwright.sync_api import expect

    page.goto(url)  # type: ignore[attr-defined]
    expect(page.get_by_text("Connexion des coordinateur·rices")).to_be_visible(timeout=60000)  # type: ignore[attr-defined]
    page.get_by_label("Adresse électronique").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Se connecter").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)  # type: ignore[attr-defined]
