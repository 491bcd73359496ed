"""Documentation that must not drift: the question examples of questions/README.md are valid."""

from __future__ import annotations

import ast
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


MAYBE_PLURAL = re.compile(r"\w\((?:s|e|es|x)\)")  # « action(s) », « invité(e) »


def _texts(tree: ast.AST) -> list[tuple[int, str]]:
    """The string literals of a module (f-string pieces included) with their line, without the
    docstrings, which only developers read, nor the keys of dict literals (the English words of
    Streamlit that pages/_french.py translates); comments never reach the tree."""
    skipped = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    skipped |= {
        id(key) for node in ast.walk(tree) if isinstance(node, ast.Dict) for key in node.keys
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
    ]


def test_no_message_writes_a_number_with_a_plural_in_brackets():
    """« 3 action(s) ajoutée(s) » reads as machine output: pages, command-line messages, charts
    and documents agree the word with the number (vocabulary.count, vocabulary.agree)."""
    sources = [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "diagnostic").rglob("*.py"))]
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sources
        for line, text in _texts(ast.parse(path.read_text(encoding="utf-8")))
        if MAYBE_PLURAL.search(text)
    ]
    assert offenders == []
