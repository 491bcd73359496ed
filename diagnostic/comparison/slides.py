"""The comparison as a PowerPoint deck (python-pptx) a consultant edits for a client.

One slide per chart: each territory's profile beside its own peer group's median, each peer
group compared with its territories on it, each territory's trend over its campaigns. Titles
are real titles (editable text), each chart a PNG drawn by matplotlib (as the roadmap
document's charts, diagnostic/document/charts.py: no browser needed), its source under it, and
the method and the peer group's definition in the slide's notes. A first slide says what and
when; a last one gives the method notes.
"""

from __future__ import annotations

import io
import math
from functools import partial

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pptx import Presentation
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.presentation import Presentation as PresentationType
from pptx.util import Emu, Inches, Pt

from diagnostic.comparison import report as rp
from diagnostic.comparison import service as cmp
from diagnostic.comparison.figures import colour
from diagnostic.document import charts
from diagnostic.exports import Export, file_name
from diagnostic.results.chart_specs import BLUE, GREY, RED, Line, Radar
from diagnostic.vocabulary import count, french_date

MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
WIDE = (Inches(13.333), Inches(7.5))
SOURCE = "Source : autodiagnostic de gouvernance, réponses des directions ; pairs anonymes."


def deck(report: rp.Report, min_group_size: int) -> Export:
    """The slides of a report, as a PPTX file named after the territories and the date."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDE
    view, labels = report.comparison, report.labels
    names = ", ".join(str(n) for n in view.chosen["name"])
    _title_slide(prs, report, names)
    method = "\n".join(rp.method_notes(view.min_territories, min_group_size))
    for i, row in enumerate(view.chosen.itertuples(index=False)):
        group = view.group_of(int(row.territory_id))
        chart = _radar_chart(view.scores_of(int(row.territory_id)), group, labels, i)
        _chart_slide(
            prs,
            f"{row.name} : profil et groupe de pairs",
            chart,
            f"{row.title} · {count(int(row.n_respondents), 'questionnaire envoyé')} · "
            f"groupe de pairs : {group.caption}",
            f"Groupe de pairs : {group.caption}.\n{method}",
        )
    for group, members in view.by_group():
        chart = _position_chart(view, group, members, labels)
        _chart_slide(
            prs,
            f"Position dans le groupe : {group.label}",
            chart,
            f"Groupe de pairs : {group.caption} · territoires comparés : {', '.join(members)}",
            "Boîte : du 1er au 3e quartile du groupe (trait : médiane) ; moustaches : du 10e "
            f"au 90e centile ; losanges : les territoires comparés.\n{method}",
        )
    for trend in report.trends:
        if len(trend.runs) < 2:
            continue
        note = rp.caution(trend) or "Toutes les campagnes ont répondu au même questionnaire."
        runs = "; ".join(
            f"{r.title} : {count(int(r.n_respondents), 'questionnaire envoyé')}, "
            f"{r.questionnaire_id} {r.questionnaire_version}"
            for r in trend.runs.itertuples(index=False)
        )
        _chart_slide(
            prs,
            f"{trend.name} : évolution sur {count(len(trend.runs), 'campagne')}",
            _trend_chart(trend, labels),
            f"Campagnes : {runs}",
            f"{note}\n{method}",
        )
    _text_slide(
        prs, "Méthode et confidentialité", rp.method_notes(view.min_territories, min_group_size)
    )
    _in_french(prs, names)
    buffer = io.BytesIO()
    prs.save(buffer)
    return Export(buffer.getvalue(), file_name(rp.base_name(report), "pptx"), MIME)


def _in_french(prs: PresentationType, names: str) -> None:
    """French spelling for every text (PowerPoint checks it as it is edited), and the file's
    properties in French (python-pptx would leave its own)."""
    for slide in prs.slides:
        frames = [shape.text_frame for shape in slide.shapes if shape.has_text_frame]
        frames.append(slide.notes_slide.notes_text_frame)
        for frame in frames:
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    run.font.language_id = MSO_LANGUAGE_ID.FRENCH
    props = prs.core_properties
    props.title = "Comparaison entre territoires"
    props.subject = names
    props.author = props.last_modified_by = "Autodiagnostic de la gouvernance"
    props.language = "fr-FR"
    props.keywords = "comparaison, groupes de pairs, autodiagnostic"
    props.comments = SOURCE


def _title_slide(prs: PresentationType, report: rp.Report, names: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = "Comparaison entre territoires"
    slide.placeholders[
        1
    ].text = f"{names}\n{report.questionnaire_title} · {french_date(report.day)}"
    slide.notes_slide.notes_text_frame.text = SOURCE


def _chart_slide(
    prs: PresentationType, title: str, chart: charts.Chart, source: str, notes: str
) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # « Title Only »
    slide.shapes.title.text = title
    slide.shapes.title.text_frame.paragraphs[0].runs[0].font.size = Pt(28)
    png = charts.render(chart)
    top, bottom = Inches(1.45), Inches(0.8)
    height = prs.slide_height - top - bottom
    width = Emu(int(height * charts.WIDTH_IN / chart.height_in))
    if width > prs.slide_width - Inches(1):
        width = Emu(prs.slide_width - Inches(1))
        height = Emu(int(width * chart.height_in / charts.WIDTH_IN))
    left = Emu(int((prs.slide_width - width) / 2))
    picture = slide.shapes.add_picture(io.BytesIO(png), left, top, width, height)
    picture.name = chart.key
    picture._element.nvPicPr.cNvPr.set("descr", chart.alt)  # the alternative text
    box = slide.shapes.add_textbox(
        Inches(0.5), prs.slide_height - bottom, prs.slide_width - Inches(1), Inches(0.6)
    )
    box.text_frame.word_wrap = True
    box.text_frame.text = f"{source}\n{SOURCE}"
    for paragraph in box.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(11)
    slide.notes_slide.notes_text_frame.text = f"{chart.caption}\n{notes}"


def _text_slide(prs: PresentationType, title: str, lines: list[str]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = title
    body = slide.placeholders[1].text_frame
    body.text = lines[0]
    for line in lines[1:]:
        body.add_paragraph().text = line
    for paragraph in body.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(16)
    slide.notes_slide.notes_text_frame.text = SOURCE


# --- charts (matplotlib) ---------------------------------------------------------------------


def _radar_chart(
    scores: pd.DataFrame, group: cmp.PeerGroup, labels: rp.Labels, i: int
) -> charts.Chart:
    frame = scores.set_index("dimension_id").reindex(labels.order)
    axes = [labels.dimensions.get(d, d) for d in labels.order]
    lines = []
    if group.shown:
        median = group.peers.set_index("dimension_id")["score_median"].reindex(labels.order)
        lines.append(Line(f"Médiane : {group.label}", axes, list(median), GREY, 2, "dot"))
    lines.append(Line("Niveau visé", axes, list(frame["target_score"]), RED, 1.5, "dash"))
    lines.append(
        Line("Aujourd'hui", axes, list(frame["score"]), colour(i), 3, markers=True, fill=colour(i))
    )
    return charts.Chart(
        f"radar-{i}",
        "Maturité par dimension (score de 0 à 100) : aujourd'hui, niveau visé et médiane du "
        "groupe de pairs du territoire",
        "Radar des scores de chaque dimension.",
        5.3,
        partial(charts._polar, spec=Radar("", axes, lines)),  # the document's radar
    )


def _position_chart(
    view: cmp.Comparison, group: cmp.PeerGroup, members: list[str], labels: rp.Labels
) -> charts.Chart:
    order = labels.order

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        y = np.arange(len(order))[::-1]
        cells = group.peers.set_index("dimension_id") if len(group.peers) else None
        stats, at = [], []
        for yi, dimension in zip(y, order, strict=True):
            if cells is None or dimension not in cells.index:
                continue
            cell = cells.loc[dimension]
            if cell["status"] != "ok":
                continue
            stats.append(
                {
                    "med": cell["score_median"],
                    "q1": cell["score_q1"],
                    "q3": cell["score_q3"],
                    "whislo": cell["score_p10"],
                    "whishi": cell["score_p90"],
                    "fliers": [],
                }
            )
            at.append(yi)
        if stats:
            ax.bxp(
                stats,
                positions=at,
                orientation="horizontal",
                widths=0.5,
                patch_artist=True,
                boxprops={"facecolor": "#CACAFB", "edgecolor": BLUE},
                medianprops={"color": BLUE},
            )
        for i, name in enumerate(view.chosen["name"]):
            if str(name) not in members:
                continue
            mine = view.scores.loc[view.scores["name"] == name].set_index("dimension_id")
            xs = [float(mine["score"].get(d, math.nan)) for d in order]
            ax.scatter(xs, y, marker="D", s=36, color=colour(i), zorder=4, label=str(name))
        ax.set_yticks(y, [charts._wrap(labels.dimensions.get(d, d), 38) for d in order])
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_xlabel("Score (0 à 100)")
        ax.grid(axis="x", color="#EEEEEE")
        figure.legend(loc="lower center", ncols=max(1, len(members)), fontsize=7)
        figure.subplots_adjust(left=0.36, right=0.97, top=0.97, bottom=0.2)

    return charts.Chart(
        f"position-{group.kind}-{group.band}",
        f"Position dans le groupe de pairs {group.caption}",
        "Boîtes des quartiles du groupe par dimension et territoires comparés.",
        max(3.0, 0.9 + 0.32 * len(order)),
        draw,
    )


def _trend_chart(trend: rp.Trend, labels: rp.Labels) -> charts.Chart:
    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        ids = list(trend.runs["campaign_id"])
        x = np.arange(len(ids))
        palette = ["#000091", "#E4794A", "#18753C", "#A558A0", "#B34000", "#0078F3"]
        palette += ["#6A6AF4", "#C9191E", "#3A3A3A", "#FCC63A"]
        for j, dimension in enumerate(labels.order):
            rows = trend.scores.loc[trend.scores["dimension_id"] == dimension]
            if rows.empty:
                continue
            values = rows.set_index("campaign_id")["score"].reindex(ids)
            ax.plot(
                x,
                values.to_numpy(dtype=float),
                marker="o",
                markersize=3,
                linewidth=1.2,
                color=palette[j % len(palette)],
                label=charts._wrap(labels.dimensions.get(dimension, dimension), 40, lines=1),
            )
        ticks = [
            f"{charts._wrap(str(r.title), 30)}\n"
            f"{count(int(r.n_respondents), 'questionnaire')} · v{r.questionnaire_version}"
            for r in trend.runs.itertuples(index=False)
        ]
        ax.set_xticks(x, ticks, fontsize=6.5)
        ax.set_ylim(0, 100)
        ax.set_ylabel("Score (0 à 100)")
        ax.grid(axis="y", color="#EEEEEE")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=6, frameon=False)
        figure.subplots_adjust(left=0.08, right=0.66, top=0.95, bottom=0.17)

    return charts.Chart(
        "tendance",
        "Score de chaque dimension à chaque campagne (dimension entière du questionnaire de "
        "la campagne), avec les questionnaires envoyés et la version",
        "Lignes des scores par dimension au fil des campagnes.",
        3.8,
        draw,
    )
