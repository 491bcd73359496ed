"""The document as Word (.docx): real heading styles (navigation pane), tables, PNG charts."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime, time

import docx
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph as WordParagraph

from diagnostic.document.blocks import (
    Block,
    Bullets,
    Cover,
    Document,
    Heading,
    Paragraph,
    Picture,
    Quotation,
    Table,
    typography,
)

BLUE = RGBColor(0x00, 0x00, 0x91)  # the charts' and the results page's blue
GREY = RGBColor(0x55, 0x55, 0x55)
HEADER_FILL = "E3E3FD"
TEXT_WIDTH_CM = 17.0  # A4 with 2 cm margins
PICTURE_WIDTH_CM = 16.0
TABLE_STYLE = "Texte de tableau"
NOTE_STYLE = "Note"
QUOTE_STYLE = "Quote"
TOC_STYLES = ("toc 1", "toc 2", "toc 3")  # Word's built-in names for the entries of a TOC
STYLES = (
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "List Bullet",
    "Caption",
    TABLE_STYLE,
    NOTE_STYLE,
    QUOTE_STYLE,
    *TOC_STYLES,
)
# The table of contents: headings 1 to 3 (\o), as links (\h), without page numbers in web
# view (\z), with the outline levels of the paragraphs (\u).
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
TOC_TITLE = "Sommaire"
TOC_NOTE = (
    "Les numéros de page s'affichent quand le traitement de texte met à jour cette table : "
    "Word le propose à l'ouverture du document ; dans LibreOffice, Outils › Actualiser › Tout "
    "actualiser."
)
# The elements of w:settings that come after w:updateFields (ECMA-376 order of CT_Settings).
AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def write(document: Document, images: Mapping[str, bytes]) -> bytes:
    """The .docx bytes of the document; `images` holds each chart's PNG by key."""
    word = docx.Document()
    _setup(word, document)
    _cover(word, document.cover)
    ids = {name: word.styles[name].style_id for name in STYLES}
    _contents(word, document, ids)
    for block in document.blocks:
        _block(word, block, images, ids)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _setup(word: docx.document.Document, document: Document) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    section.top_margin, section.bottom_margin = Cm(2), Cm(1.8)
    section.start_type = WD_SECTION_START.NEW_PAGE
    styles = word.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(5)
    _language(word, document.language)
    for level, size in ((1, 16), (2, 13), (3, 11)):
        style = styles[f"Heading {level}"]
        style.font.size = Pt(size)
        style.font.color.rgb = BLUE if level < 3 else GREY
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(14 if level < 3 else 10)
    styles["Heading 1"].paragraph_format.page_break_before = True
    styles["Caption"].font.color.rgb = GREY
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(8)
    table_text.paragraph_format.space_after = Pt(0)
    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size, note.font.italic, note.font.color.rgb = Pt(8.5), True, GREY
    quote = styles[QUOTE_STYLE]
    quote.font.color.rgb = GREY
    quote.paragraph_format.left_indent = Cm(0.8)
    quote.paragraph_format.space_after = Pt(4)
    for level, name in enumerate(TOC_STYLES):
        entry = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        entry.base_style = normal
        entry.paragraph_format.left_indent = Cm(0.6 * level)
        entry.paragraph_format.space_after = Pt(2 if level else 3)
        entry.font.bold = level == 0
    _footer(word, document)
    _update_fields_on_open(word)
    props = word.core_properties
    props.title, props.subject, props.author = document.title, document.subject, document.author
    props.language, props.last_modified_by = document.language, document.author
    props.keywords = "gouvernance administrative, feuille de route, bloc local"
    props.comments = "Établi par l'outil d'autodiagnostic de la gouvernance administrative."
    props.created = props.modified = datetime.combine(document.day, time(12))
    props.revision = 1


def _language(word: docx.document.Document, language: str) -> None:
    """Spelling and hyphenation in French for every run (w:lang in the document defaults)."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def _footer(word: docx.document.Document, document: Document) -> None:
    section = word.sections[0]
    section.different_first_page_header_footer = True  # no footer on the title page
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(f"{document.cover.title} — {document.cover.territory} · page ")
    run.font.size, run.font.color.rgb = Pt(8), GREY
    _field(paragraph, "PAGE")
    tail = paragraph.add_run(" / ")
    tail.font.size, tail.font.color.rgb = Pt(8), GREY
    _field(paragraph, "NUMPAGES")


def _field(paragraph: docx.text.paragraph.Paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _update_fields_on_open(word: docx.document.Document) -> None:
    """w:updateFields: Word offers to update the fields (the table of contents, the page
    numbers) when it opens the document. python-docx has no API for it."""
    settings = word.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.insert_element_before(update, *AFTER_UPDATE_FIELDS)
    update.set(qn("w:val"), "true")


def _contents(word: docx.document.Document, document: Document, ids: dict[str, str]) -> None:
    """A real table of contents: a TOC field (python-docx has no API for it: oxml), whose
    result is pre-filled with the headings so that a reader that does not update fields still
    shows them; Word replaces it, with page numbers, when it updates the field."""
    title = word.add_paragraph(TOC_TITLE, style="TOC Heading")
    title.paragraph_format.page_break_before = True
    entries = [b for b in document.blocks if isinstance(b, Heading) and b.level <= 3]
    paragraphs = [_paragraph(word, e.text, ids[TOC_STYLES[e.level - 1]]) for e in entries]
    first = paragraphs[0] if paragraphs else word.add_paragraph()
    begin = [_field_char("begin"), _instruction(TOC_INSTRUCTION), _field_char("separate")]
    for position, element in enumerate(begin):
        first._p.insert(position + (1 if first._p.pPr is not None else 0), element)
    last = word.add_paragraph()
    last._p.append(_field_char("end"))
    _paragraph(word, TOC_NOTE, ids[NOTE_STYLE])


def _field_char(kind: str) -> object:
    """A run holding a complex field's begin, separate or end mark."""
    run = OxmlElement("w:r")
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        mark.set(qn("w:dirty"), "true")  # the result is stale: update it
    run.append(mark)
    return run


def _instruction(text: str) -> object:
    run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {text} "
    run.append(instr)
    return run


def _cover(word: docx.document.Document, cover: Cover) -> None:
    word.add_paragraph().paragraph_format.space_before = Pt(90)
    word.add_paragraph(typography(cover.title), style="Title")
    word.add_paragraph(typography(cover.subtitle), style="Subtitle")
    territory = word.add_paragraph()
    territory.paragraph_format.space_before = Pt(24)
    run = territory.add_run(typography(cover.territory))
    run.bold, run.font.size, run.font.color.rgb = True, Pt(20), BLUE
    for label, value in cover.facts:
        line = word.add_paragraph()
        line.paragraph_format.space_after = Pt(2)
        line.add_run(typography(f"{label} : ")).bold = True
        line.add_run(typography(value))
    notice = word.add_paragraph(typography(cover.notice), style=NOTE_STYLE)
    notice.paragraph_format.space_before = Pt(36)


def _paragraph(word: docx.document.Document, text: str, style_id: str | None) -> WordParagraph:
    """A paragraph with a style given by id: python-docx's lookup by name or object scans every
    style of the document, which made styling table cells the slowest part of the build."""
    paragraph = word.add_paragraph(typography(text))
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _block(
    word: docx.document.Document, block: Block, images: Mapping[str, bytes], ids: dict[str, str]
) -> None:
    if isinstance(block, Heading):
        _paragraph(word, block.text, ids[f"Heading {min(block.level, 3)}"])
    elif isinstance(block, Paragraph):
        paragraph = _paragraph(word, "", ids[NOTE_STYLE] if block.note else None)
        if block.lead:
            paragraph.add_run(typography(block.lead)).bold = True
        if block.text:
            paragraph.add_run(typography(block.text))
        if block.lead and not block.text:
            paragraph.paragraph_format.keep_with_next = True
    elif isinstance(block, Bullets):
        for item in block.items:
            _paragraph(word, item, ids["List Bullet"]).paragraph_format.space_after = Pt(2)
    elif isinstance(block, Table):
        _table(word, block, ids[TABLE_STYLE])
    elif isinstance(block, Quotation):
        paragraph = _paragraph(word, "", ids[QUOTE_STYLE])
        paragraph.add_run(typography(f"« {block.text} »")).italic = True
        if block.source:
            source = paragraph.add_run(typography(f" — {block.source}"))
            source.italic, source.font.size = False, Pt(8.5)
    elif isinstance(block, Picture) and block.key in images:
        _picture(word, block, images[block.key], ids["Caption"])


def _picture(word: docx.document.Document, picture: Picture, png: bytes, caption: str) -> None:
    holder = word.add_paragraph()
    holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
    holder.paragraph_format.keep_with_next = True  # the caption stays under its chart
    shape = holder.add_run().add_picture(io.BytesIO(png), width=Cm(PICTURE_WIDTH_CM))
    shape._inline.docPr.set("descr", picture.alt)  # alternative text for screen readers
    shape._inline.docPr.set("title", picture.caption)
    _paragraph(word, picture.caption, caption).alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(word: docx.document.Document, table: Table, style_id: str) -> None:
    total = sum(table.widths)
    widths = [Cm(TEXT_WIDTH_CM * w / total) for w in table.widths]
    grid = word.add_table(rows=len(table.rows) + 1, cols=len(table.columns))
    grid.style = word.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    rows = list(grid.rows)
    for row, values in zip(rows, [table.columns, *table.rows], strict=True):
        _row_properties(row, header=row is rows[0])
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id
            run = paragraph.add_run(typography(value))
            if row is rows[0]:
                run.bold = True
                _shade(cell._tc, HEADER_FILL)
    word.add_paragraph().paragraph_format.space_after = Pt(2)


def _row_properties(row: docx.table._Row, *, header: bool) -> None:
    """Never split a row across pages; repeat the header row at the top of each page."""
    props = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        props.append(element)


def _shade(tc: object, fill: str) -> None:
    props = tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)
