"""The review of the previous roadmap through its service, its command line and the roadmap
document: the previous campaign found, items linked across renamed ids (a test renamed.yaml),
access kept to the territory, the privacy rule, the exports."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from diagnostic.cli import main
from diagnostic.errors import AccessDenied
from diagnostic.roadmap import planning, review_service, tracking
from diagnostic.roadmap.review import COMPARED, NOT_ASKED
from diagnostic.store import accounts, campaigns, roadmap
from diagnostic.store.engine import get_engine, session_scope
from diagnostic.store.models import Campaign
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world, store_answers

MINI_V2 = (
    (FIXTURES / "mini.yaml")
    .read_text(encoding="utf-8")
    .replace('version: "1"', 'version: "2"')
    .replace("id: ins_debat", "id: ins_debat_public")
)


def actor_of(engine, user):
    with session_scope(engine) as s:
        return accounts.actor_for(s, user_id=user.id)


def answer_all(engine, campaign_id, questionnaire, levels):
    """Six respondents (three EPCI, three communes), `levels`: {question: [level…]}."""
    from diagnostic.questionnaire.registry import get_questionnaire
    from diagnostic.settings import get_settings

    q = get_questionnaire(get_settings().questions_dir, *questionnaire)
    with session_scope(engine) as s:
        campaign = s.get(Campaign, campaign_id)
        territory = campaign.territory_id
        from diagnostic.store import territories

        communes = territories.member_communes(s, territory_id=territory)
        places = [territory] * 3 + [c.id for c in communes] + [communes[0].id]
        for i, place in enumerate(places):
            p, _ = campaigns.add_participant(
                s, campaign_id=campaign_id, role="dgs", structure_id=place
            )
            raw = {}
            for qid, values in levels.items():
                if qid == "ins_codir":
                    raw[qid] = {"current": values[i], "target": 5, "importance": 2}
                else:
                    raw[qid] = {"level": values[i]}
            store_answers(s, q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)


@pytest.fixture
def loop(app_env, questions_dir):
    """A territory with a 2023 campaign on mini 1 whose roadmap kept two actions (one linked to
    ins_debat, renamed ins_debat_public in mini 2), and a 2026 campaign on mini 2."""
    (questions_dir / "questionnaires" / "mini-2.yaml").write_text(MINI_V2, encoding="utf-8")
    (questions_dir / "renamed.yaml").write_text(
        "renamed:\n  mini:\n    ins_debat: ins_debat_public\n", encoding="utf-8"
    )
    engine = get_engine(app_env)
    from diagnostic.store.engine import migrate

    migrate(engine)
    user = make_user(engine)
    world = make_world(engine, coordinator=user, n_participants=0)
    before = world.campaign_id
    with session_scope(engine) as s:
        s.get(Campaign, before).opened_at = datetime(2023, 3, 1, tzinfo=UTC)
        after = campaigns.create_campaign(
            s,
            territory_id=world.territory.id,
            title="Diagnostic 2026",
            questionnaire_id="mini",
            questionnaire_version="2",
        ).id
        roadmap.apply_changes(
            s,
            campaign_id=before,
            insert=[
                {
                    "dimension": "instances",
                    "title": "Ouvrir le débat",
                    "position": 0,
                    "status": "accepted",
                    "origin": "manual",
                    "details": {"evidence": [{"question_id": "ins_debat", "item": "Débat"}]},
                },
                {
                    "dimension": "instances",
                    "title": "Réunir le CoDir",
                    "position": 1,
                    "status": "done",
                    "origin": "manual",
                    "details": {"evidence": [{"question_id": "ins_codir", "item": "CoDir"}]},
                },
            ],
            update={},
            delete=[],
            actor="test",
        )
    answer_all(
        engine, before, ("mini", "1"), {"ins_codir": [2] * 6, "ins_debat": [1, 1, 1, 5, 5, 5]}
    )
    answer_all(engine, after, ("mini", "2"), {"ins_codir": [2] * 6, "ins_debat_public": [4] * 6})
    coordinator = actor_of(engine, user)
    items = {i.title: i.id for i in planning.plan(engine, coordinator, before)}
    tracking.record(
        engine, coordinator, before, items["Ouvrir le débat"], status="fait", on=date(2024, 6, 1)
    )
    return engine, coordinator, before, after


def test_the_previous_campaign_is_found_and_items_follow_the_renamed_ids(loop):
    engine, coordinator, before, after = loop
    assert review_service.previous_campaign_id(engine, coordinator, after) == before
    assert review_service.previous_campaign_id(engine, coordinator, before) is None
    assert review_service.review_for(engine, coordinator, before) is None
    found = review_service.review_for(engine, coordinator, after)
    debat, codir = found.actions
    assert (debat.status, codir.status) == ("fait", "a_lancer")
    (move,) = debat.moves
    assert (move.key, move.after_id, move.state) == ("ins_debat", "ins_debat_public", COMPARED)
    assert debat.reading == (
        "Action faite, perception en hausse d'un niveau, désormais partagée, "
        "écart intercommunalité–communes atténué"
    )
    assert codir.reading == "Action pas encore lancée, perception inchangée"


def test_another_territory_sees_nothing(loop):
    engine, _, _, after = loop
    stranger = make_user(engine, "autre@exemple.fr")
    other = make_world(engine, name="CC Autre", coordinator=stranger, n_participants=0)
    assert other.campaign_id
    with pytest.raises(AccessDenied):
        review_service.review_for(engine, actor_of(engine, stranger), after)


def test_a_previous_campaign_with_too_few_answers_shows_no_value(loop, monkeypatch):
    engine, coordinator, before, after = loop
    monkeypatch.setenv("MIN_GROUP_SIZE", "7")
    from diagnostic.settings import get_settings

    get_settings.cache_clear()
    found = review_service.review_for(engine, coordinator, after)
    assert {m.state for a in found.actions for m in a.moves} == {"masque"}
    assert all(m.before is None and m.after is None for a in found.actions for m in a.moves)


def test_the_short_variant_names_the_items_not_asked(loop, questions_dir):
    engine, coordinator, before, after = loop
    text = MINI_V2.replace('version: "2"', 'version: "3"')
    start, end = text.index("      - id: ins_debat_public\n"), text.index("  - id: acteurs")
    (questions_dir / "questionnaires" / "mini-3.yaml").write_text(
        text[:start] + text[end:], encoding="utf-8"
    )
    from diagnostic.questionnaire import registry

    registry.clear_cache()
    with session_scope(engine) as s:
        s.get(Campaign, after).questionnaire_version = "3"
    found = review_service.review_for(engine, coordinator, after)
    assert found.actions[0].moves[0].state == NOT_ASKED
    assert found.actions[0].reading == (
        "Action faite ; pas encore mesurable : item non posé dans le questionnaire court"
    )


def test_review_export_escapes_formulas(loop):
    engine, coordinator, before, after = loop
    with session_scope(engine) as s:
        roadmap.edit_item(
            s, campaign_id=before, item_id=1, fields={"title": "=HYPERLINK(1)"}, actor="test"
        )
    built = review_service.review_export(engine, coordinator, after, "csv")
    text = built.data.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "Lecture de l'item" in text
    book = openpyxl.load_workbook(
        io.BytesIO(review_service.review_export(engine, coordinator, after, "xlsx").data)
    )
    assert book.active["A2"].value == "'=HYPERLINK(1)"
    assert review_service.review_export(engine, coordinator, before, "csv") is None


def test_suivi_command_prints_and_writes_each_format(loop, capsys, tmp_path):
    _, _, before, after = loop
    assert main(["suivi", "--campaign", str(after), "--date", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    assert "# 1. Suivi de la feuille de route — Diagnostic 2026" in out
    assert "Aucune action retenue dans cette feuille de route." in out
    assert "## 2. Bilan de la feuille de route précédente" in out
    assert "Action faite, perception en hausse d'un niveau, désormais partagée" in out
    assert main(["suivi", "--campaign", str(before), "--date", "2026-11-29"]) == 0
    out = capsys.readouterr().out
    assert "| Ouvrir le débat | Faite | 1er juin 2024 | 100 |" in out and "Bilan" not in out
    target = tmp_path / "suivi.csv"
    assert main(["suivi", "--campaign", str(after), "--format", "csv", "-o", str(target)]) == 0
    assert target.is_file() and (tmp_path / "suivi-bilan.csv").is_file()
    assert "Ouvrir le débat" in (tmp_path / "suivi-bilan.csv").read_text(encoding="utf-8-sig")
    book = tmp_path / "suivi.xlsx"
    assert main(["suivi", "--campaign", str(after), "--format", "xlsx", "-o", str(book)]) == 0
    assert openpyxl.load_workbook(book).sheetnames == ["Suivi", "Bilan"]
    assert main(["suivi", "--campaign", str(after), "--format", "xlsx"]) == 1
    assert "-o FICHIER.xlsx" in capsys.readouterr().err
    assert main(["suivi", "--campaign", "999"]) == 1
    assert "campagne 999 introuvable" in capsys.readouterr().err


def test_the_roadmap_document_carries_the_bilan_section(loop, tmp_path, capsys):
    _, _, before, after = loop
    out = tmp_path / "fdr.md"
    code = main(["roadmap", "--campaign", str(after), "--format", "md", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert "### 1.3 Bilan de la feuille de route précédente" in text
    assert "2 actions retenues dans « Campagne » : 1 faite, 1 à lancer." in text
    assert "« Les instances laissent de la place au débat contradictoire » : 3 → 4" in text
    earlier = tmp_path / "avant.md"
    assert main(["roadmap", "--campaign", str(before), "--format", "md", "-o", str(earlier)]) == 0
    assert "Bilan de la feuille de route précédente" not in earlier.read_text(encoding="utf-8")


def test_items_chosen_by_the_collective_are_named_in_the_roadmap_document(loop, tmp_path):
    """Links edited on the « Suivi » page reach part 6 of the document; default links (the
    evidence, already under « Pourquoi cette action ? ») add no line."""
    engine, coordinator, before, _ = loop
    items = {i.title: i.id for i in planning.plan(engine, coordinator, before)}
    out = tmp_path / "avant.md"
    assert main(["roadmap", "--campaign", str(before), "--format", "md", "-o", str(out)]) == 0
    assert "Items suivis, choisis par le collectif" not in out.read_text(encoding="utf-8")
    tracking.link(engine, coordinator, before, items["Réunir le CoDir"], ["ins_debat"])
    assert main(["roadmap", "--campaign", str(before), "--format", "md", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert (
        "**Items suivis, choisis par le collectif :** « Les instances laissent de la place au "
        "débat contradictoire »." in text
    )
