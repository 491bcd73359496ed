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
