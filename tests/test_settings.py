"""Settings: environment first, secrets.toml root keys next; every setting documented."""

from __future__ import annotations

from diagnostic.settings import Settings, get_settings
from tests.conftest import ROOT


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.db")
    monkeypatch.setenv("MIN_GROUP_SIZE", "4")
    monkeypatch.setenv("PUBLIC_URL", "https://diag.exemple.fr/")
    get_settings.cache_clear()
    s = get_settings()
    assert s.effective_database_url == "sqlite:///x.db"
    assert s.min_group_size == 4
    assert s.public_url == "https://diag.exemple.fr"
    get_settings.cache_clear()


def test_default_database_is_a_sqlite_file_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.effective_database_url == f"sqlite:///{tmp_path / 'diagnostic.db'}"


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, f"{name.upper()} absent du README"


def test_production_refuses_the_demo_accounts(monkeypatch):
    import pytest
    from pydantic import ValidationError

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("LOAD_DEMO", "true")
    with pytest.raises(ValidationError, match="LOAD_DEMO doit valoir false en production"):
        Settings()
    monkeypatch.setenv("LOAD_DEMO", "false")
    assert Settings().environment == "production"


def test_versions_sort_numerically():
    from diagnostic.questionnaire.registry import version_key

    assert sorted(["2026.10", "2026.2", "2026.1", "2025.9"], key=version_key) == [
        "2025.9",
        "2026.1",
        "2026.2",
        "2026.10",
    ]
