"""Comparison helpers: repeat campaigns item by item, renamed ids, differences, the demo table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from diagnostic.comparison import benchmark
from diagnostic.comparison import service as cmp
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
