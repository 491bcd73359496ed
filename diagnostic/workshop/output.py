"""The session's record (posts, re-vote, grid, commitments) and its Word, Markdown and CSV files."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Actor
from diagnostic.analytics import format_number, level_distribution
from diagnostic.exports import DATE_FORMAT, Export, file_name, local_time, to_csv
from diagnostic.exports import markdown_text as _md
from diagnostic.results.model import CampaignResults
from diagnostic.store import audit
from diagnostic.store.engine import session_scope
from diagnostic.vocabulary import ROLE_LABELS, count
from diagnostic.workshop import live, priorities, service
from diagnostic.workshop.programme import Programme, Step, StepKind
from diagnostic.workshop.service import Place, WorkshopInfo

KIND_LABELS = {
    StepKind.WELCOME: "accueil",
    StepKind.RESULTS: "résultats",
    StepKind.PERSONAL: "temps personnel",
    StepKind.COLLECTIVE: "temps collectif par territoire",
    StepKind.REVOTE: "nouveau vote",
    StepKind.DOTS: "points à répartir",
    StepKind.GRID: "grille impact × effort",
    StepKind.COMMITMENTS: "engagements",
}
FILE_LABELS = {"docx": "Word", "md": "Markdown", "csv": "Contributions (CSV)"}
MIME_MD = "text/markdown"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Revote:
    """One territory's re-vote: per item, the questionnaire's answers and the room's vote."""

    place: Place
    table: pd.DataFrame  # vote_shift columns + text, levels, level_labels


@dataclass(frozen=True)
class WorkshopRecord:
    """Everything the session produced that may leave the room (no private note)."""

    info: WorkshopInfo
    programme: Programme
    seats: dict[int | None, int]
    posts: tuple[live.Post, ...]  # shared posts, every state but private
    private_notes: dict[int, int]  # step index -> personal notes kept private
    revotes: tuple[Revote, ...] = ()
    grid: pd.DataFrame = field(default_factory=pd.DataFrame)

    def territory(self, territory_id: int | None) -> str:
        place = self.info.place_of(territory_id)
        return place.territory_name if place else "Sans territoire"

    @property
    def commitments(self) -> list[live.Post]:
        return [p for p in self.posts if p.retained and p.shown]


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
) -> WorkshopRecord:
    """The session's record, for the facilitator (checked) — `results` by campaign id."""
    info = service.facilitated(engine, actor, workshop_id)
    everything = service.inbox(engine, actor, workshop_id)
    private = service.private_counts(engine, workshop_id)
    votes = service.votes_frame(engine, workshop_id)
    revotes: list[Revote] = []
    grid = pd.DataFrame()
    for step in programme.steps:
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


# --- files -------------------------------------------------------------------------------------


def _author(post: live.Post) -> str:
    role = ROLE_LABELS.get(post.role or "", post.role or "")
    return f"{post.nickname}, {role}" if role else post.nickname


def _posts_by_territory(record: WorkshopRecord, index: int) -> dict[str, list[live.Group]]:
    out: dict[str, list[live.Group]] = {}
    shown = [p for p in record.posts if p.step == index and p.shown]
    for territory_id in dict.fromkeys(p.territory_id for p in shown):
        mine = [p for p in shown if p.territory_id == territory_id]
        out[record.territory(territory_id)] = live.board(mine)
    return out


def _title(record: WorkshopRecord) -> str:
    return f"Atelier « {record.info.title} » du {record.info.day}"


def _private_notes(n: int) -> str:
    return count(n, "note personnelle non partagée")


def _summary_lines(record: WorkshopRecord) -> list[str]:
    total = sum(record.seats.values())
    per = ", ".join(
        f"{p.territory_name} : {record.seats.get(p.territory_id, 0)}" for p in record.info.places
    )
    campaigns = ", ".join(f"{p.territory_name} — {p.campaign_title}" for p in record.info.places)
    lines = [
        f"{count(total, 'participant·e')} ({per}).",
        f"Campagnes : {campaigns}.",
        f"Déroulé : « {record.programme.title} » ({record.programme.total_minutes} minutes).",
    ]
    if record.info.ended_at is not None:
        lines.append(f"Atelier clos le {local_time(record.info.ended_at).strftime(DATE_FORMAT)}.")
    return lines


def _commitment_line(post: live.Post) -> str:
    sent = " — inscrit au projet de feuille de route" if post.roadmap_item_id else ""
    return f"{post.text} ({_author(post)}){sent}"


def _shift_cells(row: Mapping[str, object]) -> tuple[str, str, str]:
    def mean(v: object) -> str:
        return format_number(float(v), 1) if v is not None and v == v else "—"  # type: ignore[arg-type]

    if not row.get("shown"):
        return mean(row.get("mean_before")), "moins de votes que le seuil", "—"
    shift = row.get("shift")
    delta = "—" if shift is None or shift != shift else format_number(float(shift), 1)  # type: ignore[arg-type]
    if delta not in {"—"} and float(shift) > 0:  # type: ignore[arg-type]
        delta = "+" + delta
    return mean(row.get("mean_before")), mean(row.get("mean_after")), delta


def to_markdown(record: WorkshopRecord) -> Export:
    """The session's record as Markdown (for a wiki, a mail, a shared folder)."""
    lines = [f"# {_md(_title(record))}", ""]
    lines += [_md(x) for x in _summary_lines(record)]
    lines += ["", "## Engagements retenus", ""]
    if not record.commitments:
        lines.append("Aucun engagement retenu.")
    for territory in dict.fromkeys(record.territory(p.territory_id) for p in record.commitments):
        lines += [f"### {_md(territory)}", ""]
        lines += [
            f"- {_md(_commitment_line(p))}"
            for p in record.commitments
            if record.territory(p.territory_id) == territory
        ]
        lines.append("")
    for index, step in enumerate(record.programme.steps):
        lines += ["", f"## {index + 1}. {_md(step.title)} ({KIND_LABELS[step.kind]})", ""]
        lines += [f"> {_md(step.prompt)}", ""]
        if step.posts:
            by_territory = _posts_by_territory(record, index)
            if not by_territory:
                lines.append("Aucune contribution partagée.")
            for territory, groups in by_territory.items():
                lines += [f"### {_md(territory)}", ""]
                for group in groups:
                    if group.label != live.UNGROUPED or len(groups) > 1:
                        lines.append(f"**{_md(group.label)}**")
                    lines += [f"- {_md(p.text)} ({_md(_author(p))})" for p in group.posts]
                    lines.append("")
            if record.private_notes.get(index):
                lines.append(f"_{_private_notes(record.private_notes[index])}._")
        if step.kind == StepKind.REVOTE:
            for revote in record.revotes:
                lines += [f"### {_md(revote.place.territory_name)}", ""]
                lines += ["| Item | Questionnaire | Maintenant | Évolution |", "|---|---|---|---|"]
                for row in revote.table.to_dict("records"):
                    before, after, delta = _shift_cells(row)
                    lines.append(f"| {_md(row['text'])} | {before} | {after} | {delta} |")
                lines.append("")
        if step.kind == StepKind.GRID and not record.grid.empty:
            lines += [
                "| Chantier | Territoire | Impact | Effort | Votes | Case |",
                "|---|---|---|---|---|---|",
            ]
            for row in record.grid.to_dict("records"):
                lines.append(
                    f"| {_md(row['text'])} | {_md(row['territory'])} | {_num(row['impact'])} | "
                    f"{_num(row['effort'])} | {row['n']} | {row['quadrant'] or '—'} |"
                )
    text = "\n".join(lines).rstrip() + "\n"
    return Export(text.encode("utf-8"), file_name(_title(record), "md"), MIME_MD)


def _num(value: object) -> str:
    return format_number(float(value), 1) if value is not None and value == value else "—"  # type: ignore[arg-type]


def posts_frame(record: WorkshopRecord) -> pd.DataFrame:
    """One row per shared contribution (private notes never leave the participant's phone)."""
    steps = record.programme.steps
    rows = [
        {
            "Étape": p.step + 1,
            "Titre de l'étape": steps[p.step].title if p.step < len(steps) else "",
            "Territoire": record.territory(p.territory_id),
            "Pseudonyme": p.nickname,
            "Fonction": ROLE_LABELS.get(p.role or "", p.role or ""),
            "Contribution": p.text,
            "Regroupement": p.group_label or "",
            "État": live.STATUS_LABELS.get(p.status, p.status),
            "Engagement retenu": p.retained,
            "Inscrit à la feuille de route": p.roadmap_item_id is not None,
            "Date": p.created_at,
        }
        for p in record.posts
    ]
    return pd.DataFrame(rows)


def to_csv_export(record: WorkshopRecord) -> Export:
    """The contributions as a CSV for French Excel (formulas neutralised)."""
    return to_csv(posts_frame(record), f"{_title(record)} contributions")


def to_docx(record: WorkshopRecord) -> Export:
    """The session's record as a Word document."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(_title(record), level=0)
    for line in _summary_lines(record):
        doc.add_paragraph(line)
    doc.add_heading("Engagements retenus", level=1)
    if not record.commitments:
        doc.add_paragraph("Aucun engagement retenu.")
    for territory in dict.fromkeys(record.territory(p.territory_id) for p in record.commitments):
        doc.add_heading(territory, level=2)
        for p in record.commitments:
            if record.territory(p.territory_id) == territory:
                doc.add_paragraph(_commitment_line(p), style="List Bullet")
    for index, step in enumerate(record.programme.steps):
        doc.add_heading(f"{index + 1}. {step.title} ({KIND_LABELS[step.kind]})", level=1)
        doc.add_paragraph().add_run(step.prompt).italic = True
        if step.posts:
            by_territory = _posts_by_territory(record, index)
            if not by_territory:
                doc.add_paragraph("Aucune contribution partagée.")
            for territory, groups in by_territory.items():
                doc.add_heading(territory, level=2)
                for group in groups:
                    if group.label != live.UNGROUPED or len(groups) > 1:
                        doc.add_paragraph().add_run(group.label).bold = True
                    for p in group.posts:
                        doc.add_paragraph(f"{p.text} ({_author(p)})", style="List Bullet")
            if record.private_notes.get(index):
                doc.add_paragraph(f"{_private_notes(record.private_notes[index])}.")
        if step.kind == StepKind.REVOTE:
            for revote in record.revotes:
                doc.add_heading(revote.place.territory_name, level=2)
                _table(
                    doc,
                    ["Item", "Questionnaire", "Maintenant", "Évolution"],
                    [
                        [str(row["text"]), *_shift_cells(row)]
                        for row in revote.table.to_dict("records")
                    ],
                )
        if step.kind == StepKind.GRID and not record.grid.empty:
            _table(
                doc,
                ["Chantier", "Territoire", "Impact", "Effort", "Votes", "Case"],
                [
                    [
                        str(row["text"]),
                        str(row["territory"]),
                        _num(row["impact"]),
                        _num(row["effort"]),
                        str(row["n"]),
                        str(row["quadrant"] or "—"),
                    ]
                    for row in record.grid.to_dict("records")
                ],
            )
    buffer = io.BytesIO()
    doc.save(buffer)
    return Export(buffer.getvalue(), file_name(_title(record), "docx"), MIME_DOCX)


def _table(doc, header: list[str], rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def export(record: WorkshopRecord, fmt: str) -> Export:
    """One entry point: docx, md or csv."""
    if fmt == "docx":
        return to_docx(record)
    if fmt == "md":
        return to_markdown(record)
    if fmt == "csv":
        return to_csv_export(record)
    raise ValueError(f"format inconnu : {fmt} (docx, md ou csv)")
