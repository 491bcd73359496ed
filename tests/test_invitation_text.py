"""The invitation e-mail: the shipped template, its checks with line numbers, its rendering."""

from __future__ import annotations

from datetime import date

import pytest

from diagnostic.campaigns.invitations import (
    Fields,
    TemplateError,
    check_template,
    default_template,
    first_name,
    render,
    template_problems,
)
from tests.conftest import ROOT

FIELDS = Fields(
    prenom="Marie",
    nom="Marie Dupont",
    territoire="CC du Val",
    campagne="Diagnostic 2027",
    date_limite=date(2027, 1, 15),
    lien="https://diag.example/?t=abc",
)


def test_the_shipped_template_is_valid_and_renders_every_field():
    text = default_template(ROOT / "questions")
    check_template(text, deadline=date(2027, 1, 15))
    msg = render(text, FIELDS)
    assert msg.subject == "Diagnostic de la gouvernance de CC du Val — votre avis compte"
    assert msg.body.startswith("Bonjour Marie,\n")
    assert "https://diag.example/?t=abc" in msg.body
    assert "15 janvier 2027" in msg.body
    assert "{" not in msg.body


def test_unknown_fields_missing_link_and_subject_are_all_reported_with_lines():
    text = "Bonjour\n\n{prenon} et {adresse}\n"
    problems = template_problems(text)
    assert problems[0].startswith("ligne 1 : le message doit commencer par la ligne de l'objet")
    assert problems[1].startswith("ligne 3 : champ inconnu {prenon} (vouliez-vous dire {prenom} ?)")
    assert problems[2].startswith("ligne 3 : champ inconnu {adresse} ; champs possibles")
    assert "{lien}" in problems[3]
    with pytest.raises(TemplateError) as caught:
        check_template(text)
    assert len(caught.value.problems) == 4


def test_a_deadline_field_needs_a_deadline():
    text = "Objet : x\n{lien} avant le {date_limite}"
    assert template_problems(text, deadline=date(2027, 1, 1)) == []
    assert "aucune date limite" in template_problems(text)[0]


def test_no_name_leaves_no_stray_space_and_a_reminder_says_so():
    text = "Objet : Diagnostic {territoire}\nBonjour {prenom},\n\n{lien}\n"
    msg = render(text, Fields("", "", "CC", "C", None, "L"), reminder=True, reissued=True)
    assert msg.subject == "Relance : Diagnostic CC"
    assert msg.body.startswith("Petit rappel")
    assert "remplace celui que vous avez reçu" in msg.body
    assert "Bonjour,\n" in msg.body


def test_first_name():
    assert first_name("Marie Dupont") == "Marie"
    assert first_name(None) == first_name("  ") == ""
