"""`python -m diagnostic atelier-export`: a workshop's minutes and board written to a file."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from diagnostic.cli import main
from diagnostic.settings import get_settings
from diagnostic.store import audit
from diagnostic.store.engine import get_engine, migrate, session_scope
from tests.test_workshop_output import play_session


@pytest.fixture
def workshop(app_env, questions_dir):
    engine = get_engine(get_settings().effective_database_url)
    migrate(engine)
    _, wid, _, _ = play_session(engine, questions_dir)
    return wid


def test_every_format_is_written_and_logged(workshop, tmp_path, capsys):
    for fmt in ("docx", "md", "csv", "png"):
        out = tmp_path / f"atelier.{fmt}"
        code = main(
            ["atelier-export", "--workshop", str(workshop), "--format", fmt, "-o", str(out)]
        )
        said = capsys.readouterr()
        assert code == 0, said.err
        assert said.out.startswith("Compte rendu de l'atelier « Séminaire » (terminé) écrit : ")
        assert str(out) in said.out
    text = (tmp_path / "atelier.md").read_text("utf-8")
    assert "## 10. Impact et effort (grille impact × effort)" in text
    assert (tmp_path / "atelier.csv").read_text("utf-8-sig").startswith("Étape;")
    assert Image.open(tmp_path / "atelier.png").width == 1920
    from docx import Document

    word = Document(io.BytesIO((tmp_path / "atelier.docx").read_bytes()))
    assert len(word.inline_shapes) == 3  # the re-vote, the points and the grid
    engine = get_engine(get_settings().effective_database_url)
    with session_scope(engine) as s:
        logged = audit.recent_events(s, actions=["workshop.export"])
        assert [(e.actor, e.target, e.details["format"]) for e in logged][::-1] == [
            ("ligne de commande", f"workshop:{workshop}", fmt)
            for fmt in ("docx", "md", "csv", "png")
        ]


def test_without_output_the_file_is_named_after_the_workshop(
    workshop, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert main(["atelier-export", "--workshop", str(workshop), "--format", "md"]) == 0
    [written] = list(tmp_path.glob("*.md"))
    assert written.name.startswith("atelier-seminaire-du-")
    assert written.name in capsys.readouterr().out


def test_mistakes_are_said_in_french(workshop, tmp_path, capsys):
    assert (
        main(["atelier-export", "--workshop", "999", "--format", "md", "-o", str(tmp_path / "x")])
        == 1
    )
    assert "Erreur : atelier 999 introuvable" in capsys.readouterr().err
    folder = tmp_path / "absent" / "x.md"
    assert (
        main(["atelier-export", "--workshop", str(workshop), "--format", "md", "-o", str(folder)])
        == 1
    )
    assert "Erreur : impossible d'écrire" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["atelier-export", "--workshop", "0", "--format", "md"])
    assert exit_.value.code == 2
    assert "« 0 » n'est pas un numéro valide" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["atelier-export", "--workshop", str(workshop), "--format", "pdf"])
    assert exit_.value.code == 2  # argparse lists the formats
