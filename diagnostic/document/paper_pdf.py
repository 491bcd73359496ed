"""The paper questionnaire as a PDF to print and fill with a pen (A4, French).

The layout comes from diagnostic/answering/paper_form.py. Every page carries the respondent
code at its top and in its footer, with « page n / N » counted within the respondent's form,
so that loose sheets find their form again. A question is kept on one page when it fits;
a longer one (a long list of options, a big table) breaks between its lines, a table
repeating its heading.

Each form is laid out twice: once to count its pages (nothing drawn), once to draw them with
the count in the footers. The fonts and the text wrapping are those of the document writer
(pdf_writer.py); the codes are in DejaVu Sans Mono, grey and small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from diagnostic.answering.paper import FUNCTION_KEY, STRUCTURE_KEY
from diagnostic.answering.paper_form import (
    FUNCTION_BOXES,
    FUNCTION_LABEL,
    STRUCTURE_LABEL,
    Box,
    Choices,
    FormPart,
    FormQuestion,
    FreeText,
    Grid,
    Levels,
    PaperForm,
    Ranking,
)
from diagnostic.document.pdf_writer import BLUE, FONT, GREY, Segment, _Pdf, font_files
from diagnostic.questionnaire.codecs import DONT_KNOW, DONT_KNOW_LABEL

Color = tuple[int, int, int]
Lines = list[list[Segment]]
MONO = "DejaVuMono"
LEFT, RIGHT = 15.0, 195.0  # mm: the text column of an A4 page
WIDTH = RIGHT - LEFT
TOP, BOTTOM = 19.0, 280.0  # where the content starts (below the header) and must end
BOX = 4.2  # side of a box to tick (mm)
INK = (0, 0, 0)
LIGHT = (150, 150, 150)
SHADE = (240, 240, 246)
CODE_SIZE = 6.5
TEXT, SMALL, TINY = 9.5, 8.0, 6.8  # font sizes (pt)


class _FormPdf(_Pdf):
    """The document writer's page and text wrapping; no footer of its own (drawn by _Layout),
    the wrapped texts kept for all the forms (they share their questions)."""

    def __init__(self) -> None:
        super().__init__("")
        self.wrapped: dict[tuple[tuple[tuple[str, str], ...], float, float], Lines] = {}

    def footer(self) -> None:
        pass


class _Layout:
    """One form's pages: with `total` None it only counts them (nothing is drawn)."""

    def __init__(self, pdf: _FormPdf, form: PaperForm, total: int | None) -> None:
        self.pdf, self.form, self.total = pdf, form, total
        self.drawing = total is not None
        self.page = 0
        self.y = TOP
        self.bottom = BOTTOM
        self.on_new_page: Callable[[], None] | None = None  # a table's heading, repeated

    # --- pages --------------------------------------------------------------------------

    def new_page(self) -> None:
        self.page += 1
        self.y = TOP
        if self.drawing:
            self.pdf.add_page()
            self._header_and_footer()
        if self.on_new_page is not None:
            self.on_new_page()

    def need(self, height: float) -> None:
        """Room for `height` mm below, or a new page."""
        if self.y + height > self.bottom:
            self.new_page()

    def _header_and_footer(self) -> None:
        pdf, form = self.pdf, self.form
        code = form.respondent.code
        self.font("", 7.5, GREY)
        pdf.text(LEFT, 11, _cut(pdf, f"{form.territory} · {form.campaign}", WIDTH - 50))
        self.font("B", 10, INK)
        label = f"Code répondant·e : {code}"
        pdf.text(RIGHT - pdf.get_string_width(label), 11.2, label)
        pdf.set_draw_color(*LIGHT)
        pdf.set_line_width(0.2)
        pdf.line(LEFT, 13.5, RIGHT, 13.5)
        footer = f"Code répondant·e {code} · {form.version} · page {self.page} / {self.total}"
        self.font("", 7.5, GREY)
        pdf.text((pdf.w - pdf.get_string_width(footer)) / 2, 289, footer)

    # --- drawing primitives -------------------------------------------------------------

    def font(self, style: str, size: float, color: Color, family: str = FONT) -> None:
        if self.drawing:
            self.pdf.set_font(family, style, size)
            self.pdf.set_text_color(*color)

    def lines(self, runs: list[tuple[str, str]], size: float, width: float) -> Lines:
        """Wrapped lines, wrapped once for all the forms (they share their questions)."""
        key = (tuple(r for r in runs if r[0]), size, width)
        if key not in self.pdf.wrapped:
            self.pdf.wrapped[key] = self.pdf.wrap(list(key[0]), size, width)
        return self.pdf.wrapped[key]

    def write(
        self,
        runs: list[tuple[str, str]],
        size: float,
        x: float = LEFT,
        width: float = WIDTH,
        color: Color = INK,
        height: float | None = None,
    ) -> None:
        """Wrapped text from the current y, each line on the page where it fits."""
        height = height or size * 0.48
        for line in self.lines(runs, size, width):
            self.need(height)
            self.segments(line, x, self.y, size, height, color)
            self.y += height

    def segments(
        self, line: list[Segment], x: float, y: float, size: float, height: float, color: Color
    ) -> None:
        if not self.drawing:
            return
        baseline = y + 0.5 * height + 0.3 * size / self.pdf.k
        for text, style, width in line:
            self.font(style, size, color)
            self.pdf.text(x, baseline, text.rstrip())
            x += width

    def block(
        self, lines: Lines, x: float, y: float, size: float, height: float, color: Color
    ) -> float:
        """Lines already wrapped, at a fixed place (inside a table cell); their height."""
        for i, line in enumerate(lines):
            self.segments(line, x, y + i * height, size, height, color)
        return len(lines) * height

    def code(self, text: str, x: float, y: float, right: bool = False) -> None:
        """A code for the typing of the answers, small, grey, monospaced."""
        if not self.drawing or not text:
            return
        self.font("", CODE_SIZE, LIGHT, MONO)
        if right:
            x -= self.pdf.get_string_width(text)
        self.pdf.text(x, y, text)

    def box(self, x: float, y: float, w: float = BOX, h: float = BOX) -> None:
        if self.drawing:
            self.pdf.set_draw_color(*INK)
            self.pdf.set_line_width(0.3)
            self.pdf.rect(x, y, w, h)

    def rule(
        self, x1: float, y1: float, x2: float, y2: float, color: Color = LIGHT, width: float = 0.2
    ) -> None:
        if self.drawing:
            self.pdf.set_draw_color(*color)
            self.pdf.set_line_width(width)
            self.pdf.line(x1, y1, x2, y2)

    def shade(self, x: float, y: float, w: float, h: float, color: Color = SHADE) -> None:
        if self.drawing:
            self.pdf.set_fill_color(*color)
            self.pdf.rect(x, y, w, h, style="F")


def _mono_width(pdf: _FormPdf, text: str) -> float:
    """The width (mm) of a code as printed."""
    pdf.set_font(MONO, "", CODE_SIZE)
    return float(pdf.get_string_width(text))


def _cut(pdf: _FormPdf, text: str, width: float) -> str:
    """A text shortened with « … » to fit a width (the page header's territory and title)."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --- the form ---------------------------------------------------------------------------------


def _form(out: _Layout) -> None:
    out.new_page()
    _first_page(out)
    for part in out.form.parts:
        _part(out, part)


def _first_page(out: _Layout) -> None:
    form, pdf = out.form, out.pdf
    top = out.y
    # The respondent code, large, in a frame at the right.
    frame_w, frame_h = 52.0, 24.0
    if out.drawing:
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.5)
        pdf.rect(RIGHT - frame_w, top, frame_w, frame_h)
        out.font("", 8, GREY)
        pdf.text(RIGHT - frame_w + 3, top + 5.5, "Code répondant·e")
        out.font("B", 22, INK)
        pdf.text(RIGHT - frame_w + 3, top + 17, form.respondent.code)
        out.code("participant", RIGHT - 3, top + frame_h - 2.5, right=True)
    column = WIDTH - frame_w - 6
    out.write([("Questionnaire papier", "B")], 9, color=BLUE, width=column)
    out.write([(form.questionnaire, "B")], 14, color=BLUE, width=column, height=6.2)
    out.y += 2
    facts = [
        ("Territoire : ", form.territory),
        ("Campagne : ", form.campaign),
        ("Durée : ", f"environ {form.minutes} minutes"),
    ]
    who = form.respondent
    about = ", ".join(x for x in (who.function, who.structure) if x)
    if who.name or about:
        person = " — ".join(x for x in (who.name, about) if x)
        facts.append(("À remettre à : ", person))
    for label, value in facts:
        out.write([(label, "B"), (value, "")], TEXT, width=column, height=4.8)
    out.y = max(out.y, top + frame_h) + 4
    if who.blank:
        _identity(out)
    out.write([("Comment répondre", "B")], 10.5, color=BLUE, height=5.5)
    out.y += 0.5
    for line in form.instructions:
        start = out.y
        out.write([(line, "")], SMALL, x=LEFT + 5, width=WIDTH - 5, height=3.9)
        if out.drawing:
            out.font("", SMALL, INK)
            pdf.text(LEFT + 1.2, start + 2.9, "•")
        out.y += 0.8
    out.y += 3


def _identity(out: _Layout) -> None:
    """A blank form's lines to fill by hand: the function (a box per role, on its own line),
    the structure (a line to write on)."""
    pdf = out.pdf
    out.shade(LEFT, out.y - 1.5, WIDTH, 24)
    row = out.y + 0.5
    out.segments(out.lines([(FUNCTION_LABEL, "B")], TEXT, 60)[0], LEFT + 2, row, TEXT, 4.6, INK)
    out.code(FUNCTION_KEY, RIGHT - 1.5, row + 3.3, right=True)
    row += 6
    x = LEFT + 6
    for box in FUNCTION_BOXES:
        out.box(x, row + 0.2)
        label_x = x + BOX + 1.5
        out.segments(out.lines([(box.label, "")], TEXT, 40)[0], label_x, row, TEXT, 4.6, INK)
        label_w = pdf.width_of(box.label, "", TEXT)
        out.code(box.code, label_x + label_w + 1, row + 3.4)
        x = label_x + label_w + 1 + _mono_width(pdf, box.code) + 6
    row += 8.5
    out.segments(out.lines([(STRUCTURE_LABEL, "B")], TEXT, 120)[0], LEFT + 2, row, TEXT, 4.6, INK)
    out.code(STRUCTURE_KEY, RIGHT - 1.5, row + 3.3, right=True)
    start = LEFT + 4 + pdf.width_of(STRUCTURE_LABEL, "B", TEXT)
    out.rule(start, row + 4.2, RIGHT - 4 - _mono_width(pdf, STRUCTURE_KEY), row + 4.2, INK, 0.3)
    out.y += 27


def _part(out: _Layout, part: FormPart) -> None:
    heading = out.lines([(f"Partie {part.number} — {part.title}", "B")], 12, WIDTH)
    intro = out.lines([(part.intro, "I")], SMALL, WIDTH) if part.intro else []
    first = _height(out, lambda m: _question(m, part.questions[0]))
    room = len(heading) * 6 + len(intro) * 3.8 + 6
    if room + first <= BOTTOM - TOP:
        out.need(room + first)  # a part's title never ends a page alone
    out.y += 2
    out.write([(f"Partie {part.number} — {part.title}", "B")], 12, color=BLUE, height=6)
    out.rule(LEFT, out.y + 0.5, RIGHT, out.y + 0.5, BLUE, 0.4)
    out.y += 1.5
    if part.intro:
        out.write([(part.intro, "I")], SMALL, color=GREY, height=3.8)
    out.y += 2.5
    for question in part.questions:
        height = _height(out, lambda m, q=question: _question(m, q))
        if height <= BOTTOM - TOP:
            out.need(height)
        _question(out, question)


def _height(out: _Layout, draw: Callable[[_Layout], None]) -> float:
    """The height a piece takes, laid out on an endless page."""
    measure = _Layout(out.pdf, out.form, None)
    measure.y, measure.bottom = 0.0, math.inf
    draw(measure)
    return measure.y


def _question(out: _Layout, q: FormQuestion) -> None:
    if q.condition:
        out.write([(f"{q.condition} :", "BI")], SMALL, color=BLUE, height=4.0)
    code_width = 4 + _mono_width(out.pdf, q.code)
    lines = out.lines([(f"{q.number}. ", "B"), (q.text, "B")], TEXT, WIDTH - code_width - 2)
    out.need(5)
    out.code(q.code, RIGHT, out.y + 3.3, right=True)
    for line in lines:
        out.need(4.6)
        out.segments(line, LEFT, out.y, TEXT, 4.6, INK)
        out.y += 4.6
    if q.help:
        out.write([(q.help, "I")], SMALL - 0.5, color=GREY, height=3.6)
    if q.instruction:
        out.write([(q.instruction, "I")], SMALL - 0.5, color=GREY, height=3.6)
    out.y += 1.5
    answer = q.answer
    if isinstance(answer, Choices):
        _choices(out, answer.boxes, ranking=False)
    elif isinstance(answer, Ranking):
        _choices(out, answer.boxes, ranking=True)
    elif isinstance(answer, Levels):
        _levels(out, answer)
    elif isinstance(answer, Grid):
        _grid(out, answer)
    elif isinstance(answer, FreeText):
        _free_text(out, answer)
    if q.dont_know:
        out.y += 2.5 if isinstance(answer, Levels) else 1
        _dont_know(out, LEFT)
    out.y += 5


def _dont_know(out: _Layout, x: float) -> None:
    out.need(BOX + 1)
    out.box(x, out.y, BOX, BOX)
    label = f"{DONT_KNOW_LABEL}"
    out.segments(out.lines([(label, "")], SMALL, 80)[0], x + BOX + 2, out.y - 0.2, SMALL, 4.6, INK)
    out.code(DONT_KNOW, x + BOX + 4 + out.pdf.width_of(label, "", SMALL), out.y + 3.1)
    out.y += BOX + 1


def _choices(out: _Layout, boxes: Sequence[Box], ranking: bool) -> None:
    """A box before each option, on one column or, for a long list, two."""
    columns = 2 if len(boxes) > 8 else 1
    gap = 6.0
    col_w = (WIDTH - gap * (columns - 1)) / columns
    box_w = 7.0 if ranking else BOX
    per_column = math.ceil(len(boxes) / columns)
    ordered = [boxes[i::per_column] for i in range(per_column)]  # down each column
    for line in ordered:
        texts = []
        for b in line:
            code_w = _mono_width(out.pdf, b.code) + 3
            texts.append(out.lines([(b.label, "")], SMALL + 0.5, col_w - box_w - 3 - code_w))
        height = max(max(len(t) for t in texts) * 3.9, BOX) + 1.6
        out.need(height)
        for i, (b, text) in enumerate(zip(line, texts, strict=True)):
            x = LEFT + i * (col_w + gap)
            out.box(x, out.y, box_w, BOX + (0.8 if ranking else 0))
            out.block(text, x + box_w + 2, out.y + 0.1, SMALL + 0.5, 3.9, INK)
            out.code(b.code, x + col_w, out.y + 3.1, right=True)
        out.y += height


def _levels(out: _Layout, levels: Levels) -> None:
    """Levels as columns, their words in the heading; a line of boxes per row asked."""
    label_w = 30.0
    n = len(levels.levels)
    col_w = (WIDTH - label_w) / n
    heads = [
        out.lines([(f"{b.code} ", "B"), (b.label, "B")], TINY, col_w - 2)
        + (out.lines([(b.detail, "")], TINY, col_w - 2) if b.detail else [])
        for b in levels.levels
    ]
    head_h = max(len(h) for h in heads) * 2.9 + 2.4
    row_h = 7.0
    total = head_h + row_h * len(levels.rows) + (row_h if levels.importance else 0)
    out.need(total)
    top = out.y
    for i, lines in enumerate(heads):
        x = LEFT + label_w + i * col_w
        out.shade(x, top, col_w, head_h)
        out.block(lines, x + 1, top + 1.2, TINY, 2.9, INK)
    out.y = top + head_h
    for row in levels.rows:
        y = out.y
        out.segments(out.lines([(row.label, "B")], SMALL, label_w)[0], LEFT, y + 0.6, SMALL, 4, INK)
        out.code(row.column, LEFT, y + 6.2)
        for i in range(n):
            x = LEFT + label_w + i * col_w
            out.box(x + (col_w - BOX) / 2, y + (row_h - BOX) / 2)
        out.rule(LEFT, y + row_h, RIGHT, y + row_h)
        out.y += row_h
    for i in range(n + 1):
        x = LEFT + label_w + i * col_w
        out.rule(x, top, x, out.y)
    if levels.importance:
        y = out.y + 0.5
        out.segments(
            out.lines([("Importance", "B")], SMALL, label_w)[0], LEFT, y + 0.6, SMALL, 4, INK
        )
        out.code("importance", LEFT, y + 6.2)
        x = LEFT + label_w
        for b in levels.importance:
            out.box(x + 1, y + (row_h - BOX) / 2 - 0.5)
            words = f"{b.code} {b.label}"
            out.segments(
                out.lines([(words, "")], SMALL, 40)[0], x + BOX + 3, y + 0.4, SMALL, 5, INK
            )
            x += BOX + 6 + out.pdf.width_of(words, "", SMALL) + 6
        out.y += row_h


def _grid(out: _Layout, grid: Grid) -> None:
    """The legend of the levels, then the table: a line per row, a box per level and column."""
    for b in grid.legend:
        runs = [(f"{b.code} — {b.label}", "B"), (f" : {b.detail}" if b.detail else "", "")]
        out.write(runs, TINY + 0.4, x=LEFT + 2, width=WIDTH - 2, height=3.2)
    out.y += 2
    values = [b.code for b in grid.legend] + ([DONT_KNOW] if grid.dont_know else [])
    cell = 6.4
    apart = 1.6 if grid.dont_know else 0.0  # « nsp » a little apart from the levels
    group_w = cell * len(values) + apart

    def left(i: int) -> float:  # of the i-th box's cell in its column
        return i * cell + (apart if i == len(grid.legend) else 0.0)

    gap = 2.0
    label_w = WIDTH - len(grid.columns) * (group_w + gap)

    def heading() -> None:
        top = out.y
        for g, column in enumerate(grid.columns):
            x = LEFT + label_w + gap + g * (group_w + gap)
            out.shade(x, top, group_w, 10.5)
            title = out.lines([(column.label, "B")], SMALL, group_w)[0]
            width = sum(s[2] for s in title)
            out.segments(title, x + (group_w - width) / 2, top + 0.3, SMALL, 4, INK)
            out.code(column.column, x + group_w / 2 + width / 2 + 1, top + 3.2)
            for i, value in enumerate(values):
                out.font("B", TINY, INK)
                if out.drawing:
                    w = out.pdf.get_string_width(value)
                    out.pdf.text(x + left(i) + (cell - w) / 2, top + 8.6, value)
        out.y = top + 10.5

    out.need(10.5 + 8)
    heading()
    out.on_new_page = heading
    for r, row in enumerate(grid.rows):
        text = out.lines([(row.label, "")], SMALL, label_w - 3)
        row_h = max(len(text) * 3.5 + 3.2, 7.0)
        out.need(row_h)
        y = out.y
        if r % 2 == 0:
            out.shade(LEFT, y, WIDTH, row_h)
        out.block(text, LEFT + 1, y + 0.4, SMALL, 3.5, INK)
        out.code(row.code.rpartition(".")[2], LEFT + 1, y + row_h - 0.9)
        for g in range(len(grid.columns)):
            x = LEFT + label_w + gap + g * (group_w + gap)
            for i in range(len(values)):
                out.box(x + left(i) + (cell - BOX) / 2, y + (row_h - BOX) / 2)
        out.y += row_h
    out.on_new_page = None


def _free_text(out: _Layout, text: FreeText) -> None:
    for _ in range(text.lines):
        out.need(8)
        out.y += 8
        out.rule(LEFT, out.y, RIGHT, out.y, LIGHT, 0.25)


# --- the document -----------------------------------------------------------------------------


def write(forms: Sequence[PaperForm], title: str, day: datetime | None = None) -> bytes:
    """The PDF bytes of the forms, each starting on a new page with its own page count."""
    pdf = _FormPdf()
    for style, path in font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.add_font(FONT, "BI", str(_font("DejaVuSans-BoldOblique.ttf")))
    pdf.add_font(MONO, "", str(_font("DejaVuSansMono.ttf")))
    pdf.set_auto_page_break(False)
    pdf.set_margins(LEFT, TOP, 210 - RIGHT)
    pdf.set_title(title)
    pdf.set_author("Autodiagnostic de la gouvernance administrative")
    pdf.set_creator("Autodiagnostic de la gouvernance administrative")
    pdf.set_lang("fr-FR")
    pdf.set_creation_date(day or datetime.now(UTC))
    pdf.set_font(FONT, "", TEXT)
    for form in forms:
        counting = _Layout(pdf, form, None)
        _form(counting)
        _form(_Layout(pdf, form, counting.page))
    if not forms:
        pdf.add_page()
    return bytes(pdf.output())


def _font(name: str) -> Path:
    return font_files()[""].parent / name
