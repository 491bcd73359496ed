"""The questionnaire page: AppTest rerun after one answer, shipped page vs a bare script.

For each part of the shipped questionnaire, the shipped page (through app.py, with its
database, autosave, progress and conditional questions) and a generated bare Streamlit script
that draws the same elements and widgets with literal values and no logic are each rerun after
one answer (a radio changed), `--reps` times, alternating. Target: page <= 1.25 x the floor.

With `--floor survey` the comparison is the same questionnaire written with the
`streamlit-survey` package (its widgets record every answer in the survey's data, pages with
previous / next buttons): target page <= 1.0 x. That package is a bench-only dependency (the
`bench` extra: its Commons Clause licence forbids shipping it); only the generated script,
written to a temporary folder, imports it.

    .venv/bin/python bench/questionnaire_bench.py             # every part, 15 reruns each
    .venv/bin/python bench/questionnaire_bench.py --reps 5 --parts 1,2 --database postgresql
    .venv/bin/python bench/questionnaire_bench.py --floor survey
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import database, questions_folder  # noqa: E402

TARGET = 1.25
TARGETS = {"bare": TARGET, "survey": 1.0}
FLOOR_NAMES = {"bare": "plancher", "survey": "streamlit-survey"}
DK = "nsp"
DK_LABEL = "Je ne sais pas / sans objet"
IMPORTANCE = {1: "Secondaire", 2: "Importante", 3: "Prioritaire"}


class _Code(str):
    """Python code written as is into a generated script (its repr is itself)."""

    def __repr__(self) -> str:
        return str(self)


def _widget(api: str, kind: str, label: str, key: str, **kw) -> str:  # type: ignore[no-untyped-def]
    """One widget call: `st.<kind>(…)` with a callback that does nothing (the page's widgets
    store their answer in theirs), or `survey.<kind>(…, id=key)` through streamlit-survey
    (which records the answer in its survey data under that id)."""
    if api == "st":
        kw |= {"on_change": _Code("el.nothing"), "args": (key,)}
    extra = "".join(f", {k}={v!r}" for k, v in kw.items())
    ident = f", id={key!r}" if api == "survey" else ""
    return f"{api}.{kind}({label!r}{extra}, key={key!r}{ident})"


def _radio(label, options, labels, key, api: str = "st", **kw) -> str:  # type: ignore[no-untyped-def]
    return _widget(
        api,
        "radio",
        label,
        key,
        options=options,
        index=None,
        format_func=_Code(f"{labels!r}.get"),
        **kw,
    )


ELEMENTS_MODULE = "_floor_elements"
ELEMENTS = '''"""The page's own style sheets, scripts and components, for the floor
(imported once, as the page's modules are)."""

from pathlib import Path

import streamlit as st
from streamlit.components.v2 import component

from pages import _autosave
from pages._french import SCRIPT as FRENCH

PAGES = Path(%(pages)r)
COMPONENTS = PAGES / "components"
ICON = str(PAGES / "styles" / "icone.png")
FOCUS_CSS = PAGES / "styles" / "focus.css"  # read at each run, as the page does
QUESTIONNAIRE_CSS = PAGES / "styles" / "questionnaire.css"
CARDS = component(
    "floor.question_cards",
    css=".st-key-question_cards { display: none; }",
    js=(COMPONENTS / "question_cards.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)
FOCUS = component(
    "floor.part_focus",
    css=".st-key-part_focus { display: none; }",
    js=(COMPONENTS / "part_focus.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)
TEXT = component(
    "floor.autosave_text",
    html=_autosave.HTML,
    css=(COMPONENTS / "autosave_text.css").read_text(encoding="utf-8"),
    js=(COMPONENTS / "autosave_text.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)


def nothing(*args: object) -> None:
    pass
'''


def write_elements_module(folder: Path) -> None:
    """The floor's module of the page's style sheets, scripts and components, in `folder`
    (which the bench puts on sys.path)."""
    text = ELEMENTS % {"pages": str(ROOT / "pages")}
    (folder / f"{ELEMENTS_MODULE}.py").write_text(text, encoding="utf-8")


def floor_script(  # type: ignore[no-untyped-def]
    q, section, number: int, n_parts: int, lib, notice_text: str, api: str = "st"
) -> str:
    """A Streamlit script drawing one part as the page does (every element of its question
    cards: frames, titles, help, style sheets, the page's components), with literals only;
    with api="survey", its answers go through streamlit-survey's widgets and its parts are
    streamlit-survey pages (previous / next buttons)."""
    out = ["import streamlit as st", f"import {ELEMENTS_MODULE} as el"]
    if api == "survey":
        out += ["import streamlit_survey as ss", "survey = ss.StreamlitSurvey('diagnostic')"]
    out += [
        "st.set_page_config(page_title='x', page_icon=el.ICON, layout='wide')",
        "st.set_page_config(page_title='Questionnaire – x')",
        "st.html(el.FRENCH, unsafe_allow_javascript=True)",
        "st.html(el.FOCUS_CSS)",
        "st.html(el.QUESTIONNAIRE_CSS)",
        "el.CARDS(key='question_cards')",
        f"st.title({q.title!r})",
        "st.caption('Territoire · Campagne · DGS — Commune')",
        "st.progress(0.1, text='3 questions répondues sur 60')",
        f"st.selectbox('Partie', list(range({n_parts})), index={number}, key='section_picker')",
    ]
    body = [
        f"st.header({f'{number + 1}. {section.title}'!r}, anchor='partie-{number + 1}')",
        f"el.FOCUS(key='part_focus', data={{'target': 'partie-{number + 1}', 'move': 1}})",
    ]
    if section.intro:
        body.append(f"st.markdown({section.intro!r})")
    for i, x in enumerate(section.questions, start=1):
        if x.show_if:
            continue  # hidden until its condition is met, as on the page with no answers
        body.append(f"with st.container(border=True, key={f'card_{x.id}'!r}):")
        mark = "" if x.required else " *(facultatif)*"
        lines = [f"st.markdown({f'**{number + 1}.{i}** {x.text}{mark}'!r})"]
        if x.help:
            lines.append(f"with st.container(key={f'help_{x.id}'!r}):")
            lines.append(f"    st.caption({x.help!r})")
        cited = [r for r in (lib.reference(r) for r in x.references) if r is not None]
        if cited:
            title = "Repères : " + " ; ".join(r.title for r in cited)
            lines.append(f"with st.expander({title!r}):")
            for ref in cited:
                head = f"**{ref.title}**" + (f" — {ref.article}" if ref.article else "")
                lines.append(f"    st.markdown({head!r})")
                lines.append(f"    st.markdown({ref.summary!r})")
        lines += _widgets(q, x, api)
        body += ["    " + line for line in lines]
    if api == "survey":
        out += [
            f"pages = survey.pages({n_parts})",
            f"st.session_state.setdefault(pages.current_page_key, {number})",
            "with pages:",  # its previous / next buttons are drawn on leaving the block
        ]
        out += ["    " + line for line in body]
    else:
        out += body
        out += [
            "left, _, right = st.columns([1, 2, 1])",
            "left.button('← Partie précédente', key='prev')" if number > 0 else "",
        ]
        if number < n_parts - 1:
            out.append("right.button('Partie suivante →', key='next', type='primary')")
        else:
            out += [
                "st.divider()",
                "st.subheader('Envoyer mes réponses')",
                "st.warning('12 questions obligatoires sans réponse : 1. « … » ; 2. « … »')",
                "st.button('Envoyer mes réponses', type='primary', key='submit')",
            ]
    out += [
        "st.divider()",
        "st.subheader('Mes données')",
        "with st.expander('Données personnelles : ce qui est conservé, qui le voit, vos droits'):",
        f"    st.markdown({notice_text!r})",
        "cols = st.columns(2)",
        "for c, fmt in zip(cols, ('csv', 'json')):",
        "    c.download_button(f'Télécharger mes réponses ({fmt})', data=lambda: b'', "
        "file_name='x', key=f'my_data_{fmt}', on_click='ignore')",
        "with st.expander('Effacer mes réponses'):",
        "    st.warning('L\\'effacement supprime toutes vos réponses et votre nom.')",
        "    st.checkbox('Je confirme', key='erase_confirm')",
        "    st.button('Effacer définitivement', key='erase_me', disabled=True)",
    ]
    return "\n".join(line for line in out if line) + "\n"


def _title(text: str) -> str:
    return f"st.markdown({f':small[{text}]'!r})"


def _widgets(q, x, api: str = "st") -> list[str]:  # type: ignore[no-untyped-def]
    """The question's widgets as the page draws them (pages/_question_widgets.py), empty."""
    from diagnostic.questionnaire import QuestionType

    key = f"q_{x.id}"
    t = x.type
    if t in (QuestionType.MATURITY, QuestionType.CURRENT_TARGET):
        scale = q.scale_of(x)
        options = list(scale.values) + ([DK] if x.allow_dont_know else [])
        desc = q.described_levels(x)
        if t == QuestionType.MATURITY:
            labels = {v: f"{v} — {scale.levels[v].label}" for v in scale.values} | {DK: DK_LABEL}
            captions = [desc.get(v, "") if v != DK else "" for v in options]
            return [
                _title("Niveau actuel"),
                _radio(
                    f"Niveau actuel — {x.text}",
                    options,
                    labels,
                    key,
                    api,
                    captions=captions,
                    label_visibility="collapsed",
                ),
            ]
        text = "\n".join(f"{v}. **{scale.levels[v].label}** — {d}" for v, d in sorted(desc.items()))
        labels = {v: str(v) for v in scale.values} | {DK: DK_LABEL}
        parts = [
            ("Niveau actuel", options, labels, f"{key}_current"),
            ("Niveau visé en fin de mandat", list(scale.values), labels, f"{key}_target"),
        ]
        if x.importance:
            parts.append(
                ("Importance pour le territoire", list(IMPORTANCE), IMPORTANCE, f"{key}_importance")
            )
        lines = [f"st.markdown({text!r})", f"cols = st.columns({len(parts)})"]
        for i, (title, values, say, part_key) in enumerate(parts):
            lines += [
                f"with cols[{i}]:",
                "    " + _title(title),
                "    "
                + _radio(
                    f"{title} — {x.text}",
                    values,
                    say,
                    part_key,
                    api,
                    horizontal=True,
                    disabled=False,
                    label_visibility="collapsed",
                ),
            ]
        return lines
    if t == QuestionType.SINGLE_CHOICE:
        if x.options:
            options = [o.id for o in x.options]
            labels = {o.id: o.label for o in x.options}
        else:
            scale = q.scale_of(x)
            options = list(scale.values)
            labels = {v: scale.levels[v].label for v in scale.values}
        if x.allow_dont_know:
            options.append(DK)
            labels[DK] = DK_LABEL
        return [
            _radio(
                x.text,
                options,
                labels,
                key,
                api,
                label_visibility="collapsed",
                horizontal=x.options is None,
            )
        ]
    if t in (QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
        labels = {o.id: o.label for o in x.options or []}
        ranking = t == QuestionType.RANKING
        return [
            _widget(
                api,
                "multiselect",
                x.text,
                key,
                options=list(labels),
                default=[],
                format_func=_Code(f"{labels!r}.get"),
                max_selections=x.max_choices,
                label_visibility="collapsed",
                placeholder="Choisir par ordre de priorité…" if ranking else "Choisir…",
                select_all=False,
            )
        ]
    if t == QuestionType.GRID:
        scale = q.scale_of(x)
        options = list(scale.values) + ([DK] if x.allow_dont_know else [])
        labels = {v: str(v) for v in scale.values} | {DK: "NSP"}
        cols = ["current", "desired"] if x.desired else ["current"]
        titles = {"current": "Aujourd'hui", "desired": "Souhaitée"}
        widths = [2] + [3] * len(cols)
        legend = " · ".join(f"{v} = {scale.levels[v].label}" for v in scale.values)
        lines = [
            f"with st.container(key={f'gridscale_{x.id}'!r}):",
            f"    st.caption({f'Échelle : {legend} · NSP = je ne sais pas'!r})",
            f"with st.container(key={f'gridhead_{x.id}'!r}):",
            f"    header = st.columns({widths!r})",
        ]
        for i, c in enumerate(cols, start=1):
            lines.append(f"    header[{i}].markdown({f'**{titles[c]}**'!r})")
        for row in x.rows or []:
            lines += [
                f"with st.container(key={f'gridrow_{x.id}_{row.id}'!r}):",
                f"    cols = st.columns({widths!r}, vertical_alignment='center')",
                f"    cols[0].markdown({row.label!r})",
            ]
            for i, c in enumerate(cols, start=1):
                lines += [
                    f"    with cols[{i}]:",
                    "        " + _title(titles[c]),
                    "        "
                    + _radio(
                        f"{row.label} — {titles[c]}",
                        options,
                        labels,
                        f"{key}_{row.id}_{c}",
                        api,
                        horizontal=True,
                        label_visibility="collapsed",
                    ),
                ]
        return lines
    if api == "survey":
        return [
            _widget(
                api,
                "text_area",
                "Votre réponse",
                key,
                value="",
                max_chars=x.max_length,
                label_visibility="collapsed",
            )
        ]
    data = {
        "label": x.text,
        "hidden_label": True,
        "value": "",
        "max": x.max_length,
        "disabled": False,
        "ack": None,
        "state": None,
        "delay": 1000,
        "saved_word": "Enregistré",
    }
    return [f"el.TEXT(key={key!r}, data={data!r}, on_value_change=el.nothing)"]


def answer_radio(q, section) -> tuple[str, list]:  # type: ignore[no-untyped-def]
    """The key and option values of the part's first question answered with a radio."""
    from diagnostic.questionnaire import QuestionType

    for x in section.questions:
        if x.show_if:
            continue
        if x.type == QuestionType.CURRENT_TARGET:
            return f"q_{x.id}_current", list(q.scale_of(x).values)
        if x.type == QuestionType.MATURITY:
            return f"q_{x.id}", list(q.scale_of(x).values)
        if x.type == QuestionType.SINGLE_CHOICE:
            values = [o.id for o in x.options] if x.options else list(q.scale_of(x).values)
            return f"q_{x.id}", values
    raise SystemExit(f"la partie « {section.title} » n'a pas de question à choix")


def element_count(at) -> int:  # type: ignore[no-untyped-def]
    """How many elements and blocks an AppTest run drew (the page and its floor must match)."""

    def walk(node) -> int:  # type: ignore[no-untyped-def]
        children = getattr(node, "children", None)
        inner = children.values() if isinstance(children, dict) else ()
        return 1 + sum(walk(child) for child in inner)

    return walk(at._tree)


def rerun_after_answer(at, key: str, value) -> float:  # type: ignore[no-untyped-def]
    """Change one radio and rerun: seconds."""
    at.radio(key=key).set_value(value)
    t0 = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t0
    assert not at.exception, at.exception
    return elapsed


def share_script_cache() -> None:
    """Compile each script once, as a real server does (its ScriptCache lives as long as the
    process); AppTest builds a new cache at every run, which would charge every rerun with
    recompiling the page — a cost the real app never pays, and larger for a bigger file."""
    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    local_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]


def keep_navigation_mode() -> None:
    """Let AppTest remember, as a real server does, that the app routes with st.navigation.

    An app with a `pages/` folder starts in Streamlit's old multipage mode: the first run globs
    the folder and builds a page object for each of its files, until `st.navigation` (called by
    app.py) switches the process-wide flag `PagesManager.uses_pages_directory` off for good.
    AppTest sets that flag back to None before every run, so each rerun of the shipped page
    would pay that first-run work again (22 page objects, a directory listing). The flag is
    reset on a subclass here; the runner reads the real class, as on a server."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager

    class _PagesManager(PagesManager):
        pass

    app_test.PagesManager = _PagesManager  # type: ignore[misc]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--parts", help="numéros des parties (1,2…), toutes par défaut")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--floor",
        choices=list(TARGETS),
        default="bare",
        help="bare : script nu (défaut) ; survey : le même questionnaire avec streamlit-survey",
    )
    args = parser.parse_args(argv)
    if args.floor == "survey":
        try:
            import streamlit_survey  # noqa: F401
        except ImportError:
            print(
                "streamlit-survey n'est pas installé : "
                "VIRTUAL_ENV=.venv .venv/bin/uv pip install -e '.[bench]'"
            )
            return 2

    tmp = Path(tempfile.mkdtemp(prefix="diag-qbench-"))
    try:
        with database(args.database, tmp) as url:
            return _run(tmp, url, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run(tmp: Path, url: str, args: argparse.Namespace) -> int:
    questions = questions_folder(tmp)
    write_elements_module(tmp)
    sys.path.insert(0, str(tmp))
    os.environ.update(
        DATABASE_URL=url,
        QUESTIONS_DIR=str(questions),
        LOAD_DEMO="false",
        PUBLIC_URL="http://127.0.0.1:8501",
    )
    from streamlit.testing.v1 import AppTest

    share_script_cache()
    keep_navigation_mode()

    from diagnostic.bootstrap import settle_memory
    from diagnostic.privacy.service import notice
    from diagnostic.questionnaire import QuestionType
    from diagnostic.questionnaire.registry import default_questionnaire
    from diagnostic.roadmap.references import load_library
    from diagnostic.settings import get_settings
    from diagnostic.store.engine import build_engine, migrate
    from tests.factories import make_world

    q = default_questionnaire(questions)
    lib = load_library(questions)
    engine = build_engine(os.environ["DATABASE_URL"])
    migrate(engine)
    world = make_world(engine, questionnaire=(q.id, q.version), n_participants=1)
    engine.dispose()
    parts = [int(p) - 1 for p in args.parts.split(",")] if args.parts else range(len(q.sections))
    notice_text = notice(get_settings())

    settle_memory()  # the collector's settings of the web server (serve.py)
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    page.query_params["t"] = world.tokens[0]
    page.run()
    page.button(key="start").click().run()

    api = "survey" if args.floor == "survey" else "st"
    target, floor_name = TARGETS[args.floor], FLOOR_NAMES[args.floor]
    print(
        f"Questionnaire « {q.id} » {q.version} : relance AppTest après une réponse "
        f"({args.database}), page contre {floor_name}"
    )
    print(f"charge de la machine au départ (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
    floor_head = f"{floor_name} (ms)"
    print(
        f"{'partie':<34} {'widgets':>7} {'éléments':>9} "
        f"{'page (ms)':>10} {floor_head:>22} {'rapport':>8}"
    )
    app_total, floor_total, worst = 0.0, 0.0, 0.0
    for number in parts:
        section = q.sections[number]
        script = tmp / f"floor_{number}.py"
        script.write_text(
            floor_script(q, section, number, len(q.sections), lib, notice_text, api),
            encoding="utf-8",
        )
        floor = AppTest.from_file(str(script), default_timeout=60).run()
        assert not floor.exception, floor.exception
        page.selectbox(key="section_picker").set_value(number).run()
        key, values = answer_radio(q, section)
        app_times, floor_times = [], []
        for i in range(args.reps):  # alternate, so that machine noise hits both alike
            value = values[i % len(values)]
            app_times.append(rerun_after_answer(page, key, value))
            floor_times.append(rerun_after_answer(floor, key, value))
        a, f = statistics.median(app_times), statistics.median(floor_times)
        app_total += a
        floor_total += f
        worst = max(worst, a / f)
        texts = sum(x.type == QuestionType.TEXT and not x.show_if for x in section.questions)
        widgets = len(floor.radio) + len(floor.multiselect) + texts
        title = f"{number + 1}. {section.title}"[:34]
        drawn = f"{element_count(page)}/{element_count(floor)}"
        print(
            f"{title:<34} {widgets:>7} {drawn:>9} "
            f"{a * 1000:>10.1f} {f * 1000:>22.1f} {a / f:>7.2f}x"
        )
    ratio = app_total / floor_total
    print(
        f"ensemble : page {app_total * 1000:.0f} ms, {floor_name} {floor_total * 1000:.0f} ms, "
        f"rapport {ratio:.2f}x (pire partie {worst:.2f}x) ; objectif <= {target}x : "
        + ("atteint" if ratio <= target else "MANQUÉ")
    )
    print(f"charge de la machine à la fin (moyenne 1 min) : {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
