"""The roadmap document (« feuille de route de la gouvernance administrative ») in three formats.

    build_document(draft, results, library, "docx")           -> Export
    build_documents(draft, results, library, ("docx", "pdf")) -> {"docx": Export, "pdf": Export}

The charts are drawn once per call with matplotlib (see charts.py for why not Plotly's image
export) and the same PNG bytes go into every format; the text is assembled once (content.py).
A document asked again with nothing changed (same text, same charts) is not written again: the
process keeps the last documents by the digest of their content, and each chart's PNG by the
digest of what it draws (charts.render_all).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
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

__all__ = [
    "FORMATS",
    "MIME",
    "build_document",
    "build_documents",
    "clear_caches",
    "document_name",
]

CACHED_DOCUMENTS = 24  # (document, format) pairs kept: a few territories' Word, PDF, Markdown
_WRITTEN: OrderedDict[str, bytes] = OrderedDict()
_WRITTEN_LOCK = threading.Lock()


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
    try:
        text: str | None = repr(charts.plain(document))  # the whole text, every cell, in full
    except TypeError:  # something not plain data in it: written each time
        text = None
    pictures = sorted((k, hashlib.sha256(v).hexdigest()) for k, v in images.items())
    out = {}
    for fmt in wanted:
        digest = hashlib.sha256(repr((fmt, text, pictures)).encode()).hexdigest()
        data = _written(digest) if text is not None else None
        if data is None:
            if fmt == "docx":
                data = docx_writer.write(document, images)
            elif fmt == "pdf":
                data = pdf_writer.write(document, images)
            else:
                data = markdown_writer.write(document)
            if text is not None:
                _keep(digest, data)
        out[fmt] = Export(data, document_name(draft, fmt), MIME[fmt])
    return out


def clear_caches() -> None:
    """Forget the documents and chart images kept (tests; a process frees them on exit)."""
    with _WRITTEN_LOCK:
        _WRITTEN.clear()
    charts.clear_images()


def _written(digest: str) -> bytes | None:
    with _WRITTEN_LOCK:
        if digest in _WRITTEN:
            _WRITTEN.move_to_end(digest)
            return _WRITTEN[digest]
    return None


def _keep(digest: str, data: bytes) -> None:
    with _WRITTEN_LOCK:
        _WRITTEN[digest] = data
        while len(_WRITTEN) > CACHED_DOCUMENTS:
            _WRITTEN.popitem(last=False)


def build_document(
    draft: RoadmapDraft, results: CampaignResults, library: Library | None, fmt: str
) -> Export:
    """The roadmap document in one format: "docx", "pdf" or "md"."""
    return build_documents(draft, results, library, (fmt,))[fmt]


def document_name(draft: RoadmapDraft, fmt: str) -> str:
    """« feuille-de-route-communaute-de-communes-du-val-de-loir.docx »."""
    return file_name(f"feuille-de-route-{draft.territory}", fmt)
