"""Isolation, tested as an attacker would: nobody sees or touches what is not theirs.

Two territories, A and B, each with a coordinator, a consultant, a facilitator, an open
campaign with submitted respondents (names, free text), a consensus, a roadmap, a closed
campaign and a live workshop on the open campaign (participants, private and shared posts,
groups, votes, a commitment); a third workshop joins A and B. Every actor of A (and anonymous
visitors, respondents, an account without any role) then tries B's ids on every page and
every domain entry point: no text of B may show, every call must be refused, and B's data must
come out unchanged. A participant's seat link of B's workshop opens nothing in A's.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from google.protobuf import text_format
from hypothesis import given
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from diagnostic.accounts import access, journal
from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import (
    ANONYMOUS,
    PAGES,
    TERRITORY_ACTIONS,
    Action,
    Actor,
    can,
    page_allowed,
    pages_for,
)
from diagnostic.answering import respondent
from diagnostic.answering.respondent import open_invitation
from diagnostic.campaigns import coordination
from diagnostic.campaigns.export import campaign_export
from diagnostic.consensus import meeting
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.privacy import service as privacy
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import compute_results
from diagnostic.results.service import read_campaign_data, require_results_access, results_for
from diagnostic.roadmap import planning
from diagnostic.settings import get_settings
from diagnostic.store import accounts, campaigns, territories
from diagnostic.store import answers as answer_store
from diagnostic.store import facts as facts_store
from diagnostic.store import roadmap as roadmap_store
from diagnostic.store import workshops as workshop_store
from diagnostic.store.engine import get_engine, migrate, session_scope
from diagnostic.territory import service as territory_service
from diagnostic.workshop import Seat, live, output, programme_for
from diagnostic.workshop import service as workshops
from tests.conftest import FIXTURES, ROOT, _reset_caches
from tests.factories import store_answers
from tests.pages_kit import each_tab

APP = str(ROOT / "app.py")
MINI = load_questionnaire(FIXTURES / "mini.yaml")
SECRET = "zqxb"  # every text of territory B contains it (compared in lower case)


# --- the two territories ----------------------------------------------------------------------


@dataclass
class Side:
    """One territory with its people, campaigns and the ids an attacker would try."""

    tag: str
    territory_id: int = 0
    commune_ids: list[int] = field(default_factory=list)
    campaign_id: int = 0
    closed_campaign_id: int = 0
    participant_ids: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # valid links of the open campaign
    old_token: str = ""  # replaced by a new link (reissue)
    closed_token: str = ""  # of the closed campaign
    erased_token: str = ""  # of a respondent who erased their data
    users: dict[str, int] = field(default_factory=dict)  # role -> user id
    item_id: int = 0  # a roadmap row
    title: str = ""
    workshop_id: int = 0  # a live workshop on the open campaign (controlled mode)
    workshop_code: str = ""
    screen_token: str = ""
    seat_tokens: list[str] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)  # shared posts, then the private note

    def actor(self, role: str) -> Actor:
        with session_scope(engine()) as s:
            found = accounts.actor_for(s, user_id=self.users[role])
        assert found is not None
        return found

    def respondent(self, index: int = 1) -> Actor:
        return Actor(
            kind="respondent",
            participant_id=self.participant_ids[index],
            campaign_id=self.campaign_id,
        )


def engine():
    eng = get_engine(get_settings().effective_database_url)
    migrate(eng)
    return eng


def build(tag: str) -> Side:
    side = Side(tag, title=f"Campagne-{tag}-Secrete")
    eng = engine()
    with session_scope(eng) as s:
        for role in ("coordinator", "consultant", "facilitator"):
            user = accounts.create_user(
                s,
                email=f"{role}-{tag}@exemple.fr",
                name=f"Personne-{tag}-{role}",
                password="mot-de-passe-solide",
            )
            side.users[role] = user.id
        territory = territories.create_territory(
            s,
            name=f"Territoire-{tag}",
            kind="cc",
            code=f"2{sum(map(ord, tag)):08d}",  # one SIREN per territory
            communes=[(f"Commune-{tag}-Nord", None), (f"Commune-{tag}-Sud", None)],
            coordinator_id=side.users["coordinator"],
            story=f"Histoire-{tag} du territoire",
        )
        side.territory_id = territory.id
        side.commune_ids = [c.id for c in territories.member_communes(s, territory_id=territory.id)]
        for role in ("consultant", "facilitator"):
            accounts.grant(
                s, user_id=side.users[role], territory_id=territory.id, role=role, actor="test"
            )
        campaign = campaigns.create_campaign(
            s,
            territory_id=territory.id,
            title=side.title,
            questionnaire_id="mini",
            questionnaire_version="1",
        )
        side.campaign_id = campaign.id
        places = [territory.id, *side.commune_ids]
        for i in range(5):
            p, token = campaigns.add_participant(
                s,
                campaign_id=campaign.id,
                role="dgs" if i % 2 else "dst",
                structure_id=places[i % len(places)],
                name=f"Nom-{tag}-{i}",
            )
            side.participant_ids.append(p.id)
            side.tokens.append(token)
        old = campaigns.add_participant(
            s, campaign_id=campaign.id, role="dga", structure_id=territory.id, name=f"Ancien-{tag}"
        )
        side.old_token = old[1]
        campaigns.reissue_token(s, participant_id=old[0].id, actor="test")
        closed = campaigns.create_campaign(
            s,
            territory_id=territory.id,
            title=f"Ancienne-{tag}",
            questionnaire_id="mini",
            questionnaire_version="1",
        )
        side.closed_campaign_id = closed.id
        side.closed_token = campaigns.add_participant(
            s, campaign_id=closed.id, role="dgs", structure_id=territory.id, name=f"Clos-{tag}"
        )[1]
        campaigns.set_status(s, campaign_id=closed.id, status="closed", actor="test")
        for i, pid in enumerate(side.participant_ids[:4]):
            raw = {
                "ctx_structure": {"choice": "epci"},
                "ins_debat": {"level": 1 + i % 5},
                "act_priorites": {"ranking": ["habitat", "mobilites", "economie"]},
                "act_libre": {"text": f"Texte-{tag}-libre-{i}"},
            }
            store_answers(s, MINI, pid, raw)
            if i < 3:
                campaigns.mark_submitted(s, participant_id=pid)
    coordinator = side.actor("coordinator")
    meeting.record(
        eng,
        coordinator,
        MINI,
        campaign_id=side.campaign_id,
        question_id="ins_debat",
        level=3,
        target=None,
        rationale=f"Justification-{tag} du consensus",
    )
    side.item_id = planning.add(
        eng,
        coordinator,
        side.campaign_id,
        title=f"Action-{tag}-Feuille",
        dimension="instances",
        owner=f"Pilote-{tag}",
    )
    territory_service.save_facts(  # the fiche: a source and a list item hold the tag
        eng,
        coordinator,
        side.territory_id,
        get_settings().questions_dir,
        values={"pcaet": True, "services_communs": [f"Service-{tag}-commun"]},
        sources={"pcaet": f"Deliberation-{tag}-climat"},
    )
    erased = side.respondent(4)  # the last one asks for erasure; their link dies
    side.erased_token = side.tokens.pop()
    privacy.erase_my_data(eng, erased, erased.participant_id)
    build_workshop(side)
    return side


def build_workshop(side: Side) -> None:
    """A workshop run by the side's facilitator on its open campaign, left open: three seats,
    a private note, shared posts (highlighted, grouped, waiting), re-vote and grid votes, a
    retained commitment. Every text holds the side's tag."""
    eng, tag, prog = engine(), side.tag, programme_for(get_settings().questions_dir)
    facilitator = side.actor("facilitator")
    made = workshops.create(
        eng,
        facilitator,
        title=f"Atelier-{tag}-Seance",
        campaign_ids=[side.campaign_id],
        controlled=True,
    )
    wid = side.workshop_id = made.workshop_id
    side.workshop_code, side.screen_token = made.code, made.screen_token
    step = {s.kind: i for i, s in reversed(list(enumerate(prog.steps)))}  # first of each kind
    seats = []
    for i in range(3):
        seat, token = workshops.join(
            eng, made.code, nickname=f"Pseudo-{tag}-{i}", territory_id=side.territory_id, role="dgs"
        )
        seats.append(seat)
        side.seat_tokens.append(token)

    def post(seat: Seat, kind: str, text: str, **kw: Any) -> int:
        return workshops.post(eng, seat, prog, step=step[kind], text=text, **kw).id

    workshops.go_to(eng, facilitator, wid, step["personal"], prog)
    private = post(seats[0], "personal", f"Note-{tag}-privee")
    shared = post(seats[1], "personal", f"Partage-{tag}-note", share=True)
    workshops.moderate(eng, facilitator, wid, shared, live.HIGHLIGHTED)
    workshops.go_to(eng, facilitator, wid, step["revote"], prog)
    for seat, level in zip(seats, (2, 3, 4), strict=True):
        workshops.vote(
            eng,
            seat,
            kind=live.LEVEL,
            target="ins_debat",
            value=level,
            campaign_id=side.campaign_id,
        )
    workshops.go_to(eng, facilitator, wid, step["collective"], prog)
    chantier = post(seats[2], "collective", f"Contribution-{tag}-chantier")
    workshops.moderate(eng, facilitator, wid, chantier, live.VISIBLE)
    workshops.set_group(eng, facilitator, wid, chantier, f"Groupe-{tag}")
    workshops.go_to(eng, facilitator, wid, step["grid"], prog)
    for seat in seats:
        workshops.vote(eng, seat, kind=live.IMPACT, target=str(chantier), value=3)
        workshops.vote(eng, seat, kind=live.EFFORT, target=str(chantier), value=1)
    workshops.go_to(eng, facilitator, wid, step["commitments"], prog)
    kept = post(seats[0], "commitments", f"Engagement-{tag}-retenu")
    workshops.retain(eng, facilitator, wid, kept, retained=True, dimension="instances")
    waiting = post(seats[1], "commitments", f"Attente-{tag}-boite")  # in the inbox
    side.post_ids = [shared, chantier, kept, waiting, private]


@dataclass
class World:
    a: Side
    b: Side
    plain_user_id: int
    joint_workshop_id: int = 0  # on A's and B's campaigns: run only by someone on both


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Both territories in a fresh SQLite base, built once for the whole module."""
    import shutil

    tmp = tmp_path_factory.mktemp("isolation")
    questions = tmp / "questions"
    (questions / "questionnaires").mkdir(parents=True)
    shutil.copy(FIXTURES / "mini.yaml", questions / "questionnaires" / "mini.yaml")
    if (ROOT / "questions" / "atelier.yaml").is_file():  # the workshop's programme
        shutil.copy(ROOT / "questions" / "atelier.yaml", questions / "atelier.yaml")
    shutil.copy(ROOT / "questions" / "fiche.yaml", questions / "fiche.yaml")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", f"sqlite:///{tmp / 'app.db'}")
        mp.setenv("QUESTIONS_DIR", str(questions))
        mp.setenv("LOAD_DEMO", "false")
        mp.setenv("PUBLIC_URL", "http://testserver")
        _reset_caches()
        a, b = build("ALFA"), build("ZQXB")
        with session_scope(engine()) as s:
            plain = accounts.create_user(
                s, email="sans-role@exemple.fr", name="Sans rôle", password="mot-de-passe-solide"
            )
            both = accounts.create_user(
                s, email="deux@exemple.fr", name="Deux", password="mot-de-passe-solide"
            )
            for side in (a, b):
                accounts.grant(
                    s,
                    user_id=both.id,
                    territory_id=side.territory_id,
                    role="facilitator",
                    actor="t",
                )
            both_id = both.id
        with session_scope(engine()) as s:
            both_actor = accounts.actor_for(s, user_id=both_id)
        assert both_actor is not None
        joint = workshops.create(
            engine(),
            both_actor,
            title="Atelier-commun-ZQXB",
            campaign_ids=[a.campaign_id, b.campaign_id],
            controlled=False,
        )
        yield World(a, b, plain.id, joint.workshop_id)
    _reset_caches()


def snapshot(side: Side) -> dict[str, Any]:
    """Everything of a side that an attack could change."""
    eng = engine()
    with session_scope(eng) as s:
        people = campaigns.participants_of(s, campaign_id=side.campaign_id)
        items = roadmap_store.plan_items(s, campaign_id=side.campaign_id)
        camp = campaigns.get_campaign(s, campaign_id=side.campaign_id)
        state = {
            "status": camp.status,
            "title": camp.title,
            "people": [
                (p.id, p.name, p.token_hash, p.submitted_at, p.revoked_at, p.structure_id)
                for p in people
            ],
            "answers": {p.id: answer_store.answers_of(s, participant_id=p.id) for p in people},
            "items": sorted((i.id, i.title, i.position, i.status) for i in items),
        }
    data = read_campaign_data(eng, side.campaign_id, get_settings().questions_dir)
    state["consensus"] = data.consensus[["question_id", "level", "rationale"]].values.tolist()
    with session_scope(eng) as s:
        w = workshop_store.get_workshop(s, workshop_id=side.workshop_id)
        assert w is not None
        state["workshop"] = (
            w.title,
            w.status,
            w.step,
            w.step_started_at,
            w.controlled,
            w.state,
            w.screen_token_hash,
        )
        state["posts"] = [
            (c.id, c.text, c.status, c.group_label, c.retained, c.dimension, c.roadmap_item_id)
            for c in workshop_store.contributions(s, workshop_id=side.workshop_id)
        ]
        state["votes"] = [
            (v.participant_id, v.kind, v.target, v.value, v.campaign_id)
            for v, _ in workshop_store.votes(s, workshop_id=side.workshop_id)
        ]
        state["seats"] = workshop_store.seat_counts(s, workshop_id=side.workshop_id)
        state["fiche"] = facts_store.facts_of(s, territory_id=side.territory_id)
    return state


# --- what a page shows ------------------------------------------------------------------------


def rendered(at: AppTest) -> str:
    """Every text the page sends to the browser: elements, labels, options, tables, charts
    (Markdown escapes removed, so that « Nom\\-B » reads « Nom-B »)."""
    parts = [str(at)]

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "DESCRIPTOR"):
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        if isinstance(node, Dataframe):
            parts.append(node.value.to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for kind in ("markdown", "caption", "info", "error", "warning", "success", "code"):
        parts.extend(str(e.value) for e in at.get(kind))
    return "\n".join(parts).replace("\\", "")


SELECTORS = {"selectbox", "radio", "multiselect", "segmented_control", "pills", "select_slider"}
SELECTORS.add("choose")  # pages/_forms.choose: a selectbox or a multiselect of labelled values


def widget_keys() -> set[str]:
    """The literal keys of every selector of the pages, and of the shared campaign picker
    (buttons are left out: a browser cannot hold a button pressed across reruns)."""
    keys: set[str] = set()
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = getattr(node.func, "attr", None) or getattr(node.func, "id", "")
            key = next((k.value for k in node.keywords if k.arg == "key"), None)
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue
            if func in SELECTORS:
                keys.add(key.value)
            elif func.endswith("_picker"):  # the shared territory then campaign selectors
                keys |= {f"{key.value}_territory", f"{key.value}_campaign"}
    return keys


def forced_state(b: Side) -> dict[str, Any]:
    """B's ids pushed into every selector that holds a territory, campaign or person id."""
    state: dict[str, Any] = {"camp_selected": b.campaign_id, "ws_id": b.workshop_id}
    for key in widget_keys():
        low = key.lower()
        if low.endswith("ws_pick"):  # the console's list of workshops
            state[key] = b.workshop_id
        elif low.endswith("campaigns"):  # a multiselect of campaigns
            state[key] = [b.campaign_id]
        elif low.endswith("territory"):
            state[key] = b.territory_id
        elif low.endswith(("campaign", "camp_pick", "_selected")):
            state[key] = b.campaign_id
        elif low.endswith(("pid", "participant")):
            state[key] = b.participant_ids[0]
        elif low.endswith("commune"):
            state[key] = b.commune_ids[0]
    return state


ATTACKERS = ["coordinator", "consultant", "facilitator", "plain", "anonymous", "respondent"]


def session_for(world: World, who: str, script: str = APP) -> AppTest:
    at = AppTest.from_file(script, default_timeout=60)
    if who == "respondent":
        at.query_params["t"] = world.a.tokens[1]
    elif who != "anonymous":
        user_id = world.plain_user_id if who == "plain" else world.a.users[who]
        at.session_state["user_id"] = user_id
        at.session_state["last_seen"] = time.time()
    return at


def menu(world: World, who: str) -> set[str]:
    """The pages app.py offers this actor (a valid link offers its questionnaire only)."""
    if who == "respondent":
        return {"questionnaire"}
    return {p.key for p in pages_for(attackers(world)[who])}


def visit(world: World, who: str, path: str, state: dict[str, Any], routed: bool) -> AppTest:
    """Open a page in a new session with B's ids in its state: through the menu, or, when the
    page is not in this actor's menu, by running its file directly (as if its URL were typed):
    then only the page's own guard stands in the way."""
    at = session_for(world, who, APP if routed else str(ROOT / path))
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if routed:
        at.switch_page(path).run()
        if not at.exception:
            at.run()  # a second run, with whatever the first one left in the session
    return at


@pytest.mark.parametrize("who", ATTACKERS)
def test_no_page_shows_anything_of_another_territory(world, who):
    state, offered = forced_state(world.b), menu(world, who)
    for page in PAGES:
        shown = visit(world, who, page.path, state, routed=page.key in offered)
        assert not shown.exception, f"{who} sur {page.path} : {shown.exception}"
        text = rendered(shown)
        if page.path == "pages/resultats.py" and shown.tabs:  # lazy tabs: open each one
            text += "\n".join(rendered(tab) for tab in each_tab(shown))
        assert SECRET not in text.lower(), f"{who} voit des données de B sur {page.path}"
        if page.key not in offered and not page.link_only:  # the page's own guard refused it
            assert "Cette page ne vous est pas accessible." in text, f"{who} sur {page.path}"
        if who == "respondent" and page.key == "questionnaire":  # their own questionnaire
            assert "Territoire-ALFA" in text


def test_the_pages_really_render_the_own_territory(world):
    """The leak check is meaningful: the same collector finds A's texts on A's pages."""
    seen = {
        path: rendered(visit(world, "coordinator", path, {}, routed=True))
        for path in (
            "pages/accueil.py",
            "pages/campagne.py",
            "pages/resultats.py",
            "pages/fiche.py",
        )
    }
    assert "Territoire-ALFA" in seen["pages/accueil.py"]
    assert "Campagne-ALFA-Secrete" in seen["pages/campagne.py"]
    assert "Campagne-ALFA-Secrete" in seen["pages/resultats.py"]
    assert "Service-ALFA-commun" in seen["pages/fiche.py"]
    respondent = session_for(world, "respondent").run()
    assert "Territoire-ALFA" in rendered(respondent)


def test_every_page_is_listed_and_exists():
    for page in PAGES:
        assert (ROOT / page.path).is_file(), page.path


# --- invitation links -------------------------------------------------------------------------


def invalid_links(world: World) -> dict[str, str]:
    b = world.b
    valid = b.tokens[0]
    flipped = valid[:-1] + ("A" if valid[-1] != "A" else "B")
    return {
        "altéré": flipped,
        "remplacé (ancien lien)": b.old_token,
        "campagne close": b.closed_token,
        "données effacées": b.erased_token,
        "tronqué": valid[:-3],
        "injection SQL": "' OR '1'='1' --",
        "injection SQL 2": "x'; DROP TABLE answer; --",
        "HTML": "<script>alert(1)</script>",
        "Markdown": "**gras**[lien](javascript:alert(1))",
        "très long": "A" * 10_000,
        "caractères de contrôle": "abc\x00\x1b[31mdef\r\n" * 5,
        "emoji": "😀" * 30,
        "formule": "=1+1",
        "espaces": "   ",
        "unicode": "Ａ" * 43,
    }


def test_tampered_and_dead_links_show_the_invalid_link_page(world):
    for label, token in invalid_links(world).items():
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["t"] = token
        at.run()
        assert not at.exception, f"lien {label} : {at.exception}"
        assert [t.value for t in at.title] == ["Lien invalide ou expiré"], label
        assert SECRET not in rendered(at).lower(), label


def test_dead_links_open_nothing_in_the_domain(world):
    eng, questions = engine(), get_settings().questions_dir
    for label, token in invalid_links(world).items():
        assert open_invitation(eng, questions, token) is None, label
    assert open_invitation(eng, questions, world.b.tokens[0]) is not None  # control


def test_a_signed_in_coordinator_with_a_dead_link_gets_no_account_pages(world):
    """The link wins over the session: a dead link never falls back on someone's account."""
    at = session_for(world, "coordinator")
    at.query_params["t"] = world.b.old_token
    at.run()
    assert [t.value for t in at.title] == ["Lien invalide ou expiré"]
    assert SECRET not in rendered(at).lower()
    for page in PAGES:  # the menu holds nothing else, whatever the session says
        if page.path != "pages/lien_invalide.py":
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page.path)


# --- domain entry points ----------------------------------------------------------------------


def attackers(world: World) -> dict[str, Actor]:
    a = world.a
    with session_scope(engine()) as s:
        plain = accounts.actor_for(s, user_id=world.plain_user_id)
    return {
        "coordinator": a.actor("coordinator"),
        "consultant": a.actor("consultant"),
        "facilitator": a.actor("facilitator"),
        "plain": plain,
        "anonymous": ANONYMOUS,
        "respondent": a.respondent(1),
        # a forged actor: a respondent of A claiming B's campaign
        "forged respondent": replace(a.respondent(1), campaign_id=world.b.campaign_id),
    }


def entry_points(world: World) -> dict[str, Callable[[Actor], Any]]:
    """Every domain function that takes ids, called with B's ids."""
    b, eng = world.b, engine()
    questions = get_settings().questions_dir
    results = compute_results(read_campaign_data(eng, b.campaign_id, questions), min_group_size=3)
    invitation = open_invitation(eng, questions, b.tokens[0])
    pid = b.participant_ids[0]
    return {
        "results.require_results_access": lambda x: require_results_access(eng, x, b.campaign_id),
        "results.results_for": lambda x: results_for(eng, x, b.campaign_id),
        "campaign_export (xlsx)": lambda x: campaign_export(
            eng, x, b.campaign_id, questions, fmt="xlsx", min_group_size=3, with_names=True
        ),
        "campaign_export (csv)": lambda x: campaign_export(
            eng, x, b.campaign_id, questions, fmt="csv", min_group_size=3
        ),
        "planning.plan": lambda x: planning.plan(eng, x, b.campaign_id),
        "planning.edit": lambda x: planning.edit(eng, x, b.campaign_id, b.item_id, title="pirate"),
        "planning.add": lambda x: planning.add(
            eng, x, b.campaign_id, title="pirate", dimension="instances"
        ),
        "planning.add (atelier)": lambda x: planning.add(
            eng, x, b.campaign_id, origin="atelier", title="pirate", dimension="instances"
        ),
        "planning.move": lambda x: planning.move(eng, x, b.campaign_id, b.item_id, 1),
        "planning.remove": lambda x: planning.remove(eng, x, b.campaign_id, b.item_id),
        "planning.draft": lambda x: planning.draft(eng, x, b.campaign_id, results),
        "planning.regenerate": lambda x: planning.regenerate(eng, x, b.campaign_id, results, ()),
        "meeting.record": lambda x: meeting.record(
            eng,
            x,
            MINI,
            campaign_id=b.campaign_id,
            question_id="ins_debat",
            level=1,
            target=None,
            rationale="pirate",
        ),
        "meeting.forget": lambda x: meeting.forget(
            eng, x, campaign_id=b.campaign_id, question_id="ins_debat"
        ),
        "meeting.rationale_of": lambda x: meeting.rationale_of(
            eng, x, campaign_id=b.campaign_id, question_id="ins_debat"
        ),
        "coordination.participation": lambda x: coordination.participation(
            eng, x, b.campaign_id, questions
        ),
        "coordination.invite": lambda x: coordination.invite(
            eng,
            x,
            campaign_id=b.campaign_id,
            role="dgs",
            structure_id=b.territory_id,
            name="pirate",
            public_url="http://x",
        ),
        "coordination.reissue": lambda x: coordination.reissue(
            eng, x, participant_id=pid, public_url="http://x"
        ),
        "coordination.reopen_participant": lambda x: coordination.reopen_participant(
            eng, x, participant_id=pid
        ),
        "coordination.set_campaign_status": lambda x: coordination.set_campaign_status(
            eng, x, campaign_id=b.campaign_id, status="closed"
        ),
        "coordination.campaigns": lambda x: coordination.campaigns(eng, x, b.territory_id),
        "coordination.structures": lambda x: coordination.structures(eng, x, b.territory_id),
        "guard.require_campaign": lambda x: require_campaign(
            eng, x, Action.TERRITORY_VIEW, b.campaign_id
        ),
        "coordination.create_campaign": lambda x: coordination.create_campaign(
            eng,
            x,
            territory_id=b.territory_id,
            title="pirate",
            questionnaire_id="mini",
            questionnaire_version="1",
        ),
        "privacy.my_data": lambda x: privacy.my_data(eng, x, MINI, pid),
        "privacy.export_my_data": lambda x: privacy.export_my_data(eng, x, MINI, pid, "json"),
        "privacy.erase_my_data": lambda x: privacy.erase_my_data(eng, x, pid),
        "privacy.erase_participant": lambda x: privacy.erase_participant(eng, x, pid),
        "privacy.erase_campaign": lambda x: privacy.erase_campaign(eng, x, b.campaign_id, b.title),
        "respondent.my_answers": lambda x: respondent.my_answers(eng, x, pid),
        "respondent.is_submitted": lambda x: respondent.is_submitted(eng, x, pid),
        "respondent.record_answer": lambda x: respondent.record_answer(
            eng, x, MINI, b.participant_ids[3], "ins_debat", {"level": 5}
        ),
        "respondent.submit": lambda x: respondent.submit(eng, x, MINI, b.participant_ids[3]),
        "respondent.my_profile": lambda x: respondent.my_profile(eng, x, invitation, questions, 3),
        "access.accounts_overview": lambda x: access.accounts_overview(eng, x),
        "access.list_accounts": lambda x: access.list_accounts(eng, x),
        "access.grant_role": lambda x: access.grant_role(
            eng, x, user_id=world.plain_user_id, territory_id=b.territory_id, role="coordinator"
        ),
        "access.revoke_role": lambda x: access.revoke_role(
            eng, x, user_id=b.users["consultant"], territory_id=b.territory_id, role="consultant"
        ),
        "access.reset_password": lambda x: access.reset_password(
            eng, x, user_id=b.users["coordinator"], password="pirate-pirate-pirate"
        ),
        "access.set_account_active": lambda x: access.set_account_active(
            eng, x, user_id=b.users["coordinator"], active=False
        ),
        "access.unlock_account": lambda x: access.unlock_account(
            eng, x, user_id=b.users["coordinator"]
        ),
        "access.create_account": lambda x: access.create_account(
            eng, x, email="pirate@exemple.fr", name="p", password="pirate-pirate", is_admin=True
        ),
        "territory.territory_facts": lambda x: territory_service.territory_facts(
            eng, x, b.territory_id, questions
        ),
        "territory.fact_values": lambda x: territory_service.fact_values(
            eng, x, b.territory_id, questions
        ),
        "territory.save_facts": lambda x: territory_service.save_facts(
            eng, x, b.territory_id, questions, values={"pcaet": False}, sources={}
        ),
        "journal.audit_log": lambda x: journal.audit_log(eng, x),
        "journal.export_log": lambda x: journal.export_log(eng, x),
        **workshop_entry_points(world, b.workshop_id, "atelier de B"),
        **workshop_entry_points(world, world.joint_workshop_id, "atelier commun A+B"),
        "workshop.create": lambda x: workshops.create(
            eng, x, title="pirate", campaign_ids=[b.campaign_id], controlled=False
        ),
        "workshop.create (A et B)": lambda x: workshops.create(
            eng,
            x,
            title="pirate",
            campaign_ids=[world.a.campaign_id, b.campaign_id],
            controlled=False,
        ),
    }


def workshop_entry_points(world: World, wid: int, label: str) -> dict[str, Callable[[Actor], Any]]:
    """Every facilitator action on a workshop, with B's posts (the joint one has none)."""
    b, eng = world.b, engine()
    prog = programme_for(get_settings().questions_dir)
    questions = get_settings().questions_dir
    post = b.post_ids[0]
    calls: dict[str, Callable[[Actor], Any]] = {
        "facilitated": lambda x: workshops.facilitated(eng, x, wid),
        "inbox": lambda x: workshops.inbox(eng, x, wid),
        "go_to": lambda x: workshops.go_to(eng, x, wid, 0, prog),
        "restart_timer": lambda x: workshops.restart_timer(eng, x, wid),
        "set_controlled": lambda x: workshops.set_controlled(eng, x, wid, False),
        "set_focus": lambda x: workshops.set_focus(eng, x, wid, b.territory_id),
        "reissue_screen": lambda x: workshops.reissue_screen(eng, x, wid),
        "moderate": lambda x: workshops.moderate(eng, x, wid, post, live.HIDDEN),
        "set_group": lambda x: workshops.set_group(eng, x, wid, post, "pirate"),
        "retain": lambda x: workshops.retain(eng, x, wid, post, retained=False),
        "send_commitments": lambda x: workshops.send_commitments(eng, x, wid, prog, questions),
        "end": lambda x: workshops.end(eng, x, wid, prog, questions),
        "output.build_record": lambda x: output.build_record(eng, x, wid, prog, {}, min_votes=3),
        "output.record_export": lambda x: output.record_export(eng, x, wid, "md"),
    }
    return {f"workshop.{name} ({label})": call for name, call in calls.items()}


def test_every_domain_entry_point_refuses_b_ids_to_a_actors(world):
    before = snapshot(world.b)
    calls = entry_points(world)
    failures = []
    for who, actor in attackers(world).items():
        for name, call in calls.items():
            try:
                call(actor)
            except AccessDenied:
                continue
            except Exception as exc:  # any other outcome is a finding
                failures.append(f"{who} → {name} : {type(exc).__name__} {exc}")
            else:
                failures.append(f"{who} → {name} : accepté")
    assert not failures, "\n".join(failures)
    assert snapshot(world.b) == before


def test_own_campaign_with_b_sub_ids_is_refused(world):
    """Cross-references: A's own campaign (allowed) with an item, a person or a place of B."""
    a, b, eng = world.a, world.b, engine()
    coordinator = a.actor("coordinator")
    before = snapshot(b)
    attempts: dict[str, Callable[[], Any]] = {
        "planning.edit": lambda: planning.edit(
            eng, coordinator, a.campaign_id, b.item_id, title="pirate"
        ),
        "planning.move": lambda: planning.move(eng, coordinator, a.campaign_id, b.item_id, 1),
        "planning.remove": lambda: planning.remove(eng, coordinator, a.campaign_id, b.item_id),
        "coordination.invite (commune de B)": lambda: coordination.invite(
            eng,
            coordinator,
            campaign_id=a.campaign_id,
            role="dgs",
            structure_id=b.commune_ids[0],
            name=None,
            public_url="http://x",
        ),
        "coordination.invite (territoire B)": lambda: coordination.invite(
            eng,
            coordinator,
            campaign_id=a.campaign_id,
            role="dgs",
            structure_id=b.territory_id,
            name=None,
            public_url="http://x",
        ),
        "privacy.erase_campaign (titre de B)": lambda: privacy.erase_campaign(
            eng, coordinator, a.campaign_id, b.title
        ),
        **{
            f"{name} (atelier de A, contribution de B)": call
            for name, call in own_workshop_with_b_posts(world).items()
        },
    }
    for name, attempt in attempts.items():
        with pytest.raises((AccessDenied, StoreError, workshops.WorkshopError)):
            attempt()
        assert snapshot(b) == before, name
    # a respondent of A writes only to their own row, whatever campaign they claim
    forged = replace(a.respondent(1), campaign_id=b.campaign_id)
    with pytest.raises(AccessDenied):
        respondent.record_answer(eng, forged, MINI, b.participant_ids[3], "ins_debat", {"level": 5})
    assert snapshot(b) == before


def own_workshop_with_b_posts(world: World) -> dict[str, Callable[[], Any]]:
    """A's facilitator on A's own workshop, naming B's posts or B's territory."""
    a, b, eng = world.a, world.b, engine()
    facilitator, wid = a.actor("facilitator"), a.workshop_id
    calls: dict[str, Callable[[], Any]] = {
        "workshop.set_focus": lambda: workshops.set_focus(eng, facilitator, wid, b.territory_id)
    }
    for post in b.post_ids:
        calls |= {
            f"workshop.moderate {post}": lambda p=post: workshops.moderate(
                eng, facilitator, wid, p, live.HIDDEN
            ),
            f"workshop.set_group {post}": lambda p=post: workshops.set_group(
                eng, facilitator, wid, p, "pirate"
            ),
            f"workshop.retain {post}": lambda p=post: workshops.retain(
                eng, facilitator, wid, p, retained=True
            ),
        }
    return calls


def test_b_own_actors_still_reach_b(world):
    """Control: the refusals above come from the check, not from a broken fixture."""
    b, eng = world.b, engine()
    questions = get_settings().questions_dir
    assert require_results_access(eng, b.actor("consultant"), b.campaign_id).id == b.campaign_id
    assert [i.title for i in planning.plan(eng, b.actor("coordinator"), b.campaign_id)] == [
        "Action-ZQXB-Feuille"
    ]
    table = coordination.participation(eng, b.actor("coordinator"), b.campaign_id, questions)
    assert "Nom-ZQXB-0" in set(table["Nom"])
    assert respondent.my_answers(eng, b.respondent(0), b.participant_ids[0])["act_libre"] == {
        "text": "Texte-ZQXB-libre-0"
    }


# --- the permission check, as properties ------------------------------------------------------

ROLES = ["coordinator", "consultant", "facilitator"]
territory_ids = hs.integers(1, 12)
memberships = hs.frozensets(hs.tuples(territory_ids, hs.sampled_from(ROLES)), max_size=5)
any_actor = hs.builds(
    Actor,
    kind=hs.sampled_from(["anonymous", "user", "respondent"]),
    user_id=hs.one_of(hs.none(), hs.integers(1, 9)),
    is_admin=hs.booleans(),
    memberships=memberships,
    participant_id=hs.one_of(hs.none(), hs.integers(1, 9)),
    campaign_id=hs.one_of(hs.none(), hs.integers(1, 9)),
)
users = hs.builds(
    Actor,
    kind=hs.just("user"),
    user_id=hs.integers(1, 9),
    is_admin=hs.just(False),
    memberships=memberships,
)
actions = hs.sampled_from(list(Action))


@given(actor=users, other=territory_ids, action=actions)
def test_a_membership_never_grants_anything_on_another_territory(actor, other, action):
    held = {t for t, _ in actor.memberships}
    if other in held:
        return
    alone = replace(actor, memberships=frozenset())
    assert can(actor, action, territory_id=other) == can(alone, action, territory_id=other)
    if action in TERRITORY_ACTIONS:
        assert not can(actor, action, territory_id=other)


@given(actor=users, extra=hs.tuples(territory_ids, hs.sampled_from(ROLES)), other=territory_ids)
def test_adding_a_membership_changes_nothing_elsewhere(actor, extra, other):
    if other == extra[0]:
        return
    more = replace(actor, memberships=actor.memberships | {extra})
    for action in Action:
        assert can(more, action, territory_id=other) == can(actor, action, territory_id=other)


@given(actor=any_actor, territory=hs.one_of(hs.none(), territory_ids))
def test_only_admins_manage_users(actor, territory):
    if can(actor, Action.USERS_MANAGE, territory_id=territory):
        assert actor.is_user and actor.is_admin
    if page_allowed(actor, "comptes") or page_allowed(actor, "journal"):
        assert actor.is_user and actor.is_admin


@given(
    actor=any_actor.filter(lambda a: a.kind == "respondent"),
    action=actions,
    territory=hs.one_of(hs.none(), territory_ids),
    participant=hs.one_of(hs.none(), hs.integers(1, 9)),
)
def test_respondents_reach_only_their_own_participant(actor, action, territory, participant):
    allowed = can(actor, action, territory_id=territory, participant_id=participant)
    if action == Action.ANSWER_OWN:
        assert allowed == (actor.is_respondent and participant == actor.participant_id)
    elif action != Action.PUBLIC:
        assert not allowed
    keys = [p.key for p in pages_for(actor)]
    if actor.is_respondent:
        assert keys == ["questionnaire"]
    else:  # a respondent without a participant is nobody: public pages only
        assert all(can(ANONYMOUS, p.action) for p in pages_for(actor))


@given(actor=any_actor, action=actions, territory=territory_ids, participant=hs.integers(1, 9))
def test_only_a_respondent_answers_and_only_for_themselves(actor, action, territory, participant):
    if can(actor, Action.ANSWER_OWN, participant_id=participant):
        assert actor.kind == "respondent" and actor.participant_id == participant
    if actor.kind == "anonymous":
        assert can(actor, action, territory_id=territory) == (
            action in {Action.PUBLIC, Action.SIGN_IN}
        )


# --- crashes found by the red-team pass -------------------------------------------------------


def test_a_new_account_creates_its_first_territory_without_a_traceback(app_env):
    """The menu gains « Campagnes » only once the territory exists: the link waits a run."""
    with session_scope(engine()) as s:
        user = accounts.create_user(
            s, email="nouveau@exemple.fr", name="Nouveau", password="mot-de-passe-solide"
        )
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = user.id
    at.session_state["last_seen"] = time.time()
    at.run().switch_page("pages/territoire.py").run()
    at.text_input(key="t_name").input("<script>alert(1)</script> **CC**")
    at.button(key="FormSubmitter:territory_form-Créer le territoire").click().run()
    assert not at.exception, at.exception
    assert "créé avec 0 commune." in at.success[0].value
    assert [link.proto.page for link in at.get("page_link")] == ["campagne"]


def test_consultants_and_facilitators_open_their_home_page(world):
    for who in ("consultant", "facilitator"):
        at = session_for(world, who).run()
        assert not at.exception, f"{who} : {at.exception}"
        assert [t.value for t in at.title] == ["Mes territoires"]


HOSTILE = [
    "<script>alert(1)</script>",
    "**gras** [lien](javascript:alert(1))",
    "=1+1",
    "'; DROP TABLE answer; --",
    "emoji 👩‍💼🏛️",
]


def test_hostile_names_are_stored_as_typed_or_refused_in_french(engine):
    """On SQLite and PostgreSQL alike: NUL, escape codes and bidi overrides go, over-long
    names are refused with a French message instead of a database error."""
    with session_scope(engine) as s:
        territory = territories.create_territory(
            s,
            name="CC\x00 du\x1b[31m Lac\u202e\n",
            kind="cc",
            communes=[(name, None) for name in HOSTILE],
        )
        assert territory.name == "CC du[31m Lac"
        names = {c.name for c in territories.member_communes(s, territory_id=territory.id)}
        assert names == set(HOSTILE)
        campaign = campaigns.create_campaign(
            s,
            territory_id=territory.id,
            title="Titre\x00\ttabulé",
            questionnaire_id="mini",
            questionnaire_version="1",
        )
        assert campaign.title == "Titre tabulé"
        person, _ = campaigns.add_participant(
            s, campaign_id=campaign.id, role="dgs", structure_id=territory.id, name="Nom\x00\x07"
        )
        assert person.name == "Nom"
        user = accounts.create_user(
            s, email="hostile@exemple.fr", name="A\x00B", password="mot-de-passe-solide"
        )
        assert user.name == "AB"
        assert accounts.user_by_email(s, email="hostile\x00@exemple.fr") is None
    attempts = {
        "nom de territoire": lambda s: territories.create_territory(s, name="N" * 201, kind="cc"),
        "nom de commune": lambda s: territories.create_territory(
            s, name="CC", kind="cc", communes=[("L" * 10_000, None)]
        ),
        "code de commune": lambda s: territories.create_territory(
            s, name="CC", kind="cc", communes=[("Alpha", "12;DROP")]
        ),
        "titre": lambda s: campaigns.create_campaign(
            s,
            territory_id=territory.id,
            title="T" * 201,
            questionnaire_id="mini",
            questionnaire_version="1",
        ),
        "nom de participant": lambda s: campaigns.add_participant(
            s, campaign_id=campaign.id, role="dgs", structure_id=territory.id, name="P" * 121
        ),
        "adresse": lambda s: accounts.create_user(
            s, email="a\x00@b.fr", name="x", password="mot-de-passe-solide"
        ),
    }
    for label, attempt in attempts.items():
        with pytest.raises(StoreError, match="limité|chiffres et des lettres|invalide"):
            with session_scope(engine) as s:
                attempt(s)
            pytest.fail(label)


def test_sign_in_with_hostile_addresses_is_a_plain_refusal(engine):
    for email in ("a\x00@b.fr", "' OR 1=1 --", "x" * 10_000, "😀@😀.fr"):
        with pytest.raises(accounts.SignInError), session_scope(engine) as s:
            accounts.authenticate(s, email=email, password="x", max_failures=5, lockout_minutes=5)
        with pytest.raises(accounts.SignInError), session_scope(engine) as s:
            accounts.authenticate_sso(s, email=email)


def test_the_command_line_refuses_hostile_ids_without_a_traceback(app_env, tmp_path, capsys):
    from diagnostic.cli import main

    huge = "99999999999999999999999"
    for argv in (
        ["export", "--campaign", huge, "--format", "csv", "-o", str(tmp_path / "x.csv")],
        ["participants", "--campaign", "-1"],
        ["grant", "--email", "a@b.fr", "--territory", huge, "--role", "consultant"],
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        assert "n'est pas un numéro valide" in capsys.readouterr().err
    with session_scope(engine()) as s:
        territory = territories.create_territory(s, name="CC", kind="cc")
        campaign = campaigns.create_campaign(
            s,
            territory_id=territory.id,
            title="C",
            questionnaire_id="mini",
            questionnaire_version="1",
        )
    csv = tmp_path / "reponses.csv"
    csv.write_text(f"participant;question;value\n{huge};ins_debat;3\n", encoding="utf-8")
    assert main(["import-answers", str(csv), "--campaign", str(campaign.id)]) == 1
    out = capsys.readouterr().out
    assert f"« {huge} » n'est pas un numéro" in out and "Traceback" not in out


def test_names_in_charts_are_text_not_plotly_markup():
    import pandas as pd

    from diagnostic.results import figures

    name = '<a href="https://evil.example/">Cliquez ici</a><br><b>x</b>'
    frame = pd.DataFrame(
        {"structure_name": [name], "invited": [3], "started": [3], "submitted": [3]}
    )
    shown = figures.participation(frame).to_dict()["data"][0]["y"]
    assert list(shown) == [
        '&lt;a href="https://evil.example/"&gt;Cliquez ici&lt;/a&gt;&lt;br&gt;&lt;b&gt;x&lt;/b&gt;'
    ]
    comparison = pd.DataFrame(
        {
            "position": [0],
            "group_label": [name],
            "question_id": ["q"],
            "status": ["ok"],
            "score": [50.0],
        }
    )
    heat = figures.heatmap(comparison, {"q": "Item"}, title="t", min_group_size=3).to_dict()
    assert "<a href" not in str(heat["data"][0]["x"])


# --- live workshops ---------------------------------------------------------------------------


def test_workshop_lists_hold_nothing_of_b(world):
    """A's actors list neither B's workshop nor the joint one, nor B's campaigns to open one."""
    a, b, eng = world.a, world.b, engine()
    for who, actor in attackers(world).items():
        listed = {w.id for w in workshops.workshops(eng, actor)}
        assert not listed & {b.workshop_id, world.joint_workshop_id}, who
        assert b.campaign_id not in {
            p.campaign_id for p in workshops.runnable_campaigns(eng, actor)
        }, who
    # control: each facilitator lists their own workshop, and only it
    assert [w.id for w in workshops.workshops(eng, a.actor("facilitator"))] == [a.workshop_id]
    assert [w.id for w in workshops.workshops(eng, b.actor("facilitator"))] == [b.workshop_id]
    assert [p.text for p in workshops.inbox(eng, b.actor("facilitator"), b.workshop_id)] == [
        "Partage-ZQXB-note",
        "Contribution-ZQXB-chantier",
        "Engagement-ZQXB-retenu",
        "Attente-ZQXB-boite",
    ]


def test_a_seat_link_of_b_opens_nothing_in_a_workshop(world):
    a, b, eng = world.a, world.b, engine()
    prog = programme_for(get_settings().questions_dir)
    for token in b.seat_tokens:
        assert workshops.seat(eng, a.workshop_id, token) is None
        assert workshops.seat(eng, world.joint_workshop_id, token) is None
        assert workshops.screen(eng, token) is None  # nor is it a screen link
        assert workshops.seat(eng, b.workshop_id, token) is not None  # control
    assert workshops.seat(eng, a.workshop_id, b.screen_token) is None
    before = snapshot(b)
    # the phone page with A's code and B's seat: a new seat is offered, nothing of B shows
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["atelier"] = a.workshop_code
    at.query_params["p"] = b.seat_tokens[0]
    at.run()
    assert not at.exception, at.exception
    text = rendered(at)
    assert "n'est plus reconnu" in text and "Atelier-ALFA-Seance" in text
    assert SECRET not in text.lower()
    # B's seat as a screen link of A's room: refused
    screen = AppTest.from_file(APP, default_timeout=60)
    screen.query_params["ecran"] = b.seat_tokens[0]
    screen.run()
    assert [t.value for t in screen.title] == ["Lien d'écran invalide"]
    # a seat of A, rebuilt by hand to claim B's workshop or territory, writes nothing there
    mine = workshops.seat(eng, a.workshop_id, a.seat_tokens[0])
    assert mine is not None
    commitments = next(i for i, s in enumerate(prog.steps) if s.kind == "commitments")
    forged = [
        replace(mine, workshop_id=b.workshop_id),
        replace(mine, territory_id=b.territory_id),
        replace(
            mine, participant_id=workshops.seat(eng, b.workshop_id, b.seat_tokens[0]).participant_id
        ),
    ]
    for seat in forged:
        with pytest.raises(AccessDenied):
            workshops.post(eng, seat, prog, step=commitments, text="pirate ZQXB")
        with pytest.raises(AccessDenied):
            workshops.vote(
                eng, seat, kind=live.LEVEL, target="ins_debat", value=1, campaign_id=b.campaign_id
            )
        with pytest.raises(AccessDenied):
            workshops.vote(eng, seat, kind=live.IMPACT, target=str(b.post_ids[1]), value=1)
    # A's real seat cannot vote on B's campaign, nor grade B's posts
    with pytest.raises(AccessDenied):
        workshops.vote(
            eng, mine, kind=live.LEVEL, target="ins_debat", value=1, campaign_id=b.campaign_id
        )
    with pytest.raises(workshops.WorkshopError):
        workshops.vote(eng, mine, kind=live.IMPACT, target=str(b.post_ids[1]), value=1)
    assert snapshot(b) == before
    assert workshops.my_posts(eng, forged[0]) == []  # nor reads anything of B's workshop


def test_the_workshop_pages_really_render_the_own_workshop(world):
    """The leak check covers the workshop pages: the same collector finds A's workshop."""
    console = rendered(visit(world, "facilitator", "pages/atelier.py", {}, routed=True))
    assert "Atelier-ALFA-Seance" in console
    assert "Engagement-ALFA-retenu" in console and "Attente-ALFA-boite" in console
    screen = rendered(visit(world, "facilitator", "pages/atelier_projection.py", {}, True))
    assert "Engagement-ALFA-retenu" in screen and "Pseudo-ALFA-0" in screen
    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params["atelier"] = world.a.workshop_code
    phone.query_params["p"] = world.a.seat_tokens[0]
    text = rendered(phone.run())
    assert "Pseudo-ALFA-0" in text and "Engagement-ALFA-retenu" in text


# --- a joint workshop after B's campaign is erased (or purged) -------------------------------

GONE = "kwjv"  # every seat, post and vote text of B in the joint workshop holds it


def fill_joint(eng, facilitator: Actor, made, sides: list[Side]) -> dict[str, list[str]]:
    """Each side takes seats in the joint workshop, posts at every step (private notes too),
    re-votes, grades its chantier and gets a commitment retained then sent to its roadmap."""
    prog = programme_for(get_settings().questions_dir)
    wid = made.workshop_id
    step = {s.kind: i for i, s in reversed(list(enumerate(prog.steps)))}
    tokens: dict[str, list[str]] = {}
    seats: dict[str, list[Seat]] = {}
    for side in sides:
        mark = f"{side.tag}-{GONE.upper()}" if side.tag == "ZQXB" else f"{side.tag}-commun"
        for i in range(2):
            seat, token = workshops.join(
                eng,
                made.code,
                nickname=f"Pseudo-{mark}-{i}",
                territory_id=side.territory_id,
                role="dga",
            )
            seats.setdefault(side.tag, []).append(seat)
            tokens.setdefault(side.tag, []).append(token)

    def each(kind: str, write: Callable[[Side, str, list[Seat]], None]) -> None:
        workshops.go_to(eng, facilitator, wid, step[kind], prog)
        for side in sides:
            mark = f"{side.tag}-{GONE.upper()}" if side.tag == "ZQXB" else f"{side.tag}-commun"
            write(side, mark, seats[side.tag])

    def personal(side: Side, mark: str, mine: list[Seat]) -> None:
        workshops.post(eng, mine[0], prog, step=step["personal"], text=f"Note-{mark}-privee")
        workshops.post(
            eng, mine[1], prog, step=step["personal"], text=f"Partage-{mark}-note", share=True
        )

    def revote(side: Side, mark: str, mine: list[Seat]) -> None:
        for seat in mine:
            workshops.vote(
                eng,
                seat,
                kind=live.LEVEL,
                target="ins_debat",
                value=2,
                campaign_id=side.campaign_id,
            )

    chantiers: dict[str, int] = {}

    def collective(side: Side, mark: str, mine: list[Seat]) -> None:
        chantiers[side.tag] = workshops.post(
            eng, mine[0], prog, step=step["collective"], text=f"Chantier-{mark}-commun"
        ).id
        workshops.set_group(eng, facilitator, wid, chantiers[side.tag], f"Groupe-{mark}")

    def grid(side: Side, mark: str, mine: list[Seat]) -> None:
        for seat in mine:
            workshops.vote(eng, seat, kind=live.IMPACT, target=str(chantiers[side.tag]), value=3)
            workshops.vote(eng, seat, kind=live.EFFORT, target=str(chantiers[side.tag]), value=2)

    def commitments(side: Side, mark: str, mine: list[Seat]) -> None:
        kept = workshops.post(
            eng, mine[1], prog, step=step["commitments"], text=f"Engagement-{mark}-commun"
        )
        workshops.retain(eng, facilitator, wid, kept.id, retained=True, dimension="instances")
        workshops.moderate(eng, facilitator, wid, kept.id, live.HIGHLIGHTED)

    for kind, write in (
        ("personal", personal),
        ("revote", revote),
        ("collective", collective),
        ("grid", grid),
        ("commitments", commitments),
    ):
        each(kind, write)
    sent = workshops.send_commitments(eng, facilitator, wid, prog, get_settings().questions_dir)
    assert sent.sent == {"Territoire-ALFA": 1, "Territoire-ZQXB": 1}
    return tokens


def page_as(user_id: int, path: str, state: dict[str, Any]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = user_id
    at.session_state["last_seen"] = time.time()
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(path).run()
    if not at.exception:
        at.run()
    return at


def exported_texts(eng, actor: Actor, wid: int) -> str:
    """The workshop's record as its Word, Markdown and CSV files say it."""
    import io
    import zipfile

    prog = programme_for(get_settings().questions_dir)
    record = output.build_record(eng, actor, wid, prog, {}, min_votes=1)
    parts = []
    for fmt in ("md", "csv", "docx"):
        data = output.export(record, fmt).data
        if fmt == "docx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data = z.read("word/document.xml")
        parts.append(data.decode("utf-8-sig"))
    return "\n".join(parts)


@pytest.fixture(params=["effacement", "purge"])
def after_b_erased(request, tmp_path, monkeypatch):
    """A and B (each with its own workshop) and a joint A+B workshop full of both; then B's
    open campaign is erased by B's coordinator, or closed long ago and purged by retention."""
    import shutil

    from diagnostic.store.models import Campaign, now

    questions = tmp_path / "questions"
    (questions / "questionnaires").mkdir(parents=True)
    shutil.copy(FIXTURES / "mini.yaml", questions / "questionnaires" / "mini.yaml")
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions / "atelier.yaml")
    shutil.copy(ROOT / "questions" / "fiche.yaml", questions / "fiche.yaml")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'erased.db'}")
    monkeypatch.setenv("QUESTIONS_DIR", str(questions))
    monkeypatch.setenv("LOAD_DEMO", "false")
    monkeypatch.setenv("PUBLIC_URL", "http://testserver")
    _reset_caches()
    eng = engine()
    a, b = build("ALFA"), build("ZQXB")
    with session_scope(eng) as s:
        both = accounts.create_user(
            s, email="deux@exemple.fr", name="Deux", password="mot-de-passe-solide"
        )
        plain = accounts.create_user(
            s, email="sans-role@exemple.fr", name="Sans rôle", password="mot-de-passe-solide"
        )
        admin = accounts.create_user(
            s,
            email="admin@exemple.fr",
            name="Admin",
            password="mot-de-passe-solide",
            is_admin=True,
        )
        for side in (a, b):
            accounts.grant(
                s, user_id=both.id, territory_id=side.territory_id, role="facilitator", actor="t"
            )
        ids = {"both": both.id, "plain": plain.id, "admin": admin.id}
    with session_scope(eng) as s:
        both_actor = accounts.actor_for(s, user_id=ids["both"])
    made = workshops.create(
        eng,
        both_actor,
        title="Atelier-commun-mixte",
        campaign_ids=[a.campaign_id, b.campaign_id],
        controlled=False,
    )
    tokens = fill_joint(eng, both_actor, made, [a, b])
    before = snapshot(a)
    joint_before = [
        (p.id, p.text, p.status, p.retained, p.roadmap_item_id)
        for p in workshops.inbox(eng, both_actor, made.workshop_id)
        if p.territory_id == a.territory_id
    ]
    if request.param == "effacement":
        privacy.erase_campaign(eng, b.actor("coordinator"), b.campaign_id, b.title)
    else:
        with session_scope(eng) as s:
            campaign = s.get(Campaign, b.campaign_id)
            campaign.status, campaign.closed_at = "closed", now() - timedelta(days=400)
            s.add(campaign)
        report = privacy.purge_expired(eng, retention_days=365)
        assert report.workshop_seats == 2 + 3  # the joint workshop's and B's own
    assert snapshot(a) == before  # A's campaign and own workshop are untouched
    yield request.param, a, b, ids, made, tokens, joint_before
    _reset_caches()


def test_a_joint_workshop_keeps_nothing_of_b_after_b_is_erased(after_b_erased):
    mode, a, b, ids, made, tokens, joint_before = after_b_erased
    eng, wid = engine(), made.workshop_id
    prog = programme_for(get_settings().questions_dir)
    with session_scope(eng) as s:
        both = accounts.actor_for(s, user_id=ids["both"])
    # who runs the joint workshop now: A's facilitator once B is gone; both, while B stays
    viewer_id = a.users["facilitator"] if mode == "effacement" else ids["both"]
    viewer = a.actor("facilitator") if mode == "effacement" else both
    must_not_show = SECRET if mode == "effacement" else GONE

    # the domain: A's posts, votes and commitment as they were; nothing of B
    mine = [
        (p.id, p.text, p.status, p.retained, p.roadmap_item_id)
        for p in workshops.inbox(eng, viewer, wid)
    ]
    assert mine == joint_before
    assert all(r[4] is not None for r in mine if r[3])  # A's commitment still in A's roadmap
    votes = workshops.votes_frame(eng, wid)
    assert set(votes["territory_id"]) == {a.territory_id} and len(votes) == 2 + 4
    assert set(votes["campaign_id"].dropna()) == {a.campaign_id}
    assert workshops.seat_counts(eng, wid) == {a.territory_id: 2}
    for token in tokens["ZQXB"]:
        assert workshops.seat(eng, wid, token) is None
    assert all(workshops.seat(eng, wid, t) is not None for t in tokens["ALFA"])
    exported = exported_texts(eng, viewer, wid).lower()
    assert must_not_show not in exported and "alfa-commun" in exported

    # every step of the console and of the projection, as the viewer sees them
    for index in range(len(prog.steps)):
        workshops.go_to(eng, viewer, wid, index, prog)
        workshops.reveal(eng, viewer, wid, prog.steps[index].id, True)  # vote results shown too
        for path in ("pages/atelier.py", "pages/atelier_projection.py"):
            shown = page_as(viewer_id, path, {"ws_id": wid})
            assert not shown.exception, f"{path} étape {index} : {shown.exception}"
            text = rendered(shown).lower()
            assert must_not_show not in text, f"{path}, étape {index}"
            assert "atelier-commun-mixte" in text, f"{path}, étape {index}"
        if prog.steps[index].kind == "commitments":
            assert "engagement-alfa-commun" in text  # the check really reads the posts
    # the phones: A's seat, and B's former seat (now a stranger offered a new seat)
    for token in (tokens["ALFA"][0], tokens["ZQXB"][0]):
        phone = AppTest.from_file(APP, default_timeout=60)
        phone.query_params["atelier"] = made.code
        phone.query_params["p"] = token
        phone.run()
        assert not phone.exception, phone.exception
        assert must_not_show not in rendered(phone).lower()

    if mode != "effacement":
        return
    # B's own workshop lost its only campaign: nobody runs it, its links say so in French
    with session_scope(eng) as s:
        admin = accounts.actor_for(s, user_id=ids["admin"])
        plain = accounts.actor_for(s, user_id=ids["plain"])
    for who in (
        b.actor("facilitator"),
        b.actor("coordinator"),
        a.actor("facilitator"),
        both,
        admin,
        plain,
    ):
        with pytest.raises(AccessDenied):
            workshops.facilitated(eng, who, b.workshop_id)
        assert b.workshop_id not in {w.id for w in workshops.workshops(eng, who)}
    with session_scope(eng) as s:
        assert workshop_store.contributions(s, workshop_id=b.workshop_id) == []
        assert workshop_store.seat_counts(s, workshop_id=b.workshop_id) == {}
    screen = AppTest.from_file(APP, default_timeout=60)
    screen.query_params["ecran"] = b.screen_token
    screen.run()
    assert not screen.exception
    assert [t.value for t in screen.title] == ["Lien d'écran invalide"]
    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params["atelier"] = b.workshop_code
    phone.query_params["p"] = b.seat_tokens[0]
    phone.run()
    assert not phone.exception
    text = rendered(phone)
    assert [t.value for t in phone.title] == ["Atelier terminé"]
    assert "les campagnes qu'il présentait ont été effacées" in text
    assert "pseudo-zqxb" not in text.lower() and "engagement-zqxb" not in text.lower()
