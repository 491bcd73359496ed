"""`python -m diagnostic …`: plain text out, non-zero exit with one line on failure."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from sqlmodel import select

from diagnostic.cli import main
from tests.conftest import FIXTURES, ROOT


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_good_file(capsys):
    code, out, _ = run(capsys, "validate", str(FIXTURES / "mini.yaml"))
    assert code == 0
    assert "questionnaire « mini » version 1 valide — 2 dimensions, 8 questions" in out


def test_validate_bad_files_prints_one_line_per_problem(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (FIXTURES / "mini.yaml")
        .read_text(encoding="utf-8")
        .replace("type: ranking", "type: classement")
        .replace("question: ctx_structure", "question: inconnue"),
        encoding="utf-8",
    )
    empty = tmp_path / "vide.yaml"
    empty.write_text("", encoding="utf-8")
    code, out, err = run(capsys, "validate", str(bad), str(empty), str(FIXTURES / "mini.yaml"))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].startswith(f"{bad}:") and "type de question inconnu « classement »" in lines[0]
    assert lines[1] == f"{empty}:1: le fichier est vide"
    assert "valide" in lines[2]
    assert "Traceback" not in out + err


def test_validate_via_python_dash_m_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "diagnostic", "validate", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout.startswith(f"{bad}:1: syntaxe YAML invalide")
    assert "Traceback" not in result.stderr


def test_demo_then_campaigns(app_env, capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "Démonstration chargée : Communauté de communes du Val de Loir, " in out
    assert "coordination@demo.fr" in out
    assert "http://testserver/?t=" in out
    code, out, _ = run(capsys, "campaigns")
    assert code == 0
    header, *rows = out.strip().splitlines()
    assert header.startswith("id\tterritoire")
    assert len(rows) == 4
    val_de_loir = next(r for r in rows if r.startswith("1\t")).split("\t")
    expected = ["1", "Communauté de communes du Val de Loir", "mini 1", "open", "10", "9", "7"]
    assert val_de_loir[:7] == expected
    code, out, err = run(capsys, "demo")
    assert code == 1 and "déjà des territoires" in err


def test_campaigns_empty_state(app_env, capsys):
    code, out, _ = run(capsys, "campaigns")
    assert code == 0 and "Aucune campagne" in out


def test_accounts_from_the_command_line(app_env, capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        "create-user",
        "--email",
        "Admin@Exemple.fr",
        "--admin",
        stdin="un-mot-de-passe-long\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0 and "Compte créé : admin@exemple.fr (administrateur)" in out
    code, _, err = run(
        capsys, "create-user", "--email", "x@exemple.fr", stdin="court\n", monkeypatch=monkeypatch
    )
    assert code == 1 and "au moins 10 caractères" in err
    monkeypatch.setenv("PW", "un-autre-mot-de-passe")
    code, out, _ = run(
        capsys, "reset-password", "--email", "admin@exemple.fr", "--password-env", "PW"
    )
    assert code == 0
    code, _, err = run(
        capsys, "grant", "--email", "nobody@exemple.fr", "--territory", "1", "--role", "coordinator"
    )
    assert code == 1 and err.startswith("Erreur : aucun compte")
    code, _, err = run(
        capsys, "grant", "--email", "admin@exemple.fr", "--territory", "99", "--role", "coordinator"
    )
    assert code == 1 and "introuvable" in err


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["nimporte"])
    assert info.value.code == 2


def test_validate_recognises_action_and_reference_files(capsys):
    code, out, _ = run(
        capsys,
        "validate",
        str(ROOT / "questions" / "actions.yaml"),
        str(ROOT / "questions" / "references.yaml"),
    )
    assert code == 0
    first, second = out.strip().splitlines()
    assert "actions valides (vérifiées sur le questionnaire « gouvernance »" in first
    assert second.endswith("repères valides")


def test_validate_reports_a_bad_action_trigger_with_its_line(capsys, tmp_path):
    folder = tmp_path / "questions"
    (folder / "questionnaires").mkdir(parents=True)
    source = ROOT / "questions"
    for name in ("references.yaml",):
        (folder / name).write_text((source / name).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "questionnaires" / "gouvernance.yaml").write_text(
        (source / "questionnaires" / "gouvernance.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    text = (source / "actions.yaml").read_text(encoding="utf-8")
    bad_text = text.replace(
        "{item: d1_diagnostic_partage, level_at_most: 2}",
        "{item: d1_diagnostic_partage, level_at_most: 9}",
        1,
    )
    line = (
        bad_text.splitlines().index(
            next(x for x in bad_text.splitlines() if "level_at_most: 9" in x)
        )
        + 1
    )
    (folder / "actions.yaml").write_text(bad_text, encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(folder / "actions.yaml"))
    assert code == 1
    assert out.startswith(f"{folder / 'actions.yaml'}:{line}:")
    assert "niveau 9" in out


def test_export_command_writes_each_format(app_env, capsys, tmp_path):
    run(capsys, "demo")
    for fmt in ("csv", "xlsx", "json"):
        target = tmp_path / f"out.{fmt}"
        code, out, _ = run(capsys, "export", "--campaign", "1", "--format", fmt, "-o", str(target))
        assert code == 0 and f"Export écrit : {target}" in out
        assert target.stat().st_size > 1000
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    code, _, err = run(capsys, "export", "--campaign", "42", "--format", "csv", "-o", "x.csv")
    assert code == 1 and err == "Erreur : campagne 42 introuvable\n"


def test_export_with_names_only_for_a_named_campaign(app_env, capsys, tmp_path):
    from diagnostic.settings import get_settings
    from diagnostic.store.engine import get_engine, session_scope
    from diagnostic.store.models import Campaign, Participant

    run(capsys, "demo")
    target = tmp_path / "noms.csv"
    code, _, err = run(
        capsys, "export", "--campaign", "1", "--format", "csv", "-o", str(target), "--with-names"
    )
    assert code == 1 and "cette campagne n'est pas nominative" in err
    assert not target.exists()
    with session_scope(get_engine(get_settings().effective_database_url)) as s:
        campaign = s.get(Campaign, 1)
        campaign.named_answers = True  # test set-up: the app refuses it once answers exist
        s.add(campaign)
        named = [p.name for p in s.exec(select(Participant).where(Participant.campaign_id == 1))]
    code, out, _ = run(
        capsys, "export", "--campaign", "1", "--format", "csv", "-o", str(target), "--with-names"
    )
    assert code == 0
    text = target.read_text(encoding="utf-8-sig")
    assert any(name and name in text for name in named)


def test_roadmap_command_refusals(app_env, capsys, tmp_path):
    code, _, err = run(capsys, "roadmap", "--campaign", "7", "--format", "md", "-o", "x.md")
    assert code == 1 and err == "Erreur : campagne 7 introuvable\n"
    run(capsys, "demo")
    code, _, err = run(
        capsys,
        "roadmap",
        "--campaign",
        "1",
        "--format",
        "md",
        "-o",
        str(tmp_path / "x.md"),
        "--date",
        "29/11/2026",
    )
    assert code != 0
