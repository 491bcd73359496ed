"""Questionnaires as data: schema, loader with line numbers, registry of shipped files."""

from diagnostic.questionnaire.loader import (
    Problem,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)
from diagnostic.questionnaire.schema import (
    Condition,
    Option,
    Question,
    Questionnaire,
    QuestionType,
    Scale,
    Section,
)

__all__ = [
    "Condition",
    "Option",
    "Problem",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "Scale",
    "Section",
    "load_questionnaire",
    "parse_questionnaire",
]
