"""Plain factory functions for tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.codecs import normalize
from diagnostic.store import accounts, campaigns, territories
from diagnostic.store.answers import upsert_answer
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Participant, Territory, User

PASSWORD = "mot-de-passe-solide"


def make_user(engine: Engine, email: str = "coord@exemple.fr", *, admin: bool = False) -> User:
    with session_scope(engine) as s:
        return accounts.create_user(s, email=email, name=email, password=PASSWORD, is_admin=admin)


@dataclass
class World:
    """A territory with communes, an open campaign and participants with their tokens."""

    territory: Territory
    communes: list[Territory]
    campaign_id: int
    participants: list[Participant] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)


def make_world(
    engine: Engine,
    *,
    name: str = "CC Test",
    coordinator: User | None = None,
    questionnaire: tuple[str, str] = ("mini", "1"),
    n_participants: int = 3,
) -> World:
    with session_scope(engine) as s:
        territory = territories.create_territory(
            s,
            name=name,
            kind="cc",
            communes=[(f"{name} commune A", None), (f"{name} commune B", None)],
            coordinator_id=coordinator.id if coordinator else None,
        )
        communes = territories.member_communes(s, territory_id=territory.id)
        campaign = campaigns.create_campaign(
            s,
            territory_id=territory.id,
            title="Campagne",
            questionnaire_id=questionnaire[0],
            questionnaire_version=questionnaire[1],
        )
        world = World(territory, communes, campaign.id)
        places = [territory, *communes]
        for i in range(n_participants):
            p, token = campaigns.add_participant(
                s, campaign_id=campaign.id, role="dgs", structure_id=places[i % len(places)].id
            )
            world.participants.append(p)
            world.tokens.append(token)
    return world


def make_workshop(engine: Engine) -> tuple[Any, Any, Any, Any]:
    """Two territories (CC Alpha, CC Beta) with their campaigns, a facilitator of both (role
    facilitator only) and an open workshop on both: (alpha, beta, actor, created)."""
    from diagnostic.accounts.access import actor_for_user
    from diagnostic.workshop import service

    alpha, beta = make_world(engine, name="CC Alpha"), make_world(engine, name="CC Beta")
    user = make_user(engine, "animation@exemple.fr")
    with session_scope(engine) as s:
        for w in (alpha, beta):
            accounts.grant(
                s, user_id=user.id, territory_id=w.territory.id, role="facilitator", actor="t"
            )
    actor = actor_for_user(engine, user.id)
    made = service.create(
        engine,
        actor,
        title="Séminaire",
        campaign_ids=[alpha.campaign_id, beta.campaign_id],
        controlled=False,
    )
    return alpha, beta, actor, made


def store_answers(
    session: Session,
    questionnaire: Questionnaire,
    participant_id: int,
    answers: Mapping[str, dict[str, Any]],
) -> None:
    """Store raw answers of one participant as the app does: each checked by its question's
    codec, then written by the one upsert of answers, in the session's transaction."""
    for qid, raw in answers.items():
        answer = normalize(questionnaire, questionnaire.question(qid), raw)
        upsert_answer(session, participant_id=participant_id, question_id=qid, answer=answer)


def send_text(at: Any, key: str, text: str) -> Any:
    """AppTest: what the autosaved text field (pages/_autosave.py) sends once the person has
    typed `text` — its state {"value": text} — then the run that follows. AppTest draws the
    custom component as an unknown element, without a setter of its own."""
    found = [e for e in at.get("bidi_component") if e.key == key]
    assert found, f"champ {key} absent"
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = found[0].proto.id
    widget.json_value = json.dumps({"value": text})
    return at._run(states)


def field_data(at: Any, key: str) -> dict[str, Any]:
    """AppTest: the data the server gave the autosaved text field in the last run."""
    found = [e for e in at.get("bidi_component") if e.key == key]
    assert found, f"champ {key} absent"
    return json.loads(found[0].proto.json)
