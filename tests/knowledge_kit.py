"""A test questions folder with knowledge items (questions linked to the fiche by `fact:`), and
helpers to answer them and to fill a territory's fiche."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from diagnostic.accounts.permissions import Actor
from diagnostic.questionnaire import load_questionnaire
from diagnostic.store import campaigns
from diagnostic.store import facts as facts_store
from diagnostic.store.engine import session_scope
from diagnostic.territory.facts import load_fiche, to_json
from tests.factories import store_answers

ADMIN = Actor(kind="user", user_id=0, is_admin=True)
DAY = date(2026, 6, 3)

KNOWLEDGE_ITEM = """\
      - id: ctx_conseil
        type: single_choice
        text: À votre connaissance, un conseil de développement est-il en place ?
        options:
          - {id: oui, label: Oui}
          - {id: non, label: Non}
        fact:
          id: conseil_developpement
          about: Le conseil de développement
          options: {oui: true, non: false}
"""
INVENTORY_FACT = """\
          - {id: codir, label: CoDir de territoire}
        fact:
          options:
            conference: {conference_maires: true}
"""


def with_knowledge(folder: Path) -> Path:
    """The folder's mini questionnaire with a knowledge item (ctx_conseil) and its inventory
    (ctx_outils) linked to the fiche: option « conference » says the conférence des maires
    exists. Call it before anything reads the folder."""
    path = folder / "questionnaires" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("          - {id: codir, label: CoDir de territoire}\n", INVENTORY_FACT, 1)
    text = text.replace(
        "      - id: ctx_commune_taille\n", KNOWLEDGE_ITEM + "      - id: ctx_commune_taille\n", 1
    )
    path.write_text(text, encoding="utf-8")
    return folder


def answer(engine, world, folder: Path, answers: list[dict]) -> None:
    """Each participant's answers (raw) to the folder's mini questionnaire, then submitted."""
    q = load_questionnaire(folder / "questionnaires" / "mini.yaml")
    with session_scope(engine) as s:
        for p, raw in zip(world.participants, answers, strict=False):
            store_answers(s, q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)


def conseil(choice: str | None) -> dict:
    """An answer to ctx_conseil: « oui », « non », or None for « Je ne sais pas »."""
    return {"ctx_conseil": {"dont_know": True} if choice is None else {"choice": choice}}


def fill_fiche(engine, territory_id: int, folder: Path, **values) -> None:
    """Facts entered on the territory's fiche (as the demo loads them), each with a source."""
    fiche = load_fiche(folder / "fiche.yaml")
    changes = {
        k: facts_store.FactWrite(to_json(fiche.field(k), v), "Délibération du 2 juin 2026", DAY)
        for k, v in values.items()
    }
    with session_scope(engine) as s:
        facts_store.save_facts(
            s, territory_id=territory_id, changes=changes, user_id=None, actor=None
        )
