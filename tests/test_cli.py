"""`python -m diagnostic …`: plain text out, non-zero exit with one line on failure."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from sqlmodel import select

from diagnostic.cli import main
from diagnostic.settings import get_settings
from tests import hostile
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
    assert lines[1] == (
        f"{empty}:1: le fichier est vide — écrivez-y les clés attendues (voir questions/README.md) "
        "ou retirez-le du dossier [YAML-012]"
    )
    assert "valide" in lines[2]
    assert "Traceback" not in out + err


@pytest.fixture
def shipped_settings(monkeypatch):
    """The command line pointed at the shipped questions folder."""
    monkeypatch.setenv("QUESTIONS_DIR", str(ROOT / "questions"))
    get_settings.cache_clear()
    yield ROOT / "questions"
    get_settings.cache_clear()


def test_validate_without_argument_checks_every_shipped_file_by_its_kind(capsys, shipped_settings):
    code, out, err = run(capsys, "validate")
    assert (code, err) == (0, "")
    *lines, total = out.strip().splitlines()
    shipped = sorted(shipped_settings.rglob("*.yaml"))
    assert sorted(line.split(": ", 1)[0] for line in lines) == [str(p) for p in shipped]
    by_file = {line.split(": ", 1)[0]: line for line in lines}
    assert "repères valides" in by_file[str(shipped_settings / "references.yaml")]
    assert "actions valides" in by_file[str(shipped_settings / "actions.yaml")]
    assert "étapes valides" in by_file[str(shipped_settings / "atelier.yaml")]
    assert "questions renommées valide" in by_file[str(shipped_settings / "renamed.yaml")]
    assert "calendrier valide" in by_file[str(shipped_settings / "calendrier.yaml")]
    assert "obligations valides" in by_file[str(shipped_settings / "obligations.yaml")]
    assert "chantiers valides" in by_file[str(shipped_settings / "chantiers.yaml")]
    assert "fiche du territoire valide" in by_file[str(shipped_settings / "fiche.yaml")]
    demo = by_file[str(shipped_settings / "demo" / "territoires.yaml")]
    assert "territoires de démonstration valides" in demo
    court = by_file[str(shipped_settings / "questionnaires" / "gouvernance-court.yaml")]
    assert "questionnaire « gouvernance_court »" in court and court.endswith("minutes")
    assert total == f"{len(shipped)} fichiers vérifiés dans {shipped_settings} : tous valides"


def test_validate_without_argument_reports_a_broken_file_with_its_line(
    capsys, tmp_path, monkeypatch
):
    import shutil

    folder = tmp_path / "questions"
    shutil.copytree(ROOT / "questions", folder)
    (folder / "renamed.yaml").write_text(
        "renamed:\n  gouvernance:\n    d1_ancien: d1_inexistant\n  inconnu: {}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("QUESTIONS_DIR", str(folder))
    get_settings.cache_clear()
    try:
        code, out, err = run(capsys, "validate")
    finally:
        get_settings.cache_clear()
    assert code == 1
    renamed = folder / "renamed.yaml"
    problems = [line for line in out.splitlines() if line.startswith(f"{renamed}:")]
    assert problems == [
        f"{renamed}:3: « gouvernance » : « d1_ancien » ne figure dans aucune version du "
        "questionnaire — écrivez à gauche l'identifiant de la question dans une version passée "
        "[RENOMME-003]",
        f"{renamed}:3: « gouvernance » : « d1_inexistant » ne figure pas dans la dernière "
        "version du questionnaire — écrivez à droite l'identifiant de la question dans la "
        "dernière version [RENOMME-004]",
        f"{renamed}:4: questionnaire inconnu « inconnu » (questionnaires : gouvernance, "
        "gouvernance_court) — écrivez l'identifiant (id) de l'un de ces questionnaires "
        "[RENOMME-002]",
    ]
    assert out.strip().splitlines()[-1].endswith(": 1 fichier en erreur")
    assert "Traceback" not in out + err


def test_validate_reports_demo_file_problems_in_french_with_their_line(capsys, tmp_path):
    demo = tmp_path / "territoires.yaml"
    text = (ROOT / "questions" / "demo" / "territoires.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    story = next(i for i, line in enumerate(lines) if line.strip().startswith("story:"))
    lines[story] = lines[story].replace("story:", "histoire:", 1)
    demo.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(demo))
    assert code == 1
    territory = "territories › « Communauté de communes du Val de Loir »"
    assert (
        f"{demo}:{story + 1}: {territory} : champ inconnu « histoire » — corrigez son nom "
        "(faute de frappe ?) ou retirez-le ; champs permis ici : name, code, kind, population, "
        "story, communes, campaign, campaign_opened, profile, participants, benchmark_consent, "
        "fiche, previous [CHAMP-003]"
    ) in out
    assert f"{territory} : champ obligatoire manquant : « story »" in out
    assert "Field required" not in out and "Extra inputs" not in out


def test_validate_via_python_dash_m_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [", encoding="utf-8")
    hostile_files = {
        "bombe.yaml": hostile.billion_laughs()[0],
        "crochets.yaml": hostile.nested_flow(),
        "tirets.yaml": hostile.nested_block(),
        "latin1.yaml": hostile.bad_byte_on_line_7(),
    }
    for name, data in hostile_files.items():
        (tmp_path / name).write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "diagnostic", "validate", str(bad)]
        + [str(tmp_path / name) for name in hostile_files],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bad}:1: syntaxe YAML invalide")
    assert [line.split(":")[0] for line in lines[1:]] == [
        str(tmp_path / name) for name in hostile_files
    ]
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


def test_obligations_of_the_val_de_loir_on_the_demo_day(app_env, shipped_settings, capsys):
    run(capsys, "demo")
    code, out, err = run(capsys, "obligations", "--campaign", "1", "--date", "2026-12-04")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "Débat sur l'élaboration d'un pacte de gouvernance : en retard (échéance 22 octobre "
        "2026) — CGCT, art. L5211-11-2, I, 1°"
    )
    cdci = next(line for line in lines if line.startswith("Réunion de la CDCI"))
    assert ": passée (fenêtre close le 22 septembre 2026) — CGCT, art. L5211-45-1" in cdci
    # 17 rules: the pacte debate, the PCAET and the intérêt communautaire of the voirie late
    assert lines[-1] == (
        "17 obligations : 3 en retard, 1 à faire, 1 passée, 6 à jour, 6 sans objet"
    )
    code, _, err = run(capsys, "obligations", "--campaign", "99")
    assert code == 1 and "campagne 99 introuvable" in err
    code, _, err = run(capsys, "obligations", "--campaign", "1", "--date", "4/12/2026")
    assert code == 1 and "date invalide « 4/12/2026 »" in err
