"""The coordination's work on the draft roadmap: generate, edit, reorder, assemble the draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import Action as Permission
from diagnostic.accounts.permissions import Actor
from diagnostic.questionnaire.codecs import AnswerError, clean_text
from diagnostic.results.model import CampaignResults
from diagnostic.roadmap import quoting
from diagnostic.roadmap.chantiers import CHANTIERS_FILE, Chantiers, load_chantiers
from diagnostic.roadmap.library import Action
from diagnostic.roadmap.model import (
    HORIZON_LABELS,
    STATUS_LABELS,
    PlanGroup,
    PlanItem,
    Proposal,
    RoadmapDraft,
    Window,
)
from diagnostic.roadmap.proposals import (
    current_duty,
    merge_plan,
    points_to_investigate,
    propose,
    situation_values,
)
from diagnostic.roadmap.selection import (
    arrange_ids,
    directions_alias,
    groups,
    pilots,
    schedule,
    select,
)
from diagnostic.settings import get_settings
from diagnostic.store import roadmap as roadmap_store
from diagnostic.store.engine import session_scope
from diagnostic.territory.service import knowledge_for
from diagnostic.territory.situation import Situation

LIMITS = {"title": 300, "description": 4000, "owner": 200, "indicator": 500}


def plan(engine: Engine, actor: Actor, campaign_id: int) -> list[PlanItem]:
    """The stored action plan (readable by whoever reads the results)."""
    require_campaign(engine, actor, Permission.RESULTS_VIEW, campaign_id)
    with session_scope(engine) as s:
        return roadmap_store.plan_items(s, campaign_id=campaign_id)


def regenerate(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    results: CampaignResults,
    actions: tuple[Action, ...],
    situation: Situation | None = None,
) -> tuple[int, int, int]:
    """Propose actions from the current results, keeping every human edit (see merge_plan).

    Returns how many rows were added, updated and removed.
    """
    require_campaign(engine, actor, Permission.TERRITORY_MANAGE, campaign_id)
    proposals = selected(results, actions, situation, chantiers_of())
    with session_scope(engine) as s:
        change = merge_plan(roadmap_store.plan_items(s, campaign_id=campaign_id), proposals)
        roadmap_store.apply_changes(
            s,
            campaign_id=campaign_id,
            insert=change.insert,
            update=change.update,
            delete=change.delete,
            actor=actor.label(),
        )
    return len(change.insert), len(change.update), len(change.delete)


def chantiers_of(questions_dir: str | Path | None = None) -> Chantiers | None:
    """The chantiers of the questions folder (None when it has no chantiers.yaml: the plan
    then keeps every triggered action, by axis, as before the chantiers)."""
    folder = Path(questions_dir or get_settings().questions_dir)
    return load_chantiers(str(folder)) if (folder / CHANTIERS_FILE).is_file() else None


def selected(
    results: CampaignResults,
    actions: tuple[Action, ...] | list[Action],
    situation: Situation | None,
    chantiers: Chantiers | None,
    today: date | None = None,
) -> list[Proposal]:
    """The proposals, selected (main plan or « Autres pistes ») and dated (selection.py)."""
    proposals, _ = propose(results, actions, situation)
    if chantiers is None:
        return proposals
    proposals = select(proposals, chantiers, situation, results, actions)
    main = [p for p in proposals if p.main]
    day = today or (situation.on if situation is not None else date.today())
    dated = schedule(main, chantiers, situation, day)
    windows = dict(zip([p.action_id for p in main], dated, strict=True))
    steer = pilots(main, dated, actions, [p.action_id for p in proposals])
    pilot = dict(zip([p.action_id for p in main], steer, strict=True))
    return [
        replace(p, window=windows.get(p.action_id), pilot=pilot.get(p.action_id, p.pilot))
        for p in proposals
    ]


def arranged(
    items: list[PlanItem], chantiers: Chantiers | None, situation: Situation | None, today: date
) -> tuple[list[PlanItem], list[PlanItem], list[PlanGroup], list[Window | None]]:
    """The stored rows (set-aside ones excluded) as the document and the page show them: the
    main plan in order (chantiers holding a legal duty first, then the mandate's order), the
    « Autres pistes » best priority first, the main plan by chantier, and each main row's
    window on `today`. Without chantiers: every row in the main plan, no window."""
    kept = [i for i in items if i.status != "rejected"]
    if chantiers is None:
        return kept, [], [], [None] * len(kept)
    main = sorted((i for i in kept if i.main), key=lambda i: i.position)
    others = sorted(
        (i for i in kept if not i.main), key=lambda i: (-(i.priority or 0.0), i.position)
    )
    duties = {i.action_id: current_duty(i, situation) for i in main if i.action_id}
    known = [i.action_id for i in main if i.action_id and chantiers.chantier_of(i.action_id)]
    order_ids = arrange_ids(chantiers, known, duties)
    by_id = {i.action_id: i for i in main if i.action_id}
    rest = [i for i in main if i.action_id not in set(order_ids)]
    rows = [by_id[a] for a in order_ids] + rest
    windows = schedule(
        rows,
        chantiers,
        situation,
        today,
        legal=[current_duty(i, situation) for i in rows],
        chosen=[i.horizon_chosen for i in rows],
    )
    triggered = [i.action_id for i in others if i.action_id]
    ids = [i.action_id for i in rows if i.action_id]
    alias = directions_alias(chantiers, situation_values(situation), ids, [*ids, *triggered])
    by_chantier = groups(rows, chantiers, windows=windows, triggered=triggered, alias=alias)
    return rows, others, by_chantier, list(windows)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name in LIMITS:
            text = clean_text(value or "", LIMITS[name])
            if name == "title" and not text:
                raise AnswerError("l'intitulé de l'action est obligatoire")
            out[name] = text or None if name != "title" else text
        elif name == "horizon":
            if value is not None and value not in HORIZON_LABELS:
                raise AnswerError(f"échéance inconnue : {value}")
            out[name] = value
        elif name == "status":
            if value not in STATUS_LABELS:
                raise AnswerError(f"statut inconnu : {value}")
            out[name] = value
        elif name == "dimension":
            out[name] = value
        else:
            raise AnswerError(f"champ inconnu : {name}")
    return out


def edit(engine: Engine, actor: Actor, campaign_id: int, item_id: int, **fields: Any) -> None:
    """Change an action; the change survives every regeneration."""
    require_campaign(engine, actor, Permission.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as s:
        roadmap_store.edit_item(
            s, campaign_id=campaign_id, item_id=item_id, fields=_clean(fields), actor=actor.label()
        )


def add(
    engine: Engine, actor: Actor, campaign_id: int, *, origin: str = "manual", **fields: Any
) -> int:
    """Write a new action by hand (or from a workshop, whose facilitator may add proposals)."""
    need = Permission.WORKSHOP_RUN if origin == "atelier" else Permission.TERRITORY_MANAGE
    require_campaign(engine, actor, need, campaign_id)
    with session_scope(engine) as s:
        return roadmap_store.add_item(
            s, campaign_id=campaign_id, fields=_clean(fields), origin=origin, actor=actor.label()
        )


def move(engine: Engine, actor: Actor, campaign_id: int, item_id: int, step: int) -> None:
    require_campaign(engine, actor, Permission.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as s:
        roadmap_store.move_item(s, campaign_id=campaign_id, item_id=item_id, step=step)


def remove(engine: Engine, actor: Actor, campaign_id: int, item_id: int) -> None:
    require_campaign(engine, actor, Permission.TERRITORY_MANAGE, campaign_id)
    with session_scope(engine) as s:
        roadmap_store.delete_item(s, campaign_id=campaign_id, item_id=item_id, actor=actor.label())


def draft(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    results: CampaignResults,
    *,
    today: date | None = None,
    min_group_size: int | None = None,
    situation: Situation | None = None,
) -> RoadmapDraft:
    """Everything the roadmap document shows: the plan without set-aside actions, legal duties
    first (late, then due), then by axis; `situation` is the territory on the document's day
    (its obligations and the campaign's moment), as `territory.service.situation_for` gives it."""
    campaign = require_campaign(engine, actor, Permission.RESULTS_VIEW, campaign_id)
    items = plan(engine, actor, campaign_id)
    order = {s.id: i for i, s in enumerate(results.questionnaire.sections)}
    day = today or date.today()
    chantiers = chantiers_of()

    def rank(item: PlanItem) -> tuple[tuple[int, date], int, int]:
        duty = current_duty(item, situation)
        urgency = duty.urgency() if duty is not None else (3, date.max)
        return urgency, order.get(item.dimension, len(order)), item.position

    kept, others, by_chantier, windows = arranged(items, chantiers, situation, day)
    if chantiers is None:
        kept = sorted(kept, key=rank)
    overall = results.participation.iloc[0]
    q = results.questionnaire
    extra: dict[str, Any] = {"min_group_size": min_group_size} if min_group_size else {}
    known = knowledge_for(engine, actor, campaign_id, get_settings().questions_dir, results)
    if known:  # what the respondents know of the fiche's facts (document, part 3.4)
        extra["knowledge"] = tuple(known)
    if chantiers is not None:  # the titles the « Autres pistes » cite
        extra["chantiers"] = {c.id: c.titre for c in chantiers.chantiers}
        if chantiers.clauses_pacte is not None:  # the pacte's clauses and their triggers (part 5)
            extra["clauses_pacte"] = chantiers.clauses_pacte
    return RoadmapDraft(
        territory=results.territory_name,
        campaign=campaign.title,
        questionnaire=f"{q.id} {q.version}",
        generated_on=day,
        participation={k: int(overall[k]) for k in ("invited", "started", "submitted")},
        plan=tuple(kept),
        points=tuple(points_to_investigate(results)),
        dimension_titles={s.id: s.title for s in q.sections},
        extra=extra,
        situation=situation,
        others=tuple(others),
        groups=tuple(by_chantier),
        windows=tuple(windows),
    )


def documents(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    results: CampaignResults,
    library: Any,
    formats: tuple[str, ...],
    *,
    min_group_size: int,
    today: date | None = None,
    situation: Situation | None = None,
) -> dict[str, Any]:
    """The roadmap as documents (Word, PDF, Markdown), charts drawn once for all formats;
    `situation` (on the document's day) adds the territory's obligations and moment."""
    from diagnostic.document import build_documents
    from diagnostic.roadmap.review_service import review_for
    from diagnostic.store.audit import record_on_campaign

    the_draft = draft(
        engine,
        actor,
        campaign_id,
        results,
        today=today,
        min_group_size=min_group_size,
        situation=situation,
    )
    voices = quoting.campaign_voices(engine, campaign_id, results.questionnaire, min_group_size)
    previous = review_for(engine, actor, campaign_id)
    built = build_documents(
        replace(the_draft, voices=voices, review=previous), results, library, formats
    )
    with session_scope(engine) as s:
        record_on_campaign(s, actor.label(), "roadmap.export", campaign_id, formats=list(formats))
    return built


def draw_charts_ahead(results: CampaignResults) -> None:
    """Start drawing, in the background, the charts the documents of these results print (the
    page of the roadmap calls it when it opens): « Préparer les documents » then finds them
    drawn and only writes the text, the plan's timeline and the files."""
    from diagnostic.document import charts
    from diagnostic.results.model import labels

    charts.draw_ahead(results, labels(results.questionnaire))


def plan_signature(campaign_id: int, items: list[PlanItem]) -> tuple[int, int]:
    """Changes whenever a field the document prints changes (to know a document is stale)."""
    fields = tuple(
        (
            i.id,
            i.title,
            i.description,
            i.status,
            i.position,
            i.owner,
            i.horizon,
            i.indicator,
            str(i.details.get("legal")),
        )
        for i in items
    )
    return campaign_id, hash(fields)
