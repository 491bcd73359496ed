"""The session's record (every step: items, posts, re-vote, grid, dots, commitments) and its
Word (with charts), Markdown, CSV and board image (PNG) files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Actor
from diagnostic.analytics import level_distribution
from diagnostic.exports import Export
from diagnostic.results.model import CampaignResults
from diagnostic.store import audit
from diagnostic.store.engine import session_scope
from diagnostic.workshop import live, minutes, priorities, screens, service
from diagnostic.workshop.minutes import DOTS
from diagnostic.workshop.programme import Programme, Step, StepKind
from diagnostic.workshop.record import Revote, WorkshopRecord
from diagnostic.workshop.service import Place, WorkshopInfo

FILE_LABELS = {
    "docx": "Word",
    "md": "Markdown",
    "csv": "Contributions (CSV)",
    "png": "Image du tableau (PNG)",
}
KIND_LABELS = minutes.KIND_LABELS


def revote_table(
    results: CampaignResults | None,
    place: Place,
    step: Step,
    votes: pd.DataFrame,
    *,
    min_votes: int,
) -> pd.DataFrame:
    """The items re-voted by a territory with their before/after (empty without results)."""
    if results is None or results.responses is None:
        return pd.DataFrame()
    q = results.questionnaire
    items = live.focus_items(results.items, step.item_count)
    distribution = level_distribution(results.responses.items, q)
    mine = votes.loc[(votes["kind"] == live.LEVEL) & (votes["campaign_id"] == place.campaign_id)]
    frames = []
    for qid in items["question_id"]:
        question = q.question(qid)
        scale = q.scale_of(question)
        before = distribution.loc[
            distribution["question_id"] == qid, ["question_id", "level", "count"]
        ]
        after = mine.loc[mine["target"] == qid, ["target", "value"]].rename(
            columns={"target": "question_id"}
        )
        if after.empty:
            after = pd.DataFrame({"question_id": [], "value": []})
        shift = live.vote_shift(before, after, levels=scale.values, min_votes=min_votes)
        shift = shift.loc[shift["question_id"] == qid].copy()
        if shift.empty:
            continue
        shift["text"] = question.text
        shift["levels"] = [list(scale.values)]
        shift["level_labels"] = [{v: lvl.label for v, lvl in scale.levels.items()}]
        frames.append(shift)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def grid_table(
    info: WorkshopInfo,
    programme: Programme,
    step: Step,
    posts: Iterable[live.Post],
    votes: pd.DataFrame,
    placed: Mapping[int, tuple[float, float]] | None = None,
) -> pd.DataFrame:
    """Candidates of a grid step (shown posts of its source step) with their mean position, or
    the one the facilitator chose (`placed`: post id -> (impact, effort))."""
    source = programme.index_of(step.source or "")
    candidates = [p for p in posts if p.step == source and p.shown]
    points = live.grid_points(
        candidates, votes.loc[votes["kind"].isin({live.IMPACT, live.EFFORT})], placed
    )
    points["territory"] = [
        (info.place_of(int(t)).territory_name if info.place_of(int(t)) else "")  # type: ignore[union-attr]
        if t == t and t is not None
        else ""
        for t in points["territory_id"]
    ]
    return points


def screen_revotes(
    engine: Engine,
    workshop_id: int,
    places: tuple[Place, ...],
    step: Step,
    results: Mapping[int, CampaignResults | None],
    *,
    min_votes: int,
) -> list[tuple[Place, list[dict[str, object]]]]:
    """The re-vote step on the screen: each territory's items with their before/after (no
    item without results) — `results` by campaign id."""
    votes = service.votes_frame(engine, workshop_id, {live.LEVEL})
    return [
        (
            place,
            revote_table(
                results.get(place.campaign_id), place, step, votes, min_votes=min_votes
            ).to_dict("records"),
        )
        for place in places
    ]


def screen_grid(
    engine: Engine, info: WorkshopInfo, programme: Programme, step: Step, territories: set[int]
) -> pd.DataFrame:
    """The grid step on the screen: these territories' candidates with their position (mean of
    the votes, or the facilitator's), empty until a first vote or placement."""
    source = programme.index_of(step.source or "")
    posts = [p for p in service.wall(engine, info.id, step=source) if p.territory_id in territories]
    votes = service.votes_frame(engine, info.id, {live.IMPACT, live.EFFORT})
    table = grid_table(info, programme, step, posts, votes, priorities.placements(engine, info.id))
    return table if not live.positioned(table).empty else pd.DataFrame()


def build_record(
    engine: Engine,
    actor: Actor,
    workshop_id: int,
    programme: Programme,
    results: Mapping[int, CampaignResults | None],
    *,
    min_votes: int,
    questions_dir: Path | None = None,
) -> WorkshopRecord:
    """The session's record, for the facilitator (checked) — `results` by campaign id; with
    `questions_dir`, each commitment's roadmap axis by its title."""
    info = service.facilitated(engine, actor, workshop_id)
    everything = service.inbox(engine, actor, workshop_id)
    private = service.private_counts(engine, workshop_id)
    votes = service.votes_frame(engine, workshop_id)
    revotes: list[Revote] = []
    grid = pd.DataFrame()
    focus: list[tuple[Place, tuple[tuple[str, str], ...]]] = []
    dots: dict[int, pd.DataFrame] = {}
    names = {p.territory_id: p.territory_name for p in info.places}
    for index, step in enumerate(programme.steps):
        if step.kind == StepKind.RESULTS and not focus:
            for place in info.places:
                shown = results.get(place.campaign_id)
                if shown is not None:
                    items = screens.focus(shown.items, shown.questionnaire, step.item_count)
                    focus.append((place, tuple((i.question.text, i.reading) for i in items)))
        if str(step.kind) == DOTS and step.source:
            source = programme.index_of(step.source)
            shown = [p for p in everything if p.step == source and p.shown]
            dots[index] = live.dot_tally(shown, votes, names)
        if step.kind == StepKind.REVOTE and not revotes:
            for place in info.places:
                table = revote_table(
                    results.get(place.campaign_id), place, step, votes, min_votes=min_votes
                )
                if not table.empty:
                    revotes.append(Revote(place, table))
        if step.kind == StepKind.GRID and grid.empty:
            placed = priorities.placements(engine, workshop_id)
            grid = grid_table(info, programme, step, everything, votes, placed)
    return WorkshopRecord(
        info=info,
        programme=programme,
        seats=service.seat_counts(engine, workshop_id),
        posts=tuple(everything),
        private_notes=private,
        revotes=tuple(revotes),
        grid=grid,
        focus=tuple(focus),
        axes=(
            {p.territory_id: service.dimensions_of(questions_dir, p) for p in info.places}
            if questions_dir is not None
            else {}
        ),
        dots=dots,
    )


def record_export(engine: Engine, actor: Actor, workshop_id: int, fmt: str) -> None:
    """Log that the session's output left the app (for its facilitator only)."""
    service.facilitated(engine, actor, workshop_id)
    with session_scope(engine) as s:
        audit.record(
            s,
            actor=actor.label(),
            action="workshop.export",
            target=f"workshop:{workshop_id}",
            format=fmt,
        )


def files(engine: Engine, actor: Actor, record: WorkshopRecord) -> dict[str, Export]:
    """The session's record in every format (FILE_LABELS), its export logged."""
    exports = {fmt: export(record, fmt) for fmt in FILE_LABELS}
    record_export(engine, actor, record.info.id, "+".join(FILE_LABELS))
    return exports


def export(record: WorkshopRecord, fmt: str) -> Export:
    """One entry point: docx, md, csv or png (the files are written by `minutes`)."""
    if fmt not in FILE_LABELS:
        raise ValueError(f"format inconnu : {fmt} (docx, md, csv ou png)")
    return minutes.WRITERS[fmt](record)
