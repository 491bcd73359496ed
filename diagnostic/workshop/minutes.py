"""The session's files: Word with its charts, Markdown, the contributions as CSV, the board
image (PNG) — each step's title, prompt and what happened, private notes never."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import pandas as pd

from diagnostic.analytics import format_number
from diagnostic.document.charts import Chart, render_all
from diagnostic.exports import DATE_FORMAT, Export, file_name, local_time, to_csv
from diagnostic.exports import markdown_text as _md
from diagnostic.vocabulary import ROLE_LABELS, count
from diagnostic.workshop import live, prints
from diagnostic.workshop.programme import Step, StepKind
from diagnostic.workshop.record import WorkshopRecord

DOTS = "dots"  # the dot-voting step (a kind this programme's version may not have)
KIND_LABELS = {
    StepKind.WELCOME: "accueil",
    StepKind.RESULTS: "résultats",
    StepKind.PERSONAL: "temps personnel",
    StepKind.COLLECTIVE: "temps collectif par territoire",
    StepKind.REVOTE: "nouveau vote",
    StepKind.GRID: "grille impact × effort",
    StepKind.COMMITMENTS: "engagements",
    DOTS: "points à répartir",
}
MIME_MD = "text/markdown"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_PNG = "image/png"
PICTURE_WIDTH_CM = 16.0
BOARD_KINDS = frozenset({StepKind.COLLECTIVE, StepKind.COMMITMENTS, StepKind.GRID, DOTS})


def kind_label(step: Step) -> str:
    return KIND_LABELS.get(str(step.kind), str(step.kind))


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


def _commitment_line(record: WorkshopRecord, post: live.Post) -> str:
    axis = record.axis(post)
    where = f" — axe « {axis} »" if axis else ""
    sent = " — inscrit au projet de feuille de route" if post.roadmap_item_id else ""
    return f"{post.text} ({_author(post)}){where}{sent}"


def _shift_cells(row: Mapping[str, object]) -> tuple[str, str, str]:
    before, after, delta = live.shift_figures(row)
    return (
        (before, after, delta) if row.get("shown") else (before, "moins de votes que le seuil", "—")
    )


def _num(value: object) -> str:
    return format_number(float(value), 1) if value is not None and value == value else "—"  # type: ignore[arg-type]


def _grid_cells(record: WorkshopRecord) -> list[list[str]]:
    """The grid's table, numbered as its chart (candidates nobody placed last, no number)."""
    numbers = {text: n for n, text, *_ in prints.grid_rows(record.grid)}
    placed = record.grid.assign(_unplaced=record.grid["n"] <= 0)
    rows = []
    for row in placed.sort_values("_unplaced", kind="stable").to_dict("records"):
        number = numbers.get(str(row["text"])) if row["n"] > 0 else None
        rows.append(
            [
                str(number) if number else "—",
                str(row["text"]),
                str(row["territory"]),
                _num(row["impact"]),
                _num(row["effort"]),
                str(row["n"]),
                str(row["quadrant"] or "—"),
            ]
        )
    return rows


def _dots_by_territory(record: WorkshopRecord, index: int) -> dict[str, pd.DataFrame]:
    """A dot step's tally, one frame per territory (the frame may name it or give its id)."""
    tally = record.dots.get(index)
    if tally is None or tally.empty:
        return {}
    if "territory" not in tally or tally["territory"].isna().all():
        return {"Tous les territoires": tally}
    out = {}
    for key, frame in tally.groupby("territory", sort=False):
        name = record.territory(int(key)) if isinstance(key, int | float) else str(key)
        out[name] = frame
    return out


def _dots_cells(frame: pd.DataFrame) -> list[list[str]]:
    frame = frame.sort_values("dots", ascending=False, kind="stable")
    return [
        [
            str(r["text"]),
            r["group"] if isinstance(r.get("group"), str) and r["group"] else "—",
            str(int(r["dots"])),
            str(int(r["voters"])),
        ]
        for r in frame.to_dict("records")
    ]


# --- Markdown ----------------------------------------------------------------------------------


def _md_table(header: list[str], rows: list[list[str]], typed: set[int]) -> list[str]:
    """A pipe table; the `typed` columns (texts people wrote) escaped, figures as they are."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(_md(c) if i in typed else c for i, c in enumerate(row)) + " |"
        for row in rows
    ]
    return [*lines, ""]


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
            f"- {_md(_commitment_line(record, p))}"
            for p in record.commitments
            if record.territory(p.territory_id) == territory
        ]
        lines.append("")
    for index, step in enumerate(record.programme.steps):
        lines += ["", f"## {index + 1}. {_md(step.title)} ({kind_label(step)})", ""]
        lines += [f"> {_md(step.prompt)}", ""]
        if step.kind == StepKind.RESULTS:
            for place, items in record.focus:
                lines += [f"### {_md(place.territory_name)}", ""]
                lines += [f"{n}. {_md(text)} — {_md(reading)}" for n, (text, reading) in
                          enumerate(items, 1)]  # fmt: skip
                lines.append("")
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
                rows = [[str(r["text"]), *_shift_cells(r)] for r in revote.table.to_dict("records")]
                lines += _md_table(["Item", "Questionnaire", "Maintenant", "Évolution"], rows, {0})
        if step.kind == StepKind.GRID and not record.grid.empty:
            header = ["N°", "Chantier", "Territoire", "Impact", "Effort", "Votes", "Case"]
            lines += _md_table(header, _grid_cells(record), {1, 2})
        for territory, frame in _dots_by_territory(record, index).items():
            lines += [f"### {_md(territory)}", ""]
            header = ["Contribution", "Regroupement", "Points", "Votant·es"]
            lines += _md_table(header, _dots_cells(frame), {0, 1})
    text = "\n".join(lines).rstrip() + "\n"
    return Export(text.encode("utf-8"), file_name(_title(record), "md"), MIME_MD)


# --- CSV ---------------------------------------------------------------------------------------


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
            "Axe de la feuille de route": (record.axis(p) or "") if p.retained else "",
            "Inscrit à la feuille de route": p.roadmap_item_id is not None,
            "Date": p.created_at,
        }
        for p in record.posts
    ]
    return pd.DataFrame(rows)


def to_csv_export(record: WorkshopRecord) -> Export:
    """The contributions as a CSV for French Excel (formulas neutralised)."""
    return to_csv(posts_frame(record), f"{_title(record)} contributions")


# --- Word --------------------------------------------------------------------------------------


def charts(record: WorkshopRecord) -> dict[tuple[int, str], Chart]:
    """The charts of the document by (step index, territory — « » for the grid of the room):
    each territory's re-vote, the grid, each territory's dot votes."""
    out: dict[tuple[int, str], Chart | None] = {}
    for index, step in enumerate(record.programme.steps):
        if step.kind == StepKind.REVOTE:
            for r in record.revotes:
                name = r.place.territory_name
                out[index, name] = prints.shift_print(name, r.table)
        if step.kind == StepKind.GRID and not record.grid.empty:
            places = record.info.places
            title = places[0].territory_name if len(places) == 1 else "tous les territoires"
            out[index, ""] = prints.grid_print(record.grid, title)
        for territory, frame in _dots_by_territory(record, index).items():
            out[index, territory] = prints.dots_print(frame, territory)
    return {key: chart for key, chart in out.items() if chart is not None}


def to_docx(record: WorkshopRecord) -> Export:
    """The session's record as a Word document, its charts with a caption and an alternative
    text each."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = _title(record)
    doc.core_properties.language = "fr-FR"
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
                doc.add_paragraph(_commitment_line(record, p), style="List Bullet")
    pictures = charts(record)
    images = render_all(list(pictures.values()))

    def picture(index: int, territory: str) -> None:
        chart = pictures.get((index, territory))
        if chart is not None:
            _picture(doc, chart, images[chart.key])

    for index, step in enumerate(record.programme.steps):
        doc.add_heading(f"{index + 1}. {step.title} ({kind_label(step)})", level=1)
        doc.add_paragraph().add_run(step.prompt).italic = True
        if step.kind == StepKind.RESULTS:
            for place, items in record.focus:
                doc.add_heading(place.territory_name, level=2)
                for text, reading in items:
                    paragraph = doc.add_paragraph(style="List Number")
                    paragraph.add_run(text).bold = True
                    paragraph.add_run(f" — {reading}")
            if not record.focus:
                doc.add_paragraph("Résultats non affichés : pas assez de réponses envoyées.")
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
                picture(index, revote.place.territory_name)
                rows = [[str(r["text"]), *_shift_cells(r)] for r in revote.table.to_dict("records")]
                _table(doc, ["Item", "Questionnaire", "Maintenant", "Évolution"], rows)
        if step.kind == StepKind.GRID and not record.grid.empty:
            picture(index, "")
            header = ["N°", "Chantier", "Territoire", "Impact", "Effort", "Votes", "Case"]
            _table(doc, header, _grid_cells(record))
        for territory, frame in _dots_by_territory(record, index).items():
            doc.add_heading(territory, level=2)
            picture(index, territory)
            _table(doc, ["Contribution", "Regroupement", "Points", "Votant·es"], _dots_cells(frame))
    buffer = io.BytesIO()
    doc.save(buffer)
    return Export(buffer.getvalue(), file_name(_title(record), "docx"), MIME_DOCX)


def _picture(doc, chart: Chart, png: bytes) -> None:  # type: ignore[no-untyped-def]
    """A chart, its alternative text for screen readers, its caption under it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    holder = doc.add_paragraph()
    holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
    holder.paragraph_format.keep_with_next = True  # the caption stays under its chart
    shape = holder.add_run().add_picture(io.BytesIO(png), width=Cm(PICTURE_WIDTH_CM))
    shape._inline.docPr.set("descr", chart.alt)
    shape._inline.docPr.set("title", chart.caption)
    doc.add_paragraph(chart.caption, style="Caption")


def _table(doc, header: list[str], rows: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


# --- the board image ---------------------------------------------------------------------------


def panels(record: WorkshopRecord) -> list[prints.Panel]:
    """The board's panels: each collective, commitments, grid and dot step with content."""
    out = []
    for index, step in enumerate(record.programme.steps):
        if step.kind not in BOARD_KINDS:
            continue
        columns = []
        for territory, groups in (_posts_by_territory(record, index) if step.posts else {}).items():
            lines: list[tuple[str, str]] = []
            for group in groups:
                if group.label != live.UNGROUPED or len(groups) > 1:
                    lines.append(("group", group.label))
                lines += [("post", ("★ " if p.retained else "") + p.text) for p in group.posts]
            columns.append(prints.Column(territory, tuple(lines)))
        grid = prints.grid_rows(record.grid) if step.kind == StepKind.GRID else ()
        dots: tuple[tuple[str, int], ...] = ()
        for territory, frame in _dots_by_territory(record, index).items():
            dots += tuple((f"{label} ({territory})", n) for label, n in prints.dots_rows(frame))
        dots = tuple(sorted(dots, key=lambda row: -row[1]))[: prints.MAX_DOTS_ROWS]
        if not (columns or grid or dots):
            continue
        title = f"{index + 1}. {step.title}"
        out.append(prints.Panel(title, step.prompt, tuple(columns), grid, dots))
    return out


def to_png(record: WorkshopRecord) -> Export:
    """The board as one image for the minutes (1920 px wide)."""
    subtitle = " ".join(_summary_lines(record)[:1])
    panes = panels(record)
    if not panes:
        subtitle += " Aucune contribution partagée ni vote à montrer."
    image = prints.board_image(_title(record), subtitle, panes)
    return Export(image, file_name(f"{_title(record)} tableau", "png"), MIME_PNG)


WRITERS: dict[str, Callable[[WorkshopRecord], Export]] = {
    "docx": to_docx,
    "md": to_markdown,
    "csv": to_csv_export,
    "png": to_png,
}
