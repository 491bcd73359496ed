"""Comparison helpers: repeat campaigns item by item, renamed ids, differences, the demo table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diagnostic.comparison import benchmark, files
from diagnostic.comparison import figures as cf
from diagnostic.comparison import report as rp
from diagnostic.comparison import service as cmp
from diagnostic.comparison import tables as ct
from diagnostic.demo import load_demo
from diagnostic.questionnaire import QuestionnaireError, load_questionnaire
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data
from diagnostic.store import accounts
from diagnostic.store.engine import build_engine, migrate, session_scope
from tests.conftest import FIXTURES, ROOT

MINI = load_questionnaire(FIXTURES / "mini.yaml")


def items(rows):
    return pd.DataFrame(
        rows, columns=["question_id", "dimension_id", "position", "n", "score"]
    ).assign(type="maturity", scale_min=1, scale_max=5, target_score=np.nan, agreement=np.nan)


def test_common_items_follow_renamed_ids_and_drop_changed_questions(tmp_path):
    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    renamed = text.replace("id: ins_debat", "id: ins_debat_public")
    changed = text.replace("type: current_target", "type: maturity")
    path = tmp_path / "v2.yaml"
    path.write_text(renamed.replace('version: "1"', 'version: "2"'), encoding="utf-8")
    after = load_questionnaire(path)
    assert cmp.common_items(MINI, after, {}) == {"ins_codir": "ins_codir"}
    assert cmp.common_items(MINI, after, {"ins_debat": "ins_debat_public"}) == {
        "ins_codir": "ins_codir",
        "ins_debat_public": "ins_debat",
    }
    path.write_text(changed, encoding="utf-8")
    assert "ins_codir" not in cmp.common_items(MINI, load_questionnaire(path), {})


def test_evolution_item_by_item_then_by_dimension():
    before = items([("a", "d1", 0, 4, 25.0), ("b", "d1", 1, 4, 50.0), ("old", "d2", 2, 4, 10.0)])
    after = items([("a", "d1", 0, 5, 75.0), ("b", "d1", 1, 5, 50.0), ("new", "d2", 2, 5, 90.0)])
    moved, dims = cmp.evolution(before, after, {"a": "a", "b": "b"})
    assert list(moved["question_id"]) == ["a", "b"]  # largest change first; new item left out
    assert moved.iloc[0][["score_before", "score_after", "change"]].tolist() == [25, 75, 50]
    assert dims.to_dict("records") == [
        {
            "dimension_id": "d1",
            "n_items": 2,
            "score_before": 37.5,
            "score_after": 62.5,
            "change": 25.0,
        }
    ]


def test_renamed_file_is_validated_with_its_line(tmp_path):
    (tmp_path / "renamed.yaml").write_text(
        "renamed:\n  gouvernance:\n    - pas une table\n", encoding="utf-8"
    )
    with pytest.raises(QuestionnaireError) as error:
        cmp.load_renamed(tmp_path)
    assert str(error.value.problems[0]).startswith(f"{tmp_path / 'renamed.yaml'}:")
    assert "ancien_identifiant: nouvel_identifiant" in str(error.value.problems[0])
    assert cmp.load_renamed(tmp_path / "absent") == {}


def test_the_shipped_renamed_file_loads_and_maps_existing_ids():
    renamed = cmp.load_renamed(ROOT / "questions")
    assert "gouvernance" in renamed
    latest = cmp.latest_questionnaire(ROOT / "questions", "gouvernance")
    ids = {q.id for q in latest.questions()}
    assert all(new in ids for new in renamed["gouvernance"].values())


def test_differences_list_the_widest_items_first():
    a = items([("x", "d1", 0, 5, 10.0), ("y", "d1", 1, 5, 50.0)])
    b = items([("x", "d1", 0, 5, 90.0), ("y", "d1", 1, 5, 55.0)])
    found = cmp.differences({"A": a, "B": b})
    assert list(found["question_id"]) == ["x", "y"]
    assert list(found["spread"]) == [80.0, 5.0]
    assert cmp.differences({"A": a}).empty


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine = build_engine(f"sqlite:///{tmp_path_factory.mktemp('cmp') / 'demo.db'}")
    migrate(engine)
    load_demo(engine, ROOT / "questions")
    yield engine
    engine.dispose()


def test_demo_table_equals_the_results_page_on_the_full_questionnaire(demo):
    table = benchmark.table(demo)
    # the four current campaigns and Val de Loir's 2023 one (short questionnaire)
    assert table["consent"].all() and table["campaign_id"].nunique() == 5
    for campaign_id in table["campaign_id"].unique():
        data = read_campaign_data(demo, int(campaign_id), ROOT / "questions")
        dims = compute_results(data, min_group_size=3).dimensions.set_index("dimension_id")
        mine = table.loc[table["campaign_id"] == campaign_id].set_index("dimension_id")
        for column in ("score", "target_score", "share_agree"):
            assert np.allclose(mine.loc[dims.index, column], dims[column], equal_nan=True)
    culture = table.loc[(table["campaign_id"] == 1) & (table["dimension_id"] == "d6_culture")]
    # Val de Loir: 3 maturity items, 4 statements apart (docs/methodes.md § 4)
    assert culture["n_items"].item() == 3
    assert culture["score"].item() == pytest.approx(54.761905, abs=1e-6)
    assert culture["share_agree"].item() == pytest.approx(19 / 28)


def test_demo_consultant_compares_three_territories_and_peers_are_hidden(demo):
    with session_scope(demo) as s:
        user = accounts.user_by_email(s, email="conseil@demo.fr")
        actor = accounts.actor_for(s, user_id=user.id)
    table = benchmark.table(demo)
    every = cmp.accompanied(demo, actor, table, min_group_size=3)
    # Val de Loir's 2023 campaign on the short questionnaire is compared on its own
    assert list(cmp.of_questionnaire(every, "gouvernance_court")["campaign_id"]) == [5]
    mine = cmp.of_questionnaire(every, "gouvernance")
    assert len(mine) == 3 and "Métropole Estuaire-Atlantique" not in set(mine["name"])
    view = cmp.compare(
        table,
        mine,
        questionnaire_id="gouvernance",
        known=cmp.known_territories(actor),
        min_territories=5,
        min_respondents=3,
    )
    assert not view.any_shown  # four demo territories: below the threshold of five
    assert set(view.scores["name"]) == set(mine["name"])


def test_demo_comparison_shows_the_agreement_index_apart_and_exports_it(demo):
    import io

    import openpyxl

    from diagnostic.campaigns.export import campaign_export
    from diagnostic.comparison import tables as ct
    from diagnostic.exports import export as export_sheets

    with session_scope(demo) as s:
        user = accounts.user_by_email(s, email="conseil@demo.fr")
        actor = accounts.actor_for(s, user_id=user.id)
    table = benchmark.table(demo)
    mine = cmp.accompanied(demo, actor, table, min_group_size=3)
    view = cmp.compare(
        table,
        mine,
        questionnaire_id="gouvernance",
        known=cmp.known_territories(actor),
        min_territories=5,
        min_respondents=3,
    )
    labels = {"d6_culture": "Culture", "d9_elus_administration": "Élus"}
    statements = ct.statements(view, labels)
    val = statements.loc[statements["Territoire"] == "Communauté de communes du Val de Loir"]
    culture = val.set_index("Dimension")["Part d'accord (%)"]
    assert culture["Culture"] == 68  # 19/28: beside the maturity score 55, not inside it
    scores = view.scores_of(int(mine.loc[mine["campaign_id"] == 1, "territory_id"].item()))
    assert scores.set_index("dimension_id").loc["d6_culture", "score"] == pytest.approx(
        54.7619, 1e-4
    )
    # the comparison's workbook carries it on its own sheet, numbers as numbers
    export = export_sheets({"Affirmations": ct.statements(view, labels)}, "comparaison", "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(export.data))
    assert "Affirmations" in book.sheetnames
    rows = list(book["Affirmations"].iter_rows(values_only=True))
    assert rows[0] == ("Territoire", "Dimension", "Part d'accord (%)")
    assert ("Communauté de communes du Val de Loir", "Culture", 68) in rows
    # and the campaign's own export has the same sheet, beside « Dimensions »
    out = campaign_export(demo, actor, 1, ROOT / "questions", fmt="xlsx", min_group_size=3)
    book = openpyxl.load_workbook(io.BytesIO(out.data))
    assert book.sheetnames.index("Affirmations") == book.sheetnames.index("Dimensions") + 1
    header, *lines = book["Affirmations"].iter_rows(values_only=True)
    assert header[:3] == ("Dimension", "Affirmations", "Part d'accord (%)")
    assert lines[0][:3] == ("Culture managériale et coopérative", 4, 68)
    dims = {r[0]: r for r in book["Dimensions"].iter_rows(values_only=True)}
    assert dims["Culture managériale et coopérative"][1] == 55  # the maturity score
    csv = campaign_export(
        demo, actor, 1, ROOT / "questions", fmt="csv", min_group_size=3, table="dimensions"
    ).data.decode("utf-8-sig")
    assert "Part d'accord (%)" in csv.splitlines()[0]
    assert "Culture managériale et coopérative;55;" in csv


def test_territory_names_in_the_comparison_charts_are_text_never_plotly_markup():
    from diagnostic.comparison import figures as cf

    name = '<a href="https://evil.fr">CC <b>Piège</b></a> %{x}'
    shown = '&lt;a href="https://evil.fr"&gt;CC &lt;b&gt;Piège&lt;/b&gt;&lt;/a&gt; %{x}'
    dims = ["d1", "d2"]
    scores = pd.DataFrame(
        {
            "name": [name, name],
            "dimension_id": dims,
            "score": [40.0, 60.0],
            "target_score": [60.0, 80.0],
            "agreement": [0.5, 0.2],
        }
    )
    labels = {"d1": "Enjeux", "d2": "Coopération"}
    radar = cf.territory_radar(scores, labels, title=name, order=dims)
    assert radar.layout.title.text == shown
    peers = pd.DataFrame({"dimension_id": dims, "status": ["masked", "masked"]})
    spread = cf.peer_distribution(peers, scores, labels, title="Pairs", order=dims, names=[name])
    mine = [t for t in spread.data if t.type == "scatter"]
    assert [t.name for t in mine] == [shown]
    assert mine[0].hovertemplate.endswith("<extra>%{fullData.name}</extra>")
    heat = cf.agreement_heatmap(scores, labels, order=dims, names=[name])
    assert list(heat.data[0].x) == [shown]


# --- each territory against its own peer group; trends; exports that stand alone -----------------


def peer_table(specs):
    """Benchmark rows, one campaign per (territory_id, kind, population, score, consent)."""
    from tests.test_peers import rows

    return rows(specs).assign(share_agree=np.nan)


def chosen_rows(table, ids, names):
    first = table.drop_duplicates("campaign_id")
    first = first.loc[first["territory_id"].isin(ids)].set_index("territory_id").loc[ids]
    return first.reset_index().assign(
        name=[names[t] for t in ids], title="Diagnostic 2026", population_band="x"
    )


def test_a_ca_and_two_cc_are_each_ranked_only_within_their_own_group():
    table = peer_table(
        [(t, "cc", 20_000, 10 * (t - 1)) for t in range(1, 7)]  # 6 CC of 15-30k
        + [(t, "cc", 40_000, 50 + t) for t in range(7, 13)]  # 6 CC of 30-50k
        + [(t, "ca", 60_000, 80) for t in range(20, 23)]  # 3 CA of 50-100k: hidden
        + [(t, "ca", 120_000, 90) for t in range(23, 26)]  # 3 CA of 100-250k: hidden
        + [(100, "ca", 60_000, 85, False), (101, "cc", 20_000, 25, False)]
        + [(102, "cc", 40_000, 95, False)]
    )
    names = {100: "CA Alpha", 101: "CC Beta", 102: "CC Gamma"}
    chosen = chosen_rows(table, [100, 101, 102], names)
    args = dict(questionnaire_id="q", known={100, 101, 102}, min_territories=5)
    view = cmp.compare(table, chosen, min_respondents=3, **args)
    groups = {t: (g.kind, g.band, g.caption) for t, g in view.peer_of.items()}
    assert groups == {  # the narrowest usable group of each: the CA's bands are too small
        100: ("ca", "toutes", "CA de toutes tailles — 6 territoires"),
        101: ("cc", "15k-30k", "CC de 15 000 à 29 999 hab. — 6 territoires"),
        102: ("cc", "30k-50k", "CC de 30 000 à 49 999 hab. — 6 territoires"),
    }
    ranks = view.ranks.set_index(["territory_id", "dimension_id"])
    # the CA among the 6 CA only (scores 80 and 90): above 3, below 3, never among CC
    assert ranks.loc[(100, "d1"), "n_peers"] == 6
    assert ranks.loc[(100, "d1"), "rank"] == pytest.approx(50)
    assert ranks.loc[(101, "d1"), "rank"] == pytest.approx(100 * 3 / 6)  # 0, 10, 20 below 25
    assert ranks.loc[(102, "d1"), "rank"] == 100
    assert set(view.ranks.loc[view.ranks["territory_id"] == 100, "group"]) == {
        "CA de toutes tailles"
    }
    # the consultant's choice: the CA's own band (hidden, no rank); a CC band is refused
    chosen_band = cmp.compare(table, chosen, min_respondents=3, choice={100: "50k-100k"}, **args)
    assert chosen_band.group_of(100).caption.startswith("CA de 50 000 à 99 999 hab. — chiffres")
    assert chosen_band.ranks.loc[chosen_band.ranks["territory_id"] == 100, "rank"].isna().all()
    refused = cmp.compare(table, chosen, min_respondents=3, choice={100: "15k-30k"}, **args)
    assert refused.group_of(100).key == ("ca", "toutes")
    # every table says each territory's group, and a hidden figure is blank, never « None »
    labels = {"d1": "Enjeux", "d2": "Coopération"}
    ranked = ct.ranks(chosen_band, labels)
    assert set(ranked["Groupe de pairs"]) == {
        "CA de 50 000 à 99 999 hab.",
        "CC de 15 000 à 29 999 hab.",
        "CC de 30 000 à 49 999 hab.",
    }
    figures = ct.peer_figures(chosen_band, labels, ["d1", "d2"])
    hidden = figures.loc[figures["Groupe de pairs"] == "CA de 50 000 à 99 999 hab."]
    assert hidden["Médiane"].isna().all() and (hidden["Remarque"] != "").all()
    dims = ct.dimensions(view, labels, ["d1", "d2"])
    assert "Médiane des pairs : CA de toutes tailles — 6 territoires" in dims.columns


def test_trend_lines_every_campaign_and_cautions_when_versions_differ():
    table = peer_table(
        [
            (1, "cc", 20_000, 20, True, 8, 11),
            (1, "cc", 20_000, 35, True, 6, 12),
            (1, "cc", 20_000, 50, True, 9, 13),
        ]
    )
    runs = pd.DataFrame(
        {
            "campaign_id": [11, 12, 13],
            "questionnaire_id": ["q", "q", "q"],
            "questionnaire_version": ["1", "1", "2"],
            "n_respondents": [8, 6, 9],
            "title": ["2021", "2023", "2026"],
            "day": pd.to_datetime(["2021-03-01", "2023-03-01", "2026-11-01"]),
        }
    )
    found = cmp.trend(table, runs, ["d2", "d1"])
    assert list(found["campaign_id"]) == [11, 11, 12, 12, 13, 13]
    assert list(found["dimension_id"]) == ["d2", "d1"] * 3
    assert list(found.loc[found["dimension_id"] == "d1", "score"]) == [20, 35, 50]
    labels = rp.Labels({"d1": "Enjeux", "d2": "Coopération"}, ["d1", "d2"], {})
    trend = rp.Trend("CC Delta", runs, found)
    wide = rp.trend_table(trend, labels)
    assert list(wide["Questionnaires envoyés"]) == [8, 6, 9]
    assert list(wide["Enjeux"]) == [20, 35, 50] and list(wide["Version"]) == ["1", "1", "2"]
    said = "n'ont pas répondu au même questionnaire (« q », version 1, « q », version 2)"
    assert said in rp.caution(trend)
    same = rp.Trend("CC Delta", runs.assign(questionnaire_version="1"), found)
    assert rp.caution(same) is None
    figure = cf.trend(found, runs, labels.dimensions, order=labels.order)
    assert [t.name for t in figure.data] == ["Enjeux", "Coopération"]
    assert list(figure.data[0].y) == [20, 35, 50]
    assert figure.data[0].x[2] == "2026<br>9 questionnaires<br>v2"


def consultant(engine):
    with session_scope(engine) as s:
        user = accounts.user_by_email(s, email="conseil@demo.fr")
        return accounts.actor_for(s, user_id=user.id)


def test_demo_exports_stand_alone_in_xlsx_csv_and_pptx(demo):
    import io
    from datetime import date

    import openpyxl
    from pptx import Presentation

    actor = consultant(demo)
    table = benchmark.table(demo)
    mine = cmp.of_questionnaire(
        cmp.accompanied(demo, actor, table, min_group_size=3), "gouvernance"
    )
    q = cmp.latest_questionnaire(ROOT / "questions", "gouvernance")
    labels = rp.Labels.of(q)
    view = cmp.compare(
        table,
        mine,
        questionnaire_id="gouvernance",
        known=cmp.known_territories(actor),
        min_territories=5,
        min_respondents=3,
        dimensions=labels.order,
    )
    report = rp.build(
        demo,
        actor,
        table,
        view,
        labels,
        questionnaire_title=q.title,
        questions_dir=ROOT / "questions",
        min_group_size=3,
        day=date(2026, 12, 6),
    )
    xlsx = files.to_file(report, "xlsx", 3)
    assert xlsx.filename == "comparaison-loire-bocage-trois-rivieres-val-de-loir-2026-12-06.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames[0] == "Lisez-moi"
    assert {"Tendance", "Évolution des items", "Écarts entre territoires", "Rangs"} <= set(
        book.sheetnames
    )
    about = dict(book["Lisez-moi"].iter_rows(values_only=True))
    assert about["Date"] == "6 décembre 2026"
    val = about["Territoire : Communauté de communes du Val de Loir"]
    assert "groupe de pairs : CC de 15 000 à 29 999 hab. — chiffres masqués" in val
    assert (
        "n'ont pas répondu au même questionnaire"
        in about["Évolution : Communauté de communes du Val de Loir"]
    )
    trend = [r for r in book["Tendance"].iter_rows(values_only=True)][1:]
    val_trend = {(r[1], r[5]) for r in trend if r[0].endswith("Val de Loir")}
    assert val_trend == {("Autodiagnostic de mi-mandat 2020-2026", 8), (mine.loc[2, "title"], 7)}
    # the 11 common items less the two agreement statements (no maturity score)
    assert len(list(book["Évolution des items"].iter_rows())) == 1 + 9
    assert len(list(book["Écarts entre territoires"].iter_rows())) > 1
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not {"None", "nan", "NaN"} & {str(v) for v in row if isinstance(v, str)}
    csv = files.to_file(report, "csv", 3)
    text = csv.data.decode("utf-8-sig")
    assert csv.filename.endswith("2026-12-06.csv")
    header = text.splitlines()[0].split(";")
    assert header[:2] == ["Tableau", "Territoire"] and header[-2:] == ["Colonne", "Valeur"]
    assert "Tendance;Communauté de communes du Val de Loir" in text and "Lisez-moi;" in text
    deck = files.to_file(report, "pptx", 3)
    prs = Presentation(io.BytesIO(deck.data))
    assert prs.core_properties.title == "Comparaison entre territoires"
    assert prs.core_properties.language == "fr-FR"
    slides = list(prs.slides)
    titles = [s.shapes.title.text for s in slides]
    # title, a profile per territory, a position per group, the Val de Loir trend, the method
    assert len(slides) == 1 + 3 + 3 + 1 + 1
    assert "Communauté de communes du Val de Loir : évolution sur 2 campagnes" in titles
    assert titles[-1] == "Méthode et confidentialité"
    for slide in slides[1:-1]:
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
        assert pictures and pictures[0]._element.nvPicPr.cNvPr.get("descr")  # alt text
        words = [r for p in slide.shapes.title.text_frame.paragraphs for r in p.runs]
        assert all(str(r.font.language_id) == "FRENCH (1036)" for r in words)
        assert "Groupe de pairs" in slide.notes_slide.notes_text_frame.text or (
            "questionnaire" in slide.notes_slide.notes_text_frame.text
        )


def test_comparaison_command_writes_the_deck_as_the_consultant_sees_it(
    demo, monkeypatch, capsys, tmp_path
):
    from pptx import Presentation

    from diagnostic.cli import main
    from tests.conftest import _reset_caches

    monkeypatch.setenv("DATABASE_URL", str(demo.url))
    monkeypatch.setenv("QUESTIONS_DIR", str(ROOT / "questions"))
    _reset_caches()
    out = tmp_path / "comparaison.pptx"
    try:
        args = ["comparaison", "--campaigns", "2,4", "--format", "pptx"]
        code = main([*args, "-o", str(out), "--as", "conseil@demo.fr"])
        said = capsys.readouterr().out
        assert code == 0 and "Comparaison écrite dans" in said and "chiffres masqués" in said
        assert len(Presentation(str(out)).slides) >= 4
        metropole = ["comparaison", "--campaigns", "2,3", "-o", str(out)]
        code = main([*metropole, "--as", "conseil@demo.fr"])  # not accompanied
        err = capsys.readouterr().err
        assert code == 1 and "ne peut pas lire les résultats" in err
        code = main(["comparaison", "--campaigns", "1,5", "-o", str(out)])
        assert code == 1 and "même questionnaire" in capsys.readouterr().err
        code = main(["comparaison", "--campaigns", "2,999", "-o", str(out)])
        assert code == 1 and "sans résultats à comparer" in capsys.readouterr().err
        code = main(["comparaison", "--campaigns", "deux", "-o", str(out)])
        assert code == 1 and "numéros de campagne" in capsys.readouterr().err
    finally:
        _reset_caches()


def test_a_hidden_group_says_why():
    def caption(status):
        peers = pd.DataFrame({"dimension_id": ["d1"], "status": [status], "n": [pd.NA]})
        return cmp.PeerGroup("cc", "lt15k", peers, 5).caption

    assert caption("suppressed").endswith("(moins de 5 territoires hors ceux que vous accompagnez)")
    assert caption("masked").endswith("(masqués pour protéger un petit groupe voisin)")
    nobody = cmp.PeerGroup("cu", "toutes", pd.DataFrame(columns=["dimension_id", "status"]), 5)
    assert nobody.caption == (
        "CU de toutes tailles — chiffres masqués (aucun territoire n'a accepté la comparaison)"
    )
