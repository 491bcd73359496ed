"""The coordination's review of the quotes of the roadmap (« Paroles de directeurs »): read the
free texts the document may quote, leave one out or quote it again (audited)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.questionnaire import Questionnaire, QuestionType
from diagnostic.roadmap import voices as v
from diagnostic.store import answers as answer_store
from diagnostic.store import campaigns as campaign_store
from diagnostic.store import consensus as consensus_store
from diagnostic.store import quotes as quote_store
from diagnostic.store.engine import read_scope, session_scope

ANSWER_NOT_FOUND = "réponse introuvable dans cette campagne"


def text_questions(questionnaire: Questionnaire) -> list[str]:
    return [q.id for q in questionnaire.questions() if q.type == QuestionType.TEXT]


# The last voices read, by campaign and data version: the roadmap page asks at every rerun
# (an action added, a status changed), and nothing they hold has changed then.
_VOICES: OrderedDict[tuple[object, ...], v.Voices] = OrderedDict()
_VOICES_LOCK = threading.Lock()
_VOICES_KEPT = 32


def campaign_voices(
    engine: Engine, campaign_id: int, questionnaire: Questionnaire, min_group_size: int
) -> v.Voices:
    """The campaign's quotable free texts and consensus rationales WITHOUT an access check:
    callers check first (the roadmap document, `review`). Read again only when an answer, a
    submission, a consensus or a quote choice of the campaign has changed since."""
    with read_scope(engine) as s:
        version = (
            answer_store.campaign_fingerprint(s, campaign_id=campaign_id),
            quote_store.choices_fingerprint(s, campaign_id=campaign_id),
        )
    key = (
        str(engine.url),
        campaign_id,
        version,
        questionnaire.id,
        questionnaire.version,
        min_group_size,
    )
    with _VOICES_LOCK:
        kept = _VOICES.get(key)
        if kept is not None:
            _VOICES.move_to_end(key)
            return kept
    voices = _read_voices(engine, campaign_id, questionnaire, min_group_size)
    with _VOICES_LOCK:
        _VOICES[key] = voices
        while len(_VOICES) > _VOICES_KEPT:
            _VOICES.popitem(last=False)
    return voices


def clear_cache() -> None:
    with _VOICES_LOCK:
        _VOICES.clear()


def _read_voices(
    engine: Engine, campaign_id: int, questionnaire: Questionnaire, min_group_size: int
) -> v.Voices:
    with session_scope(engine) as s:
        people = campaign_store.participants_frame(s, campaign_id=campaign_id)
        rows = quote_store.free_texts(
            s, campaign_id=campaign_id, question_ids=text_questions(questionnaire)
        )
        consensus = consensus_store.consensus_frame(s, campaign_id=campaign_id)
    sent = people.loc[people["submitted"].astype(bool)]
    kind_of = dict(zip(sent["participant_id"], sent["structure_kind"], strict=True))
    counts = {str(k): int(n) for k, n in sent["structure_kind"].value_counts().items()}
    texts = [
        v.FreeText(aid, qid, str((value or {}).get("text") or ""), str(kind_of[pid]), quoted)
        for aid, pid, qid, value, quoted in rows
        if pid in kind_of and isinstance(value, dict)
    ]
    return v.voices(
        texts, questionnaire, counts, min_group_size, v.rationales(consensus, questionnaire)
    )


def review(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    questionnaire: Questionnaire,
    min_group_size: int,
) -> v.Voices:
    """What the roadmap may quote, each answer with the coordination's choice (for the page)."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    return campaign_voices(engine, campaign_id, questionnaire, min_group_size)


def set_quoted(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    answer_id: int,
    question_id: str,
    quoted: bool,
) -> None:
    """Quote a free-text answer in the roadmap, or leave it out; the text is never changed."""
    require_campaign(engine, actor, Action.TERRITORY_MANAGE, campaign_id)
    try:
        with session_scope(engine) as s:
            quote_store.set_quoted(
                s,
                campaign_id=campaign_id,
                answer_id=answer_id,
                question_id=question_id,
                quoted=quoted,
                user_id=actor.user_id,
                actor=actor.label(),
            )
    except StoreError:
        raise AccessDenied(ANSWER_NOT_FOUND) from None
