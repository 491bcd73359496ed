"""Data protection: notice, a respondent's own data, erasures, retention purge (both bases)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from diagnostic.accounts.permissions import Actor
from diagnostic.cli import main
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.privacy import service as privacy
from diagnostic.questionnaire import load_questionnaire, registry
from diagnostic.questionnaire.codecs import describe_answer
from diagnostic.settings import Settings, get_settings
from diagnostic.store import accounts, answers, campaigns
from diagnostic.store.engine import get_engine, session_scope
from diagnostic.store.models import (
    Answer,
    AuditEvent,
    Campaign,
    ConsensusScore,
    Participant,
    RoadmapItem,
    now,
)
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world, store_answers

Q = load_questionnaire(FIXTURES / "mini.yaml")


def respondent(pid: int, campaign_id: int = 1) -> Actor:
    return Actor(kind="respondent", participant_id=pid, campaign_id=campaign_id)


def save(engine, pid, qid, raw):
    with session_scope(engine) as s:
        store_answers(s, Q, pid, {qid: raw})


def actor_of(engine, user) -> Actor:
    with session_scope(engine) as s:
        return accounts.actor_for(s, user_id=user.id)


def events(engine, action):
    with session_scope(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


# --- notice and answers in words (pure) -------------------------------------------------------


def test_notice_fills_in_the_settings():
    settings = Settings(retention_days=200, min_group_size=4, public_url="https://diag.fr")
    text = privacy.notice(settings)
    assert "**200 jours après sa clôture**" in text
    workshop = " ".join(text.split("### Combien de temps ?")[1].split("###")[0].split())
    assert (
        "**vos données d'atelier** (place, pseudonyme, contributions, votes) sont effacées avec "
        "la campagne de votre territoire, ou par la purge 200 jours après sa clôture"
    ) in workshop
    assert "groupes d'au moins 4" in text
    assert "https://diag.fr" in text
    assert (
        "à confirmer par le délégué à la protection des\ndonnées de la collectivité responsable"
        in text
    )
    assert "$" not in text
    for heading in ("Quelles données", "Pourquoi", "Combien de temps", "Qui voit quoi"):
        assert f"### {heading}" in text
    assert "Effacer mes réponses" in text and "transmises à aucun tiers" in text


@pytest.mark.parametrize(
    ("qid", "value", "words"),
    [
        ("ins_debat", {"level": 3}, "3 — Formalisé"),
        ("ins_debat", {"dont_know": True}, "Je ne sais pas / sans objet"),
        (
            "ins_codir",
            {"current": 2, "target": 4, "importance": 3},
            "actuel : 2 — Émergent ; visé : 4 — Piloté ; importance : prioritaire",
        ),
        ("ctx_structure", {"choice": "epci"}, "L'intercommunalité (EPCI)"),
        (
            "ctx_outils",
            {"choices": ["pacte", "codir"]},
            "Pacte de gouvernance ; CoDir de territoire",
        ),
        (
            "act_priorites",
            {"ranking": ["habitat", "mobilites"]},
            "1. Habitat et logement ; 2. Mobilités et transports",
        ),
        (
            "act_grille",
            {"rows": {"departement": {"current": 1, "desired": 3}, "region": {"current": "nsp"}}},
            "Département : aujourd'hui 1 — Information, souhaitée 3 — Coopération ; "
            "Région : aujourd'hui je ne sais pas",
        ),
        ("act_libre", {"text": "=1+1"}, "=1+1"),
        ("ins_debat", {"level": None}, ""),
    ],
)
def test_answers_in_words(qid, value, words):
    assert describe_answer(Q, Q.question(qid), value) == words


# --- a respondent's own data ------------------------------------------------------------------


def test_respondent_downloads_own_data_with_question_labels(engine):
    world = make_world(engine, n_participants=2)
    pid = world.participants[0].id
    save(engine, pid, "ins_debat", {"level": 3})
    save(engine, pid, "act_libre", {"text": '=HYPERLINK("x")'})
    save(engine, pid, "ctx_structure", {"choice": "commune"})
    save(engine, world.participants[1].id, "ins_debat", {"level": 1})
    me = respondent(pid, world.campaign_id)

    out = privacy.export_my_data(engine, me, Q, pid, "csv")
    assert out.filename == "mes-donnees-diagnostic.csv"
    rows = list(csv.reader(io.StringIO(out.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Partie", "Question", "Réponse", "Valeur enregistrée", "Modifiée le"]
    assert [r[1] for r in rows[1:]] == [
        "Dans quelle structure exercez-vous ?",
        "Les instances laissent de la place au débat contradictoire.",
        "Quel acteur manque aujourd'hui autour de la table ?",
    ]
    assert rows[1][0] == "Vous et votre structure" and rows[1][2] == "Une commune membre"
    assert rows[3][2] == '\'=HYPERLINK("x")'  # neutralised for spreadsheets
    assert len(rows) == 4  # nothing of the other respondent

    data = json.loads(privacy.export_my_data(engine, me, Q, pid, "json").data)
    assert data["Invitation"][0]["Structure"] == "CC Test"
    assert data["Invitation"][0]["Fonction"] == "DGS"
    assert data["Réponses"][1]["Réponse"] == "3 — Formalisé"
    assert data["Réponses"][2]["Réponse"] == '=HYPERLINK("x")'
    logged = events(engine, "privacy.export")
    assert [(e.actor, e.target, e.details["format"]) for e in logged] == [
        (f"répondant {pid}", f"participant:{pid}", "csv"),
        (f"répondant {pid}", f"participant:{pid}", "json"),
    ]


def test_nobody_else_downloads_or_erases_a_respondents_data(engine):
    world = make_world(engine, n_participants=2)
    pid = world.participants[0].id
    user = make_user(engine, admin=True)
    for actor in (respondent(world.participants[1].id), actor_of(engine, user), Actor()):
        with pytest.raises(AccessDenied):
            privacy.export_my_data(engine, actor, Q, pid, "csv")
        with pytest.raises(AccessDenied):
            privacy.erase_my_data(engine, actor, pid)
    assert events(engine, "privacy.export") == []


def test_respondent_erasure_deletes_answers_removes_name_and_link(engine):
    world = make_world(engine, n_participants=2)
    with session_scope(engine) as s:
        p, token = campaigns.add_participant(
            s,
            campaign_id=world.campaign_id,
            role="dst",
            structure_id=world.territory.id,
            name="Jeanne Dupont",
        )
    save(engine, p.id, "ins_debat", {"level": 3})
    save(engine, p.id, "act_libre", {"text": "Ma réponse"})
    save(engine, world.participants[0].id, "ins_debat", {"level": 2})

    assert privacy.erase_my_data(engine, respondent(p.id), p.id) == 2
    with session_scope(engine) as s:
        row = s.get(Participant, p.id)
        assert (row.name, row.started_at, row.submitted_at) == (None, None, None)
        assert row.revoked_at is not None and (row.role, row.structure_id) == (
            "dst",
            world.territory.id,
        )
        assert campaigns.participant_by_token(s, token=token) is None
        assert not s.exec(select(Answer).where(Answer.participant_id == p.id)).all()
        assert answers.answers_of(s, participant_id=world.participants[0].id)  # others kept
        logged = s.exec(select(AuditEvent)).all()
    erased = [e for e in logged if e.action == "privacy.erase_self"]
    assert len(erased) == 1 and erased[0].details["answers"] == 2
    assert all("Dupont" not in f"{e.actor} {e.target} {e.details}" for e in logged)


# --- the coordinator's erasures ---------------------------------------------------------------


def test_coordinator_erases_one_respondent_of_their_own_territory_only(engine):
    user = make_user(engine)
    world = make_world(engine, coordinator=user, n_participants=2)
    other = make_world(engine, name="CC Autre", n_participants=1)
    pid = world.participants[0].id
    save(engine, pid, "ins_debat", {"level": 3})
    coord = actor_of(engine, user)
    assert privacy.erase_participant(engine, coord, pid) == 1
    assert [e.actor for e in events(engine, "participant.erase")] == ["coord@exemple.fr"]
    with pytest.raises(AccessDenied):
        privacy.erase_participant(engine, coord, other.participants[0].id)
    with pytest.raises(AccessDenied):
        privacy.erase_participant(engine, coord, 99999)
    with pytest.raises(AccessDenied):
        privacy.erase_participant(engine, respondent(pid), pid)


def test_campaign_erasure_needs_the_exact_title_then_removes_everything(engine):
    user = make_user(engine)
    world = make_world(engine, coordinator=user, n_participants=3)
    kept = make_world(engine, name="CC Autre", coordinator=user, n_participants=1)
    for p in world.participants + kept.participants:
        save(engine, p.id, "ins_debat", {"level": 2})
    with session_scope(engine) as s:
        s.add(ConsensusScore(campaign_id=world.campaign_id, question_id="ins_debat", level=3))
        s.add(RoadmapItem(campaign_id=world.campaign_id, dimension="instances", title="Agir"))
    coord = actor_of(engine, user)
    with pytest.raises(StoreError, match="recopiez exactement le titre « Campagne »"):
        privacy.erase_campaign(engine, coord, world.campaign_id, "campagne")
    with session_scope(engine) as s:
        assert s.get(Campaign, world.campaign_id) is not None
    stranger = actor_of(engine, make_user(engine, "autre@exemple.fr"))
    with pytest.raises(AccessDenied):
        privacy.erase_campaign(engine, stranger, world.campaign_id, "Campagne")

    done = privacy.erase_campaign(engine, coord, world.campaign_id, "  Campagne ")
    assert (done.participants, done.answers, done.consensus, done.roadmap) == (3, 3, 1, 1)
    with session_scope(engine) as s:
        assert s.get(Campaign, world.campaign_id) is None
        assert not s.exec(
            select(Participant).where(Participant.campaign_id == world.campaign_id)
        ).all()
        assert len(s.exec(select(Answer)).all()) == 1  # the other campaign's answer
        assert not s.exec(select(ConsensusScore)).all() and not s.exec(select(RoadmapItem)).all()
    (event,) = events(engine, "campaign.erase")
    assert event.target == f"campaign:{world.campaign_id}" and event.details["answers"] == 3


# --- retention ------------------------------------------------------------------------------


def close(engine, campaign_id, days_ago):
    with session_scope(engine) as s:
        campaign = s.get(Campaign, campaign_id)
        campaign.status = "closed"
        campaign.closed_at = now() - timedelta(days=days_ago)
        s.add(campaign)


def named_world(engine, name):
    world = make_world(engine, name=name, n_participants=2)
    with session_scope(engine) as s:
        for p in world.participants:
            row = s.get(Participant, p.id)
            row.name = f"Personne {p.id}"
            s.add(row)
    for p in world.participants:
        save(engine, p.id, "ins_debat", {"level": 4})
    return world


def test_purge_anonymises_expired_campaigns_keeps_answers_and_is_idempotent(engine):
    old = named_world(engine, "CC Ancienne")
    recent = named_world(engine, "CC Récente")
    still_open = named_world(engine, "CC Ouverte")
    close(engine, old.campaign_id, 400)
    close(engine, recent.campaign_id, 10)

    dry = privacy.purge_expired(engine, retention_days=365, dry_run=True)
    assert [(c.campaign_id, c.participants) for c in dry.campaigns] == [(old.campaign_id, 2)]
    with session_scope(engine) as s:
        assert s.get(Participant, old.participants[0].id).name is not None
    assert events(engine, "campaign.purge") == []

    report = privacy.purge_expired(engine, retention_days=365)
    assert report.participants == 2 and not report.dry_run
    with session_scope(engine) as s:
        for p in old.participants:
            row = s.get(Participant, p.id)
            assert row.name is None and row.revoked_at is not None
            assert answers.answers_of(s, participant_id=p.id) == {"ins_debat": {"level": 4}}
        for p in recent.participants + still_open.participants:
            assert s.get(Participant, p.id).name is not None
        assert campaigns.participant_by_token(s, token=still_open.tokens[0]) is not None
    (event,) = events(engine, "campaign.purge")
    assert event.details == {"participants": 2}
    assert privacy.purge_expired(engine, retention_days=365).campaigns == []
    assert len(privacy.purge_expired(engine, retention_days=5).campaigns) == 1  # the recent one


@pytest.fixture
def cli_env(engine, questions_dir, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("QUESTIONS_DIR", str(questions_dir))
    monkeypatch.setenv("LOAD_DEMO", "false")
    monkeypatch.setenv("RETENTION_DAYS", "30")
    for cache in (get_settings, registry, get_engine):
        (cache.clear_cache if cache is registry else cache.cache_clear)()
    yield engine
    for cache in (get_settings, registry, get_engine):
        (cache.clear_cache if cache is registry else cache.cache_clear)()


def test_cli_purge_dry_run_then_real(cli_env, capsys):
    world = named_world(cli_env, "CC Ancienne")
    close(cli_env, world.campaign_id, 31)
    assert main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Campagne {world.campaign_id} « Campagne » close le ")
    assert out[0].endswith(": 2 seraient anonymisé·es")
    assert out[1] == "Simulation : 2 participant·es dans 1 campagne, rien n'a été modifié."
    assert main(["purge"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        "2 participant·es anonymisé·es dans 1 campagne : noms effacés, liens désactivés, "
        "réponses conservées sans nom."
    )
    assert main(["purge"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Rien à purger : aucune campagne close avant le ")
    assert "(RETENTION_DAYS = 30)" in out


# --- workshop data under retention --------------------------------------------------------------


def joint_workshop(engine, questions_dir):
    """Two territories in one workshop, each with a seat that posts and votes."""
    import shutil

    from diagnostic.accounts.access import actor_for_user
    from diagnostic.workshop import live, programme_for
    from diagnostic.workshop import service as workshops
    from tests.conftest import ROOT

    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    prog = programme_for(questions_dir)
    step = {s.kind: i for i, s in reversed(list(enumerate(prog.steps)))}
    old, kept = named_world(engine, "CC Ancienne"), named_world(engine, "CC Gardée")
    user = make_user(engine, "animation@exemple.fr")
    with session_scope(engine) as s:
        for w in (old, kept):
            accounts.grant(
                s, user_id=user.id, territory_id=w.territory.id, role="facilitator", actor="t"
            )
    facilitator = actor_for_user(engine, user.id)
    made = workshops.create(
        engine,
        facilitator,
        title="Séminaire",
        campaign_ids=[old.campaign_id, kept.campaign_id],
        controlled=False,
    )
    wid, tokens = made.workshop_id, {}
    workshops.go_to(engine, facilitator, wid, step["collective"], prog)
    for w, tag in ((old, "ancien"), (kept, "gardé")):
        seat, tokens[tag] = workshops.join(
            engine, made.code, nickname=f"Pseudo {tag}", territory_id=w.territory.id, role="dgs"
        )
        post = workshops.post(engine, seat, prog, step=step["collective"], text=f"Chantier {tag}")
        workshops.vote(
            engine, seat, kind=live.LEVEL, target="ins_debat", value=2, campaign_id=w.campaign_id
        )
        workshops.vote(engine, seat, kind=live.IMPACT, target=str(post.id), value=2)
    return old, kept, facilitator, wid, tokens


def workshop_texts(engine, wid):
    from diagnostic.store.models import Contribution, WorkshopParticipant, WorkshopVote

    with session_scope(engine) as s:
        seats = s.exec(select(WorkshopParticipant).where(WorkshopParticipant.workshop_id == wid))
        posts = s.exec(select(Contribution).where(Contribution.workshop_id == wid))
        votes = s.exec(select(WorkshopVote).where(WorkshopVote.workshop_id == wid))
        return (
            sorted(r.nickname for r in seats),
            sorted(r.text for r in posts),
            len(votes.all()),
        )


def test_purge_erases_the_workshop_data_of_expired_campaigns(engine, questions_dir):
    from diagnostic.workshop import service as workshops

    old, kept, facilitator, wid, tokens = joint_workshop(engine, questions_dir)
    close(engine, old.campaign_id, 400)
    everything = (["Pseudo ancien", "Pseudo gardé"], ["Chantier ancien", "Chantier gardé"], 4)
    assert workshop_texts(engine, wid) == everything

    dry = privacy.purge_expired(engine, retention_days=365, dry_run=True)
    [line] = dry.campaigns
    assert (line.campaign_id, line.workshop_seats, line.workshop_posts) == (old.campaign_id, 1, 1)
    assert workshop_texts(engine, wid) == everything

    report = privacy.purge_expired(engine, retention_days=365)
    assert (report.workshop_seats, report.workshop_posts, report.workshop_votes) == (1, 1, 2)
    assert workshop_texts(engine, wid) == (["Pseudo gardé"], ["Chantier gardé"], 2)
    assert workshops.seat(engine, wid, tokens["ancien"]) is None
    assert workshops.seat(engine, wid, tokens["gardé"]) is not None
    (event,) = events(engine, "campaign.purge")
    assert event.details == {
        "participants": 2,
        "workshop_seats": 1,
        "workshop_posts": 1,
        "workshop_votes": 2,
    }
    assert privacy.purge_expired(engine, retention_days=365).campaigns == []  # idempotent


def test_purge_also_erases_workshop_data_left_by_an_older_campaign_erasure(engine, questions_dir):
    """A base whose campaign was erased before this version kept the workshop's seats and
    posts of that territory: the next purge removes them."""
    from diagnostic.store.models import WorkshopCampaign

    old, kept, facilitator, wid, _ = joint_workshop(engine, questions_dir)
    with session_scope(engine) as s:
        link = s.get(WorkshopCampaign, (wid, old.campaign_id))
        s.delete(link)
    report = privacy.purge_expired(engine, retention_days=365)
    assert report.orphans == 1 + 1 + 2  # one seat, one post, two votes
    assert workshop_texts(engine, wid) == (["Pseudo gardé"], ["Chantier gardé"], 2)
    assert privacy.purge_expired(engine, retention_days=365).orphans == 0


def test_cli_purge_reports_workshop_data(cli_env, questions_dir, capsys):
    old, kept, *_ = joint_workshop(cli_env, questions_dir)
    close(cli_env, old.campaign_id, 31)
    assert main(["purge"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(": 2 anonymisé·es, atelier : 1 place et 1 contribution effacées")
    assert "1 place d'atelier, 1 contribution et 2 votes effacés" in out[-1]
