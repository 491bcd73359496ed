"""Follow-up of the roadmap through the mandate: each kept action's status over time, the items
it should move, the chantiers' progress and the plan's timeline, late actions first."""

from datetime import date

import streamlit as st

from diagnostic.accounts.permissions import Action, can
from diagnostic.roadmap import planning, tracking
from diagnostic.roadmap.followup import by_urgency, chantier_progress, state_of, timeline_of
from diagnostic.roadmap.timeline import figure
from diagnostic.vocabulary import count as n_of
from diagnostic.vocabulary import french_date
from pages._picker import campaign_choice
from pages._shell import CHART_CONFIG, engine, guard, plain
from pages._suivi_action import FLASH, action, rollup

actor = guard("suivi")
st.title("Suivi de la feuille de route")
st.markdown(
    "Où en sont les actions que le collectif a retenues : leur statut au fil du mandat (à "
    "lancer, en cours, fait, abandonné), leur avancement, la valeur de leur indicateur et les "
    "items du questionnaire qu'elles doivent faire bouger. Chaque changement est conservé ; à la "
    "campagne suivante, ces items montrent si la perception a bougé."
)
campaign = campaign_choice(actor, Action.RESULTS_VIEW, key="suivi")
editable = can(actor, Action.TERRITORY_MANAGE, territory_id=campaign.territory_id)
today = date.today()

flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)
follow_ups = tracking.follow_ups(engine(), actor, campaign.id)
if not follow_ups:
    has_plan = bool(planning.plan(engine(), actor, campaign.id))
    st.info(
        "Aucune action retenue dans la feuille de route de cette campagne : retenez des actions "
        "(statut « Retenue ») sur la page « Feuille de route » pour en suivre l'avancement."
        if has_plan
        else "Cette campagne n'a pas encore de feuille de route : préparez-la sur la page "
        "« Feuille de route », puis revenez suivre les actions retenues."
    )
    st.stop()
if not editable:
    st.caption("Lecture seule : seule la coordination du territoire enregistre les statuts.")

ordered = by_urgency(follow_ups, today)
chantiers = planning.chantiers_of()
titles = {c.id: c.titre for c in chantiers.chantiers} if chantiers is not None else {}
late = sum(f.late(today) for f in follow_ups)
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Actions suivies", len(follow_ups))
c2.metric("En retard", late)
c3.metric("En cours", sum(f.status == "en_cours" for f in follow_ups))
c4.metric("Faites", sum(f.status == "fait" for f in follow_ups))
c5.metric("Abandonnées", sum(f.status == "abandonne" for f in follow_ups))

st.subheader("Avancement par chantier")
rollup(chantier_progress(follow_ups, titles, today))

spec = timeline_of(ordered, today, titles)
if spec is not None:
    st.subheader("Calendrier et avancement")
    st.caption(
        "Une barre par action, sur sa période prévue ; la ligne rouge marque aujourd'hui. "
        "Rouge : en retard ; bleu : en cours ; vert : fait ; gris : à lancer ; gris clair : "
        "abandonnée."
    )
    fig = figure(spec)
    if spec.start is not None and (spec.end - spec.start).days < 3 * 365:
        fig.update_xaxes(dtick="M3", tickformat="%m/%Y")  # a short plan: a tick per quarter
    st.plotly_chart(fig, config=CHART_CONFIG, key="suivi_timeline")

st.subheader("Actions, les retards d'abord")
if late:
    st.warning(
        f"{n_of(late, 'action en retard', 'actions en retard')} : leur période prévue est "
        "passée sans qu'elles soient faites.",
        icon=":material/schedule:",
    )
items = tracking.linkable_items(engine(), actor, campaign.id)
for number, f in enumerate(ordered, start=1):
    due = f" · échéance : {french_date(f.due)}" if f.due is not None else ""
    head = f"A{number}. {state_of(f, today)} — {plain(f.item.title)}{due}"
    with st.expander(head, expanded=f.late(today) and number <= 3):
        action(actor, campaign.id, f, items, today, editable=editable)
