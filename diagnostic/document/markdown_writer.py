"""The document as Markdown: headings, pipe tables, and a line in place of each chart."""

from __future__ import annotations

from diagnostic.document.blocks import (
    Block,
    Bullets,
    Document,
    Heading,
    Paragraph,
    Picture,
    Quotation,
    Table,
)
from diagnostic.exports import markdown_text


def write(document: Document) -> bytes:
    """UTF-8 Markdown: the title as « # », the document's headings one level below."""
    cover = document.cover
    lines = [
        f"# {_inline(cover.title)} — {_inline(cover.territory)}",
        "",
        f"**{cover.subtitle}**",
        "",
    ]
    lines += [f"- **{label} :** {_inline(value)}" for label, value in cover.facts]
    lines += ["", f"*{_inline(cover.notice)}*", ""]
    for block in document.blocks:
        lines += _block(block)
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def blocks_text(blocks: list[Block]) -> str:
    """Some blocks alone as Markdown (the command line's « suivi »)."""
    lines: list[str] = []
    for block in blocks:
        lines += _block(block)
    return "\n".join(lines).rstrip() + "\n"


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * (block.level + 1)} {_inline(block.text)}", ""]
    if isinstance(block, Paragraph):
        lead = f"**{_inline(block.lead.strip())}** " if block.lead else ""
        text = f"{lead}{_inline(block.text, line_start=not lead)}".strip()
        return [f"*{text}*" if block.note else text, ""]
    if isinstance(block, Bullets):
        return [*(f"- {_inline(item, line_start=True)}" for item in block.items), ""]
    if isinstance(block, Table):
        header = "| " + " | ".join(_inline(c) for c in block.columns) + " |"
        rule = "|" + "|".join(" --- " for _ in block.columns) + "|"
        rows = ["| " + " | ".join(_inline(v) for v in row) + " |" for row in block.rows]
        return [header, rule, *rows, ""]
    if isinstance(block, Quotation):
        source = f" — *{_inline(block.source)}*" if block.source else ""
        # Typed by a respondent: an address in it stays plain text, never a link.
        words = markdown_text(block.text, bare_links=False, line_start=False)
        return [f"> « {words} »{source}", ""]
    if isinstance(block, Picture):
        return [f"*(graphique : {_inline(block.caption)} — voir la version Word ou PDF)*", ""]
    return []


def _inline(text: str, *, line_start: bool = False) -> str:
    """`line_start`: the text begins a line or a list item (a leading « 1. » is escaped)."""
    return markdown_text(text, bare_links=True, line_start=line_start)
