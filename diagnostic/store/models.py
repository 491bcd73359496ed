"""SQLModel tables of the whole product (design §4); the only schema definition."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def now() -> datetime:
    """Current time, timezone-aware in UTC (SQLModel stores and returns UTC)."""
    return datetime.now(UTC)


class TerritoryKind(StrEnum):
    COMMUNE = "commune"
    CC = "cc"
    CA = "ca"
    CU = "cu"
    METROPOLE = "metropole"
    AUTRE = "autre"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class RespondentRole(StrEnum):
    DGS = "dgs"
    DGA = "dga"
    DST = "dst"
    ENCADRANT = "encadrant"
    ELU = "elu"
    AUTRE = "autre"


class MembershipRole(StrEnum):
    COORDINATOR = "coordinator"
    CONSULTANT = "consultant"
    FACILITATOR = "facilitator"


class Territory(SQLModel, table=True):
    """An EPCI, a commune or another body; communes point at their EPCI through parent_id."""

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=20, index=True)  # SIREN or INSEE code
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # a TerritoryKind value
    parent_id: int | None = Field(default=None, foreign_key="territory.id", index=True)
    population: int | None = None
    story: str | None = Field(default=None, max_length=4000)  # demo territories' introduction
    created_at: datetime = Field(default_factory=now)


class TerritoryFact(SQLModel, table=True):
    """One fact of a territory's fiche (migration 0006): its value as JSON (None: unknown),
    where it comes from, when and by whom it was last changed."""

    __table_args__ = (UniqueConstraint("territory_id", "fact_id"),)

    id: int | None = Field(default=None, primary_key=True)
    territory_id: int = Field(foreign_key="territory.id", index=True)
    fact_id: str = Field(max_length=60)  # an id of questions/fiche.yaml
    value: Any = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    source: str | None = Field(default=None, max_length=300)
    updated_on: date
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class Campaign(SQLModel, table=True):
    """One run of the questionnaire on one territory."""

    id: int | None = Field(default=None, primary_key=True)
    territory_id: int = Field(foreign_key="territory.id", index=True)
    title: str = Field(max_length=200)
    questionnaire_id: str = Field(max_length=60)
    questionnaire_version: str = Field(max_length=30)
    status: str = Field(default=CampaignStatus.DRAFT, max_length=20)  # a CampaignStatus value
    benchmark_consent: bool = False
    # Names beside individual answers for the coordination (migration 0005): chosen before the
    # first answer, announced on the respondents' introduction, fixed once someone answered.
    named_answers: bool = False
    created_at: datetime = Field(default_factory=now)
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    # The invitation e-mail (migration 0010): NULL = the default text of questions/invitation.md.
    invitation_template: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    answer_deadline: date | None = None  # the {date_limite} of the messages


class Participant(SQLModel, table=True):
    """A respondent of a campaign, reached through a personal invitation link."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str | None = Field(default=None, max_length=120)
    role: str = Field(max_length=20)  # a RespondentRole value
    structure_id: int = Field(foreign_key="territory.id")  # the EPCI or one of its communes
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=now)
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    revoked_at: datetime | None = None
    # Migration 0010. The token of the link in force is recomputed from `link_version` and the
    # link secret (accounts.security.derived_token), never stored; NULL for a random link issued
    # before, which cannot be sent again without being re-issued.
    email: str | None = Field(default=None, max_length=254)
    link_version: int | None = None
    link_issued_at: datetime | None = None
    opened_at: datetime | None = None  # the link in force first opened


class MessageKind(StrEnum):
    INVITATION = "invitation"
    REMINDER = "relance"


class MessageStatus(StrEnum):
    SENT = "envoye"
    FAILED = "echec"


class InvitationMessage(SQLModel, table=True):
    """One e-mail sent (or refused) to a participant: the log of the invitations and reminders."""

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)  # a MessageKind value
    link_version: int | None = None  # the link the message carried
    status: str = Field(max_length=20)  # a MessageStatus value
    reason: str | None = Field(default=None, max_length=500)  # the server's reply on failure
    at: datetime = Field(default_factory=now)


class Answer(SQLModel, table=True):
    """One answer: one row per participant and question, upserted at every change.

    `value` holds the whole answer as JSON; `level`, `target` and `importance` repeat the
    numbers of scored items so that the database can aggregate them without parsing JSON.
    """

    __table_args__ = (UniqueConstraint("participant_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    question_id: str = Field(max_length=60)
    questionnaire_id: str = Field(max_length=60)
    questionnaire_version: str = Field(max_length=30)
    value: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dont_know: bool = False
    level: int | None = None
    target: int | None = None
    importance: int | None = None
    updated_at: datetime = Field(default_factory=now)


class ConsensusScore(SQLModel, table=True):
    """The level a campaign's group agreed on for one item, with its rationale."""

    __table_args__ = (UniqueConstraint("campaign_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    question_id: str = Field(max_length=60)
    level: int | None = None
    target: int | None = None
    rationale: str | None = Field(default=None, max_length=2000)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=now)


class QuoteChoice(SQLModel, table=True):
    """The coordinator's choice to quote a free-text answer in the roadmap or to leave it out
    (migration 0007); without a row, an answer is quoted. The text itself is never copied."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    answer_id: int = Field(foreign_key="answer.id", unique=True)
    quoted: bool = True
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=now)


class RoadmapItem(SQLModel, table=True):
    """One action of a campaign's draft roadmap, generated or written by hand."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    action_id: str | None = Field(default=None, max_length=60)  # from the action library
    dimension: str = Field(max_length=60)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    priority: float | None = None
    position: int = 0
    horizon: str | None = Field(default=None, max_length=30)
    owner: str | None = Field(default=None, max_length=200)
    indicator: str | None = Field(default=None, max_length=500)
    status: str = Field(default="proposed", max_length=20)
    rationale: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    origin: str = Field(default="generated", max_length=20)  # generated / edited / manual / atelier
    edited: bool = False
    updated_at: datetime = Field(default_factory=now)
    # The items the action should move (migration 0009): question ids, as the triggers name
    # them; None: the items of its trigger evidence (roadmap.followup.default_links).
    links: list[str] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))


class RoadmapFollowUp(SQLModel, table=True):
    """One status change of a kept roadmap action (migration 0009): every change is a new row,
    so the rows of an action are its history; they go with the action."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    item_id: int = Field(foreign_key="roadmapitem.id", index=True, ondelete="CASCADE")
    status: str = Field(max_length=20)  # a key of roadmap.followup.FOLLOW_UP_LABELS
    on: date  # the day the status holds from
    progress: int | None = None  # 0-100
    indicator_value: float | None = None
    comment: str | None = Field(default=None, max_length=1000)
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=now)


class Workshop(SQLModel, table=True):
    """A live workshop session « Et demain sur mon territoire ? »."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True, index=True)
    title: str = Field(max_length=200)
    facilitator_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="open", max_length=20)
    step: int = 0
    step_started_at: datetime | None = None
    controlled: bool = False
    created_at: datetime = Field(default_factory=now)
    ended_at: datetime | None = None
    # The projector's read-only link (?ecran=), hashed like invitation tokens (migration 0003).
    screen_token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    # What the screen shows: {"focus": territory id or None, "revote": {campaign id: [items]}}
    state: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=True))
    # +1 at every change the room must see at once (migration 0012): each server process polls
    # it and asks the pages following this workshop to refresh (pages/_push.py). `changes`:
    # every change (screen, console); `phone_changes`: those every phone shows (the step, the
    # timer, results revealed, a post shown or hidden...; not a highlight nor a group).
    changes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    phone_changes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class WorkshopCampaign(SQLModel, table=True):
    """Which campaigns a workshop draws on."""

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)


class Contribution(SQLModel, table=True):
    """A participant's post during a workshop."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    territory_id: int | None = Field(default=None, foreign_key="territory.id")
    nickname: str = Field(max_length=60)
    role: str | None = Field(default=None, max_length=30)
    step: int = 0
    text: str = Field(max_length=2000)
    status: str = Field(default="visible", max_length=20)
    group_label: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=now)
    # Migration 0003: the author's seat, a roadmap axis, the facilitator's choice of commitment.
    participant_id: int | None = Field(
        default=None, foreign_key="workshopparticipant.id", index=True
    )
    dimension: str | None = Field(default=None, max_length=60)
    retained: bool = False
    roadmap_item_id: int | None = None  # set once sent to the roadmap (no FK: erasable)


class WorkshopParticipant(SQLModel, table=True):
    """A seat in a workshop: a nickname, a territory, a role; no account (migration 0003)."""

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    nickname: str = Field(max_length=60)
    territory_id: int | None = Field(default=None, foreign_key="territory.id")
    role: str | None = Field(default=None, max_length=30)
    created_at: datetime = Field(default_factory=now)
    # +1 when the facilitator changes one of this seat's posts (migration 0012): its phone is
    # pushed the new state of its own posts, and no other phone is.
    changes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class WorkshopVote(SQLModel, table=True):
    """A participant's vote: a re-vote level on an item, or the impact/effort of a post."""

    __table_args__ = (UniqueConstraint("participant_id", "kind", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True)
    participant_id: int = Field(foreign_key="workshopparticipant.id")
    kind: str = Field(max_length=20)  # level | impact | effort
    target: str = Field(max_length=60)  # question id (level) or contribution id
    campaign_id: int | None = None  # level votes: whose item (no FK: campaigns are erasable)
    value: int
    updated_at: datetime = Field(default_factory=now)


class User(SQLModel, table=True):
    """An account (admin, coordinator, consultant, facilitator); respondents have none."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    is_admin: bool = False
    is_active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=now)
    last_login_at: datetime | None = None


class SessionEnd(StrEnum):
    """Why an account's session ended (`UserSession.reason`)."""

    SIGN_OUT = "deconnexion"
    TIMEOUT = "inactivite"
    PASSWORD = "mot_de_passe"
    DEACTIVATED = "desactivation"


class UserSession(SQLModel, table=True):
    """An account's session in a browser, kept across reloads and tabs by a cookie.

    Only the SHA-256 of the session's random id is stored (the cookie holds the id itself).
    A session ends at sign-out, after `session_timeout_minutes` without activity
    (`last_seen_at`, touched at most once a minute), at a password change and at the account's
    deactivation: `revoked_at` and `reason` say when and why."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    id_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=now)
    last_seen_at: datetime = Field(default_factory=now)
    revoked_at: datetime | None = None
    reason: str | None = Field(default=None, max_length=30)  # a SessionEnd value


class Membership(SQLModel, table=True):
    """A user's role on one territory."""

    __table_args__ = (UniqueConstraint("user_id", "territory_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    territory_id: int = Field(foreign_key="territory.id", index=True)
    role: str = Field(max_length=20)  # a MembershipRole value
    created_at: datetime = Field(default_factory=now)


class AuditEvent(SQLModel, table=True):
    """A sensitive action, kept for the admins."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=now, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=60)
    target: str | None = Field(default=None, max_length=254)  # an e-mail at most (0005)
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OfficialTerritory(SQLModel, table=True):
    """One EPCI or commune of the official list (reference data, replaced by a refresh)."""

    __table_args__ = (UniqueConstraint("level", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    level: str = Field(max_length=10)  # "epci" or "commune"
    code: str = Field(max_length=9, index=True)  # SIREN of an EPCI, INSEE code of a commune
    name: str = Field(max_length=200)
    search_key: str = Field(max_length=200)  # name in lower case without accents, for search
    kind: str = Field(max_length=20)  # a TerritoryKind value
    epci_code: str | None = Field(default=None, max_length=9, index=True)  # a commune's EPCI
    departement: str | None = Field(default=None, max_length=3)
    population: int | None = None
    population_year: int | None = None  # vintage of the population figure
    source: str = Field(max_length=200)  # where the row comes from (file, package and version)


class BenchmarkScore(SQLModel, table=True):
    """One campaign's score on one dimension, precomputed for comparisons at national scale.

    Refreshed for a campaign when a respondent submits, a consensus or the consent changes;
    rebuilt whole by `python -m diagnostic benchmark-rebuild`. Peer aggregates read only this
    table, never the answers.
    """

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    dimension_id: str = Field(max_length=60, primary_key=True)
    territory_id: int = Field(foreign_key="territory.id", index=True)
    questionnaire_id: str = Field(max_length=60)
    questionnaire_version: str = Field(max_length=30)
    kind: str = Field(max_length=20)  # the territory's TerritoryKind value
    population: int | None = None
    population_band: str = Field(max_length=20)
    consent: bool = False  # the campaign's benchmark_consent, copied at once when it changes
    n_respondents: int = 0  # submitted questionnaires counted
    n_items: int = 0  # maturity items of the dimension with a level (or a consensus)
    n_consensus: int = 0
    score: float | None = None
    target_score: float | None = None
    agreement: float | None = None  # mean van der Eijk A of the dimension's maturity items
    share_agree: float | None = None  # agreement index of its statements (0-1), kept apart
    refreshed_at: datetime = Field(default_factory=now, index=True)
