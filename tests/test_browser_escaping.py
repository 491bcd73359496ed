"""In Chromium: Streamlit's Markdown links bare addresses and e-mails even when escaped with
backslashes, and `plain` stops it (an invisible word joiner); the text reads as typed."""

from __future__ import annotations

import json

import pytest

from tests.live import BROWSER, ROOT, chromium, running

pytestmark = BROWSER
TYPED = [
    "voir https://evil.example/page?x=1",
    "www.evil.fr",
    "écrire à a@evil.fr",
    "HTTP://EVIL.EXAMPLE et WWW.EVIL.FR",
    "mailto:a@evil.fr",
]
PROBE = """
import json
import sys

sys.path.insert(0, {root!r})
import streamlit as st

from pages._shell import plain

typed = json.loads({typed!r})
for i, text in enumerate(typed):
    with st.container(key=f"raw_{{i}}"):
        st.markdown(text.replace(".", "\\\\.").replace(":", "\\\\:"))  # backslashes only
    with st.container(key=f"plain_{{i}}"):
        st.markdown(plain(text))
        st.caption(plain(text))
"""


@pytest.fixture
def probe(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(
        PROBE.format(root=str(ROOT), typed=json.dumps(TYPED, ensure_ascii=False)),
        encoding="utf-8",
    )
    with running(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, tmp_path / "log", script=script) as s:
        yield s


def test_plain_defeats_streamlit_autolinks_and_reads_as_typed(probe):
    with chromium() as browser:
        page = browser.new_page()
        page.goto(probe.url)
        last = f".st-key-plain_{len(TYPED) - 1} [data-testid=stCaptionContainer]"
        page.wait_for_selector(last, timeout=30000)
        for i, text in enumerate(TYPED):
            raw = page.locator(f".st-key-raw_{i}")
            assert raw.locator("a").count() >= 1, text  # backslashes do not stop the autolink
            shown = page.locator(f".st-key-plain_{i}")
            assert shown.locator("a").count() == 0, text
            for part in ("stMarkdownContainer", "stCaptionContainer"):
                seen = shown.locator(f"[data-testid={part}]").first.inner_text()
                assert seen.replace("\u2060", "").strip() == text
                assert (
                    shown.locator(f"[data-testid={part}]")
                    .first.aria_snapshot()
                    .replace("\u2060", "")
                    .endswith(text)
                )
