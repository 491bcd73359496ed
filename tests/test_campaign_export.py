"""Campaign exports: long and wide answers with labels, results, pseudonyms, escaping."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from diagnostic.campaign_export import campaign_export, respondent_codes
from diagnostic.permissions import Actor
from diagnostic.questionnaire import load_questionnaire
from diagnostic.respondent import AccessDenied
from diagnostic.responses import normalize
from diagnostic.store import answers, campaigns
from diagnostic.store.engine import build_engine, migrate, session_scope
from tests.conftest import FIXTURES
from tests.factories import make_world

Q = load_questionnaire(FIXTURES / "mini.yaml")


@pytest.fixture
def setup(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'e.db'}")
    migrate(engine)
    w = make_world(engine, n_participants=3)
    with session_scope(engine) as s:
        for i, p in enumerate(w.participants):
            for qid, raw in {
                "ins_debat": {"level": i + 2},
                "act_libre": {"text": '=HYPERLINK("http://x") Région Île-de-France'},
            }.items():
                answers.save_answer(
                    s,
                    participant_id=p.id,
                    question_id=qid,
                    answer=normalize(Q, Q.question(qid), raw),
                )
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
    assert header.split(";")[:3] == ["Répondant·e", "Structure", "Type de structure"]
    assert len(rows) == 6
    assert rows[0].startswith("R01;CC Test;Intercommunalité")
    assert "Les instances laissent de la place au débat contradictoire." in text
    assert "Jeanne" not in text  # pseudonymous unless asked
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    assert out.filename.endswith(".csv")


def test_names_only_for_the_coordinator_who_asks(setup):
    engine, w, qdir, coordinator, consultant = setup
    named = campaign_export(
        engine, coordinator, w.campaign_id, qdir, fmt="csv", min_group_size=3, with_names=True
    )
    assert "Jeanne Dupont" in named.data.decode("utf-8-sig")
    hidden = campaign_export(
        engine, consultant, w.campaign_id, qdir, fmt="csv", min_group_size=3, with_names=True
    )
    assert "Jeanne" not in hidden.data.decode("utf-8-sig")


def test_xlsx_has_answers_and_results_sheets(setup):
    engine, w, qdir, coordinator, _ = setup
    out = campaign_export(engine, coordinator, w.campaign_id, qdir, fmt="xlsx", min_group_size=3)
    book = openpyxl.load_workbook(io.BytesIO(out.data))
    assert book.sheetnames[:4] == ["Réponses (long)", "Réponses (large)", "Dimensions", "Items"]
    wide = book["Réponses (large)"]
    assert [c.value for c in wide[1]][:6] == [
        "Répondant·e",
        "Structure",
        "Type de structure",
        "Fonction",
        "Envoyé",
        "act_libre",
    ]
    assert wide.max_row == 4
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


def test_pseudonyms_follow_invitation_order():
    import pandas as pd

    assert respondent_codes(pd.DataFrame({"participant_id": [12, 3, 7]})) == {
        3: "R01",
        7: "R02",
        12: "R03",
    }
