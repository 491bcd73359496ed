"""The questionnaires shipped in questions/questionnaires/, by id and version."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from diagnostic.errors import DiagnosticError
from diagnostic.questionnaire.loader import load_questionnaire
from diagnostic.questionnaire.schema import Questionnaire

DEFAULT_ID = "gouvernance"


class UnknownQuestionnaireError(DiagnosticError, LookupError):
    """No shipped questionnaire has this id and version."""


@lru_cache(maxsize=4)
def _load_dir(folder: Path) -> dict[tuple[str, str], Questionnaire]:
    found: dict[tuple[str, str], Questionnaire] = {}
    for path in sorted(folder.glob("*.yaml")):
        q = load_questionnaire(path)
        found[q.key] = q
    return found


def questionnaires(questions_dir: Path) -> dict[tuple[str, str], Questionnaire]:
    """Every questionnaire of the folder, keyed by (id, version); loaded once per process."""
    return _load_dir(Path(questions_dir) / "questionnaires")


def get_questionnaire(questions_dir: Path, qid: str, version: str) -> Questionnaire:
    """One questionnaire version; old versions stay readable as long as their file is kept."""
    try:
        return questionnaires(questions_dir)[(qid, version)]
    except KeyError:
        raise UnknownQuestionnaireError(
            f"questionnaire « {qid} » version {version} introuvable dans {questions_dir}"
        ) from None


def default_questionnaire(questions_dir: Path) -> Questionnaire:
    """The latest version of the main questionnaire (or of the first one found)."""
    available = questionnaires(questions_dir)
    if not available:
        raise UnknownQuestionnaireError(f"aucun questionnaire dans {questions_dir}/questionnaires")
    main = [q for (qid, _), q in available.items() if qid == DEFAULT_ID]
    pool = main or list(available.values())
    return max(pool, key=lambda q: version_key(q.version))


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Sort key for versions such as "2026.1" < "2026.10" (numbers compared as numbers)."""
    parts = re.split(r"[._-]", version)
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts)


def clear_cache() -> None:
    _load_dir.cache_clear()
