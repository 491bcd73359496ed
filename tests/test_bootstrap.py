"""The server's warm-up (diagnostic.bootstrap.warm_up, started by serve.py)."""

from __future__ import annotations

import sys

from diagnostic.bootstrap import warm_up
from diagnostic.questionnaire import registry
from tests.conftest import ROOT


def test_warm_up_imports_the_domain_and_loads_the_shipped_files():
    registry.clear_cache()
    count = warm_up(ROOT / "questions")
    assert count > 100  # every module of diagnostic/, migrations and command line apart
    for module in ("diagnostic.document.pdf_writer", "diagnostic.results.figures", "docx"):
        assert module in sys.modules
    assert not any(name.startswith("diagnostic.migrations.versions") for name in sys.modules)
    assert registry._load_dir.cache_info().currsize == 1  # parsed once, kept
