"""Demo territories: fictional but plausible, with answers generated from a profile."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import Engine

from diagnostic.answering.responses import condition_met
from diagnostic.questionnaire import (
    Question,
    Questionnaire,
    QuestionnaireError,
    QuestionType,
)
from diagnostic.questionnaire import messages as m
from diagnostic.questionnaire.codecs import DONT_KNOW, is_answered, normalize
from diagnostic.questionnaire.loader import line_of, validated
from diagnostic.questionnaire.registry import default_questionnaire, questionnaires
from diagnostic.questionnaire.schema import Strict
from diagnostic.questionnaire.source import load_yaml
from diagnostic.store import accounts, answers, campaigns, territories
from diagnostic.store import facts as facts_store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Membership, Participant, RoadmapFollowUp, now
from diagnostic.territory.calendar import campaign_title
from diagnostic.territory.facts import (
    FICHE_FILE,
    FactError,
    Fiche,
    expected,
    fiche_for,
    normalise,
    to_json,
)


class DemoParticipant(Strict):
    role: str
    structure: str | int  # "epci" or the index of a member commune
    name: str | None = None
    status: str = "submitted"  # submitted | in_progress | not_started


class DemoProfile(Strict):
    base: float = 2.5
    epci_bias: float = 0.0
    spread: float = 0.7
    dimensions: dict[str, float] = {}
    priorities: list[str] = []
    # Fixed answers that describe the territory (one option, or a list to draw one from, "nsp"
    # for « Je ne sais pas »; for a multiple-choice inventory, the list of options ticked by most
    # respondents). What respondents know of a fact follows the territory's fiche in majority.
    context: dict[str, str | list[str]] = {}
    texts: dict[str, list[str]] = {}  # free-text answers some respondents give


class DemoCommune(Strict):
    name: str
    code: str | None = None


class DemoFact(Strict):
    """A fact with its own source or date (otherwise a bare value takes the fiche's)."""

    value: Any
    source: str | None = None
    updated_on: date | None = None


class DemoFiche(Strict):
    """The territory's facts (ids of questions/fiche.yaml) and where they come from."""

    source: str  # the source of every fact that does not name its own
    updated_on: date  # the day every fact that does not give its own date was checked
    facts: dict[str, DemoFact | Any]

    def entries(self) -> dict[str, DemoFact]:
        """Every fact in its long form."""
        return {
            k: v if isinstance(v, DemoFact) else DemoFact(value=v) for k, v in self.facts.items()
        }


class DemoFollowUp(Strict):
    """One status of a kept action of an earlier roadmap, from the day it holds."""

    status: Literal["a_lancer", "en_cours", "fait", "abandonne"]
    on: date
    progress: int | None = Field(default=None, ge=0, le=100)
    indicator_value: float | None = None
    comment: str | None = None


class DemoRoadmap(Strict):
    """An earlier campaign's roadmap: generated from its answers on `adopted`, its main plan
    kept by the collective, then followed through the mandate."""

    adopted: date  # the day the collective adopted it (its windows start then)
    follow_up: dict[str, list[DemoFollowUp]] = {}  # library action id -> history, oldest first


class DemoCampaign(Strict):
    """An earlier campaign of the territory (a mid-mandate review, say), on its questionnaire."""

    opened: date
    questionnaire: str  # questionnaire id (questions/questionnaires), archived versions too
    version: str
    title: str | None = None  # by default the calendar's title for its day
    profile: DemoProfile
    participants: list[DemoParticipant]
    roadmap: DemoRoadmap | None = None


class DemoTerritory(Strict):
    name: str
    code: str | None = None
    kind: str
    population: int | None = None
    story: str
    communes: list[DemoCommune]
    campaign: str | None = None  # its title; by default the calendar's title for its day
    campaign_opened: date | None = None  # the day it opened (its moment); today by default
    profile: DemoProfile
    participants: list[DemoParticipant]
    benchmark_consent: bool = False  # the coordination opted in to anonymous comparison
    fiche: DemoFiche | None = None  # the territory's facts (questions/fiche.yaml)
    previous: list[DemoCampaign] = []  # earlier campaigns, oldest first


class DemoAccount(Strict):
    email: str
    name: str
    password: str
    territories: list[str] = ["all"]  # territory names, or "all"
    role: str = "coordinator"  # coordinator | consultant | facilitator


class DemoFile(Strict):
    accounts: list[DemoAccount]
    role_answers: dict[str, str] = {}  # invitation role -> option of the function question
    territories: list[DemoTerritory]


def load_demo_file(questions_dir: Path) -> DemoFile:
    """The demo territories file, validated (its fiches too when the folder has a fiche.yaml);
    problems come as `file:line: message`."""
    path = Path(questions_dir) / "demo" / "territoires.yaml"
    _, data = load_yaml(path)
    return parse_demo_file(data, str(path), _fiche_of(questions_dir))


def _fiche_of(questions_dir: Path) -> Fiche | None:
    """The folder's fiche definition; None for a folder without one (its demo has no fiche)."""
    return fiche_for(questions_dir) if (Path(questions_dir) / FICHE_FILE).is_file() else None


def parse_demo_file(data: Any, name: str, fiche: Fiche | None = None) -> DemoFile:
    """A parsed demo territories file, validated against its schema, and its territories'
    fiches against `fiche` when given."""
    expected = "des territoires de démonstration (clés accounts, territories…)"
    demo = validated(DemoFile, data, name, expected=expected)
    problems = fiche_problems(demo, fiche, data, name) if fiche is not None else []
    if problems:
        raise QuestionnaireError(problems)
    return demo


def fiche_problems(demo: DemoFile, fiche: Fiche, data: Any, name: str) -> list[m.Problem]:
    """Each demo fiche's facts checked against the definition, each problem on its line."""
    problems: list[m.Problem] = []
    fields = fiche.fields
    for ti, territory in enumerate(demo.territories):
        if territory.fiche is None:
            continue
        where = f"« {territory.name} » › fiche"
        values: dict[str, Any] = {}
        for fact_id, entry in territory.fiche.entries().items():
            line = line_of(data, ("territories", ti, "fiche", "facts", fact_id))
            field = fields.get(fact_id)
            if field is None:
                known = ", ".join(fields)
                problems.append(m.UNKNOWN_FACT.at(name, line, where, fact=fact_id, facts=known))
                continue
            try:
                values[fact_id] = normalise(field, entry.value)
            except FactError as exc:
                reason, fix = exc.problems[fact_id], expected(field)
                problems.append(
                    m.BAD_FACT_VALUE.at(
                        name, line, where, fact=fact_id, reason=reason, expected=fix
                    )
                )
        for fact_id, value in values.items():
            parent = fields[fact_id].depends_on
            if parent and value not in (None, []) and values.get(parent) is not True:
                line = line_of(data, ("territories", ti, "fiche", "facts", fact_id))
                problems.append(
                    m.FACT_WITHOUT_CONDITION.at(name, line, where, fact=fact_id, parent=parent)
                )
    return sorted(problems, key=lambda p: p.line)


def _fiche_writes(spec: DemoFiche, fiche: Fiche) -> Mapping[str, facts_store.FactWrite]:
    """A demo territory's facts as rows to write (checked by parse_demo_file)."""
    writes = {}
    for fact_id, entry in spec.entries().items():
        field = fiche.field(fact_id)
        writes[fact_id] = facts_store.FactWrite(
            to_json(field, normalise(field, entry.value)),
            (entry.source or spec.source).strip(),
            entry.updated_on or spec.updated_on,
        )
    return writes


@dataclass
class DemoReport:
    """What the demo loader created, for the command line."""

    territories: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (who, token) not started yet


def load_demo(engine: Engine, questions_dir: Path, *, seed: int = 2026) -> DemoReport:
    """Create the demo territories, accounts, campaigns and answers."""
    demo = load_demo_file(questions_dir)
    fiche = _fiche_of(questions_dir)
    questionnaire = default_questionnaire(questions_dir)
    rng = random.Random(seed)
    report = DemoReport()
    territory_ids: list[int] = []
    campaign_ids: list[int] = []
    earlier: list[tuple[DemoTerritory, int, list[int]]] = []  # with earlier campaigns
    coordinator: tuple[str, int] | None = None
    with session_scope(engine) as session:
        for spec in demo.territories:
            territory = territories.create_territory(
                session,
                name=spec.name,
                kind=spec.kind,
                code=spec.code,
                population=spec.population,
                communes=[(c.name, c.code) for c in spec.communes],
                story=spec.story.strip(),
            )
            assert territory.id is not None
            territory_ids.append(territory.id)
            if spec.fiche is not None and fiche is not None:
                facts_store.save_facts(
                    session,
                    territory_id=territory.id,
                    changes=_fiche_writes(spec.fiche, fiche),
                    user_id=None,
                    actor=None,
                )
            communes = territories.member_communes(session, territory_id=territory.id)
            by_name = {c.name: c for c in communes}
            ordered = [by_name[c.name] for c in spec.communes]
            said: dict[str, set[str]] = {}  # the territory's free texts, given once each
            day = spec.campaign_opened or date.today()
            campaign = campaigns.create_campaign(
                session,
                territory_id=territory.id,
                title=spec.campaign or campaign_title(questions_dir, day),
                questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version,
            )
            assert campaign.id is not None
            if spec.campaign_opened is not None:  # its story's day; a minute apart keeps the order
                opened = datetime.combine(day, time(9, len(campaign_ids)), tzinfo=UTC)
                campaign.created_at = campaign.opened_at = opened
            campaign.benchmark_consent = spec.benchmark_consent
            campaign_ids.append(campaign.id)
            structures = [s.id for s in (territory, *ordered) if s.id is not None]
            respondents = _Respondents(session, questionnaire, demo.role_answers, structures)
            for person in spec.participants:
                token = respondents.add(campaign.id, person, spec.profile, rng, said)
                if token is not None:
                    at = territory if person.structure == "epci" else ordered[int(person.structure)]
                    report.links.append((f"{spec.name} — {at.name} ({person.role})", token))
            report.territories.append(spec.name)
            if spec.previous:
                earlier.append((spec, territory.id, structures))
        for account in demo.accounts:
            user = accounts.create_user(
                session, email=account.email, name=account.name, password=account.password
            )
            assert user.id is not None
            names = dict(zip([t.name for t in demo.territories], territory_ids, strict=True))
            for name, tid in names.items():
                if "all" in account.territories or name in account.territories:
                    session.add(Membership(user_id=user.id, territory_id=tid, role=account.role))
            report.accounts.append((account.email, account.password))
            if account.role == "coordinator" and coordinator is None:
                coordinator = (account.email, user.id)  # who follows the earlier roadmaps
    from diagnostic.comparison.benchmark import (
        refresh,  # the demo campaigns enter the comparison table
    )

    for campaign_id in campaign_ids:
        refresh(engine, campaign_id, questions_dir)
    for spec, territory_id, structures in earlier:
        for previous in spec.previous:
            _earlier_campaign(
                engine,
                questions_dir,
                previous,
                territory_id=territory_id,
                structures=structures,
                role_answers=demo.role_answers,
                seed=f"{seed}:{spec.name}:{previous.opened}",
                consent=spec.benchmark_consent,
                coordinator=coordinator,
            )
    return report


@dataclass
class _Respondents:
    """Adds a demo territory's participants to one of its campaigns, with their answers."""

    session: Any
    questionnaire: Questionnaire
    role_answers: dict[str, str]
    structures: list[int]  # the EPCI's structure id, then its communes' in the file's order

    def add(
        self,
        campaign_id: int,
        person: DemoParticipant,
        profile: DemoProfile,
        rng: random.Random,
        said: dict[str, set[str]],
        submitted_at: datetime | None = None,
    ) -> str | None:
        """One participant and, unless not started, their answers; the invitation token of
        one who has not started (None otherwise)."""
        at_epci = person.structure == "epci"
        participant, token = campaigns.add_participant(
            self.session,
            campaign_id=campaign_id,
            role=person.role,
            structure_id=self.structures[0 if at_epci else 1 + int(person.structure)],
            name=person.name,
        )
        if person.status == "not_started":
            return token
        generated = generate_answers(
            self.questionnaire,
            profile,
            rng,
            at_epci=at_epci,
            role=self.role_answers.get(person.role, person.role),
            share=1.0 if person.status == "submitted" else 0.4,
            said=said,
        )
        _store(self.session, self.questionnaire, participant, generated)
        if person.status == "submitted":
            participant.submitted_at = submitted_at or now()
            self.session.add(participant)
        return None


def _store(
    session: Any, q: Questionnaire, participant: Participant, generated: dict[str, dict[str, Any]]
) -> None:
    assert participant.id is not None
    for qid, raw in generated.items():
        answers.upsert_answer(
            session,
            participant_id=participant.id,
            question_id=qid,
            answer=normalize(q, q.question(qid), raw),
        )


def generate_answers(
    q: Questionnaire,
    profile: DemoProfile,
    rng: random.Random,
    *,
    at_epci: bool,
    role: str,
    share: float = 1.0,
    said: dict[str, set[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Plausible answers for one respondent: levels around the profile, context consistent.

    `said`: the free texts the territory's other respondents already gave, by question: each
    text of the profile is given once at most, by whoever draws it first."""
    said = {} if said is None else said
    out: dict[str, dict[str, Any]] = {}
    questions = q.questions()
    limit = max(1, int(len(questions) * share))
    # One draw per respondent, then one generator per question: adding, removing or moving a
    # question of the questionnaire leaves every other answer of the demo as it was.
    respondent = rng.getrandbits(64)
    for question in questions[:limit]:
        if question.show_if is not None and not condition_met(question.show_if, out):
            continue
        section = q.section_of(question.id)
        local = random.Random(f"{respondent}:{question.id}")
        raw = _answer(q, question, profile, local, at_epci, role, section.id, said)
        if raw is not None:
            out[question.id] = raw
    return {k: v for k, v in out.items() if is_answered(q.question(k), v) or share < 1}


def _answer(
    q: Questionnaire,
    question: Question,
    profile: DemoProfile,
    rng: random.Random,
    at_epci: bool,
    role: str,
    dimension: str,
    said: dict[str, set[str]],
) -> dict[str, Any] | None:
    base = profile.dimensions.get(dimension, profile.base) + (profile.epci_bias if at_epci else 0)
    t = question.type
    fixed = profile.context.get(question.id)
    if fixed is not None and t == QuestionType.MULTIPLE_CHOICE:
        ticked = [o for o in (fixed if isinstance(fixed, list) else [fixed]) if rng.random() > 0.15]
        return {"choices": ticked or list(fixed if isinstance(fixed, list) else [fixed])[:1]}
    if fixed is not None:
        chosen = rng.choice(fixed) if isinstance(fixed, list) else fixed
        return {"dont_know": True} if chosen == DONT_KNOW else {"choice": chosen}
    if t == QuestionType.TEXT:
        texts = profile.texts.get(question.id)
        if not texts or rng.random() >= 0.6:
            return None
        taken = said.setdefault(question.id, set())
        fresh = [t for t in texts if t not in taken]
        if not fresh:
            return None
        text = rng.choice(fresh)
        taken.add(text)
        return {"text": text}
    if question.allow_dont_know and question.scored and rng.random() < 0.05:
        return {"dont_know": True}
    if t in (QuestionType.MATURITY, QuestionType.CURRENT_TARGET):
        values = q.scale_of(question).values
        current = _clip(round(rng.gauss(base, profile.spread)), values)
        if t == QuestionType.MATURITY:
            return {"level": current}
        target = _clip(current + rng.choice([0, 1, 1, 1, 2, 2]), values)
        importance = rng.choice([1, 2, 2, 3, 3]) if question.importance else None
        return {"current": current, "target": target, "importance": importance}
    if t == QuestionType.SINGLE_CHOICE:
        if question.options:
            ids = [o.id for o in question.options]
            if "epci" in ids and "commune" in ids:
                return {"choice": "epci" if at_epci else "commune"}
            if role in ids:
                return {"choice": role}
            return {"choice": rng.choice(ids)}
        values = q.scale_of(question).values
        return {"choice": _clip(round(rng.gauss(base + 0.8, profile.spread)), values)}
    if t == QuestionType.MULTIPLE_CHOICE:
        ids = [o.id for o in question.options or []]
        return {"choices": rng.sample(ids, k=rng.randint(1, min(3, len(ids))))}
    if t == QuestionType.RANKING:
        ids = [o.id for o in question.options or []]
        n = min(question.max_choices or len(ids), len(ids))
        favoured = [i for i in profile.priorities if i in ids]
        rng.shuffle(favoured)
        rest = [i for i in ids if i not in favoured]
        rng.shuffle(rest)
        pool = favoured[: max(0, n - 1)] + rest
        return {"ranking": pool[:n]}
    if t == QuestionType.GRID:
        values = q.scale_of(question).values
        rows = {}
        for row in question.rows or []:
            current = _clip(round(rng.gauss(base - 1, 1.0)), values)
            cells: dict[str, Any] = {"current": current}
            if question.desired:
                cells["desired"] = _clip(current + rng.choice([0, 1, 1, 2]), values)
            if question.allow_dont_know and rng.random() < 0.04:
                cells = (
                    {"current": DONT_KNOW, "desired": DONT_KNOW}
                    if question.desired
                    else {"current": DONT_KNOW}
                )
            rows[row.id] = cells
        return {"rows": rows}
    return None


def _clip(value: int, allowed: list[int]) -> int:
    return max(allowed[0], min(allowed[-1], value))


def _earlier_campaign(
    engine: Engine,
    questions_dir: Path,
    spec: DemoCampaign,
    *,
    territory_id: int,
    structures: list[int],
    role_answers: dict[str, str],
    seed: str,
    consent: bool,
    coordinator: tuple[str, int] | None,
) -> int | None:
    """An earlier campaign of a demo territory, on its own (maybe archived) questionnaire, its
    answers drawn from its own generator (the current campaigns' answers stay as they were),
    then its roadmap and the roadmap's follow-up. Returns the campaign's id (None when the
    folder does not hold its questionnaire)."""
    from diagnostic.comparison.benchmark import refresh

    questionnaire = questionnaires(questions_dir).get((spec.questionnaire, spec.version))
    if questionnaire is None:  # a folder with its own questionnaire (tests): no earlier campaign
        return None
    opened = datetime.combine(spec.opened, time(9, 0), tzinfo=UTC)
    rng = random.Random(seed)
    with session_scope(engine) as session:
        campaign = campaigns.create_campaign(
            session,
            territory_id=territory_id,
            title=spec.title or campaign_title(questions_dir, spec.opened),
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
        )
        assert campaign.id is not None
        campaign.created_at = campaign.opened_at = opened
        campaign.benchmark_consent = consent
        campaign_id = campaign.id
        respondents = _Respondents(session, questionnaire, role_answers, structures)
        said: dict[str, set[str]] = {}
        for i, person in enumerate(spec.participants):
            submitted = opened + timedelta(days=1 + i % 5, hours=i % 7)
            respondents.add(campaign_id, person, spec.profile, rng, said, submitted)
    refresh(engine, campaign_id, questions_dir)
    if spec.roadmap is not None and (Path(questions_dir) / "actions.yaml").is_file():
        _earlier_roadmap(engine, questions_dir, campaign_id, spec.roadmap, coordinator)
    return campaign_id


def _earlier_roadmap(
    engine: Engine,
    questions_dir: Path,
    campaign_id: int,
    spec: DemoRoadmap,
    coordinator: tuple[str, int] | None,
) -> None:
    """The roadmap generated from an earlier campaign's results on the day it was adopted (no
    fiche then: only the answers trigger actions), its main plan kept by the collective, then
    each kept action's follow-up, recorded by the coordination on its story's days."""
    from diagnostic.results.model import compute_results
    from diagnostic.results.service import read_campaign_data
    from diagnostic.roadmap import planning
    from diagnostic.roadmap.followup import clean_change
    from diagnostic.roadmap.model import KEPT
    from diagnostic.roadmap.proposals import merge_plan
    from diagnostic.roadmap.references import load_library
    from diagnostic.settings import get_settings
    from diagnostic.store import followup as followup_store
    from diagnostic.store import roadmap as roadmap_store
    from diagnostic.territory import calendar
    from diagnostic.territory.situation import Situation

    data = read_campaign_data(engine, campaign_id, questions_dir)
    size = get_settings().min_group_size
    # The demo's answers are drawn from a seed: the same answers give the same proposals, so a
    # process that loads the demo again (tests do, many times) reuses them.
    key = (str(Path(questions_dir).resolve()), spec.adopted, size, _digest(data))
    proposals = _EARLIER_PROPOSALS.get(key)
    if proposals is None:
        results = compute_results(data, min_group_size=size)
        rules = calendar.load_calendar_of(questions_dir)
        moment = calendar.moment(rules, spec.adopted) if rules else None
        situation = Situation(spec.adopted, moment=moment)
        library = load_library(questions_dir)
        chantiers = planning.chantiers_of(questions_dir)
        proposals = planning.selected(results, library.actions, situation, chantiers, spec.adopted)
        _EARLIER_PROPOSALS[key] = proposals
    change = merge_plan([], proposals)
    kept = [  # the collective kept the main plan; « Autres pistes » stay proposed
        {**row, "status": "accepted"} if row["details"].get("main", True) else row
        for row in change.insert
    ]
    actor, user_id = coordinator or ("démonstration", None)
    with session_scope(engine) as session:
        roadmap_store.apply_changes(
            session, campaign_id=campaign_id, insert=kept, update={}, delete=[], actor=actor
        )
        session.flush()
        items = roadmap_store.plan_items(session, campaign_id=campaign_id)
        ids = {i.action_id: i.id for i in items if i.status in KEPT}
        for action_id, changes in spec.follow_up.items():
            item_id = ids.get(action_id)
            if item_id is None:
                raise ValueError(
                    f"démonstration : l'action « {action_id} » suivie n'est pas au plan retenu "
                    f"de la campagne du {spec.adopted.isoformat()} (actions retenues : "
                    f"{', '.join(a for a in ids if a)})"
                )
            for change in changes:
                clean = clean_change(
                    status=change.status,
                    on=change.on,
                    today=date.max,  # the story's days, whatever the day the demo is loaded
                    progress=change.progress,
                    indicator_value=change.indicator_value,
                    comment=change.comment,
                )
                row_id = followup_store.record_status(
                    session,
                    campaign_id=campaign_id,
                    item_id=item_id,
                    status=clean.status,
                    on=clean.on,
                    progress=clean.progress,
                    indicator_value=clean.indicator_value,
                    comment=clean.comment,
                    actor=actor,
                    user_id=user_id,
                )
                row = session.get(RoadmapFollowUp, row_id)  # entered the evening of its day
                assert row is not None
                row.recorded_at = datetime.combine(clean.on, time(17, 30), tzinfo=UTC)


_EARLIER_PROPOSALS: dict[tuple[Any, ...], list[Any]] = {}  # see _earlier_roadmap


def _digest(data: Any) -> str:
    """A fingerprint of a campaign's raw material: its questionnaire, who answered from where,
    and every answer."""
    q = data.questionnaire
    frames = (data.participants, data.answers, data.consensus)
    parts = [q.id, q.version] + [
        f.drop(columns=["updated_at"], errors="ignore").to_csv(index=False) for f in frames
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
