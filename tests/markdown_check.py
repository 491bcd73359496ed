"""What a person would see of the Markdown a page sends, read the way Streamlit reads it.

Two readings of every piece of Markdown (element bodies, widget labels, radio and pill
options, expander labels):

- markdown-it-py with GitHub-flavoured extensions (tables, strikethrough, linkify) and raw HTML
  on, the strictest reading of markup;
- the autolinks of Streamlit's renderer (react-markdown with remark-gfm). remark-gfm finds bare
  addresses and e-mails AFTER parsing, in the text nodes, where backslash escapes are already
  resolved: `www\\.x\\.fr` is a link there (checked in Chromium), whereas markdown-it-py's
  linkify honours the escapes. `streamlit_autolinks` is a port of that search
  (mdast-util-gfm-autolink-literal, as bundled in Streamlit 1.67's StreamlitMarkdown.js).
"""

from __future__ import annotations

import html
import re
import unicodedata

from markdown_it import MarkdownIt

MD = MarkdownIt("gfm-like", {"html": True, "linkify": True})
MARKDOWN_OPTIONS = {"radio", "button_group"}  # their option labels are Markdown, not text
WORD_JOINER = "\u2060"

# the two expressions of mdast-util-gfm-autolink-literal (JavaScript \w is ASCII)
_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII)
_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)


def _after_boundary(text: str, index: int) -> bool:
    """Its `previous` test: start of text, a space, a punctuation mark or a symbol before."""
    if index == 0:
        return True
    before = text[index - 1]
    return before.isspace() or unicodedata.category(before)[0] in "PS"


def _domain_ok(domain: str) -> bool:
    parts = domain.split(".")
    if len(parts) < 2:
        return False
    return all(
        not part or ("_" not in part and re.search(r"[A-Za-z\d]", part)) for part in parts[-2:]
    )


def streamlit_autolinks(text: str) -> list[str]:
    """The bare addresses and e-mails Streamlit's Markdown would turn into links in `text`
    (a text as displayed: escapes resolved)."""
    found = []
    for m in _URL.finditer(text):
        domain = m[2] if m[1].lower().startswith("http") else m[1] + m[2]
        if _after_boundary(text, m.start()) and _domain_ok(domain):
            found.append(m[0])
    for start in range(len(text)):
        if not _after_boundary(text, start) or (start and text[start - 1] == "/"):
            continue
        m = _EMAIL.match(text, start)
        if m and not re.search(r"[-\d_]$", m[2]):
            found.append(m[0])
    return found


def markdown_sources(at) -> list[str]:
    """Every piece of Markdown an AppTest page sends: element bodies, widget labels, the options
    of radios and pills, expander labels (selectbox and multiselect options are plain text)."""
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            fields = proto.DESCRIPTOR.fields_by_name
            for name in ("body", "label"):
                if name in fields and isinstance(getattr(proto, name), str):
                    found.append(getattr(proto, name))
            if getattr(node, "type", "") in MARKDOWN_OPTIONS:
                found.extend(o if isinstance(o, str) else o.content for o in proto.options)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    found += [e.label for e in at.expander]
    from pages._french import SCRIPT  # the app's own constant script (pages/_french.py)

    return [s for s in found if s and s != SCRIPT]


def visible(source: str) -> tuple[str, str]:
    """The HTML of a Markdown text and the text a reader sees (tags removed, entities read)."""
    rendered = MD.render(source)
    return rendered, html.unescape(re.sub(r"<[^>]+>", "", rendered))


def flat(text: str) -> str:
    """Spaces folded, and the invisible word joiners that break autolinks removed."""
    return " ".join(text.replace(WORD_JOINER, "").split())


def hostile_markup(source: str, *, hostile: tuple[str, ...] = ("evil", "javascript")) -> list:
    """What a typed text turned into in one piece of Markdown: links or autolinks to a hostile
    address, images, raw HTML, headings or emphasis made of typed markers."""
    rendered, seen = visible(source)
    problems: list[str] = []
    for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', rendered, flags=re.S):
        if any(word in (href + text).lower() for word in hostile):
            problems.append(f"lien {href}")
    if "<img" in rendered or "<script" in rendered or re.search(r"<b>|<i>|<u>", rendered):
        problems.append("HTML")
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "li", "hr"):
        for inner in re.findall(rf"<{tag}>(.*?)</{tag}>", rendered, flags=re.S):
            inner = html.unescape(inner)
            if "titre" in inner and "# titre" not in inner:
                problems.append(f"{tag} {inner!r}")
            if "gras" in inner and "**gras**" not in inner:
                problems.append(f"{tag} {inner!r}")
    problems += [
        f"autolien {link}"
        for link in streamlit_autolinks(seen)
        if any(word in link.lower() for word in hostile)
    ]
    return problems
