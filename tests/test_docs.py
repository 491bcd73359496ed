"""Documentation that must not drift: the question examples of questions/README.md are valid."""

from __future__ import annotations

import re

from ruamel.yaml import YAML

from diagnostic.questionnaire import Question, QuestionType
from diagnostic.questionnaire.schema import as_plain
from tests.conftest import ROOT


def test_every_question_type_has_a_valid_example_in_the_guide():
    text = (ROOT / "questions" / "README.md").read_text(encoding="utf-8")
    examples = text.split("## Un exemple par type", 1)[1].split("## Règles", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", examples, flags=re.S)
    seen = set()
    for block in blocks:
        data = as_plain(YAML(typ="safe").load(block))
        question = Question.model_validate(data[0])
        seen.add(question.type)
    assert seen == set(QuestionType)


def test_french_counts_agree_with_their_number():
    from diagnostic.vocabulary import count

    assert count(0, "action ajoutée") == "0 action ajoutée"
    assert count(1, "réponse") == "1 réponse"
    assert count(2, "information enregistrée") == "2 informations enregistrées"
    assert count(3, "mise à jour", "mises à jour") == "3 mises à jour"


def test_no_page_writes_a_number_with_a_plural_in_brackets():
    """« 3 action(s) ajoutée(s) » reads as machine output: pages agree the word with the
    number (vocabulary.count)."""
    offenders = [
        f"{path.name}:{n}"
        for path in sorted((ROOT / "pages").glob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\w\(s\)", line)
    ]
    assert offenders == []
