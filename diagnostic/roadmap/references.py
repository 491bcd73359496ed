"""« Repères et outils »: the shipped library, searched and cross-linked to items and actions."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.registry import default_questionnaire
from diagnostic.roadmap.library import Action, Reference, load_actions, load_references
from diagnostic.territory.facts import FICHE_FILE, fiche_for

KIND_LABELS = {
    "cadre_juridique": "Cadre juridique",
    "methode": "Méthode",
    "chiffre_cle": "Chiffre clé",
    "ressource": "Ressource",
}


@dataclass(frozen=True)
class Library:
    """The references and actions shipped in a questions folder, checked against each other."""

    references: tuple[Reference, ...]
    actions: tuple[Action, ...]
    questionnaire: Questionnaire

    def reference(self, ref_id: str) -> Reference | None:
        return next((r for r in self.references if r.id == ref_id), None)

    def cited_by_questions(self, ref_id: str) -> list[str]:
        """Ids of the questions that cite a reference, in questionnaire order."""
        return [q.id for q in self.questionnaire.questions() if ref_id in q.references]

    def cited_by_actions(self, ref_id: str) -> list[Action]:
        return [a for a in self.actions if ref_id in a.references]


@lru_cache(maxsize=4)
def load_library(questions_dir: Path) -> Library:
    """Load references.yaml and actions.yaml once per process (validated at load)."""
    folder = Path(questions_dir)
    questionnaire = default_questionnaire(folder)
    ref_path, action_path = folder / "references.yaml", folder / "actions.yaml"
    refs = load_references(ref_path) if ref_path.is_file() else []
    fiche = fiche_for(folder) if (folder / FICHE_FILE).is_file() else None
    actions = load_actions(action_path, questionnaire, refs, fiche) if action_path.is_file() else []
    return Library(tuple(refs), tuple(actions), questionnaire)


def fold(text: str) -> str:
    """Lower case without accents, for searches typed without them (« reperes »)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(
    references: tuple[Reference, ...] | list[Reference],
    query: str = "",
    kinds: set[str] | None = None,
) -> list[Reference]:
    """References matching every word of the query (title, summary, article, source) and kinds."""
    words = fold(query).split()
    found = []
    for ref in references:
        if kinds and ref.kind not in kinds:
            continue
        haystack = fold(" ".join([ref.title, ref.summary, ref.article or "", ref.source.text]))
        if all(w in haystack for w in words):
            found.append(ref)
    return found
