"""What the respondents are promised (docs/promesses.yaml) is what the app does.

Each sentence of « Qui voit quoi » — shown in the questionnaire's introduction and in the
privacy notice — has a check below that exercises it; a promise without a check fails
`test_every_promise_is_checked`.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from diagnostic.accounts.permissions import Actor
from diagnostic.answering.respondent import my_answers
from diagnostic.campaigns import coordination
from diagnostic.campaigns.export import DESCRIBING, campaign_export
from diagnostic.errors import AccessDenied, StoreError
from diagnostic.privacy.service import notice, promises
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results.model import TooFewRespondents, compute_results, shown_results
from diagnostic.results.service import read_campaign_data
from diagnostic.roadmap.quoting import campaign_voices
from diagnostic.settings import Settings
from diagnostic.store import campaigns, territories
from diagnostic.store.engine import build_engine, migrate, session_scope
from diagnostic.store.models import AuditEvent
from tests.conftest import FIXTURES
from tests.factories import store_answers
from tests.test_peers import cell, groups, rows

Q = load_questionnaire(FIXTURES / "mini.yaml")
K = 3
SETTINGS = Settings(min_group_size=K, min_peer_territories=5)

# (structure, role, name, sent): the only DST (finding §2.1: « R03 is the only DST »), an EPCI
# DGS alone of her kind, a person still answering.
PEOPLE = [
    ("epci", "dgs", "Jeanne Dupont", True),
    ("epci", "dga", None, True),
    ("epci", "dga", None, True),
    ("A", "dgs", "Marc Petit", True),
    ("A", "dgs", None, True),
    ("B", "dgs", None, True),
    ("B", "dst", "Paul Martin", True),
    ("B", "dga", "Lucie Bernard", False),
]
NAMES = [p[2] for p in PEOPLE if p[2]]
EXPORTS = [("csv", "long"), ("csv", "large"), ("xlsx", "long"), ("json", "long")]


@dataclass
class Env:
    engine: object
    qdir: object
    territory_id: int
    coordinator: Actor
    consultant: Actor
    admin: Actor
    campaign: dict[bool, int] = field(default_factory=dict)  # named -> campaign id
    pids: dict[bool, list[int]] = field(default_factory=dict)

    def export(self, actor, named, fmt="csv", table="long", **kwargs):
        return campaign_export(
            self.engine,
            actor,
            self.campaign[named],
            self.qdir,
            fmt=fmt,
            table=table,
            min_group_size=kwargs.pop("min_group_size", K),
            **kwargs,
        )


def text_of(out) -> str:
    """Every cell of an export as text (XLSX is zipped: read it)."""
    if out.filename.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(out.data))
        return "\n".join(
            str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value
        )
    return out.data.decode("utf-8-sig")


def frame_of(out) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(out.data), sep=";", encoding="utf-8-sig")


def save(engine, pid, qid, raw):
    with session_scope(engine) as s:
        store_answers(s, Q, pid, {qid: raw})


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("promesses")
    engine = build_engine(f"sqlite:///{folder / 'p.db'}")
    migrate(engine)
    qdir = folder / "questions"
    (qdir / "questionnaires").mkdir(parents=True)
    (qdir / "questionnaires" / "mini.yaml").write_text(
        (FIXTURES / "mini.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with session_scope(engine) as s:
        t = territories.create_territory(
            s, name="CC Promesse", kind="cc", communes=[("Aval", None), ("Bamont", None)]
        )
        places = {"epci": t.id}
        for c in territories.member_communes(s, territory_id=t.id):
            places[c.name[0]] = c.id
    member = frozenset({(t.id, "coordinator")})
    e = Env(
        engine,
        qdir,
        t.id,
        Actor(kind="user", user_id=1, email="coord@exemple.fr", memberships=member),
        Actor(kind="user", user_id=2, memberships=frozenset({(t.id, "consultant")})),
        Actor(kind="user", user_id=3, email="admin@exemple.fr", is_admin=True),
    )
    for named in (False, True):
        campaign = coordination.create_campaign(
            engine,
            e.coordinator,
            territory_id=t.id,
            title=f"Campagne {'nominative' if named else 'pseudonyme'}",
            questionnaire_id="mini",
            questionnaire_version="1",
            named_answers=named,
        )
        e.campaign[named] = campaign.id
        e.pids[named] = []
        for i, (where, role, name, sent) in enumerate(PEOPLE, start=1):
            pid = coordination.invite(
                engine,
                e.coordinator,
                campaign_id=campaign.id,
                role=role,
                structure_id=places[where],
                name=name,
                public_url="http://x",
            ).participant.id
            e.pids[named].append(pid)
            save(engine, pid, "ins_debat", {"level": 1 + i % 5})
            save(engine, pid, "act_libre", {"text": f"Idée libre numéro {i}"})
            # identifying answers: the only DST is also the only one in a large commune
            save(engine, pid, "ctx_structure", {"choice": "epci" if where == "epci" else "commune"})
            if where != "epci":
                size = "grande" if role == "dst" else "petite"
                save(engine, pid, "ctx_commune_taille", {"choice": size})
            if sent:
                with session_scope(engine) as s:
                    campaigns.mark_submitted(s, participant_id=pid)
    return e


# --- the checks, one per promise ------------------------------------------------------------


def check_vous(e: Env) -> None:
    mine, other = e.pids[False][0], e.pids[False][1]
    me = Actor(kind="respondent", participant_id=mine, campaign_id=e.campaign[False])
    assert set(my_answers(e.engine, me, mine)) == {"ins_debat", "act_libre", "ctx_structure"}
    with pytest.raises(AccessDenied):
        my_answers(e.engine, me, other)


def check_coordination_avancement(e: Env) -> None:
    table = coordination.participation(e.engine, e.coordinator, e.campaign[False], e.qdir)
    assert list(table.columns) == [
        "id",
        "Nom",
        "Fonction",
        "Structure",
        "Avancement",
        "Statut",
        "Envoyé le",
        "Lien",
        "Courriel",
    ]
    assert "Idée libre" not in table.to_string()  # progress, never what was answered
    sent = table["Statut"] == "Envoyé"
    # sent: 100 %, so that the share of optional questions answered cannot single anyone out
    assert sent.sum() == 7 and (table.loc[sent, "Avancement"] == 100).all()


def check_coordination_sans_nom(e: Env) -> None:
    for fmt, table in EXPORTS:
        for actor in (e.coordinator, e.admin):
            text = text_of(e.export(actor, False, fmt, table))
            assert not [n for n in NAMES if n in text], (fmt, table)
    with pytest.raises(ValueError, match="cette campagne n'est pas nominative"):
        e.export(e.coordinator, False, with_names=True)
    # on screen: the results are computed from participants without their names
    data = read_campaign_data(e.engine, e.campaign[False], e.qdir)
    assert "name" not in data.participants.columns
    assert not [n for n in NAMES if n in data.participants.to_string()]


def check_coordination_nominative(e: Env) -> None:
    frame = frame_of(e.export(e.coordinator, True, with_names=True))
    jeanne = frame.loc[frame["Répondant·e"] == "Jeanne Dupont"]
    assert set(jeanne["Question (id)"]) == {"ins_debat", "act_libre", "ctx_structure"}
    assert "Idée libre numéro 1" in set(jeanne["Réponse"])
    assert "Lucie Bernard" in set(frame["Répondant·e"])  # named: answers in progress too


def check_resultats_par_groupes(e: Env) -> None:
    data = read_campaign_data(e.engine, e.campaign[False], e.qdir)
    results = compute_results(data, min_group_size=K)
    by_role = results.comparisons["role"]
    dst = by_role.loc[(by_role["group"] == "dst") & (by_role["question_id"] == "ins_debat")]
    assert dst["status"].tolist() == ["suppressed"] and dst["score"].isna().all()
    # the page's filters show nothing below the threshold (results_for applies shown_results)
    assert isinstance(shown_results(data, min_group_size=K, role="dst"), TooFewRespondents)
    assert not isinstance(shown_results(data, min_group_size=K, role="dgs"), TooFewRespondents)


def check_exports_pseudonymes(e: Env) -> None:
    for actor in (e.coordinator, e.consultant):
        frame = frame_of(e.export(actor, False))
        assert not {"Modifiée le", "Envoyé", "Version du questionnaire"} & set(frame.columns)
        assert frame["Réponse"].str.contains("Idée libre numéro 8").sum() == 0  # not sent
        assert sorted(set(frame["Répondant·e"])) == [f"R{i:02d}" for i in range(1, 8)]
        people = frame.drop_duplicates("Répondant·e")
        kept = [c for c in DESCRIBING if c in people]
        assert kept and people.groupby(kept).size().min() >= K
        assert "DST" not in people.to_string()  # the only DST is nowhere to be seen
        assert "2 000 habitants ou plus" not in frame.to_string()  # nor her commune's size
        described = people.set_index("Répondant·e")[kept].join(
            frame.loc[frame["Question (id)"].isin(["ctx_structure", "ctx_commune_taille"])].pivot(
                index="Répondant·e", columns="Question (id)", values="Réponse"
            )
        )
        assert described.fillna("").groupby(list(described.columns)).size().min() >= K
    # codes drawn at random: the same code is not the same person from one export to the next
    first = [
        frame_of(e.export(e.coordinator, False, rng=random.Random(seed)))
        .set_index(["Répondant·e", "Question (id)"])
        .loc[("R01", "act_libre"), "Réponse"]
        for seed in range(6)
    ]
    assert len(set(first)) > 1
    with pytest.raises(ValueError, match="il faut 8 questionnaires envoyés"):
        e.export(e.coordinator, False, min_group_size=8)


def check_textes_libres(e: Env) -> None:
    text = text_of(e.export(e.coordinator, False, "xlsx"))
    assert "Idée libre numéro 7" in text
    # the roadmap quotes them without a name, a function nor a commune, sent ones only
    quoted = campaign_voices(e.engine, e.campaign[True], Q, K).shown()
    assert "Idée libre numéro 7" in [q.text for q in quoted]
    assert "Idée libre numéro 8" not in [q.text for q in quoted]  # not sent
    sources = {q.source for q in quoted}
    assert sources <= {"une direction communale", "une direction de l'intercommunalité"}
    assert not [n for n in NAMES if n in str(quoted)]
    assert campaign_voices(e.engine, e.campaign[True], Q, len(quoted) + 1).quotes == ()


def check_consultants(e: Env) -> None:
    with pytest.raises(ValueError, match="réservés à la coordination"):
        e.export(e.consultant, True, with_names=True)
    for fmt, table in EXPORTS:
        for named in (False, True):
            text = text_of(e.export(e.consultant, named, fmt, table))
            assert not [n for n in NAMES if n in text], (fmt, table, named)
    peers = SETTINGS.min_peer_territories
    few = rows([(t, "cc", 20_000, 10 * t) for t in range(1, peers)])
    assert cell(groups(few, min_territories=peers), "cc", "15k-30k")["status"] == "suppressed"
    table = rows([(t, "cc", 20_000, 40, t != 1) for t in range(1, peers + 2)])
    assert cell(groups(table, min_territories=peers), "cc", "15k-30k")["n"] == peers


def check_administration(e: Env) -> None:
    with session_scope(e.engine) as s:
        events = list(s.exec(select(AuditEvent)))
    assert any(ev.action == "participant.invite" for ev in events)
    logged = json.dumps(
        [[ev.actor, ev.action, ev.target, ev.details] for ev in events], ensure_ascii=False
    )
    assert not [n for n in NAMES if n in logged]
    # the coordination's access on every territory: a named campaign's names
    assert "Jeanne Dupont" in text_of(e.export(e.admin, True, with_names=True))


def check_choix_fixe(e: Env) -> None:
    fresh = coordination.create_campaign(
        e.engine,
        e.coordinator,
        territory_id=e.territory_id,
        title="Campagne à régler",
        questionnaire_id="mini",
        questionnaire_version="1",
    )
    assert not fresh.named_answers
    assert coordination.set_named_answers(
        e.engine, e.coordinator, campaign_id=fresh.id, named=True
    ).named_answers
    pid = coordination.invite(
        e.engine,
        e.coordinator,
        campaign_id=fresh.id,
        role="dgs",
        structure_id=e.territory_id,
        name=None,
        public_url="http://x",
    ).participant.id
    save(e.engine, pid, "ins_debat", {"level": 2})  # one answer, not even sent
    with pytest.raises(StoreError, match="ne peut plus changer"):
        coordination.set_named_answers(e.engine, e.coordinator, campaign_id=fresh.id, named=False)
    with pytest.raises(StoreError, match="ne peut plus changer"):
        coordination.set_named_answers(
            e.engine, e.coordinator, campaign_id=e.campaign[False], named=True
        )


CHECKS = {
    "vous": check_vous,
    "coordination_avancement": check_coordination_avancement,
    "coordination_sans_nom": check_coordination_sans_nom,
    "coordination_nominative": check_coordination_nominative,
    "resultats_par_groupes": check_resultats_par_groupes,
    "exports_pseudonymes": check_exports_pseudonymes,
    "textes_libres": check_textes_libres,
    "consultants": check_consultants,
    "administration": check_administration,
    "choix_fixe": check_choix_fixe,
}


def test_every_promise_is_checked():
    ids = [p.id for p in promises(SETTINGS)]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(CHECKS), "une promesse de docs/promesses.yaml n'est pas vérifiée"


@pytest.mark.parametrize("promise", [p.id for p in promises(SETTINGS)])
def test_promise_is_kept(env, promise):
    CHECKS[promise](env)


def test_the_notice_and_each_campaign_show_their_promises():
    every = promises(SETTINGS)
    text = notice(SETTINGS)
    for p in every:
        assert p.text in text and "$" not in p.text
    pseudonymous = {p.id for p in promises(SETTINGS, named=False)}
    named = {p.id for p in promises(SETTINGS, named=True)}
    assert "coordination_sans_nom" in pseudonymous - named
    assert "coordination_nominative" in named - pseudonymous
    assert str(K) in next(p.text for p in every if p.id == "resultats_par_groupes")
