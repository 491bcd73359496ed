"""The workshop programme (questions/atelier.yaml): the shipped file, and every error located."""

from __future__ import annotations

import textwrap

import pytest

from diagnostic.questionnaire import QuestionnaireError
from diagnostic.workshop import StepKind, load_programme
from diagnostic.workshop.programme import (
    edited_programme,
    parse_programme,
    programme_for,
    step_rows,
)
from tests.conftest import ROOT
from tests.hostile import check_hostile_files

HEAD = """\
id: essai
version: "1"
title: Essai
intro: Un atelier d'essai.
steps:
"""


def problems(steps: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse_programme(HEAD + textwrap.dedent(steps), "atelier.yaml")
    return [str(p) for p in caught.value.problems]


def test_the_shipped_programme_loads_and_follows_the_seminar():
    programme = load_programme(ROOT / "questions" / "atelier.yaml")
    kinds = [s.kind for s in programme.steps]
    assert kinds[0] == StepKind.WELCOME
    # personal time comes before collective time, and the session ends on commitments
    assert kinds.index(StepKind.PERSONAL) < kinds.index(StepKind.COLLECTIVE)
    assert kinds[-1] == StepKind.COMMITMENTS
    assert set(kinds) == set(StepKind)
    assert programme.total_minutes == 30  # « 16h30-17h00 Et demain sur mon territoire ? »
    # the closing reflective module of the domain brief (§5.7)
    prompts = " ".join(s.prompt for s in programme.steps)
    for words in ("Ce que je retiens", "3 prochains mois", "secrétaires généraux de mairie"):
        assert words in prompts
    for kind in (StepKind.GRID, StepKind.DOTS):
        step = next(s for s in programme.steps if s.kind == kind)
        assert programme.steps[programme.index_of(step.source)].kind == StepKind.COLLECTIVE
    dots = next(s for s in programme.steps if s.kind == StepKind.DOTS)
    assert dots.dot_count == 3 and "3 points" in dots.prompt


def test_the_cli_validates_a_programme(tmp_path):
    from diagnostic.cli import validate_file

    assert "étapes" in validate_file(ROOT / "questions" / "atelier.yaml")


def test_a_valid_minimal_programme():
    programme = parse_programme(
        HEAD
        + textwrap.dedent(
            """\
            - {id: seul, kind: personal, title: Seul, prompt: Ce que je retiens., minutes: 2}
            """
        )
    )
    step = programme.step(7)  # a stored index beyond the end is clamped
    assert step.id == "seul" and step.seconds == 120 and step.posts


def test_unknown_kind_missing_minutes_and_bad_id_are_located():
    found = problems(
        """\
        - id: accueil
          kind: bienvenue
          title: Bienvenue
          prompt: Rejoignez-nous.
          minutes: 2
        - id: Seul
          kind: personal
          title: Seul
          prompt: Ce que je retiens.
        """
    )
    assert found == [
        "atelier.yaml:7: étape « accueil » : type d'étape inconnu « bienvenue » — choisissez "
        "parmi les types possibles : welcome, results, personal, collective, revote, dots, "
        "grid, commitments [CHAMP-005]",
        "atelier.yaml:11: étape « Seul » : champ obligatoire manquant : « minutes » — ajoutez "
        "« minutes: » et sa valeur [CHAMP-002]",
        "atelier.yaml:11: étape « Seul » : identifiant invalide « Seul » — écrivez-le en lettres "
        "minuscules sans accent, chiffres et _ seulement, en commençant par une lettre "
        "[CHAMP-006]",
    ]


def test_cross_checks_grid_source_duplicates_items_and_welcome():
    found = problems(
        """\
        - {id: seul, kind: personal, title: Seul, prompt: P., minutes: 2, items: 3}
        - {id: grille, kind: grid, title: Grille, prompt: P., minutes: 2, source: seul}
        - {id: grille2, kind: grid, title: Grille, prompt: P., minutes: 2, source: plus_tard}
        - {id: seul, kind: collective, title: Ensemble, prompt: P., minutes: 2}
        - {id: accueil, kind: welcome, title: Accueil, prompt: P., minutes: 1}
        - {id: grille3, kind: grid, title: Grille, prompt: P., minutes: 2}
        """
    )
    assert found == [
        "atelier.yaml:6: étape « seul » : « items » ne sert qu'aux étapes results et revote — "
        "retirez « items » de cette étape [ATELIER-001]",
        "atelier.yaml:7: étape « grille » : « source » doit être une étape collective "
        "(« seul » est de type personal) — choisissez une étape collective placée avant : il "
        "n'y en a aucune, ajoutez-en une avant cette étape [ATELIER-006]",
        "atelier.yaml:8: étape « grille2 » : « source » renvoie à « plus_tard », qui n'est pas "
        "une étape placée avant celle-ci — choisissez une étape collective placée avant : il "
        "n'y en a aucune, ajoutez-en une avant cette étape [ATELIER-005]",
        "atelier.yaml:9: étape « seul » en double (déjà utilisée ligne 6) — changez l'un des "
        "deux identifiants : chacun doit être unique [CHAMP-017]",
        "atelier.yaml:10: étape « accueil » : l'accueil (welcome) est la première étape — "
        "placez cette étape en tête du déroulé, ou retirez-la [ATELIER-002]",
        "atelier.yaml:11: étape « grille3 » : une étape grid ou dots indique sa « source », "
        "l'étape collective dont elle reprend les contributions — ajoutez « source: » suivi de "
        "l'identifiant d'une étape collective placée avant : seul [ATELIER-004]",
    ]


def test_a_dots_step_takes_its_bound_and_its_source_like_a_grid():
    programme = parse_programme(
        HEAD
        + textwrap.dedent(
            """\
            - {id: ensemble, kind: collective, title: E, prompt: P., minutes: 2}
            - {id: points, kind: dots, title: Points, prompt: P., minutes: 2, source: ensemble}
            - {id: autre, kind: collective, title: A, prompt: P., minutes: 2}
            - {id: six, kind: dots, title: Six, prompt: P., minutes: 1, source: autre, dots: 6}
            """
        )
    )
    assert [s.dot_count for s in programme.steps if s.kind == StepKind.DOTS] == [3, 6]


def test_dots_errors_are_located_and_said_in_french():
    found = problems(
        """        - {id: ensemble, kind: collective, title: E, prompt: P., minutes: 2, dots: 2}
        - {id: points, kind: dots, title: Points, prompt: P., minutes: 2}
        - {id: encore, kind: dots, title: Encore, prompt: P., minutes: 2, source: ensemble}
        - {id: bis, kind: dots, title: Bis, prompt: P., minutes: 2, source: ensemble}
        - {id: trop, kind: dots, title: Trop, prompt: P., minutes: 2, source: ensemble, dots: 11}
        """
    )
    assert found[-1] == (
        "atelier.yaml:10: étape « trop » : « dots » doit valoir au plus 10 — remplacez 11 par "
        "un nombre de 1 à 10 [CHAMP-014]"
    )
    found = problems(
        """        - {id: ensemble, kind: collective, title: E, prompt: P., minutes: 2, dots: 2}
        - {id: points, kind: dots, title: Points, prompt: P., minutes: 2}
        - {id: encore, kind: dots, title: Encore, prompt: P., minutes: 2, source: ensemble}
        - {id: bis, kind: dots, title: Bis, prompt: P., minutes: 2, source: ensemble}
        """
    )
    assert found == [
        "atelier.yaml:6: étape « ensemble » : « dots » (le nombre de points par personne) ne "
        "sert qu'aux étapes dots — retirez « dots » de cette étape, ou donnez-lui le type dots "
        "[ATELIER-007]",
        "atelier.yaml:7: étape « points » : une étape grid ou dots indique sa « source », "
        "l'étape collective dont elle reprend les contributions — ajoutez « source: » suivi de "
        "l'identifiant d'une étape collective placée avant : ensemble [ATELIER-004]",
        "atelier.yaml:9: étape « bis » : les contributions de « ensemble » ont déjà une étape de "
        "points (« encore ») — gardez une seule étape dots par étape collective, ou choisissez "
        "une autre « source » [ATELIER-008]",
    ]


def test_minutes_out_of_range_and_syntax_errors():
    assert problems("- {id: a, kind: personal, title: T, prompt: P., minutes: 0}\n") == [
        "atelier.yaml:6: étape « a » : « minutes » doit valoir au moins 1 — remplacez 0 par un "
        "nombre de 1 à 60 [CHAMP-014]"
    ]
    with pytest.raises(QuestionnaireError) as caught:
        parse_programme(HEAD + "  - id: a\n kind: x\n", "atelier.yaml")
    assert str(caught.value.problems[0]).startswith("atelier.yaml:7: syntaxe YAML invalide")


def test_hostile_programme_files_are_answered_quickly_with_their_line(tmp_path):
    check_hostile_files(load_programme, tmp_path, "atelier.yaml")


def test_missing_programme_file_is_reported(tmp_path):
    with pytest.raises(QuestionnaireError, match="atelier.yaml:0: fichier introuvable"):
        programme_for(tmp_path)


def test_the_guide_example_is_a_valid_programme_extract():
    import re

    guide = (ROOT / "questions" / "README.md").read_text(encoding="utf-8")
    section = guide.split("## Le déroulé de l'atelier", 1)[1]
    [block] = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)
    programme = parse_programme(HEAD + block, "README.md")
    assert [s.kind for s in programme.steps] == [StepKind.COLLECTIVE, StepKind.GRID]


# --- a workshop's own programme (edited on the console) --------------------------------------


def shipped():
    return load_programme(ROOT / "questions" / "atelier.yaml")


def edited_problems(rows) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        edited_programme(shipped(), rows)
    return [p.message for p in caught.value.problems]


def moved(rows, step_id: str, to: int) -> list[dict]:
    rows = [dict(r) for r in rows]
    row = next(r for r in rows if r["id"] == step_id)
    rows.remove(row)
    rows.insert(to, row)
    return rows


def test_the_editor_rows_give_back_the_shipped_programme():
    programme = shipped()
    rows = step_rows(programme, None)
    assert [r["id"] for r in rows] == [s.id for s in programme.steps]
    assert not any(r["removed"] for r in rows)
    assert edited_programme(programme, rows) == programme


def test_an_edited_programme_keeps_its_order_titles_minutes_and_removed_steps():
    rows = moved(step_rows(shipped(), None), "besoins", 2)
    rows[1] |= {"title": "  Nos résultats  ", "minutes": 6}
    rows[-2]["removed"] = True  # the grid
    programme = edited_programme(shipped(), rows)
    ids = [s.id for s in programme.steps]
    assert ids[:4] == ["accueil", "resultats", "besoins", "retenir"] and "grille" not in ids
    assert programme.steps[1].title == "Nos résultats" and programme.steps[1].minutes == 6
    assert programme.steps[1].items == 5  # what the editor does not show is the file's
    file = {step.id: step.minutes for step in shipped().steps}
    assert programme.total_minutes == 30 + (6 - file["resultats"]) - file["grille"]


def test_an_edited_programme_is_checked_like_the_file_every_problem_at_once():
    rows = step_rows(shipped(), None)
    grid_first = moved(moved(rows, "grille", 2), "resultats", 0)  # welcome no longer first
    said = edited_problems(grid_first)
    assert any("l'accueil (welcome) est la première étape" in p for p in said)
    assert any(
        "étape « grille »" in p and "« chantiers », qui n'est pas une étape placée avant" in p
        for p in said
    )
    # the grid's source removed: refused, never a grid left without its candidates
    no_source = [dict(r, removed=r["id"] == "chantiers") for r in rows]
    assert any("étape « grille »" in p for p in edited_problems(no_source))
    # the schema: an empty title, 0 or 61 minutes, a half minute, all listed
    bad = [dict(r) for r in rows]
    bad[1]["title"], bad[2]["minutes"], bad[3]["minutes"], bad[4]["minutes"] = " ", 0, 61, 2.5
    said = edited_problems(bad)
    assert len(said) == 4
    assert any("étape « resultats »" in p and "vide" in p for p in said)
    assert any("étape « retenir »" in p and "au moins 1" in p for p in said)
    assert any("étape « premier_pas »" in p and "60" in p for p in said)
    assert any("étape « besoins »" in p and "entier" in p for p in said)
    # every step removed; the same step twice
    assert edited_problems([dict(r, removed=True) for r in rows]) != []
    assert any("déjà utilisée" in p for p in edited_problems([*rows, rows[3]]))


def test_stored_rows_follow_the_file_when_it_changed_since():
    rows = step_rows(shipped(), None)
    stored = [{"id": "disparue", "title": "X", "prompt": "X", "minutes": 1}, *reversed(rows[1:])]
    again = step_rows(shipped(), stored)
    assert [r["id"] for r in again] == [r["id"] for r in reversed(rows[1:])] + ["accueil"]
