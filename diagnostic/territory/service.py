"""A territory's fiche: read it (TERRITORY_VIEW), edit it (TERRITORY_MANAGE), audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import NO_ACCESS, Action, Actor, can, require
from diagnostic.campaigns.coordination import my_territories
from diagnostic.errors import AccessDenied
from diagnostic.exports import TIMEZONE
from diagnostic.results.model import CampaignResults, TooFewRespondents
from diagnostic.store import facts as facts_store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import Territory
from diagnostic.territory import calendar, facts, knowledge, obligations
from diagnostic.territory.facts import FactError, Fiche, Value, fiche_for
from diagnostic.territory.presentation import Fact, origin
from diagnostic.territory.situation import Situation

# The campaign's access was checked (RESULTS_VIEW): its territory's fiche is read on its behalf.
SYSTEM_READER = Actor(kind="user", user_id=0, email="lecture des obligations", is_admin=True)


@dataclass(frozen=True)
class TerritoryFacts:
    """A territory's fiche as its reader sees it: every fact with its source and date."""

    territory_id: int
    name: str
    kind: str  # a TerritoryKind value
    fiche: Fiche
    facts: dict[str, Fact]  # every fact of the fiche, unknown ones with the value None
    editable: bool  # the reader may change it (TERRITORY_MANAGE)
    entered: int  # facts entered on the fiche (defaults not counted)

    @property
    def values(self) -> dict[str, Value]:
        """The plain mapping fact id -> value (None: unknown) the obligations are checked on."""
        return {k: f.value for k, f in self.facts.items()}

    @property
    def origins(self) -> dict[str, str]:
        """Where each known fact comes from, in words: « source, 20/11/2026 »."""
        return {k: origin(f) for k, f in self.facts.items() if f.value is not None}

    @property
    def missing(self) -> list[str]:
        """The facts still unknown (see facts.missing)."""
        return facts.missing(self.fiche, self.values)


def paris_today() -> date:
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def territories(engine: Engine, actor: Actor) -> list[Territory]:
    """The territories whose fiche the actor may read."""
    return my_territories(engine, actor)


def territory_facts(
    engine: Engine, actor: Actor, territory_id: int, questions_dir: Path
) -> TerritoryFacts:
    """The fiche of a territory: stored facts, then the population of the territory's record
    or of the official list (with its vintage) while the fiche has none."""
    require(actor, Action.TERRITORY_VIEW, territory_id=territory_id)
    fiche = fiche_for(questions_dir)
    with session_scope(engine) as session:
        territory = facts_store.root_territory(session, territory_id=territory_id)
        if territory is None:
            raise AccessDenied(NO_ACCESS)
        stored = facts_store.facts_of(session, territory_id=territory_id)
        official = facts_store.official_population(session, code=territory.code)
    found: dict[str, Fact] = {}
    for fact_id, field in fiche.fields.items():
        row = stored.get(fact_id)
        found[fact_id] = (
            Fact(
                field, facts.from_json(field, row.value), row.source, row.updated_on, row.updated_by
            )
            if row is not None
            else Fact(field, None)
        )
    if found["population"].value is None:
        found |= _population_defaults(fiche, territory, official, found)
    return TerritoryFacts(
        territory_id=territory_id,
        name=territory.name,
        kind=territory.kind,
        fiche=fiche,
        facts=found,
        editable=can(actor, Action.TERRITORY_MANAGE, territory_id=territory_id),
        entered=sum(1 for k in stored if k in fiche.fields and stored[k].value is not None),
    )


def _population_defaults(
    fiche: Fiche,
    territory: Territory,
    official: tuple[int, int | None, str] | None,
    found: Mapping[str, Fact],
) -> dict[str, Fact]:
    """The population (and its vintage, when known and not entered) the fiche starts from."""
    population, vintage = fiche.field("population"), fiche.field("population_millesime")
    record = facts.from_json(population, territory.population)
    if official is not None and facts.from_json(population, official[0]) is None:
        official = None  # a figure the fiche would refuse is no default
    if official is not None and record in (None, official[0]):
        count, year, source = official
        year = facts.from_json(vintage, year)
        origin = f"liste officielle des EPCI ({source})"
        if year:
            origin += f", population municipale {year}"
        out = {"population": Fact(population, count, origin, default=True)}
        if year and found["population_millesime"].value is None:
            out["population_millesime"] = Fact(vintage, year, origin, default=True)
        return out
    if record is not None:
        origin = "population saisie à la création du territoire"
        return {"population": Fact(population, record, origin, default=True)}
    return {}


def fact_values(
    engine: Engine, actor: Actor, territory_id: int, questions_dir: Path
) -> dict[str, Value]:
    """The facts of a territory as a plain mapping fact id -> value (None: unknown)."""
    return territory_facts(engine, actor, territory_id, questions_dir).values


def save_facts(
    engine: Engine,
    actor: Actor,
    territory_id: int,
    questions_dir: Path,
    *,
    values: Mapping[str, object],
    sources: Mapping[str, str | None],
    today: date | None = None,
) -> list[str]:
    """Check and record facts of a territory (a form of the page): each changed one (value or
    source) gets today's date and the actor; one audit event. Returns the ids changed.

    FactError (every problem at once, nothing recorded) when a value or a source is refused."""
    require(actor, Action.TERRITORY_MANAGE, territory_id=territory_id)
    fiche = fiche_for(questions_dir)
    today = today or paris_today()
    with session_scope(engine) as session:
        if facts_store.root_territory(session, territory_id=territory_id) is None:
            raise AccessDenied(NO_ACCESS)
        stored = facts_store.facts_of(session, territory_id=territory_id)
        known = {
            k: facts.from_json(fiche.field(k), row.value)
            for k, row in stored.items()
            if k in fiche.fields
        }
        problems: dict[str, str] = {}
        try:
            cleaned = facts.check_values(fiche, values, known=known, today=today)
        except FactError as exc:
            problems, cleaned = exc.problems, {}
        given: dict[str, str | None] = {}
        for fact_id, text in sources.items():
            try:
                given[fact_id] = facts.clean_source(text)
            except FactError as exc:
                problems.setdefault(fact_id, "source : " + exc.problems["source"])
        if problems:
            labels = {k: f.label for k, f in fiche.fields.items()}
            raise FactError(problems, labels)
        changes: dict[str, facts_store.FactWrite] = {}
        for fact_id in sorted(set(cleaned) | set(given), key=list(fiche.fields).index):
            row = stored.get(fact_id)
            value = cleaned.get(fact_id, known.get(fact_id))
            source = given.get(fact_id, row.source if row else None)
            if (known.get(fact_id), row.source if row else None) == (value, source):
                continue  # unchanged (or still unknown and without source)
            field = fiche.field(fact_id)
            changes[fact_id] = facts_store.FactWrite(facts.to_json(field, value), source, today)
        facts_store.save_facts(
            session,
            territory_id=territory_id,
            changes=changes,
            user_id=actor.user_id,
            actor=actor.label(),
        )
    return list(changes)


def obligations_for(
    engine: Engine, actor: Actor, campaign_id: int, questions_dir: Path, on: date | None = None
) -> list[obligations.Status]:
    """Every legal obligation of the campaign's territory and its status on `on` (today in
    Paris by default), from the territory's fiche and the mandate calendar; readable by
    whoever reads the campaign's results."""
    campaign = require_campaign(engine, actor, Action.RESULTS_VIEW, campaign_id)
    found = territory_facts(engine, SYSTEM_READER, campaign.territory_id, questions_dir)
    labels = {fact_id: field.label for fact_id, field in found.fiche.fields.items()}
    rules = obligations.load_rules(Path(questions_dir))
    with session_scope(engine) as session:
        territory = session.get(Territory, campaign.territory_id)
        population = territory.population if territory is not None else None
    return obligations.evaluate(
        rules, found.values, found.kind, population, on or paris_today(), labels
    )


def situation_for(
    engine: Engine, actor: Actor, campaign_id: int, questions_dir: Path, on: date | None = None
) -> Situation:
    """Where the campaign's territory stands on `on` (today in Paris by default): the facts of
    its fiche, its obligations' statuses and the campaign's moment in the mandate (from the
    day it opened, or was created); readable by whoever reads the campaign's results."""
    campaign = require_campaign(engine, actor, Action.RESULTS_VIEW, campaign_id)
    day = on or paris_today()
    folder = Path(questions_dir)
    has_rules = (folder / "obligations.yaml").exists()  # a bare questionnaire folder has none
    statuses = obligations_for(engine, actor, campaign_id, folder, day) if has_rules else []
    has_fiche = (folder / "fiche.yaml").exists()
    found = (
        territory_facts(engine, SYSTEM_READER, campaign.territory_id, folder) if has_fiche else None
    )
    rules = calendar.load_calendar_of(folder)
    started = calendar.campaign_day(campaign.created_at, campaign.opened_at)
    moment = calendar.moment(rules, started) if rules else None
    return Situation(
        day,
        found.values if found else {},
        tuple(statuses),
        moment,
        fiche=found.fiche if found else None,
        sources=found.origins if found else {},
    )


def knowledge_for(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    questions_dir: Path,
    results: CampaignResults | None = None,
) -> list[knowledge.Finding]:
    """What the campaign's respondents know of the facts of their territory's fiche (see
    territory/knowledge.py), readable by whoever reads the campaign's results; [] without a
    fiche, or below the privacy threshold. `results`: the campaign's whole results when the
    caller already holds them."""
    campaign = require_campaign(engine, actor, Action.RESULTS_VIEW, campaign_id)
    folder = Path(questions_dir)
    if not (folder / facts.FICHE_FILE).exists():
        return []
    if results is None:
        from diagnostic.results.service import results_for

        shown = results_for(engine, actor, campaign_id)
        if isinstance(shown, TooFewRespondents):
            return []
        results = shown
    if results.responses is None:
        return []
    found = territory_facts(engine, SYSTEM_READER, campaign.territory_id, folder)
    return knowledge.findings(
        results.questionnaire,
        results.responses.choices,
        found.values,
        min_group_size=results.min_group_size,
        origins=found.origins,
        fiche=found.fiche,
    )
