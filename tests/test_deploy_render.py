"""The nginx site of deploy/, rendered without starting anything (tests/test_deploy_proxy.py
runs it): every placeholder filled, the ports of the processes, the Content-Security-Policy
hashes of the inline scripts the page really runs, and `nginx -t` where nginx is installed."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.render import Site, app_html, main, render, streamlit_index
from pages._french import SCRIPT


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_site_names_every_process_and_leaves_no_placeholder():
    text = render(Site(server_name="diagnostic.exemple.fr", ports=[8501, 8502, 8503]))
    assert "{{" not in text and "}}" not in text
    servers = re.findall(r"server 127\.0\.0\.1:(\d+) ", text)
    assert servers == ["8501", "8502", "8503"]
    directives = [line.split("#")[0] for line in text.splitlines()]
    assert "    hash $diagnostic_route consistent;" in directives
    assert not any("ip_hash" in line for line in directives)
    assert "ssl_certificate     /etc/letsencrypt/live/diagnostic.exemple.fr/fullchain.pem;" in text
    assert "return 301 https://$host$request_uri;" in text  # port 443: no port in the redirect


def test_the_policy_allows_exactly_the_inline_scripts_the_page_runs():
    csp = re.search(r'Content-Security-Policy "([^"]+)"', render(Site("x.fr", [8501])))[1]
    scripts = next(d for d in csp.split("; ") if d.startswith("script-src ")).split()[1:]
    index = streamlit_index().read_text("utf-8")
    inline = re.findall(r"<script>(.*?)</script>", index, re.DOTALL)
    assert inline, "l'index.html de Streamlit n'a plus de script en ligne : simplifier render.py"
    french = SCRIPT.removeprefix("<script>").removesuffix("</script>")
    expected = [sha256(body) for body in [*inline, french]]
    assert scripts == ["'self'", "blob:", "'wasm-unsafe-eval'", *expected]
    assert app_html() == SCRIPT
    assert "'unsafe-eval'" not in scripts and "'unsafe-inline'" not in scripts
    assert "; connect-src 'self' wss://x.fr; " in csp


def test_the_command_line_writes_the_site_for_a_range_of_ports(capsys):
    assert main(["--server-name", "d.exemple.fr", "--ports", "8501-8503,8510"]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"server 127\.0\.0\.1:(\d+) ", out) == ["8501", "8502", "8503", "8510"]
    assert "server_name d.exemple.fr;" in out


def test_no_process_no_site():
    with pytest.raises(ValueError, match="au moins un port"):
        render(Site(server_name="x.fr", ports=[]))


def test_nginx_accepts_the_rendered_site(tmp_path: Path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx absent (apt-get install nginx) : syntaxe du site non vérifiée")
    from tests.test_deploy_proxy import self_signed

    crt, key = self_signed(tmp_path)
    site = Site(
        server_name="diagnostic.exemple.fr",
        ports=[8501, 8502],
        http_listen="127.0.0.1:8080",
        https_listen="127.0.0.1:8443",
        certificate=str(crt),
        certificate_key=str(key),
        log_dir=str(tmp_path),
    )
    (tmp_path / "site.conf").write_text(render(site))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n"
    )
    args = [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
    checked = subprocess.run([*args, "-c", str(tmp_path / "nginx.conf")], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()
