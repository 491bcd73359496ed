"""The pure helpers of bench/proxy_load.py: the sticky cookie read from nginx's answer and
which app process served what, read from nginx's access log (deploy/'s log format)."""

from __future__ import annotations

import math

from bench.proxy_load import french, per_unit, route_cookie, upstream_counts


def line(path: str, status: int, upstream: str) -> str:
    """One line of deploy/'s `diagnostic` log format."""
    return (
        f'127.0.0.1 [06/Dec/2026:05:01:02 +0000] "GET {path}" {status} 512 0.004 '
        f"upstream={upstream} upstream_time=0.004"
    )


LOG = "\n".join(
    [
        line("/", 200, "127.0.0.1:8501"),
        line("/_stcore/host-config", 200, "127.0.0.1:8502"),
        line("/_stcore/stream", 101, "127.0.0.1:8502"),
        line("/_stcore/stream", 101, "127.0.0.1:8501, 127.0.0.1:8502"),  # retried
        line("/_stcore/stream", 101, "127.0.0.1:8501"),
        line("/_stcore/stream-other", 404, "127.0.0.1:8501"),
        line("/_stcore/stream", 301, "-"),
    ]
)


def test_the_route_cookie_is_read_among_the_set_cookie_headers():
    headers = [
        "_streamlit_xsrf=2|abc; Path=/",
        "diagnostic_route=4f1c0a9e77d2b1c3; Path=/; HttpOnly; Secure; SameSite=Lax",
    ]
    assert route_cookie(headers) == "4f1c0a9e77d2b1c3"
    assert route_cookie(["_streamlit_xsrf=2|abc; Path=/"]) is None
    assert route_cookie([]) is None


def test_requests_are_counted_for_the_process_that_answered_them():
    streams = upstream_counts(LOG, "/_stcore/stream")
    # the retried request counts for the last process tried; other paths and lines without
    # an app address (the HTTP redirect) are left out
    assert streams == {8502: 2, 8501: 1}
    assert upstream_counts(LOG, "/_stcore/host-config") == {8502: 1}
    assert upstream_counts(LOG, "/_stcore/health") == {}


def test_shares_and_french_numbers():
    assert per_unit(3.0, 4) == 0.75
    assert math.isnan(per_unit(3.0, 0))
    assert french(1234.5) == "1\u202f234,5"
    assert french(0.456, 2) == "0,46"
    assert french(float("nan")) == "—"
