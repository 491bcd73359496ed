"""Campaign exports: long and wide answers with labels, results, pseudonyms, escaping, and
nobody recognisable in a pseudonymous export."""

from __future__ import annotations

import io
import json
import random

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostic.accounts.permissions import Actor
from diagnostic.campaigns.export import (
    DESCRIBING,
    OTHER,
    campaign_export,
    generalise,
    respondent_codes,
)
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire import load_questionnaire
from diagnostic.store import campaigns
from diagnostic.store.engine import build_engine, migrate, session_scope
from tests.conftest import FIXTURES
from tests.factories import make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")


@pytest.fixture
def setup(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'e.db'}")
    migrate(engine)
    w = make_world(engine, n_participants=3)
    with session_scope(engine) as s:
        for i, p in enumerate(w.participants):
            raw = {
                "ins_debat": {"level": i + 2},
                "act_libre": {"text": '=HYPERLINK("http://x") Région Île-de-France'},
            }
            store_answers(s, Q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)
        named = s.get(campaigns.Participant, w.participants[0].id)
        named.name = "Jeanne Dupont"
        s.add(named)
    qdir = tmp_path / "questions"
    (qdir / "questionnaires").mkdir(parents=True)
    (qdir / "questionnaires" / "mini.yaml").write_text(
        (FIXTURES / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    coordinator = Actor(
        kind="user", user_id=1, memberships=frozenset({(w.territory.id, "coordinator")})
    )
    consultant = Actor(
        kind="user", user_id=2, memberships=frozenset({(w.territory.id, "consultant")})
    )
    return engine, w, qdir, coordinator, consultant


def test_csv_long_has_labels_pseudonyms_and_neutralised_formulas(setup):
    engine, w, qdir, coordinator, _ = setup
    out = campaign_export(engine, coordinator, w.campaign_id, qdir, fmt="csv", min_group_size=3)
    text = out.data.decode("utf-8-sig")
    header, *rows = text.strip().split("\r\n")
    # three DGS, one in each structure: the function is shared by three people, the
    # structures and their kinds (1 EPCI, 2 communes) are not, so they are left out
    assert header.split(";")[:3] == ["Répondant·e", "Fonction", "Partie"]
    assert "Structure" not in header and "Modifiée le" not in header and "Envoyé" not in header
    assert len(rows) == 6
    assert [r.split(";")[:2] for r in rows[::2]] == [["R01", "DGS"], ["R02", "DGS"], ["R03", "DGS"]]
    assert "Les instances laissent de la place au débat contradictoire." in text
    assert "Jeanne" not in text  # pseudonymous
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    assert out.filename.endswith(".csv")


def name_campaign(engine, campaign_id, named=True):
    """Test set-up only: the app refuses the switch once answers exist."""
    with session_scope(engine) as s:
        campaign = s.get(campaigns.Campaign, campaign_id)
        campaign.named_answers = named
        s.add(campaign)


def test_names_only_in_a_named_campaign_and_only_for_its_coordination(setup):
    engine, w, qdir, coordinator, consultant = setup
    with pytest.raises(ValueError, match="cette campagne n'est pas nominative"):
        campaign_export(
            engine, coordinator, w.campaign_id, qdir, fmt="csv", min_group_size=3, with_names=True
        )
    name_campaign(engine, w.campaign_id)
    named = campaign_export(
        engine, coordinator, w.campaign_id, qdir, fmt="csv", min_group_size=3, with_names=True
    ).data.decode("utf-8-sig")
    header = named.split("\r\n")[0].split(";")
    assert header[:5] == ["Répondant·e", "Structure", "Type de structure", "Fonction", "Envoyé"]
    assert "Modifiée le" in header
    assert "Jeanne Dupont;CC Test;Intercommunalité;DGS;oui" in named
    assert f"Répondant·e n° {w.participants[1].id};" in named  # no name given: their number
    with pytest.raises(ValueError, match="réservés à la coordination"):
        campaign_export(
            engine, consultant, w.campaign_id, qdir, fmt="csv", min_group_size=3, with_names=True
        )
    hidden = campaign_export(engine, consultant, w.campaign_id, qdir, fmt="xlsx", min_group_size=3)
    book = openpyxl.load_workbook(io.BytesIO(hidden.data))
    cells = {c.value for sheet in book for row in sheet.iter_rows() for c in row}
    assert "Jeanne Dupont" not in cells


def test_xlsx_has_answers_and_results_sheets(setup):
    engine, w, qdir, coordinator, _ = setup
    out = campaign_export(engine, coordinator, w.campaign_id, qdir, fmt="xlsx", min_group_size=3)
    book = openpyxl.load_workbook(io.BytesIO(out.data))
    assert book.sheetnames[:4] == ["Réponses (long)", "Réponses (large)", "Dimensions", "Items"]
    wide = book["Réponses (large)"]
    assert [c.value for c in wide[1]][:3] == ["Répondant·e", "Fonction", "act_libre"]
    assert [row[0].value for row in wide.iter_rows(min_row=2)] == ["R01", "R02", "R03"]
    items = {row[1].value: row for row in book["Items"].iter_rows(min_row=2)}
    debat = items["Les instances laissent de la place au débat contradictoire."]
    assert debat[4].value == 50  # levels 2, 3, 4: mean 3 -> 50/100
    for row in book["Réponses (long)"].iter_rows(min_row=2):
        for cell in row:
            assert not (isinstance(cell.value, str) and cell.value.startswith("="))


def test_json_and_refusals(setup):
    engine, w, qdir, coordinator, _ = setup
    out = campaign_export(engine, coordinator, w.campaign_id, qdir, fmt="json", min_group_size=3)
    assert "Réponses (long)" in out.data.decode("utf-8")
    json.loads(out.data)
    stranger = Actor(kind="user", user_id=9, memberships=frozenset({(999, "coordinator")}))
    with pytest.raises(AccessDenied):
        campaign_export(engine, stranger, w.campaign_id, qdir, fmt="csv", min_group_size=3)
    with pytest.raises(ValueError, match="format inconnu"):
        campaign_export(engine, coordinator, w.campaign_id, qdir, fmt="pdf", min_group_size=3)


def test_only_sent_questionnaires_and_from_the_threshold_on(setup):
    engine, w, qdir, coordinator, _ = setup
    with session_scope(engine) as s:
        campaigns.reopen(s, participant_id=w.participants[2].id, actor="test")
    text = campaign_export(
        engine, coordinator, w.campaign_id, qdir, fmt="csv", min_group_size=2
    ).data.decode("utf-8-sig")
    assert len(text.strip().split("\r\n")) == 1 + 2 * 2  # two people sent, two answers each
    with pytest.raises(ValueError, match="pas encore de réponses à exporter : il faut 3"):
        campaign_export(engine, coordinator, w.campaign_id, qdir, fmt="csv", min_group_size=3)
    book = openpyxl.load_workbook(
        io.BytesIO(
            campaign_export(
                engine, coordinator, w.campaign_id, qdir, fmt="xlsx", min_group_size=3
            ).data
        )
    )
    assert book.sheetnames == ["Participation"]
    name_campaign(engine, w.campaign_id)  # a named export shows every answer, sent or not
    named = campaign_export(
        engine, coordinator, w.campaign_id, qdir, fmt="csv", min_group_size=3, with_names=True
    ).data.decode("utf-8-sig")
    assert len(named.strip().split("\r\n")) == 1 + 3 * 2 and ";non;" in named


def test_pseudonyms_are_drawn_at_random_not_in_invitation_order():
    ids = list(range(1, 21))
    draws = [respondent_codes(ids, random.Random(seed)) for seed in range(5)]
    drawn = {tuple(codes[i] for i in ids) for codes in draws}
    assert len(drawn) == 5  # a new draw each time (20! orders)
    codes = respondent_codes(ids, random.Random(0))
    assert sorted(codes.values()) == [f"R{i:02d}" for i in range(1, 21)]
    assert [codes[i] for i in ids] != sorted(codes.values())


# --- nobody stands out in a pseudonymous export -----------------------------------------------


def people(**columns):
    frame = pd.DataFrame(columns)
    return frame.assign(**{"Répondant·e": [f"R{i:02d}" for i in range(1, len(frame) + 1)]})


def test_small_roles_merge_into_autre_fonction():
    found = generalise(people(Fonction=["DGS"] * 4 + ["DGA"] * 2 + ["DST"]), min_group_size=3)
    assert found["Fonction"].tolist() == ["DGS"] * 4 + ["autre fonction"] * 3


def test_a_merged_group_still_too_small_takes_the_smallest_named_one():
    found = generalise(people(Fonction=["DGS"] * 4 + ["DGA"] * 3 + ["DST"]), min_group_size=3)
    assert found["Fonction"].tolist() == ["DGS"] * 4 + ["autre fonction"] * 4
    # the only DST with four DGS: « autre fonction » would be the DST -> no column at all
    alone = generalise(people(Fonction=["DGS"] * 4 + ["DST"]), min_group_size=3)
    assert "Fonction" not in alone


def test_columns_are_kept_only_while_their_combination_hides_everybody():
    frame = people(
        **{
            "Type de structure": ["Intercommunalité"] * 3 + ["Commune"] * 3,
            "Fonction": ["DGS", "DGA", "DGA", "DGS", "DGS", "DGA"],
            "Structure": ["CC"] * 3 + ["A"] * 3,
        }
    )
    found = generalise(frame, min_group_size=3)
    # each column alone is fine; type x function isolates the EPCI's DGS: keep the first
    # column of DESCRIBING whose groups are all large enough together with none other
    assert [c for c in DESCRIBING if c in found] == ["Type de structure", "Structure"]
    assert found.groupby(["Type de structure", "Structure"]).size().min() >= 3


@given(
    roles=st.lists(st.sampled_from(["DGS", "DGA", "DST", "Encadrant·e"]), min_size=3, max_size=30),
    data=st.data(),
    k=st.integers(2, 5),
)
@settings(max_examples=60, deadline=None)
def test_every_group_of_a_pseudonymous_export_has_at_least_k_people(roles, data, k):
    n = len(roles)
    structures = data.draw(st.lists(st.sampled_from("ABCDE"), min_size=n, max_size=n))
    frame = people(
        **{
            "Type de structure": [
                "Intercommunalité" if x == "A" else "Commune" for x in structures
            ],
            "Fonction": roles,
            "Structure": structures,
        }
    )
    found = generalise(frame, min_group_size=k)
    kept = [c for c in DESCRIBING if c in found]
    if kept:
        assert found.groupby(kept).size().min() >= k
    for column in kept:  # merged values are the column's « autre », never another's name
        assert set(found[column]) <= set(frame[column]) | {OTHER[column]}
