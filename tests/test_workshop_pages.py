"""AppTest of the workshop pages: the facilitator's console, the screen, the participants."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from diagnostic.accounts.access import actor_for_user
from diagnostic.settings import get_settings
from diagnostic.store import accounts
from diagnostic.store.engine import get_engine, migrate, session_scope
from diagnostic.workshop import live, priorities, programme_for, service
from tests.conftest import ROOT
from tests.factories import PASSWORD, field_data, make_user, make_world, send_text
from tests.test_workshop_output import answer

APP = str(ROOT / "app.py")


def engine():
    eng = get_engine(get_settings().effective_database_url)
    migrate(eng)
    return eng


def app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def texts(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.title, *at.header, *at.subheader, *at.info]
    parts += [*at.error, *at.success, *at.warning]
    return "\n".join(str(e.value) for e in parts)


@pytest.fixture
def room(app_env, questions_dir):
    """Two territories with submitted answers, and a facilitator of both."""
    shutil.copy(ROOT / "questions" / "atelier.yaml", questions_dir / "atelier.yaml")
    alpha = make_world(engine(), name="CC Alpha", n_participants=3)
    beta = make_world(engine(), name="CC Beta", n_participants=3)
    answer(engine(), alpha, [1, 3, 5])
    answer(engine(), beta, [2, 2, 3])
    user = make_user(engine(), "animation@exemple.fr")
    with session_scope(engine()) as s:
        for w in (alpha, beta):
            accounts.grant(
                s, user_id=user.id, territory_id=w.territory.id, role="facilitator", actor="t"
            )
    return alpha, beta, actor_for_user(engine(), user.id), programme_for(questions_dir)


def signed_in() -> AppTest:
    at = app()
    at.text_input(key="login_email").input("animation@exemple.fr")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def opened(room, *, controlled: bool = False):
    alpha, beta, actor, prog = room
    made = service.create(
        engine(),
        actor,
        title="Séminaire",
        campaign_ids=[alpha.campaign_id, beta.campaign_id],
        controlled=controlled,
    )
    return made


def index_of(prog, kind: str) -> int:
    return next(i for i, s in enumerate(prog.steps) if s.kind == kind)


# --- links without an account -----------------------------------------------------------------


def test_an_unknown_code_says_so_in_french_and_asks_again(room):
    at = app(atelier="ZZZ ZZZ")
    assert not at.exception
    assert at.title[0].value == "Rejoindre un atelier"
    assert "Ce code ne correspond à aucun atelier" in at.error[0].value
    at.text_input(key="ws_code_input").input("K0O")
    at.button[0].click().run()
    assert "n'a pas la bonne forme" in texts(at)
    empty = app(atelier="")
    assert empty.title[0].value == "Rejoindre un atelier" and not empty.error


def test_a_bad_screen_link_says_so(room):
    at = app(ecran="pas-un-lien-valide-du-tout-1234567890")
    assert not at.exception
    assert at.title[0].value == "Lien d'écran invalide"


def test_join_then_reload_keeps_the_seat_and_the_posts(room):
    alpha, beta, actor, prog = room
    made = opened(room)
    at = app(atelier=made.code.lower())
    assert at.title[0].value == "Séminaire"
    at.text_input(key="ws_nickname").input("Alice")
    at.selectbox(key="ws_territory").set_value(alpha.territory.id)
    at.selectbox(key="ws_role").set_value("dst")
    at.button[0].click().run()
    assert not at.exception
    token = at.query_params["p"]
    assert at.query_params["atelier"] == made.code
    assert "Bienvenue Alice" in texts(at)
    personal = index_of(prog, "personal")
    service.go_to(engine(), actor, made.workshop_id, personal, prog)
    again = app(atelier=made.code, p=token)  # a reload, or another phone with the same link
    assert not again.exception
    assert "Séminaire · Alice · DST" in texts(again)
    assert "Vous participez pour : **CC Alpha**" in texts(again)
    send_text(again, f"ws_text_{personal}_0", "Ce que je retiens")
    again.checkbox(key=f"ws_share_{personal}_0").check()
    again.button(key=f"ws_send_{personal}_0").click().run()
    assert "Envoyé : votre contribution est à l'écran." in texts(again)
    third = app(atelier=made.code, p=token)
    assert "Ce que je retiens" in texts(third) and "Affichée" in texts(third)
    stale = app(atelier=made.code, p="x" * 43)
    assert "n'est plus reconnu" in stale.warning[0].value


def alice_at_personal(room):  # type: ignore[no-untyped-def]
    """An opened workshop at its first personal step, with Alice (CC Alpha, DST) seated:
    (created workshop, her seat, her token, the step's index)."""
    alpha, beta, actor, prog = room
    made = opened(room)
    seat, token = service.join(
        engine(), made.code, nickname="Alice", territory_id=alpha.territory.id, role="dst"
    )
    personal = index_of(prog, "personal")
    service.go_to(engine(), actor, made.workshop_id, personal, prog)
    return made, seat, token, personal


def test_a_post_being_typed_survives_the_facilitator_moving_on(room):
    """Typed, not sent, and the facilitator goes to the next step (the live refresh redraws the
    phone): the text is kept as a draft, shown with its step, and can still be posted there."""
    alpha, beta, actor, prog = room
    made, seat, token, personal = alice_at_personal(room)
    at = app(atelier=made.code, p=token)
    assert not at.exception
    send_text(at, f"ws_text_{personal}_0", "Une idée à moitié écrite")
    data = field_data(at, f"ws_text_{personal}_0")
    assert data["state"] == "saved" and data["saved_word"].startswith("Brouillon gardé")
    assert service.my_posts(engine(), seat) == []  # a draft, not a post
    # the facilitator moves on; the phone's next run shows the new step
    service.go_to(engine(), actor, made.workshop_id, personal + 1, prog)
    at.run()
    assert not at.exception
    title = prog.step(personal).title
    assert f"Texte non envoyé — étape {personal + 1} « {title} »" in texts(at)
    assert "Une idée à moitié écrite" in texts(at)
    assert field_data(at, f"ws_text_{personal + 1}_0")["value"] == ""  # the new step's field
    at.button(key=f"ws_draft_send_{personal}").click().run()
    assert "Note enregistrée (privée)." in texts(at)
    assert [p.text for p in service.my_posts(engine(), seat, personal)] == [
        "Une idée à moitié écrite"
    ]
    assert "Texte non envoyé" not in texts(at)
    # a draft can also be let go, explicitly
    send_text(at, f"ws_text_{personal + 1}_0", "Finalement non")
    service.go_to(engine(), actor, made.workshop_id, personal + 2, prog)
    at.run()
    assert "Finalement non" in texts(at)
    at.button(key=f"ws_draft_drop_{personal + 1}").click().run()
    assert "Finalement non" not in texts(at)
    assert service.my_posts(engine(), seat, personal + 1) == []


def test_revote_and_grid_on_the_phone(room):
    alpha, beta, actor, prog = room
    made = opened(room)
    seat, token = service.join(
        engine(), made.code, nickname="Bruno", territory_id=alpha.territory.id, role="dgs"
    )
    service.go_to(engine(), actor, made.workshop_id, index_of(prog, "revote"), prog)
    at = app(atelier=made.code, p=token)
    assert not at.exception
    at.radio(key="ws_vote_ins_debat").set_value(4).run()
    assert service.my_votes(engine(), seat)[(live.LEVEL, "ins_debat")] == 4
    collective = index_of(prog, "collective")
    service.go_to(engine(), actor, made.workshop_id, collective, prog)
    chantier = service.post(engine(), seat, prog, step=collective, text="Une conférence des DGS")
    service.go_to(engine(), actor, made.workshop_id, index_of(prog, "grid"), prog)
    at = app(atelier=made.code, p=token)
    at.radio(key=f"ws_impact_{chantier.id}").set_value(3).run()
    at.radio(key=f"ws_effort_{chantier.id}").set_value(1).run()
    assert not at.exception
    assert service.my_votes(engine(), seat)[(live.EFFORT, str(chantier.id))] == 1
    grid = prog.steps[index_of(prog, "grid")]
    service.reveal(engine(), actor, made.workshop_id, grid.id, True)
    screen = app(ecran=made.screen_token)  # the ring explained in the list, not over the axis
    assert "Disque cerclé : un seul vote" in texts(screen)
    assert "**1.** Une conférence des DGS — *Gain rapide · un seul vote*" in texts(screen)
    [chart] = [json.loads(c.proto.spec) for c in screen.get("plotly_chart")]
    assert chart["layout"]["showlegend"] is False
    service.end(engine(), actor, made.workshop_id, prog, get_settings().questions_dir)
    over = app(atelier=made.code, p=token)
    assert over.title[0].value == "Atelier terminé"
    assert "Une conférence des DGS" in texts(over)


# --- the facilitator ---------------------------------------------------------------------------


def test_the_facilitator_menu_and_console_create_a_workshop(room):
    alpha, beta, actor, prog = room
    from diagnostic.accounts.permissions import pages_for

    # a facilitator's menu: the console and the screen, the fiche to read, nothing of the
    # coordination
    assert [p.key for p in pages_for(actor)] == [
        "accueil",
        "fiche",
        "atelier",
        "projection",
        "territoire",
        "reperes",
        "confidentialite",
        "deconnexion",
    ]
    at = signed_in()
    at.switch_page("pages/atelier.py").run()
    assert not at.exception
    assert "Ouvrir un nouvel atelier" in texts(at)
    at.multiselect(key="ws_new_campaigns").set_value([alpha.campaign_id, beta.campaign_id])
    at.checkbox(key="ws_new_controlled").check()
    at.button(key="FormSubmitter:ws_new-Ouvrir l'atelier").click().run()
    assert not at.exception
    [made] = service.workshops(engine(), actor)
    assert f"Atelier ouvert : code {made.code[:3]} {made.code[3:]}." in texts(at)
    assert any("?ecran=" in c.value for c in at.code)
    assert any(f"?atelier={made.code}" in c.value for c in at.code)
    at.button(key="ws_next").click().run()
    assert "Étape 2 sur 11 : Ce que disent nos diagnostics" in texts(at)


def test_the_console_moderates_the_inbox_and_retains_commitments(room):
    alpha, beta, actor, prog = room
    made = opened(room, controlled=True)
    seat, _ = service.join(
        engine(), made.code, nickname="Chloé", territory_id=beta.territory.id, role="dga"
    )
    commitments = index_of(prog, "commitments")
    service.go_to(engine(), actor, made.workshop_id, commitments, prog)
    post = service.post(engine(), seat, prog, step=commitments, text="Un séminaire annuel")
    at = signed_in()
    at.switch_page("pages/atelier.py").run()
    assert not at.exception
    assert "Boîte de réception (1)" in texts(at)
    at.button(key=f"ws_show_{post.id}").click().run()
    assert "Boîte de réception" not in texts(at)
    at.checkbox(key=f"ws_keep_{post.id}_False").check().run()
    assert not at.exception
    pills = at.button_group(key=f"ws_axis_{post.id}_None")
    assert pills.label == "Axe de la feuille de route (à choisir : aucun choisi)"
    assert pills.value is None  # no axis given by default: « Clore » would not send it
    pills.set_value("acteurs").run()
    [kept] = [p for p in service.inbox(engine(), actor, made.workshop_id) if p.id == post.id]
    assert kept.retained and kept.status == live.VISIBLE
    assert "Engagements retenus (1)" in texts(at)
    at.checkbox(key="ws_end_sure").check().run()
    at.button(key="ws_end").click().run()
    assert not at.exception
    assert "Engagements inscrits aux projets de feuille de route : 1 pour CC Beta" in texts(at)
    at.button(key="ws_prep").click().run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == [
        "Word",
        "Markdown",
        "Contributions (CSV)",
        "Image du tableau (PNG)",
    ]


def test_the_projection_follows_the_steps(room):
    alpha, beta, actor, prog = room
    made = opened(room)
    screen = app(ecran=made.screen_token)
    assert not screen.exception
    assert "# Bienvenue" in texts(screen)
    assert f"{made.code[:3]} {made.code[3:]}" in texts(screen)
    service.go_to(engine(), actor, made.workshop_id, index_of(prog, "results"), prog)
    screen.run()
    assert "## CC Alpha" in texts(screen) and "## CC Beta" in texts(screen)
    assert "niveau moyen" in texts(screen)
    at = signed_in()
    at.switch_page("pages/atelier_projection.py").run()
    assert not at.exception
    assert "# Ce que disent nos diagnostics" in texts(at)
    at.button(key="pj_next").click().run()
    assert not at.exception
    assert service.live_state(engine(), made.workshop_id).step == index_of(prog, "results") + 1


def test_the_projection_shows_one_territory_s_revote_with_its_charts(room):
    alpha, beta, actor, prog = room
    made = opened(room)
    service.go_to(engine(), actor, made.workshop_id, index_of(prog, "revote"), prog)
    for name in ("Alice", "Bruno", "Chloé"):
        seat, _ = service.join(
            engine(), made.code, nickname=name, territory_id=alpha.territory.id, role="dgs"
        )
        service.vote(
            engine(),
            seat,
            kind=live.LEVEL,
            target="ins_debat",
            value=4,
            campaign_id=alpha.campaign_id,
        )
    service.set_focus(engine(), actor, made.workshop_id, alpha.territory.id)
    screen = app(ecran=made.screen_token)
    assert not screen.exception
    hidden = texts(screen)  # a vote step: the count, the results once revealed (issue 20)
    assert "3 votes sur 3" in hidden and "→ maintenant" not in hidden
    assert "Les résultats s'afficheront quand l'animation les révélera." in hidden
    revote = prog.steps[index_of(prog, "revote")]
    service.reveal(engine(), actor, made.workshop_id, revote.id, True)
    screen.run()
    shown = texts(screen)
    assert "3 votes sur 3" in shown and "révélera" not in shown
    assert "## CC Alpha" in shown and "## CC Beta" not in shown
    figures = [(m.label, m.value) for m in screen.metric]  # the largest type on the screen
    assert ("Maintenant", "4,0") in figures  # the item the room re-voted, with its chart
    assert ("Maintenant", "—") in figures  # the other one: too few votes to show
    assert "pas encore assez de votes pour afficher le résultat" in shown  # the other one
    assert len(screen.get("plotly_chart")) == 1
    assert any(c.value.startswith("1 ") and " · 2 " in c.value for c in screen.caption)


def test_the_projection_shows_groups_side_by_side_and_the_points_tally(room):
    alpha, beta, actor, prog = room
    made = opened(room)
    wid = made.workshop_id
    collective, dots = index_of(prog, "collective"), index_of(prog, "dots")
    service.go_to(engine(), actor, wid, collective, prog)
    seat, _ = service.join(
        engine(), made.code, nickname="Alice", territory_id=alpha.territory.id, role="dgs"
    )
    other, _ = service.join(
        engine(), made.code, nickname="Bruno", territory_id=beta.territory.id, role="dgs"
    )
    posts = [
        service.post(engine(), seat, prog, step=collective, text=f"Chantier {n}") for n in range(7)
    ]
    service.post(engine(), other, prog, step=collective, text="Chantier de Beta")
    service.set_group(engine(), actor, wid, posts[-1].id, "Instances")
    screen = app(ecran=made.screen_token)
    assert not screen.exception
    assert "**▸ Instances**" in texts(screen)  # the group on its card, territories side by side
    assert "… et 3 autres" in texts(screen)  # four cards of seven: what fits 1080 lines
    service.go_to(engine(), actor, wid, dots, prog)
    for post, n in ((posts[2], 2), (posts[-1], 1)):
        priorities.set_dots(engine(), seat, prog, step=dots, post_id=post.id, points=n)
    screen.run()
    assert not screen.exception
    shown = texts(screen)
    assert "## CC Alpha · 3 points donnés" in shown and "## CC Beta · 0 point donné" in shown
    assert "… et 2 autres contributions (0 point)." in shown  # 5 bars of 7 with two territories
    charts = [json.loads(c.proto.spec) for c in screen.get("plotly_chart")]
    bars = charts[0]["data"][0]
    assert bars["text"] == ["0", "0", "0", "1", "2"]  # the most on top (drawn last)
    assert "<b>Instances</b> · Chantier 6" in charts[0]["layout"]["yaxis"]["ticktext"]
