"""The live workshop against both databases: codes, seats, moderation, votes, roadmap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from diagnostic.accounts.access import actor_for_user
from diagnostic.accounts.permissions import Actor
from diagnostic.accounts.security import hash_token
from diagnostic.errors import AccessDenied
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.store import accounts
from diagnostic.store import roadmap as roadmap_store
from diagnostic.store.engine import session_scope
from diagnostic.store.models import AuditEvent, Workshop, WorkshopParticipant
from diagnostic.workshop import WorkshopError, live, programme_for, service
from tests.conftest import ROOT
from tests.factories import make_user, make_workshop


@pytest.fixture
def folder(questions_dir: Path) -> Path:
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    return questions_dir


@pytest.fixture
def room(engine, folder):
    """A territory, its campaign, a facilitator (role facilitator only) and an open workshop."""
    world, other, actor, made = make_workshop(engine)
    return world, other, actor, made, programme_for(folder), folder


def step_of(programme, kind: str) -> int:
    return next(i for i, s in enumerate(programme.steps) if s.kind == kind)


def test_create_stores_hashed_screen_token_and_unique_code(engine, room):
    world, other, actor, made, _, _ = room
    with session_scope(engine) as s:
        row = s.get(Workshop, made.workshop_id)
        assert row.code == made.code and len(made.code) == 6
        assert row.screen_token_hash == hash_token(made.screen_token)
        assert made.screen_token not in str(row.model_dump())
    info = service.find(engine, made.code.lower()[:3] + " " + made.code[3:])
    assert info is not None and info.open
    assert {p.territory_name for p in info.places} == {"CC Alpha", "CC Beta"}
    assert service.screen(engine, made.screen_token).id == made.workshop_id
    assert service.screen(engine, "x" * 43) is None
    second = service.create(
        engine, actor, title="", campaign_ids=[world.campaign_id], controlled=True
    )
    assert second.code != made.code
    assert service.facilitated(engine, actor, second.workshop_id).title.startswith("Et demain")


def test_only_a_facilitator_of_every_territory_may_run_it(engine, room):
    world, other, actor, made, _, _ = room
    stranger = actor_for_user(engine, make_user(engine, "autre@exemple.fr").id)
    with pytest.raises(AccessDenied):
        service.facilitated(engine, stranger, made.workshop_id)
    with pytest.raises(AccessDenied):
        service.create(
            engine, stranger, title="x", campaign_ids=[world.campaign_id], controlled=False
        )
    assert service.workshops(engine, stranger) == []
    half = Actor(
        kind="user", user_id=99, memberships=frozenset({(world.territory.id, "facilitator")})
    )
    with pytest.raises(AccessDenied):
        service.go_to(engine, half, made.workshop_id, 1, programme_for(ROOT / "questions"))
    admin = actor_for_user(engine, make_user(engine, "admin@exemple.fr", admin=True).id)
    assert [w.id for w in service.workshops(engine, admin)] == [made.workshop_id]
    assert [w.id for w in service.workshops(engine, actor)] == [made.workshop_id]
    consultant = Actor(
        kind="user", user_id=98, memberships=frozenset({(world.territory.id, "consultant")})
    )
    assert service.runnable_campaigns(engine, consultant) == []


def test_one_campaign_per_territory(engine, room):
    world, _, actor, _, _, _ = room
    from diagnostic.store import campaigns

    with session_scope(engine) as s:
        again = campaigns.create_campaign(
            s,
            territory_id=world.territory.id,
            title="Bis",
            questionnaire_id="mini",
            questionnaire_version="1",
        )
    with pytest.raises(WorkshopError, match="une seule campagne par territoire"):
        service.create(
            engine, actor, title="x", campaign_ids=[world.campaign_id, again.id], controlled=False
        )


def test_join_keeps_only_the_hash_and_the_token_reopens_the_seat(engine, room):
    world, other, _, made, _, _ = room
    seat, token = service.join(
        engine, made.code, nickname=" Alice ", territory_id=world.territory.id, role="dgs"
    )
    assert seat.nickname == "Alice" and seat.role_label == "DGS"
    with session_scope(engine) as s:
        rows = s.exec(select(WorkshopParticipant)).all()
        assert [r.token_hash for r in rows] == [hash_token(token)]
    assert service.seat(engine, made.workshop_id, token) == seat
    assert service.seat(engine, made.workshop_id, token[:-1] + "x") is None
    assert service.seat(engine, made.workshop_id + 1, token) is None
    with pytest.raises(WorkshopError, match="pseudonyme"):
        service.join(engine, made.code, nickname="  ", territory_id=world.territory.id, role="dgs")
    with pytest.raises(WorkshopError, match="territoire"):
        service.join(engine, made.code, nickname="Bob", territory_id=12345, role="dgs")
    with pytest.raises(WorkshopError, match="inconnu"):
        service.join(engine, "ZZZZZZ", nickname="Bob", territory_id=world.territory.id, role="dgs")
    for role in (None, "", "  "):  # as the join form: each person chooses their function
        with pytest.raises(WorkshopError, match="^choisissez votre fonction dans la liste$"):
            service.join(
                engine, made.code, nickname="Bob", territory_id=world.territory.id, role=role
            )
    with pytest.raises(WorkshopError, match="fonction inconnue : chef"):
        service.join(
            engine, made.code, nickname="Bob", territory_id=world.territory.id, role="chef"
        )
    assert service.find(engine, "0OIL00") is None
    assert service.seat_counts(engine, made.workshop_id) == {world.territory.id: 1}


def test_posts_controlled_mode_moderation_and_private_notes(engine, room):
    world, other, actor, made, programme, _ = room
    wid = made.workshop_id
    seat, _ = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    personal = step_of(programme, "personal")
    collective = step_of(programme, "collective")
    with pytest.raises(WorkshopError, match="pas encore commencé"):
        service.post(engine, seat, programme, step=personal, text="trop tôt")
    service.go_to(engine, actor, wid, personal, programme)
    with pytest.raises(WorkshopError, match="ne reçoit pas"):
        service.post(engine, seat, programme, step=0, text="accueil")
    with pytest.raises(WorkshopError, match="vide"):
        service.post(engine, seat, programme, step=personal, text="   ")
    with pytest.raises(AnswerError):
        service.post(engine, seat, programme, step=personal, text="x" * (live.MAX_POST + 1))
    note = service.post(engine, seat, programme, step=personal, text="pour moi")
    shared = service.post(engine, seat, programme, step=personal, text="pour tous", share=True)
    assert (note.status, shared.status) == (live.PRIVATE, live.VISIBLE)
    assert [p.text for p in service.wall(engine, wid, step=personal)] == ["pour tous"]
    assert [p.id for p in service.inbox(engine, actor, wid)] == [shared.id]  # never private
    assert service.private_counts(engine, wid) == {personal: 1}
    with pytest.raises(WorkshopError):
        service.moderate(engine, actor, wid, note.id, live.VISIBLE)  # a private note stays so

    service.set_controlled(engine, actor, wid, True)
    service.go_to(engine, actor, wid, collective, programme)
    waiting = service.post(engine, seat, programme, step=collective, text="un chantier")
    assert waiting.status == live.PENDING
    assert service.wall(engine, wid, step=collective) == []
    service.moderate(engine, actor, wid, waiting.id, live.VISIBLE)
    service.set_group(engine, actor, wid, waiting.id, "  Instances ")
    service.moderate(engine, actor, wid, waiting.id, live.HIGHLIGHTED)
    [shown] = service.wall(engine, wid, step=collective, territory_id=world.territory.id)
    assert (shown.status, shown.group_label) == (live.HIGHLIGHTED, "Instances")
    assert service.wall(engine, wid, step=collective, territory_id=other.territory.id) == []
    service.moderate(engine, actor, wid, waiting.id, live.HIDDEN)
    assert service.wall(engine, wid, step=collective) == []
    with pytest.raises(WorkshopError, match="état inconnu"):
        service.moderate(engine, actor, wid, waiting.id, "private")
    assert [p.text for p in service.my_posts(engine, seat)] == [
        "pour moi",
        "pour tous",
        "un chantier",
    ]


def test_votes_replace_each_other_and_stay_within_the_territory(engine, room):
    world, other, actor, made, programme, _ = room
    wid = made.workshop_id
    a, _ = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    b, _ = service.join(
        engine, made.code, nickname="B", territory_id=other.territory.id, role="dgs"
    )
    collective = step_of(programme, "collective")
    service.go_to(engine, actor, wid, collective, programme)
    mine = service.post(engine, a, programme, step=collective, text="chantier de A")
    service.vote(
        engine, a, kind=live.LEVEL, target="ins_codir", value=2, campaign_id=world.campaign_id
    )
    service.vote(
        engine, a, kind=live.LEVEL, target="ins_codir", value=4, campaign_id=world.campaign_id
    )
    service.vote(engine, a, kind=live.IMPACT, target=str(mine.id), value=3)
    assert service.my_votes(engine, a) == {("level", "ins_codir"): 4, ("impact", str(mine.id)): 3}
    with pytest.raises(WorkshopError, match="chantier introuvable"):
        service.vote(engine, b, kind=live.IMPACT, target=str(mine.id), value=1)
    with pytest.raises(AnswerError):
        service.vote(engine, a, kind=live.EFFORT, target=str(mine.id), value=4)
    with pytest.raises(AnswerError):
        service.vote(engine, a, kind="autre", target="x", value=1)
    frame = service.votes_frame(engine, wid)
    assert sorted(frame["kind"]) == ["impact", "level"]
    assert set(frame["territory_id"]) == {world.territory.id}


def test_retained_commitments_go_into_the_roadmap_once(engine, room):
    world, other, actor, made, programme, folder = room
    wid = made.workshop_id
    seat, token = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    commitments = step_of(programme, "commitments")
    service.go_to(engine, actor, wid, commitments, programme)
    text = "Réunir la conférence des DGS avant le 31 mars. Le DGS de la CC la porte."
    kept = service.post(engine, seat, programme, step=commitments, text=text, dimension="acteurs")
    dropped = service.post(engine, seat, programme, step=commitments, text="Une idée non retenue")
    service.retain(engine, actor, wid, kept.id, retained=True)
    report = service.end(engine, actor, wid, programme, folder)
    assert report.sent == {"CC Alpha": 1} and report.skipped == 0

    with session_scope(engine) as s:
        [item] = roadmap_store.plan_items(s, campaign_id=world.campaign_id)
        assert roadmap_store.plan_items(s, campaign_id=other.campaign_id) == []
        actions = [e.action for e in s.exec(select(AuditEvent)).all()]
    info = service.facilitated(engine, actor, wid)
    assert item.origin == "atelier" and item.status == "proposed"
    assert item.title == "Réunir la conférence des DGS avant le 31 mars"
    assert item.description == f"Issu de l'atelier du {info.day} : {text}"
    assert item.dimension == "acteurs"
    assert {"workshop.create", "workshop.end", "roadmap.add"} <= set(actions)
    # sending again adds nothing; the participant's link now says the workshop is over
    again = service.send_commitments(engine, actor, wid, programme, folder)
    assert again.sent == {}
    assert not info.open
    assert [p.roadmap_item_id for p in service.my_posts(engine, seat) if p.id == kept.id] == [
        item.id
    ]
    assert dropped.id not in {p.id for p in service.inbox(engine, actor, wid) if p.retained}
    with pytest.raises(WorkshopError, match="terminé"):
        service.post(engine, seat, programme, step=commitments, text="trop tard")
    with pytest.raises(WorkshopError, match="terminé"):
        service.join(engine, made.code, nickname="B", territory_id=world.territory.id, role="dgs")
    with pytest.raises(WorkshopError, match="terminé"):
        service.go_to(engine, actor, wid, 0, programme)
    assert service.screen(engine, made.screen_token) is None
    assert service.find(engine, made.code).status == "ended"


def test_a_commitment_without_a_known_axis_is_not_sent_and_focus_is_checked(engine, room):
    world, other, actor, made, programme, folder = room
    wid = made.workshop_id
    seat, _ = service.join(
        engine, made.code, nickname="B", territory_id=other.territory.id, role="dgs"
    )
    commitments = step_of(programme, "commitments")
    service.go_to(engine, actor, wid, commitments, programme)
    post = service.post(engine, seat, programme, step=commitments, text="Un séminaire annuel")
    service.retain(engine, actor, wid, post.id, retained=True, dimension="inconnue")
    report = service.send_commitments(engine, actor, wid, programme, folder)
    assert report.sent == {} and report.unassigned == 1  # never a default axis
    service.retain(engine, actor, wid, post.id, retained=True, dimension="acteurs")
    report = service.send_commitments(engine, actor, wid, programme, folder)
    assert report.sent == {"CC Beta": 1} and report.unassigned == 0
    with session_scope(engine) as s:
        [item] = roadmap_store.plan_items(s, campaign_id=other.campaign_id)
    assert item.dimension == "acteurs"
    service.set_focus(engine, actor, wid, other.territory.id)
    assert service.live_state(engine, wid).focus == other.territory.id
    service.set_focus(engine, actor, wid, None)
    with pytest.raises(WorkshopError):
        service.set_focus(engine, actor, wid, 424242)
    token = service.reissue_screen(engine, actor, wid)
    assert service.screen(engine, token).id == wid
    assert service.screen(engine, made.screen_token) is None


def test_erasing_a_campaign_erases_its_re_votes(engine, room):
    from diagnostic.accounts.journal import action_label
    from diagnostic.store import privacy

    world, other, actor, made, programme, _ = room
    seat, _ = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    service.vote(
        engine, seat, kind=live.LEVEL, target="ins_debat", value=3, campaign_id=world.campaign_id
    )
    with session_scope(engine) as s:
        privacy.delete_campaign(s, campaign_id=world.campaign_id, actor="t")
    assert service.votes_frame(engine, made.workshop_id).empty
    assert [p.territory_name for p in service.find(engine, made.code).places] == ["CC Beta"]
    assert action_label("workshop.end") == "Clôture d'un atelier (engagements envoyés)"


def test_a_polling_read_never_waits_for_a_writer(engine, room):
    """The screen and 150 phones read through read_scope: on SQLite (WAL) they take no write
    lock, so they go on while a writer holds it (a BEGIN IMMEDIATE read would block here)."""
    import threading

    world, _, actor, made, _, _ = room
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with session_scope(engine) as s:
            s.get(Workshop, made.workshop_id).title = "Renommé"
            s.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    holding.wait(10)
    try:
        state = service.live_state(engine, made.workshop_id)  # while the writer holds the lock
        assert state is not None and state.open
        assert service.find(engine, made.code).title == "Séminaire"  # not yet committed
    finally:
        release.set()
        thread.join()
    assert service.find(engine, made.code).title == "Renommé"


# --- erasure: a territory's workshop data goes with its campaign ------------------------------


def fill(engine, room, territory, campaign_id: int, tag: str) -> dict[str, int]:
    """A seat of a territory posts at every step, votes, and has a commitment retained."""
    _, _, actor, made, programme, _ = room
    wid = made.workshop_id
    seat, token = service.join(
        engine, made.code, nickname=f"Pseudo {tag}", territory_id=territory.id, role="dgs"
    )
    ids = {"seat": seat.participant_id}
    service.go_to(engine, actor, wid, step_of(programme, "personal"), programme)
    ids["note"] = service.post(
        engine, seat, programme, step=step_of(programme, "personal"), text=f"Note {tag}"
    ).id
    service.go_to(engine, actor, wid, step_of(programme, "collective"), programme)
    chantier = service.post(
        engine, seat, programme, step=step_of(programme, "collective"), text=f"Chantier {tag}"
    )
    ids["chantier"] = chantier.id
    service.vote(
        engine, seat, kind=live.LEVEL, target="ins_debat", value=3, campaign_id=campaign_id
    )
    service.vote(engine, seat, kind=live.IMPACT, target=str(chantier.id), value=3)
    service.vote(engine, seat, kind=live.EFFORT, target=str(chantier.id), value=1)
    service.go_to(engine, actor, wid, step_of(programme, "commitments"), programme)
    kept = service.post(
        engine,
        seat,
        programme,
        step=step_of(programme, "commitments"),
        text=f"Engagement {tag}",
        dimension="acteurs",
    )
    service.retain(engine, actor, wid, kept.id, retained=True)
    ids["kept"] = kept.id
    return ids | {"token": token}  # type: ignore[return-value]


def workshop_rows(engine, workshop_id: int) -> dict[str, list]:
    from diagnostic.store.models import Contribution, WorkshopVote

    with session_scope(engine) as s:
        return {
            "seats": sorted(
                (r.nickname, r.territory_id)
                for r in s.exec(
                    select(WorkshopParticipant).where(
                        WorkshopParticipant.workshop_id == workshop_id
                    )
                )
            ),
            "posts": sorted(
                (r.text, r.territory_id, r.roadmap_item_id is not None)
                for r in s.exec(select(Contribution).where(Contribution.workshop_id == workshop_id))
            ),
            "votes": sorted(
                (r.kind, r.value, r.campaign_id)
                for r in s.exec(select(WorkshopVote).where(WorkshopVote.workshop_id == workshop_id))
            ),
        }


def test_erasing_one_campaign_erases_its_territory_in_a_joint_workshop(engine, room):
    """Seats, pseudonyms, posts (private notes too), votes and sent commitments of B go with
    B's campaign; A's stay as they were; B's seat links open nothing any more."""
    from diagnostic.privacy import service as privacy

    world, other, actor, made, programme, folder = room
    wid = made.workshop_id
    mine = fill(engine, room, world.territory, world.campaign_id, "Alpha")
    theirs = fill(engine, room, other.territory, other.campaign_id, "Beta")
    service.set_focus(engine, actor, wid, other.territory.id)
    report = service.send_commitments(engine, actor, wid, programme, folder)
    assert report.sent == {"CC Alpha": 1, "CC Beta": 1}
    before = workshop_rows(engine, wid)
    coordinator = actor_for_user(engine, make_user(engine, "coord-beta@exemple.fr").id)
    with session_scope(engine) as s:
        accounts.grant(
            s,
            user_id=coordinator.user_id,
            territory_id=other.territory.id,
            role="coordinator",
            actor="t",
        )
    coordinator = actor_for_user(engine, coordinator.user_id)

    before_erasure = service.facilitated(engine, actor, wid)
    assert not service.live_state(engine, wid).stale(before_erasure)
    done = privacy.erase_campaign(engine, coordinator, other.campaign_id, "Campagne")

    assert (done.workshop_seats, done.workshop_posts, done.workshop_votes) == (1, 3, 3)
    after = workshop_rows(engine, wid)
    assert len(before["seats"]) == 2 and len(before["posts"]) == 6 and len(before["votes"]) == 6
    assert after == {
        "seats": [("Pseudo Alpha", world.territory.id)],
        "posts": [
            ("Chantier Alpha", world.territory.id, False),
            ("Engagement Alpha", world.territory.id, True),
            ("Note Alpha", world.territory.id, False),
        ],
        "votes": [("effort", 1, None), ("impact", 3, None), ("level", 3, world.campaign_id)],
    }
    assert service.seat(engine, wid, theirs["token"]) is None
    assert service.seat(engine, wid, mine["token"]) is not None
    info = service.facilitated(engine, actor, wid)
    assert [p.territory_name for p in info.places] == ["CC Alpha"]
    assert info.focus is None  # the screen no longer shows the erased territory
    # a screen or phone opened before the erasure sees, at its next refresh, that it must reload
    assert service.live_state(engine, wid).territories == (world.territory.id,)
    assert service.live_state(engine, wid).stale(before_erasure)
    assert not service.live_state(engine, wid).stale(info)
    assert "Beta" not in " ".join(p.text + p.nickname for p in service.inbox(engine, actor, wid))
    assert set(service.votes_frame(engine, wid)["territory_id"]) == {world.territory.id}
    assert service.seat_counts(engine, wid) == {world.territory.id: 1}
    (event,) = [
        e for e in _events(engine, "campaign.erase") if e.target == f"campaign:{other.campaign_id}"
    ]
    assert (event.details["workshop_seats"], event.details["workshop_posts"]) == (1, 3)


def _events(engine, action):
    with session_scope(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_workshop_whose_campaigns_are_all_erased_is_run_by_nobody(engine, room):
    from diagnostic.store import privacy as privacy_store

    world, other, actor, made, programme, _ = room
    wid = made.workshop_id
    token = fill(engine, room, world.territory, world.campaign_id, "Alpha")["token"]
    fill(engine, room, other.territory, other.campaign_id, "Beta")
    with session_scope(engine) as s:
        for w in (world, other):
            privacy_store.delete_campaign(s, campaign_id=w.campaign_id, actor="t")
    admin = actor_for_user(engine, make_user(engine, "admin@exemple.fr", admin=True).id)
    nobody = actor_for_user(engine, make_user(engine, "sans-role@exemple.fr").id)
    for who in (actor, admin, nobody):
        with pytest.raises(AccessDenied):
            service.facilitated(engine, who, wid)
        with pytest.raises(AccessDenied):
            service.go_to(engine, who, wid, 0, programme)
        assert service.workshops(engine, who) == []
    assert workshop_rows(engine, wid) == {"seats": [], "posts": [], "votes": []}
    info = service.find(engine, made.code)  # the code stays taken: it says « terminé »
    assert info is not None and not info.open and info.places == ()
    assert service.screen(engine, made.screen_token) is None
    assert service.seat(engine, wid, token) is None
    with pytest.raises(WorkshopError, match="terminé"):
        service.join(engine, made.code, nickname="X", territory_id=world.territory.id, role="dgs")


def test_a_workshop_left_without_campaign_by_an_older_erasure_grants_nobody(engine, room):
    """A base erased before this version: the workshop is still open and its links remain,
    but its campaign list is empty. `all()` over no territory must not let anyone in."""
    from diagnostic.store.models import WorkshopCampaign

    world, other, actor, made, programme, _ = room
    wid = made.workshop_id
    token = fill(engine, room, world.territory, world.campaign_id, "Alpha")["token"]
    with session_scope(engine) as s:
        for row in s.exec(select(WorkshopCampaign).where(WorkshopCampaign.workshop_id == wid)):
            s.delete(row)
    nobody = actor_for_user(engine, make_user(engine, "sans-role@exemple.fr").id)
    admin = actor_for_user(engine, make_user(engine, "admin@exemple.fr", admin=True).id)
    for who in (nobody, admin, actor):
        with pytest.raises(AccessDenied):
            service.facilitated(engine, who, wid)
        with pytest.raises(AccessDenied):
            service.inbox(engine, who, wid)
        assert wid not in {w.id for w in service.workshops(engine, who)}
    assert not service.find(engine, made.code).open
    assert service.screen(engine, made.screen_token) is None
    assert service.seat(engine, wid, token) is None  # the seat's territory is no longer linked
    with pytest.raises(WorkshopError, match="terminé"):
        service.join(engine, made.code, nickname="X", territory_id=world.territory.id, role="dgs")


def test_deleting_a_sent_commitment_from_the_roadmap_detaches_it(engine, room):
    from diagnostic.roadmap import planning

    world, other, actor, made, programme, folder = room
    wid = made.workshop_id
    ids = fill(engine, room, world.territory, world.campaign_id, "Alpha")
    service.send_commitments(engine, actor, wid, programme, folder)
    [post] = [p for p in service.inbox(engine, actor, wid) if p.id == ids["kept"]]
    assert post.roadmap_item_id is not None
    coordinator = actor_for_user(engine, make_user(engine, "coord@exemple.fr").id)
    with session_scope(engine) as s:
        accounts.grant(
            s,
            user_id=coordinator.user_id,
            territory_id=world.territory.id,
            role="coordinator",
            actor="t",
        )
    coordinator = actor_for_user(engine, coordinator.user_id)
    planning.remove(engine, coordinator, world.campaign_id, post.roadmap_item_id)
    [post] = [p for p in service.inbox(engine, actor, wid) if p.id == ids["kept"]]
    assert post.roadmap_item_id is None and post.retained


def test_step_counts_and_a_seat_moved_before_taking_part(engine, room):
    world, other, actor, made, programme, folder = room
    wid = made.workshop_id
    a, _ = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    b, _ = service.join(
        engine, made.code, nickname="B", territory_id=world.territory.id, role="dgs"
    )
    b = service.change_territory(engine, b, other.territory.id)  # nothing posted yet
    assert service.seat_counts(engine, wid) == {world.territory.id: 1, other.territory.id: 1}
    collective, grid = step_of(programme, "collective"), step_of(programme, "grid")
    service.go_to(engine, actor, wid, collective, programme)
    post = service.post(engine, a, programme, step=collective, text="chantier")
    service.post(engine, a, programme, step=collective, text="autre chantier")
    with pytest.raises(WorkshopError, match="déjà écrit"):
        service.change_territory(engine, a, other.territory.id)
    counts = service.step_counts(engine, actor, wid, collective, programme)
    assert (counts.seats, counts.posts, counts.authors, counts.voters) == (2, 2, 1, 0)
    service.go_to(engine, actor, wid, grid, programme)
    service.vote(engine, a, kind=live.IMPACT, target=str(post.id), value=3)
    service.vote(engine, a, kind=live.EFFORT, target=str(post.id), value=1)
    assert service.step_counts(engine, actor, wid, grid, programme).voters == 1


# --- the facilitator's hand on the room (issue 20): timer, reveal, the workshop's programme -----


def test_pause_one_more_minute_and_a_new_step_on_both_databases(engine, room):
    world, _, actor, made, prog, _ = room
    wid = made.workshop_id
    service.go_to(engine, actor, wid, 2, prog)
    service.set_focus(engine, actor, wid, world.territory.id)
    service.pause_timer(engine, actor, wid)
    now = service.live_state(engine, wid)
    assert now.timer.paused and now.focus == world.territory.id  # one key never drops another
    frozen = service.seconds_left(now, prog.step(2).seconds)
    service.add_minute(engine, actor, wid, prog)
    service.add_minute(engine, actor, wid, prog)
    now = service.live_state(engine, wid)
    assert service.seconds_left(now, prog.step(2).seconds) == frozen + 120 and now.timer.paused
    service.resume_timer(engine, actor, wid)
    assert not service.live_state(engine, wid).timer.paused
    service.go_to(engine, actor, wid, 3, prog)  # a new step starts running, at its duration
    now = service.live_state(engine, wid)
    assert now.timer == live.Timer() and now.focus == world.territory.id
    service.pause_timer(engine, actor, wid)
    service.restart_timer(engine, actor, wid)
    assert service.live_state(engine, wid).timer == live.Timer()


def test_vote_results_wait_for_the_facilitator_to_reveal_them(engine, room):
    world, _, actor, made, prog, _ = room
    wid = made.workshop_id
    revote = prog.steps[step_of(prog, "revote")]
    grid = prog.steps[step_of(prog, "grid")]
    now = service.live_state(engine, wid)
    assert not now.shows_results(revote) and not now.shows_results(grid)
    assert now.shows_results(prog.steps[step_of(prog, "collective")])  # walls: always shown
    service.reveal(engine, actor, wid, revote.id, True)
    now = service.live_state(engine, wid)
    assert now.shows_results(revote) and not now.shows_results(grid)
    service.reveal(engine, actor, wid, revote.id, False)
    assert not service.live_state(engine, wid).shows_results(revote)
    seat, _ = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    service.join(engine, made.code, nickname="B", territory_id=world.territory.id, role="dga")
    assert service.vote_progress(engine, wid, revote.kind) == (0, 2)
    service.vote(engine, seat, kind=live.LEVEL, target="q", value=2, campaign_id=world.campaign_id)
    assert service.vote_progress(engine, wid, revote.kind) == (1, 2)
    assert service.vote_progress(engine, wid, grid.kind) == (0, 2)


def test_an_edited_programme_keeps_every_post_on_its_step(engine, room):
    world, _, actor, made, prog, folder = room
    wid = made.workshop_id
    info = service.facilitated(engine, actor, wid)
    personal, collective = step_of(prog, "personal"), step_of(prog, "collective")
    service.go_to(engine, actor, wid, collective, prog)
    seat, _ = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    note = service.post(engine, seat, prog, step=personal, text="Une note")
    idea = service.post(engine, seat, prog, step=collective, text="Un chantier", revision=0)
    rows = service.programme_rows(engine, info, folder)
    # the collective step moved just after the results, the last personal step removed,
    # a title and a duration changed
    chantiers = next(r for r in rows if r["id"] == prog.steps[collective].id)
    rows.remove(chantiers)
    rows.insert(2, chantiers | {"title": "Nos chantiers d'abord", "minutes": 5.0})
    besoins = next(r for r in rows if r["id"] == "besoins")
    besoins["removed"] = True
    edited = service.edit_programme(engine, actor, wid, rows, folder)
    assert service.programme_of(engine, info, folder) == edited
    assert edited.steps[2].title == "Nos chantiers d'abord" and edited.steps[2].minutes == 5
    assert "besoins" not in [s.id for s in edited.steps]
    now = service.live_state(engine, wid)
    assert now.step == 2 and now.revision == 1  # the room stays on the step it was on
    posts = {p.id: p.step for p in service.my_posts(engine, seat)}
    assert posts[idea.id] == 2  # the post followed its step
    assert edited.steps[posts[note.id]].id == prog.steps[personal].id
    # a page built on the programme before the edit: its post is refused, not misfiled
    with pytest.raises(WorkshopError, match="modifier le déroulé"):
        service.post(engine, seat, prog, step=2, text="Tard", revision=0)
    service.post(engine, seat, edited, step=2, text="À jour", revision=1)
    # back to the shipped programme: every post back on its step
    service.edit_programme(engine, actor, wid, None, folder)
    assert service.programme_of(engine, info, folder) == prog
    assert service.live_state(engine, wid).step == collective
    assert {p.step for p in service.my_posts(engine, seat) if p.text != "Une note"} == {collective}
    with session_scope(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "workshop.programme")).all()
        assert len(events) == 2


def test_an_edited_programme_is_refused_with_every_problem_and_never_loses_a_post(engine, room):
    world, _, actor, made, prog, folder = room
    wid = made.workshop_id
    info = service.facilitated(engine, actor, wid)
    personal = step_of(prog, "personal")
    service.go_to(engine, actor, wid, personal + 1, prog)
    seat, _ = service.join(
        engine, made.code, nickname="A", territory_id=world.territory.id, role="dgs"
    )
    service.post(engine, seat, prog, step=personal, text="Une note privée")
    rows = service.programme_rows(engine, info, folder)
    removed = [dict(r, removed=i in {personal, personal + 1}) for i, r in enumerate(rows)]
    with pytest.raises(service.ProgrammeRefused) as caught:
        service.edit_programme(engine, actor, wid, removed, folder)
    said = caught.value.problems
    assert len(said) == 2
    assert f"« {prog.steps[personal].title} » a déjà 1 contribution" in said[0]
    assert "est l'étape en cours" in said[1]
    grid = next(r for r in rows if r["id"] == "grille")
    early = [r for r in rows if r is not grid]
    early.insert(1, grid | {"minutes": 0})
    with pytest.raises(service.ProgrammeRefused) as caught:  # the schema first, as for the file
        service.edit_programme(engine, actor, wid, early, folder)
    assert ["« minutes » doit valoir au moins 1" in p for p in caught.value.problems] == [True]
    early[1]["minutes"] = 2
    with pytest.raises(service.ProgrammeRefused) as caught:  # then the order of the steps
        service.edit_programme(engine, actor, wid, early, folder)
    [problem] = caught.value.problems
    assert "étape « grille »" in problem and "pas une étape placée avant celle-ci" in problem
    assert service.live_state(engine, wid).revision == 0  # nothing stored
    stranger = actor_for_user(engine, make_user(engine, "autre@exemple.fr").id)
    with pytest.raises(AccessDenied):
        service.edit_programme(engine, stranger, wid, None, folder)
