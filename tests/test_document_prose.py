"""French-writing rules over the generated roadmap of the four demo territories.

The roadmap is a consultant's deliverable that a DGS signs as a draft: it must read as a
professional wrote it. Each rule below is a small named check over the text of the document
(the Markdown of every demo campaign; the Word and PDF text of the first one) and fails with
the offending lines. The rules are listed in docs/methodes.md (« Règles d'écriture du
document »).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import docx
import pytest
from pypdf import PdfReader

from diagnostic.cli import main
from diagnostic.questionnaire import registry
from diagnostic.roadmap.references import load_library
from diagnostic.settings import get_settings
from diagnostic.store.engine import get_engine
from diagnostic.vocabulary import MONTHS as MONTHS_FR
from tests.conftest import ROOT

DAY = "2026-11-29"
CAMPAIGNS = (1, 2, 3, 4)
NBSP = "\u00a0"


@dataclass(frozen=True)
class Text:
    """One document's text as lines, and where it comes from (for the failure message)."""

    name: str
    lines: tuple[str, ...]
    kind: str  # md, docx or pdf
    data: bytes = b""  # the file itself (the PDF, rendered to images below)


def _clean_markdown(line: str) -> str:
    """A Markdown line as a reader sees it: no escapes, no emphasis markers."""
    line = re.sub(r"\\(.)", r"\1", line)
    return line.replace("**", "").replace("*", "")


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Text]:
    """The demo loaded once; each campaign's roadmap in Markdown, the first one in Word and
    PDF too, on the golden file's day."""
    folder = tmp_path_factory.mktemp("prose")
    out: dict[str, Text] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", f"sqlite:///{folder / 'demo.db'}")
        mp.setenv("QUESTIONS_DIR", str(ROOT / "questions"))
        get_settings.cache_clear()
        registry.clear_cache()
        get_engine.cache_clear()
        try:
            assert main(["demo"]) == 0
            wanted = [(c, "md") for c in CAMPAIGNS] + [(1, "docx"), (1, "pdf")]
            for campaign, fmt in wanted:
                path = folder / f"c{campaign}.{fmt}"
                args = ["roadmap", "--campaign", str(campaign), "--format", fmt]
                assert main([*args, "-o", str(path), "--date", DAY]) == 0
                out[f"{fmt}:{campaign}"] = _read(path, fmt, f"campagne {campaign} ({fmt})")
        finally:
            get_settings.cache_clear()
            get_engine.cache_clear()
    return out


def _read(path, fmt: str, name: str) -> Text:
    if fmt == "md":
        lines = [_clean_markdown(x) for x in path.read_text(encoding="utf-8").splitlines()]
    elif fmt == "docx":
        word = docx.Document(str(path))
        lines = [p.text for p in word.paragraphs]
        for table in word.tables:
            for row in table.rows:
                lines.append("| " + " | ".join(c.text for c in row.cells) + " |")
    else:
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        lines = [x for page in reader.pages for x in (page.extract_text() or "").splitlines()]
    data = path.read_bytes() if fmt == "pdf" else b""
    return Text(name, tuple(x for x in lines if x.strip()), fmt, data)


def _prose(text: Text) -> Iterator[str]:
    """Lines a reader reads as sentences (the tables' cells included), not the sources' URLs."""
    for line in text.lines:
        if "http://" in line or "https://" in line:
            continue
        yield line.replace(NBSP, " ").replace("\u202f", " ")


def _cells(line: str) -> list[str]:
    return [c for c in line.strip().strip("|").split(" | ")] if line.startswith("|") else [line]


# --- the rules -----------------------------------------------------------------------------

Rule = Callable[[Text], list[str]]
RULES: dict[str, tuple[Rule, tuple[str, ...]]] = {}


def rule(*kinds: str) -> Callable[[Rule], Rule]:
    """Register a rule for the kinds of text it reads (md, docx, pdf)."""

    def register(check: Rule) -> Rule:
        RULES[check.__name__] = (check, kinds or ("md", "docx", "pdf"))
        return check

    return register


def _matching(text: Text, pattern: str, flags: int = 0) -> list[str]:
    found = re.compile(pattern, flags)
    return [line for line in _prose(text) if found.search(line)]


@rule()
def no_comparison_between_numbers(text: Text) -> list[str]:
    """No trigger formula: « ≤ », « ≥ », « < », « > » or « = » between numbers (say « niveau 2
    sur 5, visé 4 »)."""
    return _matching(text, r"\d\s*(?:≤|≥|<|>|=)\s*−?\d")


@rule()
def no_trigger_wording(text: Text) -> list[str]:
    """No trigger vocabulary (« niveau actuel 2 », « écart visé − actuel ») nor a raw agreement
    index (« A = 0,86 ») in the prose."""
    return _matching(text, r"niveau actuel \d|écart visé\s*[−-]\s*actuel|\bA\s*=\s*−?\d")


@rule()
def no_maybe_plural(text: Text) -> list[str]:
    """No « réponse(s) »: the writer knows the number and agrees the noun with it."""
    return _matching(text, r"\w\((?:s|e|es|x)\)")


SINGULAR_ENDING_IN_S = {"fois", "mois", "pas", "plus", "sans", "dans", "sous", "temps", "avis"}
SINGULAR_ENDING_IN_S |= {"cas", "tous", "jamais", "puis", "dès", "lors", "près", "très", "os"}
NOUNS = (
    "action|commune|réponse|item|point|répondant|questionnaire|obligation|personne|dimension"
    "|question|axe|affirmation|direction|structure|chantier|angle mort|niveau|an|jour"
)


@rule("md", "docx")
def number_agreement(text: Text) -> list[str]:
    """French number agreement: 0 and 1 take the singular (« 0 point », « 1 réponse », « 1,5
    niveau »), 2 and more the plural (« 3 communes »)."""
    singular = re.compile(r"(?<![\d,.+−-] )(?<![\d,.])\b[01](?:,\d+)? ([a-zàâçéèêëîïôûùü]+s)\b")
    plural = re.compile(rf"(?<![\d,.])\b(?:[2-9]|\d{{2,}}) (?:{NOUNS})\b(?![sx\w])")
    found = []
    for line in _prose(text):
        wrong = [m for m in singular.finditer(line) if m[1] not in SINGULAR_ENDING_IN_S]
        if wrong or plural.search(line):
            found.append(line)
    return found


@rule()
def french_ordinals(text: Text) -> list[str]:
    """Ordinals the French way: « 1re », « 1er », « 2e », never « 1e », « 2ème » nor « 1ère »."""
    return _matching(text, r"\b1e\b|\b\d+(?:ème|eme|ième)\b|\b1ère\b")


@rule()
def no_missing_value_leaks(text: Text) -> list[str]:
    """No « None », « nan », « NaN » nor template braces left in the text."""
    return _matching(text, r"\b(?:None|nan|NaN|NaT|null)\b|\{[a-z_]+\}")


def _action_titles() -> set[str]:
    return {a.title for a in load_library(ROOT / "questions").actions}


@rule("md")
def titles_are_whole(text: Text) -> list[str]:
    """A numbered action's title (heading, plan table, next steps) is the library's whole
    title, never cut mid-word; no heading ends with « … »."""
    titles = _action_titles()
    found = []
    for line in _prose(text):
        if line.startswith("#") and line.rstrip().endswith(("…", "...")):
            found.append(line)
        heading = re.match(r"#+ A\d+\. (.+)$", line)
        named = [heading[1]] if heading else []
        if line.startswith("|"):
            cells = [c.strip() for c in _cells(line)]
            named += [m[1] for c in cells if (m := re.fullmatch(r"A\d+\. (.+)", c))]
        elif lead := re.match(r"A\d+\. ", line):  # « A1. Title. Instrument : … »
            rest = line[lead.end() :]
            named += [] if any(rest.startswith(t + ".") for t in titles) else [rest]
        found += [line for title in named if title.strip() not in titles]
    return found


@rule("md", "docx")
def spacing(text: Text) -> list[str]:
    """No double space inside a sentence or a cell, no space before a comma or a full stop."""
    found = []
    for line in _prose(text):
        cells = [c.strip() for c in _cells(line)]
        if any(re.search(r"\S {2,}\S", c) for c in cells) or re.search(r"\w \.(?!\.)|\s,", line):
            found.append(line)
    return found


@rule("docx")
def french_spacing_is_unbreakable(text: Text) -> list[str]:
    """Word: the space after « and before » : ; ? ! % is non-breaking (blocks.typography),
    on the title page as in the body and the tables."""
    found = re.compile(r"« | [»:;?!%]")
    return [line for line in text.lines if found.search(line) and "http" not in line]


@rule("md")
def markdown_keeps_plain_spaces(text: Text) -> list[str]:
    """Markdown keeps ordinary spaces (its readers reflow the text): no stray non-breaking
    space from one section and not another."""
    return [line for line in text.lines if NBSP in line or "\u202f" in line]


@rule()
def no_n_out_of_the_same_n(text: Text) -> list[str]:
    """« sur les 9 dimensions », « sur 7 des 9 dimensions », never « sur 9 dimensions sur 9 »
    (seen in a campaign made in the browser, bench/plan_campaign_browser.py)."""
    return _matching(text, r"\bsur (\d+) [a-zé]+ sur \1\b")


@rule()
def no_awkward_counts(text: Text) -> list[str]:
    """No « cochée par 0 % … seulement », « 0 fois en tête », « 0 sur 3 »: say « aucun »,
    « jamais »."""
    return _matching(text, r"\b0 %[^.;]*seulement|\b0 fois\b|(?<![\d,])\b0 sur \d")


@rule()
def communes_counted_against_members(text: Text) -> list[str]:
    """« Constat partagé par 3 communes sur 3 » hides the communes that did not answer: say
    « 3 des 3 communes répondantes (5 communes membres) »."""
    return _matching(text, r"partagé par \d+ communes? sur \d+")


@rule("md", "docx")
def others_named(text: Text) -> list[str]:
    """« Autres » or « autres répondants » where a reader needs to know who: name the group
    (the intercommunalité, the communes), except in the definition of an angle mort."""
    found = []
    for line in _prose(text):
        cells = [c.strip() for c in _cells(line)]
        if "Autres" in cells or ("autres répondants" in line and "angle mort" not in line):
            found.append(line)
    return found


@rule()
def priority_in_words(text: Text) -> list[str]:
    """No bare priority index (« priorité 0,50 »): a priority is explained in words."""
    return _matching(text, r"priorit[ée]s?\s*(?:de\s*|:\s*)?\d+,\d", re.IGNORECASE)


@rule()
def agreement_wording_consistent(text: Text) -> list[str]:
    """No « avis consensus » (not French), and no line that says the views diverge and agree
    at once."""
    found = []
    for line in _prose(text):
        lowered = line.lower()
        both = "avis divergents" in lowered and re.search(r"concordants|proches", lowered)
        if "avis consensus" in lowered or both:
            found.append(line)
    return found


def _cases() -> Iterator[object]:
    for name, (_, kinds) in RULES.items():
        for key in [f"md:{c}" for c in CAMPAIGNS] + ["docx:1", "pdf:1"]:
            if key.split(":")[0] in kinds:
                yield pytest.param(name, key, id=f"{name}-{key.replace(':', '')}")


@pytest.mark.parametrize(("name", "key"), list(_cases()))
def test_document_prose(documents, name, key):
    check, _ = RULES[name]
    text = documents[key]
    found = list(dict.fromkeys(check(text)))
    shown = "\n".join(f"  · {line[:300]}" for line in found[:12])
    more = f"\n  … et {len(found) - 12} autres lignes" if len(found) > 12 else ""
    assert not found, f"{text.name} — {check.__doc__}\n{shown}{more}"


def test_every_rule_is_documented():
    """docs/methodes.md lists the rules this suite checks."""
    methods = (ROOT / "docs" / "methodes.md").read_text(encoding="utf-8")
    assert "Règles d'écriture du document" in methods


# --- the plan issue's « done when », on every demo territory -----------------------------------


def _section(lines: tuple[str, ...], start: str, end: str) -> list[str]:
    first = next(i for i, x in enumerate(lines) if x.startswith(start))
    last = next((i for i, x in enumerate(lines) if i > first and x.startswith(end)), len(lines))
    return list(lines[first:last])


@pytest.mark.parametrize("campaign", CAMPAIGNS)
def test_each_demo_roadmap_is_a_plan_a_dgs_can_sign_as_a_draft(documents, campaign):
    """Page one first; 5 to 8 chantiers; at most 12 actions chosen from the findings plus the
    two steps of the mandate; nothing dated before the document; every late obligation at the
    top with its action; the directors' own words; a timeline."""
    lines = documents[f"md:{campaign}"].lines
    headings = [x for x in lines if x.startswith("## ")]
    assert headings[0] == "## Ce qu'il faut retenir"
    page_one = _section(lines, "## Ce qu'il faut retenir", "## 1.")
    summary = next(x for x in page_one if x.startswith("Le plan principal retient"))
    actions, chantiers = map(int, re.findall(r"(\d+) actions en (\d+) chantiers", summary)[0])
    assert 5 <= chantiers <= 8 and actions <= 12 + 2, summary
    plan = _section(lines, "## 6. Plan d'action", "## 7.")
    assert sum(x.startswith("#### A") for x in plan) == actions
    assert any("Calendrier du plan principal" in x for x in plan)  # the timeline
    # no action due before the document's day (29 November 2026)
    table = [x for x in plan if x.startswith("| ") and re.search(r"\| A\d+\. ", x)]
    assert len(table) == actions
    for row in table:
        when = _cells(row)[3]
        for month, year in re.findall(rf"({'|'.join(MONTHS_FR)}) (\d{{4}})", when):
            assert (int(year), MONTHS_FR.index(month) + 1) >= (2026, 11), row
    # every late obligation: named on page one, and an action of the plan settles it
    steps = _section(lines, "## 7.", "## Annexes")
    late = next((x for x in steps if "Sans attendre — obligations en retard" in x), None)
    if late is not None:
        named = re.findall(r"(?:échéance dépassée le [^(]+|obligation permanente) \(", late)
        assert late.count("Action du plan : ") == len(named), late
        assert any("à régulariser sans attendre" in x for x in page_one)
        assert "### 6.1 À régulariser sans attendre" in plan
    # the directors' own words
    voices = _section(lines, "### 3.5 Paroles de directeurs", "## 4.")
    assert any(x.startswith("> « ") for x in voices)


def test_every_pdf_page_renders_with_ink_and_the_contents_point_to_the_right_pages(documents):
    """The PDF rendered page by page (pdfium, as a reader's viewer): no blank page (the table of
    contents once spilled one line onto a page of its own), every page's footer counts the
    pages right, and the contents' page numbers are the bookmarks' pages."""
    import pypdfium2 as pdfium

    data = documents["pdf:1"].data
    pdf = pdfium.PdfDocument(data)
    reader = PdfReader(io.BytesIO(data))
    total = len(pdf)
    for index in range(total):
        image = pdf[index].render(scale=0.5).to_pil().convert("L")
        inked = sum(image.histogram()[:200]) / (image.width * image.height)
        text = pdf[index].get_textpage().get_text_range()
        assert inked > 0.01, f"page {index + 1} is nearly blank"
        if index > 0:
            assert f"page {index + 1} / {total}" in text, f"page {index + 1}: footer"
    marks = {o.title: reader.get_destination_page_number(o) + 1 for o in reader.outline
             if not isinstance(o, list)}  # fmt: skip
    contents = "\n".join(pdf[i].get_textpage().get_text_range() for i in (1, 2))
    for title in ("Ce qu'il faut retenir", "6. Plan d'action", "7. Prochaines étapes"):
        found = re.search(rf"{re.escape(title)}\s+(\d+)", contents)
        assert found and int(found.group(1)) == marks[title], title


def test_share_of_says_all_or_how_many_of_how_many():
    from diagnostic.document.blocks import share_of

    assert share_of(9, 9, "dimension") == "sur les 9 dimensions"
    assert share_of(7, 9, "dimension") == "sur 7 des 9 dimensions"
    assert share_of(1, 9, "dimension") == "sur 1 dimension sur 9"
    assert share_of(0, 9, "dimension") == "sur 0 dimension sur 9"
    assert share_of(1, 1, "dimension") == "sur 1 dimension"
