"""The respondent journey: open a link, answer (saved at once), submit."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Action, Actor, require
from diagnostic.answering.responses import Progress, progress
from diagnostic.errors import DiagnosticError, StoreError
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.codecs import normalize
from diagnostic.questionnaire.registry import get_questionnaire
from diagnostic.questionnaire.schema import Question
from diagnostic.settings import get_settings
from diagnostic.store import answers as answer_store
from diagnostic.store import campaigns as campaign_store
from diagnostic.store.campaigns import LinkCampaign, LinkHolder, LinkPlace
from diagnostic.store.engine import read_scope, session_scope
from diagnostic.store.faults import is_unavailable
from diagnostic.store.models import Campaign, CampaignStatus, Participant

# A write refused because the base is busy or out of reach is tried again this many times in
# all, after these pauses (seconds). With SQLite each attempt already waits up to the busy
# timeout (5 s) for the lock; with PostgreSQL a refused connection fails at once.
SAVE_ATTEMPTS = 3
SAVE_BACKOFF_S = (0.2, 0.6)
UNAVAILABLE_ANSWER = (
    "la base de données ne répond pas : votre réponse est gardée sur cette page et sera "
    "renvoyée automatiquement"
)


class AnswerNotSaved(DiagnosticError):
    """The database stayed unavailable through every attempt: the answer is still to be sent."""


@dataclass(frozen=True)
class Invitation:
    """What a valid invitation link opens, as read in one transaction when it was opened.

    `answers` are the respondent's stored answers by question id and
    `participant.submitted_at` their submission, both as of that same read."""

    participant: LinkHolder
    campaign: LinkCampaign
    territory: LinkPlace
    structure: LinkPlace
    questionnaire: Questionnaire
    answers: Mapping[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    @property
    def submitted(self) -> bool:
        return self.participant.submitted_at is not None

    def prefilled(self, question: Question) -> str | None:
        """The option the invitation itself gives for a profile question (its `prefill`: the
        function, the kind of structure), or None."""
        if question.prefill is None:
            return None
        return question.prefill.option_for(self.participant.role, self.structure.kind)

    def actor(self) -> Actor:
        return Actor(
            kind="respondent",
            participant_id=self.participant.id,
            campaign_id=self.campaign.id,
        )


def open_invitation(engine: Engine, questions_dir: Path, token: str | None) -> Invitation | None:
    """The invitation behind a token, or None for an unknown, revoked or expired link (or a
    closed campaign). One read-only transaction — the link, its campaign and structures, the
    answers and the submission state — without the write lock on SQLite: the questionnaire
    page opens it at every run, so every run checks the link again."""
    with read_scope(engine) as session:
        found = campaign_store.invitation_by_token(session, token=token)
        if found is None:
            return None
        participant, campaign, territory, structure = found
        answers = answer_store.answers_of(session, participant_id=participant.id)
    if participant.opened_at is None:
        _note_opened(engine, participant.id)
    questionnaire = get_questionnaire(
        questions_dir, campaign.questionnaire_id, campaign.questionnaire_version
    )
    return Invitation(participant, campaign, territory, structure, questionnaire, answers)


def _note_opened(engine: Engine, participant_id: int) -> None:
    """The first opening of the link in force, for the coordination's « Lien » column: one
    write, never again once noted; a busy base is not a reason to refuse the questionnaire."""
    from diagnostic.store.invitations import mark_opened

    try:
        with session_scope(engine) as session:
            mark_opened(session, participant_id=participant_id)
    except Exception as exc:
        if not is_unavailable(exc):
            raise


def prefill_from_invitation(engine: Engine, actor: Actor, invitation: Invitation) -> list[str]:
    """Answer in advance, from what the invitation already says (function, structure), the
    profile questions with a `prefill` that have no answer yet; the respondent sees and may
    change them like any answer. Nothing once the answers are sent. Returns the ids stored;
    an answer the base could not store now is left for the respondent to give."""
    require(actor, Action.ANSWER_OWN, participant_id=invitation.participant.id)
    if invitation.submitted:
        return []
    q = invitation.questionnaire
    stored: list[str] = []
    for question in q.questions():
        choice = invitation.prefilled(question)
        if choice is None or question.id in invitation.answers:
            continue
        try:
            record_answer(
                engine, actor, q, invitation.participant.id, question.id, {"choice": choice}
            )
        except AnswerNotSaved:
            continue
        stored.append(question.id)
    return stored


def my_answers(engine: Engine, actor: Actor, participant_id: int) -> dict[str, dict[str, Any]]:
    """The respondent's own answers, by question id."""
    require(actor, Action.ANSWER_OWN, participant_id=participant_id)
    with read_scope(engine) as session:
        return answer_store.answers_of(session, participant_id=participant_id)


def resume_section(
    engine: Engine, actor: Actor, questionnaire: Questionnaire, participant_id: int
) -> str | None:
    """The id of the part holding the question the respondent answered last, where a new visit
    resumes; None before any answer (or when that question left the questionnaire)."""
    require(actor, Action.ANSWER_OWN, participant_id=participant_id)
    with read_scope(engine) as session:
        question_id = answer_store.last_answered(session, participant_id=participant_id)
    if question_id is None:
        return None
    try:
        return questionnaire.section_of(question_id).id
    except KeyError:
        return None


def is_submitted(engine: Engine, actor: Actor, participant_id: int) -> bool:
    require(actor, Action.ANSWER_OWN, participant_id=participant_id)
    with read_scope(engine) as session:
        participant = session.get(Participant, participant_id)
        return participant is not None and participant.submitted_at is not None


def record_answer(
    engine: Engine,
    actor: Actor,
    questionnaire: Questionnaire,
    participant_id: int,
    question_id: str,
    raw: dict[str, Any],
    *,
    attempts: int = SAVE_ATTEMPTS,
) -> None:
    """Validate and store one answer immediately (raises AnswerError or StoreError).

    A database that is locked for longer than its busy timeout or out of reach is tried
    `attempts` times with a growing pause (the write is an idempotent upsert, so a retry can
    never duplicate it); then AnswerNotSaved tells the page to keep the answer and send it
    again later: an answer is never silently dropped.
    """
    require(actor, Action.ANSWER_OWN, participant_id=participant_id)
    question = questionnaire.question(question_id)
    answer = normalize(questionnaire, question, raw)
    for attempt in range(1, attempts + 1):
        try:
            # one statement in its own transaction (see autosave_connection)
            with answer_store.autosave_connection(engine) as conn:
                answer_store.upsert_answer(
                    conn, participant_id=participant_id, question_id=question_id, answer=answer
                )
            return
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            if attempt >= attempts:
                raise AnswerNotSaved(UNAVAILABLE_ANSWER) from exc
            time.sleep(SAVE_BACKOFF_S[min(attempt, len(SAVE_BACKOFF_S)) - 1])


def submit(
    engine: Engine, actor: Actor, questionnaire: Questionnaire, participant_id: int
) -> Progress:
    """Submit when every required shown question is answered; returns the progress either way."""
    require(actor, Action.ANSWER_OWN, participant_id=participant_id)
    with session_scope(engine) as session:
        _check_open(session, participant_id)
        answers = answer_store.answers_of(session, participant_id=participant_id)
        state = progress(questionnaire, answers)
        if state.complete:
            from diagnostic.comparison.benchmark import (
                refresh_campaign,  # import cycle: benchmark uses us
            )

            participant = campaign_store.mark_submitted(session, participant_id=participant_id)
            refresh_campaign(
                session, campaign_id=participant.campaign_id, questionnaire=questionnaire
            )
        return state


def _check_open(session: Any, participant_id: int) -> None:
    participant = session.get(Participant, participant_id)
    campaign = session.get(Campaign, participant.campaign_id) if participant else None
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        raise StoreError("la campagne est close : les réponses ne sont plus modifiables")


def my_profile(
    engine: Engine,
    actor: Actor,
    invitation: Invitation,
    questions_dir: Path | None = None,
    min_group_size: int | None = None,
) -> pd.DataFrame | None:
    """After submission: the respondent's dimension scores beside the territory's.

    None before submission, or while fewer than the minimum group size (the settings' unless
    given) have submitted: the territory's figure would then say too much about the others.
    French columns.
    """
    from diagnostic.analytics import respondent_profile, tidy_responses
    from diagnostic.results.service import read_campaign_data

    settings = get_settings()
    questions_dir = questions_dir or settings.questions_dir
    min_group_size = min_group_size or settings.min_group_size

    pid = invitation.participant.id
    if pid is None or not is_submitted(engine, actor, pid):
        return None
    data = read_campaign_data(engine, invitation.campaign.id, questions_dir)  # type: ignore[arg-type]
    if int(data.participants["submitted"].sum()) < min_group_size:
        return None
    q = invitation.questionnaire
    responses = tidy_responses(data.answers, data.participants, q)
    profile = respondent_profile(responses, q, pid, min_group_size=min_group_size)
    titles = {s.id: s.title for s in q.sections}
    own = profile["own_score"].round()
    territory = profile["territory_score"].round()
    return pd.DataFrame(
        {
            "Dimension": profile["dimension_id"].map(titles),
            "Mon score": own,
            "Territoire": territory,
            # The difference of the figures shown (38 and 29 make 9, never 8 by rounding).
            "Écart (points)": own - territory,
        }
    )
