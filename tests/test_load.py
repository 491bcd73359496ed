"""Twenty respondents at once against the real server over Streamlit's websocket (no browser):
every answer reaches the database. The 50- and 150-session runs are in bench/load_test.py."""

from __future__ import annotations


def test_twenty_simultaneous_sessions_lose_no_answer(tmp_path):
    from bench.common import questions_folder
    from bench.load_test import run_load

    questions = questions_folder(tmp_path)
    url = f"sqlite:///{tmp_path / 'load.db'}"
    report = run_load(
        url, questions, tmp_path, sessions=20, answers=2, timeout_s=180, client="websocket"
    )
    log = (tmp_path / "server.log").read_text(errors="replace")[-3000:]
    assert report.errors == [], log
    assert report.missing == []
    assert report.stored == 40
    assert len(report.first_render_s) == 20
