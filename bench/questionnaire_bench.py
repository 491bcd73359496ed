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
    """One widget call: `st.<kind>(…)`, or `survey.<kind>(…, id=key)` through streamlit-survey
    (which records the answer in its survey data under that id)."""
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


def floor_script(  # type: ignore[no-untyped-def]
    q, section, number: int, n_parts: int, lib, notice_text: str, api: str = "st"
) -> str:
    """A Streamlit script drawing one part as the page does, with literals only; with
    api="survey", its answers go through streamlit-survey's widgets and its parts are
    streamlit-survey pages (previous / next buttons)."""
    out = ["import streamlit as st"]
    if api == "survey":
        out += ["import streamlit_survey as ss", "survey = ss.StreamlitSurvey('diagnostic')"]
    out += [
        "st.set_page_config(page_title='x', layout='wide')",
        f"st.title({q.title!r})",
        "st.caption('Territoire · Campagne · DGS — Commune')",
        "st.progress(0.1, text='3 questions répondues sur 60')",
        f"st.selectbox('Partie', list(range({n_parts})), index={number}, key='section_picker')",
    ]
    body = [f"st.header({f'{number + 1}. {section.title}'!r})"]
    if section.intro:
        body.append(f"st.markdown({section.intro!r})")
    for i, x in enumerate(section.questions, start=1):
        if x.show_if:
            continue  # hidden until its condition is met, as on the page with no answers
        body.append("with st.container(border=True):")
        lines = [f"st.markdown({f'**{number + 1}.{i}** {x.text}'!r})"]
        if x.help:
            lines.append(f"st.caption({x.help!r})")
        cited = [r for r in (lib.reference(r) for r in x.references) if r is not None]
        if cited:
            title = "Repères : " + " ; ".join(r.title for r in cited)
            lines.append(f"with st.expander({title!r}):")
            for ref in cited:
                lines.append(f"    st.markdown({f'**{ref.title}**'!r})")
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
            "right.button('Partie suivante →', key='next', type='primary')",
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


def _widgets(q, x, api: str = "st") -> list[str]:  # type: ignore[no-untyped-def]
    from diagnostic.questionnaire import QuestionType

    key = f"q_{x.id}"
    t = x.type
    if t in (QuestionType.MATURITY, QuestionType.CURRENT_TARGET):
        scale = q.scale_of(x)
        options = list(scale.values) + ([DK] if x.allow_dont_know else [])
        desc = dict(x.level_descriptions) if x.level_descriptions else {}
        if t == QuestionType.MATURITY:
            labels = {v: f"{v} — {scale.levels[v].label}" for v in scale.values} | {DK: DK_LABEL}
            captions = [desc.get(v, "") if v != DK else "" for v in options]
            return [_radio("Niveau actuel", options, labels, key, api, captions=captions)]
        text = "\n".join(f"{v}. **{scale.levels[v].label}** — {d}" for v, d in sorted(desc.items()))
        labels = {v: str(v) for v in scale.values} | {DK: DK_LABEL}
        targets = list(scale.values)
        lines = [
            f"st.markdown({text!r})",
            f"cols = st.columns({3 if x.importance else 2})",
            "with cols[0]:",
            "    "
            + _radio("Niveau actuel", options, labels, f"{key}_current", api, horizontal=True),
            "with cols[1]:",
            "    "
            + _radio(
                "Niveau visé en fin de mandat",
                targets,
                labels,
                f"{key}_target",
                api,
                horizontal=True,
            ),
        ]
        if x.importance:
            lines += [
                "with cols[2]:",
                "    "
                + _radio(
                    "Importance pour le territoire",
                    list(IMPORTANCE),
                    IMPORTANCE,
                    f"{key}_importance",
                    api,
                    horizontal=True,
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
                "Votre réponse",
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
        return [
            _widget(
                api,
                "multiselect",
                "Vos choix",
                key,
                options=list(labels),
                default=[],
                format_func=_Code(f"{labels!r}.get"),
                max_selections=x.max_choices,
                placeholder="Choisir…",
            )
        ]
    if t == QuestionType.GRID:
        scale = q.scale_of(x)
        options = list(scale.values) + ([DK] if x.allow_dont_know else [])
        labels = {v: str(v) for v in scale.values} | {DK: "NSP"}
        cols = ["current", "desired"] if x.desired else ["current"]
        lines = [
            "st.caption('Échelle : …')",
            f"header = st.columns({[2] + [3] * len(cols)!r})",
        ]
        for i, c in enumerate(cols, start=1):
            lines.append(f"header[{i}].markdown({c!r})")
        for row in x.rows or []:
            lines.append(
                f"cols = st.columns({[2] + [3] * len(cols)!r}, vertical_alignment='center')"
            )
            lines.append(f"cols[0].markdown({row.label!r})")
            for i, c in enumerate(cols, start=1):
                lines.append(f"with cols[{i}]:")
                lines.append(
                    "    "
                    + _radio(
                        f"{row.label} — {c}",
                        options,
                        labels,
                        f"{key}_{row.id}_{c}",
                        api,
                        horizontal=True,
                        label_visibility="collapsed",
                    )
                )
        return lines
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
    os.environ.update(
        DATABASE_URL=url,
        QUESTIONS_DIR=str(questions),
        LOAD_DEMO="false",
        PUBLIC_URL="http://127.0.0.1:8501",
    )
    from streamlit.testing.v1 import AppTest

    share_script_cache()
    keep_navigation_mode()

    from diagnostic.privacy.service import notice
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
    print(f"{'partie':<34} {'widgets':>7} {'page (ms)':>10} {floor_head:>22} {'rapport':>8}")
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
        widgets = len(floor.radio) + len(floor.multiselect) + len(floor.text_area)
        title = f"{number + 1}. {section.title}"[:34]
        print(f"{title:<34} {widgets:>7} {a * 1000:>10.1f} {f * 1000:>22.1f} {a / f:>7.2f}x")
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
