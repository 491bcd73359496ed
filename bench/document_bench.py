"""Roadmap document build time (Word + PDF with charts), as a ratio to bare floors.

    .venv/bin/python bench/document_bench.py [--runs 5]

Loads the demo territories into a throwaway SQLite file, takes the largest one's results and a
draft of every proposed action, then times, in the same run and interleaved:

- the document: `build_documents(..., ("docx", "pdf"))`, charts rendered once for both;
- floor A, the reference of shared/perf-notes.md: a bare python-docx file with 6 matplotlib
  charts (PNG, 150 dpi) and 3 tables of 70 rows, python-docx and matplotlib used plainly;
- floor B, the same bare code at the document's own size (as many charts and table cells).

It prints medians and the ratios; nothing is asserted (speed is never a test).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import docx
import matplotlib
from docx.shared import Cm
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diagnostic import document  # noqa: E402
from diagnostic.demo import load_demo  # noqa: E402
from diagnostic.document import charts, content, docx_writer, pdf_writer  # noqa: E402
from diagnostic.document.blocks import Table  # noqa: E402
from diagnostic.results.model import CampaignResults, compute_results, labels  # noqa: E402
from diagnostic.results.service import read_campaign_data  # noqa: E402
from diagnostic.roadmap.model import PlanItem, RoadmapDraft  # noqa: E402
from diagnostic.roadmap.references import Library, load_library  # noqa: E402
from diagnostic.store.engine import build_engine, migrate  # noqa: E402

QUESTIONS = ROOT / "questions"


def demo_results(folder: Path) -> CampaignResults:
    """The results of the demo territory with the most respondents."""
    engine = build_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate(engine)
    load_demo(engine, QUESTIONS)
    best = None
    for campaign_id in range(1, 10):
        try:
            data = read_campaign_data(engine, campaign_id, QUESTIONS)
        except Exception:  # noqa: BLE001 - fewer demo campaigns than ids tried
            break
        results = compute_results(data, min_group_size=3)
        if best is None or results.n_respondents > best.n_respondents:
            best = results
    assert best is not None, "la démonstration n'a créé aucune campagne"
    return best


def demo_draft(results: CampaignResults, library: Library) -> RoadmapDraft:
    """Every action the generator proposes (or, without it, the first library actions)."""
    try:
        from diagnostic.roadmap.proposals import propose

        proposals, points = propose(results, library.actions)
    except ImportError:  # the generator is not there yet: the library's first actions
        proposals, points = list(library.actions[:15]), []
    plan = []
    for i, p in enumerate(proposals):
        evidence = [e.__dict__ for e in getattr(p, "evidence", ())]
        plan.append(
            PlanItem(
                id=i,
                action_id=getattr(p, "action_id", getattr(p, "id", None)),
                dimension=p.dimension,
                title=p.title,
                description=p.description,
                horizon=str(p.horizon),
                owner=p.pilot,
                indicator=p.indicator,
                status="proposed",
                priority=getattr(p, "priority", None),
                position=i,
                origin="generated",
                edited=False,
                change=None,
                details={
                    "instrument": p.instrument,
                    "validation": p.validation,
                    "references": list(p.references),
                    "shared_by": getattr(p, "shared_by", None),
                    "evidence": evidence,
                },
            )
        )
    order = {s.id: i for i, s in enumerate(results.questionnaire.sections)}
    plan.sort(key=lambda item: (order.get(item.dimension, 99), item.position))
    q = results.questionnaire
    overall = results.participation.iloc[0]
    return RoadmapDraft(
        territory=results.territory_name,
        campaign="Démonstration",
        questionnaire=f"{q.id} {q.version}",
        generated_on=date(2026, 11, 29),
        participation={k: int(overall[k]) for k in ("invited", "started", "submitted")},
        plan=tuple(plan),
        points=tuple(points),
        dimension_titles={s.id: s.title for s in q.sections},
    )


def bare_document(n_charts: int, tables: list[tuple[int, int]]) -> bytes:
    """The floor: plain python-docx and matplotlib, no styling, no layout work."""
    word = docx.Document()
    for i in range(n_charts):
        fig = Figure(figsize=(6.3, 3.5), dpi=150)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.barh([f"Dimension {k}" for k in range(10)], [(k * 7 + i) % 100 for k in range(10)])
        ax.set_title(f"Graphique {i + 1}")
        png = io.BytesIO()
        fig.savefig(png, format="png")
        word.add_heading(f"Partie {i + 1}", level=1)
        word.add_paragraph("Un paragraphe de texte qui commente le graphique ci-dessous.")
        word.add_picture(io.BytesIO(png.getvalue()), width=Cm(16))
    for rows, cols in tables:
        table = word.add_table(rows=rows + 1, cols=cols)
        table.style = "Table Grid"
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                cell.text = f"Cellule {r}.{c}"
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def build_parts(
    draft: RoadmapDraft, results: CampaignResults, library: Library
) -> dict[str, float]:
    """The same build as `build_documents`, step by step, each step timed."""
    stamps = [time.perf_counter()]
    found = charts.charts_for(results, labels(results.questionnaire))
    assembled = content.assemble(draft, results, library, found)
    stamps.append(time.perf_counter())
    images = charts.render_all(found)
    stamps.append(time.perf_counter())
    docx_writer.write(assembled, images)
    stamps.append(time.perf_counter())
    pdf_writer.write(assembled, images)
    stamps.append(time.perf_counter())
    steps = ("assemble", "charts", "docx", "pdf")
    return {step: stamps[k + 1] - stamps[k] for k, step in enumerate(steps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    matplotlib.use("Agg")
    with tempfile.TemporaryDirectory() as folder:
        results = demo_results(Path(folder))
    library = load_library(QUESTIONS)
    draft = demo_draft(results, library)
    chosen = charts.charts_for(results, labels(results.questionnaire))
    doc = content.assemble(draft, results, library, chosen)
    sizes = [(len(b.rows), len(b.columns)) for b in doc.blocks if isinstance(b, Table)]
    print(
        f"{results.territory_name} : {results.n_respondents} répondants, {len(draft.plan)} "
        f"actions, {len(chosen)} graphiques, {len(sizes)} tableaux "
        f"({sum(r for r, _ in sizes)} lignes, {sum(r * c for r, c in sizes)} cellules)"
    )

    def ours() -> None:
        document.build_documents(draft, results, library, ("docx", "pdf"))

    def floor_a() -> None:
        bare_document(6, [(70, 6)] * 3)

    def floor_b() -> None:
        bare_document(len(chosen), sizes)

    for warm in (ours, floor_a, floor_b):  # imports, fonts and caches out of the timings
        warm()
    times: dict[str, list[float]] = {"ours": [], "a": [], "b": []}
    parts: dict[str, list[float]] = {"assemble": [], "charts": [], "docx": [], "pdf": []}
    for _ in range(args.runs):
        times["a"].append(timed(floor_a))
        times["ours"].append(timed(ours))
        times["b"].append(timed(floor_b))
        for name, seconds in build_parts(draft, results, library).items():
            parts[name].append(seconds)
    median = {k: statistics.median(v) for k, v in times.items()}
    print(f"document Word + PDF       : {median['ours']:.2f} s (médiane de {args.runs})")
    print(f"plancher A (6 graphiques, 3 × 70 lignes) : {median['a']:.2f} s")
    print(f"plancher B (même taille que le document) : {median['b']:.2f} s")
    print(f"ratio au plancher A : {median['ours'] / median['a']:.2f}")
    print(f"ratio au plancher B : {median['ours'] / median['b']:.2f}")
    print("détail : " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in parts.items()))


if __name__ == "__main__":
    main()
