"""The questionnaire loader: good files load, every bad file gets `file:line: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnostic.questionnaire import (
    QuestionnaireError,
    QuestionType,
    load_questionnaire,
    parse_questionnaire,
)
from diagnostic.questionnaire.source import MAX_YAML_BYTES
from tests.hostile import check_hostile_files

FIXTURE = Path(__file__).parent / "fixtures" / "mini.yaml"
MINI = FIXTURE.read_text(encoding="utf-8")

HEAD = """\
id: essai
version: "1"
title: Essai
estimated_minutes: 5
scales:
  maturite:
    label: Maturité
    levels:
      1: {label: Un}
      2: {label: Deux}
      3: {label: Trois}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as info:
        parse_questionnaire(text, "q.yaml")
    return [str(p) for p in info.value.problems]


def test_fixture_loads_with_every_question_type():
    q = load_questionnaire(FIXTURE)
    assert q.key == ("mini", "1")
    assert {x.type for x in q.questions()} == set(QuestionType)
    assert [s.id for s in q.dimensions] == ["instances", "acteurs"]
    assert q.question("ins_codir").importance is True
    assert q.scale_of(q.question("act_grille")).values == [0, 1, 2, 3, 4]


def test_empty_file():
    assert problems("") == [
        "q.yaml:1: le fichier est vide — écrivez-y les clés attendues (voir questions/README.md) "
        "ou retirez-le du dossier [YAML-012]"
    ]


def test_yaml_syntax_error_names_the_line():
    [message] = problems(HEAD + "sections:\n  - id: a\n    title: [pas fermé\n")
    assert message.startswith("q.yaml:")
    assert "syntaxe YAML invalide" in message


def test_top_level_must_be_a_mapping():
    assert problems("- a\n- b\n") == [
        "q.yaml:1: le fichier doit décrire un questionnaire (des clés id, version…) — écrivez ces "
        "clés en tête du fichier, une par ligne (« clé: valeur »), sans tiret ni retrait "
        "[CHAMP-001]"
    ]


def test_unknown_question_type_with_line():
    text = HEAD + (
        "sections:\n"
        "  - id: s\n"
        "    title: S\n"
        "    questions:\n"
        "      - id: a\n"
        "        type: echelle\n"
        "        text: Question ?\n"
    )
    [message] = problems(text)
    assert message.startswith("q.yaml:17:")
    assert "type de question inconnu « echelle »" in message
    assert "maturity" in message  # lists the possible types


def test_missing_and_unknown_fields_reported_together():
    text = HEAD + (
        "sections:\n"
        "  - id: s\n"
        "    title: S\n"
        "    questions:\n"
        "      - id: a\n"
        "        type: maturity\n"
        "        txt: Question ?\n"
    )
    found = problems(text)
    assert any("champ obligatoire manquant : « text »" in m for m in found)
    assert any(m.startswith("q.yaml:18:") and "champ inconnu « txt »" in m for m in found)


def test_wrong_type_of_value():
    text = HEAD.replace("estimated_minutes: 5", "estimated_minutes: beaucoup") + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: a, type: maturity, text: Q}\n"
    )
    [message] = problems(text)
    assert message.startswith("q.yaml:4:")
    assert "estimated_minutes" in message and "nombre entier" in message


def test_duplicate_ids():
    text = HEAD + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: a, type: maturity, text: Q1}\n"
        "      - {id: a, type: maturity, text: Q2}\n"
    )
    [message] = problems(text)
    assert message.startswith("q.yaml:17:")  # the second « a »
    assert "identifiant « a » en double" in message


def test_unknown_scale():
    text = HEAD + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: a, type: maturity, text: Q, scale: intensite}\n"
    )
    [message] = problems(text)
    assert "échelle inconnue « intensite »" in message and "maturite" in message


def test_level_descriptions_must_match_the_scale():
    text = HEAD + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - id: a\n        type: maturity\n        text: Q\n"
        "        levels: {1: un, 2: deux}\n"
    )
    [message] = problems(text)
    assert message.startswith("q.yaml:19:")
    assert "ne correspondent pas à l'échelle" in message


def test_show_if_unknown_question():
    text = HEAD + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - id: a\n        type: maturity\n        text: Q\n"
        "        show_if: {question: zzz, equals: 1}\n"
    )
    [message] = problems(text)
    assert message.startswith("q.yaml:19:")
    assert "show_if renvoie à une question inconnue « zzz »" in message


def test_show_if_on_a_later_question():
    text = HEAD + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: a, type: maturity, text: Q, show_if: {question: b, at_least: 2}}\n"
        "      - {id: b, type: maturity, text: Q2}\n"
    )
    [message] = problems(text)
    assert "doit renvoyer à une question placée avant" in message


def test_show_if_unknown_option():
    text = MINI.replace(
        "show_if: {question: ctx_structure, equals: commune}",
        "show_if: {question: ctx_structure, equals: mairie}",
    )
    [message] = problems(text)
    assert "option inconnue de « ctx_structure » : mairie" in message


def test_choice_question_without_options():
    text = HEAD + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: a, type: multiple_choice, text: Q}\n"
    )
    [message] = problems(text)
    assert "demande une liste d'options" in message


def test_invalid_identifier():
    text = HEAD + (
        "sections:\n  - id: s\n    title: S\n    questions:\n"
        "      - {id: Question-1, type: maturity, text: Q}\n"
    )
    [message] = problems(text)
    assert "identifiant invalide « Question-1 »" in message


def test_missing_file_and_bad_encoding(tmp_path):
    with pytest.raises(QuestionnaireError, match="fichier introuvable"):
        load_questionnaire(tmp_path / "absent.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("title: Côte".encode("latin-1"))
    with pytest.raises(QuestionnaireError, match="UTF-8"):
        load_questionnaire(bad)


# --- Hostile files: bounded loading (shared by every YAML loader) ------------------------------


def test_hostile_files_are_answered_quickly_with_their_line(tmp_path):
    check_hostile_files(load_questionnaire, tmp_path, "q.yaml")


def test_a_recursive_alias_is_refused_with_its_line():
    [message] = problems(HEAD + "sections: &boucle\n  - questions: *boucle\n")
    assert message.startswith("q.yaml:13: alias « *boucle » à l'intérieur de sa propre ancre")


def test_an_oversized_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "gros.yaml"
    big.write_bytes(b"# " + b"x" * (MAX_YAML_BYTES + 1) + b"\n")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(big)
    [message] = [str(p) for p in caught.value.problems]
    assert message.startswith(f"{big}:1: fichier trop volumineux")
    [message] = problems("# " + "x" * (MAX_YAML_BYTES + 1) + "\n")
    assert message.startswith("q.yaml:1: fichier trop volumineux")


def test_a_modest_use_of_aliases_still_loads():
    text = HEAD.replace("scales:", "scales: &echelles").rstrip() + (
        "\nsections:\n  - id: a\n    title: A\n    questions:\n"
        "      - {id: q1, type: maturity, text: Une question ?, scale: maturite}\n"
        "autres_echelles: *echelles\n"
    )
    [message] = problems(text)  # the alias is expanded; only the unknown key is refused
    assert "champ inconnu « autres_echelles »" in message


def test_a_byte_that_yaml_refuses_is_reported_on_its_line():
    [message] = problems(HEAD + "sections:\n  - id: a\n    title: \x07cloche\n")
    assert message.startswith("q.yaml:14: caractère interdit"), message
