"""The roadmap document (« feuille de route de la gouvernance administrative ») in three formats.

    build_document(draft, results, library, "docx")           -> Export
    build_documents(draft, results, library, ("docx", "pdf")) -> {"docx": Export, "pdf": Export}

The charts are drawn once per call with matplotlib (see charts.py for why not Plotly's image
export) and the same PNG bytes go into every format; the text is assembled once (content.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from diagnostic.document import charts, content, docx_writer, markdown_writer, pdf_writer
from diagnostic.exports import Export, file_name
from diagnostic.results.model import CampaignResults, labels
from diagnostic.roadmap.model import RoadmapDraft
from diagnostic.roadmap.references import Library
from diagnostic.roadmap.selection import milestones
from diagnostic.roadmap.timeline import timeline

FORMATS = ("docx", "pdf", "md")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}

__all__ = ["FORMATS", "MIME", "build_document", "build_documents", "document_name"]


def build_documents(
    draft: RoadmapDraft,
    results: CampaignResults,
    library: Library | None,
    formats: Iterable[str] = FORMATS,
) -> dict[str, Export]:
    """The roadmap document in each requested format, from one rendering of the charts."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"format de document inconnu : {', '.join(unknown)} (docx, pdf ou md)")
    chosen = charts.charts_for(results, labels(results.questionnaire))
    spec = timeline(draft, milestones(draft.situation, draft.generated_on))
    if spec is not None:  # the main plan's calendar (part 6)
        chosen.append(charts.timeline_chart(spec))
    document = content.assemble(draft, results, library, chosen)
    images = charts.render_all(chosen) if {"docx", "pdf"} & set(wanted) else {}
    out = {}
    for fmt in wanted:
        if fmt == "docx":
            data = docx_writer.write(document, images)
        elif fmt == "pdf":
            data = pdf_writer.write(document, images)
        else:
            data = markdown_writer.write(document)
        out[fmt] = Export(data, document_name(draft, fmt), MIME[fmt])
    return out


def build_document(
    draft: RoadmapDraft, results: CampaignResults, library: Library | None, fmt: str
) -> Export:
    """The roadmap document in one format: "docx", "pdf" or "md"."""
    return build_documents(draft, results, library, (fmt,))[fmt]


def document_name(draft: RoadmapDraft, fmt: str) -> str:
    """« feuille-de-route-communaute-de-communes-du-val-de-loir.docx »."""
    return file_name(f"feuille-de-route-{draft.territory}", fmt)
