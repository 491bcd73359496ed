"""Render deploy/nginx/diagnostic.conf.in into an nginx site file (README § Hébergement).

    .venv/bin/python deploy/render.py --server-name diagnostic.cc-val.fr --ports 8501-8504 \\
        > /etc/nginx/sites-available/diagnostic

Run it with the app's Python: the Content-Security-Policy takes the hash of the inline script
of the installed Streamlit's index.html (render again after upgrading Streamlit). Standard
library only; tests/test_deploy_proxy.py renders the same template for its own ports.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "diagnostic.conf.in"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class Site:
    """What changes from one host to another; the rest of the file is the template."""

    server_name: str
    ports: Sequence[int]
    http_listen: str = "80"
    https_listen: str = "443"
    https_port: int = 443
    certificate: str = "/etc/letsencrypt/live/{name}/fullchain.pem"
    certificate_key: str = "/etc/letsencrypt/live/{name}/privkey.pem"
    log_dir: str = "/var/log/nginx"
    acme_root: str = "/var/www/letsencrypt"


def streamlit_index() -> Path:
    import streamlit

    return Path(streamlit.__file__).resolve().parent / "static" / "index.html"


def app_html() -> str:
    """The app's own inline script: the French words of Streamlit's interface (st.html with
    unsafe_allow_javascript, a constant: pages/_french.py)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from pages._french import SCRIPT

    return SCRIPT


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources ('sha256-…') of the inline scripts of `html`."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def content_security_policy(html: str, websocket: str) -> str:
    """The policy for the inline scripts of `html` (Streamlit's index.html and the app's) and
    the page's WebSocket at `websocket` (wss://name[:port]: 'self' covers it in current
    browsers, not in Safari before 15.4)."""
    # blob: Streamlit loads the code of custom components (version 2) as blob: modules;
    # 'wasm-unsafe-eval' lets it compile WebAssembly (not JavaScript: no 'unsafe-eval').
    sources = ["'self'", "blob:", "'wasm-unsafe-eval'", *inline_script_hashes(html)]
    scripts = " ".join(sources)
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {websocket}",
            "media-src 'self' data: blob:",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def render(site: Site, index_html: str | None = None) -> str:
    if not site.ports:
        raise ValueError("au moins un port d'application est nécessaire")
    if index_html is None:
        index_html = streamlit_index().read_text("utf-8")
    html = index_html + app_html()
    suffix = "" if site.https_port == 443 else f":{site.https_port}"
    values = {
        "server_name": site.server_name,
        "upstream_servers": "\n".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in site.ports
        ),
        "http_listen": site.http_listen,
        "https_listen": site.https_listen,
        "https_port_suffix": suffix,
        "certificate": site.certificate.format(name=site.server_name),
        "certificate_key": site.certificate_key.format(name=site.server_name),
        "log_dir": site.log_dir,
        "acme_root": site.acme_root,
        "content_security_policy": content_security_policy(
            html, f"wss://{site.server_name}{suffix}"
        ),
    }
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], TEMPLATE.read_text("utf-8"))
    return text


def _ports(spec: str) -> list[int]:
    """« 8501-8504 » or « 8501,8502 »."""
    ports: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        ports += range(int(first), int(last or first) + 1)
    return ports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Écrit le site nginx de l'application.")
    parser.add_argument("--server-name", required=True, help="nom public, ex. diagnostic.cc-val.fr")
    parser.add_argument("--ports", default="8501-8502", help="ports des processus (8501-8504)")
    parser.add_argument("--certificate", default=Site.certificate, help="certificat (chaîne)")
    parser.add_argument("--certificate-key", default=Site.certificate_key, help="clé privée")
    parser.add_argument("--log-dir", default=Site.log_dir)
    args = parser.parse_args(argv)
    site = Site(
        server_name=args.server_name,
        ports=_ports(args.ports),
        certificate=args.certificate,
        certificate_key=args.certificate_key,
        log_dir=args.log_dir,
    )
    sys.stdout.write(render(site))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
