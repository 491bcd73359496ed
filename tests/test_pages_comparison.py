"""AppTest of the comparison page and the consent toggle."""

from __future__ import annotations

import random

import pytest
from sqlmodel import select

from diagnostic.comparison import benchmark
from diagnostic.questionnaire import load_questionnaire
from diagnostic.store import accounts, campaigns
from diagnostic.store.engine import session_scope
from diagnostic.store.models import AuditEvent, Campaign, Territory
from tests.conftest import FIXTURES
from tests.factories import make_user, make_world, store_answers
from tests.pages_kit import engine, signed_in, titles

Q = load_questionnaire(FIXTURES / "mini.yaml")


def scored_territory(name, *, consent, population=20_000, kind="cc", seed=0):
    """A territory with 3 submitted questionnaires, in the benchmark table."""
    world = make_world(engine(), name=name, n_participants=3)
    rng = random.Random(seed)
    with session_scope(engine()) as s:
        territory = s.get(Territory, world.territory.id)
        territory.population, territory.kind = population, kind
        s.add(territory)
        campaign = s.get(Campaign, world.campaign_id)
        campaign.benchmark_consent = consent
        s.add(campaign)
        for p in world.participants:
            level = rng.randint(1, 5)
            raw = {
                "ins_debat": {"level": level},
                "ins_codir": {"current": level, "target": 5, "importance": 2},
            }
            store_answers(s, Q, p.id, raw)
            campaigns.mark_submitted(s, participant_id=p.id)
    benchmark.refresh(engine(), world.campaign_id)
    return world


def member(email, worlds, role):
    user = make_user(engine(), email)
    with session_scope(engine()) as s:
        for world in worlds:
            accounts.grant(
                s, user_id=user.id, territory_id=world.territory.id, role=role, actor="test"
            )
    return user


@pytest.fixture
def peers(app_env):
    return [scored_territory(f"Pair secret {i}", consent=True, seed=i) for i in range(1, 7)]


def test_consultant_compares_accompanied_territories_and_sees_only_anonymous_peers(peers):
    alpha = scored_territory("CC Alpha", consent=False, seed=10)
    beta = scored_territory("CC St. Beta", consent=False, seed=11)
    scored_territory("CC Gamma", consent=False, seed=12)  # neither accompanied nor consenting
    member("conseil@exemple.fr", [alpha, beta], "consultant")
    at = signed_in("conseil@exemple.fr")
    at.switch_page("pages/comparaison.py").run()
    assert not at.exception
    assert titles(at) == ["Comparaison entre territoires"]
    assert at.multiselect(key="cmp_territories").value == [alpha.territory.id, beta.territory.id]
    said = at.success[0].value
    assert "CC de 15 000 à 29 999 hab. — 6 territoires" in said  # each its own group
    assert "CC Alpha" in said and "CC St\\. Beta" in said
    page = str(at)
    assert "CC Alpha" in page and "CC St. Beta" in page
    assert "Pair secret" not in page and "CC Gamma" not in page
    ranks = next(d.value for d in at.dataframe if "Rang centile" in d.value.columns)
    assert set(ranks["Territoire"]) == {"CC Alpha", "CC St. Beta"}
    readings = [m.value for m in at.markdown if "en moyenne (A = " in m.value]
    assert readings[1].startswith("- **CC St\\. Beta** : avis")  # the name as typed
    assert ranks["Rang centile"].notna().any()
    assert len(at.get("download_button")) == 3  # CSV, XLSX, PPTX
    # the consultant chooses the whole kind for one territory: still 6 CC, still no name
    at.selectbox(key=f"cmp_group_{alpha.territory.id}").set_value("toutes").run()
    assert not at.exception
    ranks = next(d.value for d in at.dataframe if "Rang centile" in d.value.columns)
    groups = dict(zip(ranks["Territoire"], ranks["Groupe de pairs"], strict=False))
    assert groups == {
        "CC Alpha": "CC de toutes tailles",
        "CC St. Beta": "CC de 15 000 à 29 999 hab.",
    }
    assert "Pair secret" not in str(at)
    at.multiselect(key="cmp_territories").set_value([]).run()  # nobody chosen: said, no error
    assert not at.exception
    assert any("au moins un territoire" in i.value for i in at.info)


def test_consultant_never_sees_a_territory_they_do_not_accompany(peers):
    member("autre@exemple.fr", [], "consultant")
    at = signed_in("autre@exemple.fr")
    at.switch_page("pages/comparaison.py").run()
    assert "Comparaison entre territoires" not in titles(at)  # no membership: no page
    assert "Pair secret" not in str(at)


def test_coordinator_sees_own_territory_and_peers_without_counting_itself(peers):
    user = member("coord@exemple.fr", [peers[0]], "coordinator")
    at = signed_in(user.email)
    at.switch_page("pages/comparaison.py").run()
    assert not at.exception
    assert at.multiselect(key="cmp_territories").value == [peers[0].territory.id]
    # 6 consenting territories, one of them its own: 5 others, the threshold
    assert "— 6 territoires" in at.success[0].value
    page = str(at)
    assert "Pair secret 1" in page
    assert not any(f"Pair secret {i}" in page for i in range(2, 7))


def test_withdrawing_consent_from_the_campaign_page_takes_effect_at_once(peers):
    user = member("coord@exemple.fr", [peers[0]], "coordinator")
    at = signed_in(user.email)
    at.switch_page("pages/campagne.py").run()
    toggle = at.toggle(key=f"consent_{peers[0].campaign_id}")
    assert toggle.value is True
    toggle.set_value(False).run()
    assert not at.exception
    assert "Accord retiré" in at.info[0].value
    with session_scope(engine()) as s:
        assert s.get(Campaign, peers[0].campaign_id).benchmark_consent is False
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "campaign.consent")).all()
        assert len(events) == 1
    at.switch_page("pages/comparaison.py").run()
    assert "— 5 territoires" in at.success[0].value  # was 6: out at once


def test_evolution_tab_compares_two_campaigns_item_by_item(app_env):
    first = scored_territory("CC Delta", consent=False, seed=1)
    with session_scope(engine()) as s:
        campaign = campaigns.create_campaign(
            s,
            territory_id=first.territory.id,
            title="Second diagnostic",
            questionnaire_id="mini",
            questionnaire_version="1",
        )
        for level in (4, 5, 5):
            p, _ = campaigns.add_participant(
                s, campaign_id=campaign.id, role="dgs", structure_id=first.territory.id
            )
            store_answers(s, Q, p.id, {"ins_debat": {"level": level}})
            campaigns.mark_submitted(s, participant_id=p.id)
        second_id = campaign.id
    benchmark.refresh(engine(), second_id)
    member("conseil@exemple.fr", [first], "consultant")
    at = signed_in("conseil@exemple.fr")
    at.switch_page("pages/comparaison.py").run()
    assert not at.exception
    assert at.selectbox(key="cmp_evo_after").value == second_id
    assert any("items identiques" in c.value for c in at.caption)
    moved = next(d.value for d in at.dataframe if "Évolution (points)" in d.value.columns)
    assert "Avant" in moved.columns and len(moved) >= 1
