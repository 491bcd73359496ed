"""Golden Markdown roadmap of a demo campaign: regenerate on purpose with UPDATE_GOLDEN=1."""

from __future__ import annotations

import os

from diagnostic.cli import main
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "feuille-de-route-val-de-loir.md"


def test_demo_roadmap_markdown_matches_the_golden_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("QUESTIONS_DIR", str(ROOT / "questions"))
    from diagnostic.questionnaire import registry
    from diagnostic.settings import get_settings
    from diagnostic.store.engine import get_engine

    get_settings.cache_clear()
    registry.clear_cache()
    get_engine.cache_clear()
    assert main(["demo"]) == 0
    out = tmp_path / "fdr.md"
    code = main(
        ["roadmap", "--campaign", "1", "--format", "md", "-o", str(out), "--date", "2026-11-29"]
    )
    assert code == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    get_settings.cache_clear()
    get_engine.cache_clear()
