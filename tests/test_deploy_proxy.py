"""The hosted deployment of deploy/: nginx (the site rendered from deploy/nginx/diagnostic.conf.in,
in HTTPS with a throwaway certificate) in front of three app processes on one PostgreSQL base.
A respondent answers through the proxy, the process serving them is killed (SIGKILL), the page
reconnects through nginx to another process and the respondent goes on; a text is typed and
that process is killed too before the field sent it: the page reconnects to the third, on the
same part, and the text is stored. No answer is lost.
The security headers are checked, no Content-Security-Policy violation is reported by Chromium,
and a coordinator signs in through the proxy (the sign-in ticket needs sticky sessions).

Skipped where nginx is absent (apt-get install nginx); CI sets REQUIRE_NGINX=1 so that it runs."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy.render import Site, render
from tests.conftest import ROOT
from tests.factories import PASSWORD
from tests.live import BROWSER, Server, chromium, free_port, settle, start_server, stop
from tests.test_browser_resilience import EXPECTED, answer_first_two_sections, prepared, stored

pytestmark = [*BROWSER, pytest.mark.postgres]

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CSP_WATCH = """document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  console.error(`CSP-VIOLATION ${e.violatedDirective} ${e.blockedURI} ${where}`);
});"""


def need_nginx() -> None:
    if Path(NGINX).exists():
        return
    if os.environ.get("REQUIRE_NGINX"):
        pytest.fail("REQUIRE_NGINX est défini mais nginx est absent (apt-get install nginx)")
    pytest.skip("nginx absent (apt-get install nginx) : test du déploiement derrière proxy ignoré")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, valid one day (cryptography comes with authlib)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    crt, pem = folder / "proxy.crt", folder / "proxy.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return crt, pem


@dataclass
class Proxy:
    proc: subprocess.Popen[bytes]
    url: str  # https://127.0.0.1:PORT
    http_url: str
    access_log: Path

    def upstream_of_last(self, path: str) -> int:
        """The app port that served the last logged request for `path`."""
        for line in reversed(self.access_log.read_text().splitlines()):
            if f' {path}" ' in line:
                return int(re.findall(r"127\.0\.0\.1:(\d+)", line.split("upstream=")[1])[-1])
        raise AssertionError(f"aucune requête {path} dans {self.access_log}")


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@contextmanager
def nginx(folder: Path, app_ports: list[int], http_port: int, https_port: int) -> Iterator[Proxy]:
    """nginx in the foreground with its own prefix, configuration, pid and logs in `folder`,
    serving the site rendered from deploy/'s template on the app processes' loopback ports."""
    crt, key = self_signed(folder)
    site = Site(
        server_name="127.0.0.1",
        ports=app_ports,
        http_listen=f"127.0.0.1:{http_port}",
        https_listen=f"127.0.0.1:{https_port}",
        https_port=https_port,
        certificate=str(crt),
        certificate_key=str(key),
        log_dir=str(folder),
        acme_root=str(folder / "acme"),
    )
    (folder / "diagnostic.conf").write_text(render(site))
    user = "user root root;" if os.geteuid() == 0 else ""  # workers write in tmp_path (0700)
    (folder / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/diagnostic.conf;
}}
"""
    )
    args = [NGINX, "-p", str(folder), "-e", str(folder / "error.log")]
    args += ["-c", str(folder / "nginx.conf")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    proxy = Proxy(
        proc,
        f"https://127.0.0.1:{https_port}",
        f"http://127.0.0.1:{http_port}",
        folder / "diagnostic.access.log",
    )
    try:
        deadline = time.time() + 10
        while True:
            try:
                urllib.request.urlopen(f"{proxy.url}/_stcore/health", context=unverified())
                break
            except urllib.error.HTTPError:  # nginx answers (502 until the apps are up)
                break
            except OSError:
                assert proc.poll() is None, (folder / "error.log").read_text()
                assert time.time() < deadline, (folder / "error.log").read_text()
                time.sleep(0.1)
        yield proxy
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def app_processes(url: str, questions: Path, folder: Path, public_url: str, ports: list[int]):
    settings = {"PUBLIC_URL": public_url}
    with ThreadPoolExecutor(len(ports)) as pool:
        futures = [
            pool.submit(
                start_server, url, questions, folder / f"app-{p}.log", port=p, settings=settings
            )
            for p in ports
        ]
    servers: dict[int, Server] = {}
    try:
        for future in futures:
            server = future.result()
            servers[server.port] = server
        yield servers
    finally:
        for server in servers.values():
            stop(server)


def response_headers(url: str) -> dict[str, str]:
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=unverified()), NoRedirect()
    )
    try:
        with opener.open(request) as answer:
            return {k.lower(): v for k, v in answer.headers.items()} | {"status": "200"}
    except urllib.error.HTTPError as answer:  # the redirect of the HTTP port
        return {k.lower(): v for k, v in answer.headers.items()} | {"status": str(answer.code)}


def closed_for_another_host(url: str) -> bool:
    """Whether nginx closes, without any answer, a request naming another host."""
    import http.client

    request = urllib.request.Request(url, headers={"Host": "autre-site.exemple"})
    try:
        urllib.request.urlopen(request, context=unverified(), timeout=10)
    except urllib.error.HTTPError:
        return False  # an answer, even an error, came back
    except (http.client.RemoteDisconnected, ConnectionError, urllib.error.URLError):
        return True
    return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_respondent_survives_the_death_of_their_process_behind_nginx(tmp_path, request):
    from playwright.sync_api import expect

    need_nginx()
    mini_questions = tmp_path / "questions"
    (mini_questions / "questionnaires").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "mini.yaml", mini_questions / "questionnaires")
    url = request.getfixturevalue("postgres_url")
    world = prepared(url, n=1, coordinator=True)
    # three processes: two failovers, none restarted (a port freed by a killed process may be
    # taken at once by another test's server, running alongside)
    ports, http_port, https_port = [free_port() for _ in range(3)], free_port(), free_port()
    public_url = f"https://127.0.0.1:{https_port}"
    with (  # the apps first: nginx would count their start as failures
        app_processes(url, mini_questions, tmp_path, public_url, ports) as apps,
        nginx(tmp_path, ports, http_port, https_port) as proxy,
        chromium() as browser,
    ):
        # The headers, on the page and on Streamlit's own routes; HTTP goes to HTTPS.
        page_headers = response_headers(f"{proxy.url}/?t=jeton")
        assert page_headers["status"] == "200"
        csp = page_headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self' blob: " in csp
        assert " 'unsafe-eval'" not in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
        assert page_headers["x-content-type-options"] == "nosniff"
        assert page_headers["referrer-policy"] == "no-referrer"
        assert page_headers["strict-transport-security"].startswith("max-age=")
        assert page_headers["x-frame-options"] == "DENY"
        assert "diagnostic_route=" in page_headers["set-cookie"]
        assert "HttpOnly; Secure" in page_headers["set-cookie"]
        assert "server" not in page_headers or "nginx/" not in page_headers["server"]
        health = response_headers(f"{proxy.url}/_stcore/health")
        assert health["content-security-policy"] == csp
        redirect = response_headers(f"{proxy.http_url}/?t=jeton")
        assert redirect["status"] == "301"
        assert redirect["location"] == f"{proxy.url}/?t=jeton"
        assert "?t=" not in proxy.access_log.read_text()  # no token in the logs
        # Another host name gets nothing, over HTTPS and over HTTP (no redirect to it).
        assert closed_for_another_host(f"{proxy.url}/?t=jeton")
        assert closed_for_another_host(f"{proxy.http_url}/")

        violations: list[str] = []

        def watch(context):  # type: ignore[no-untyped-def]
            context.add_init_script(CSP_WATCH)
            page = context.new_page()
            page.on(
                "console",
                lambda m: violations.append(m.text) if "CSP-VIOLATION" in m.text else None,
            )
            return page

        # A respondent answers two parts through the proxy...
        respondent = browser.new_context(locale="fr-FR", ignore_https_errors=True)
        page = watch(respondent)
        link = f"{proxy.url}/?t={world.tokens[0]}"
        answer_first_two_sections(page, link)
        pid = world.participants[0].id
        assert stored(url, pid) == EXPECTED
        # ...the process that serves them dies...
        serving = proxy.upstream_of_last("/_stcore/host-config")
        apps[serving].proc.kill()
        apps[serving].proc.wait(timeout=10)
        # ...the page reconnects through nginx to the other process (a new session there)
        # and they go on: the answer clicked first is stored there, not lost.
        debate = page.get_by_role("radiogroup", name="Niveau actuel").nth(1)
        debate.get_by_text("3 — Formalisé").click()
        expect(page.get_by_text("· 4 réponses en tout")).to_be_visible(timeout=30000)
        settle(page)
        other = proxy.upstream_of_last("/_stcore/host-config")
        assert other in ports and other != serving
        current = page.get_by_role("radiogroup", name="Niveau actuel").first
        expect(current.get_by_role("radio", name="2", exact=True)).to_be_checked()
        expect(debate.get_by_role("radio", name="3 — Formalisé")).to_be_checked()
        page.get_by_role("button", name="Partie suivante →").click()
        settle(page)
        expect(page.get_by_role("heading", name="3. Acteurs et besoins")).to_be_visible()
        assert stored(url, pid) == {**EXPECTED, "ins_debat": {"level": 3}}
        # A text is typed and its process dies before the field has sent it (a second after
        # the last keystroke): the page reconnects to the third process, on the same part,
        # whose new session stores the text the browser holds.
        typed = "Un texte tapé juste avant la panne"
        page.locator("textarea").fill(typed)
        apps[other].proc.kill()
        apps[other].proc.wait(timeout=10)
        expect(page.get_by_text("Enregistré", exact=True)).to_be_visible(timeout=30000)
        expect(page.get_by_role("heading", name="3. Acteurs et besoins")).to_be_visible()
        assert proxy.upstream_of_last("/_stcore/host-config") not in (serving, other)
        assert stored(url, pid) == {
            **EXPECTED,
            "ins_debat": {"level": 3},
            "act_libre": {"text": typed},
        }
        respondent.close()

        # A coordinator signs in through the proxy (ticket and cookie on one process) and
        # stays signed in after a reload.
        coordinator = browser.new_context(locale="fr-FR", ignore_https_errors=True)
        coord = watch(coordinator)
        coord.goto(proxy.url)
        coord.get_by_label("Adresse électronique").fill("coord@exemple.fr")
        coord.get_by_label("Mot de passe").fill(PASSWORD)
        coord.get_by_role("button", name="Se connecter").click()
        expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)
        cookies = {c["name"]: c for c in coordinator.cookies()}
        assert cookies["diagnostic_session"]["secure"] and cookies["diagnostic_session"]["httpOnly"]
        coord.reload()
        expect(coord.get_by_role("heading", name="Mes territoires")).to_be_visible(timeout=30000)
        coordinator.close()
        assert violations == [], violations
