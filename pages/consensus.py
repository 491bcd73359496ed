"""Consensus meeting: the group walks through the most divergent items and agrees a level."""

import streamlit as st

from diagnostic.accounts.permissions import Action
from diagnostic.consensus import meeting
from diagnostic.consensus.agenda import agenda, distribution, distribution_table
from diagnostic.questionnaire.codecs import AnswerError
from diagnostic.results import figures
from diagnostic.results.model import labels
from diagnostic.vocabulary import count as n_of
from pages._picker import campaign_picker
from pages._shell import engine, guard, plain, show_chart

actor = guard("consensus")
st.title("Réunion de consensus")
st.markdown(
    "Méthode du cadre d'auto-évaluation des fonctions publiques (CAF) : chacun a d'abord "
    "répondu seul ; le collectif examine maintenant les items, **en commençant par ceux où les "
    "avis divergent le plus**, et s'accorde sur un niveau. Les résultats et la feuille de route "
    "utilisent ce niveau de consensus à la place de la moyenne."
)
campaign, results = campaign_picker(
    actor,
    Action.TERRITORY_MANAGE,
    key="cons",
    too_few="La réunion de consensus s'ouvre quand au moins {n} personnes ont envoyé leurs "
    "réponses.",
)
q = results.questionnaire
names = labels(q)
items = agenda(results)
done = sum(item.done for item in items)
st.progress(
    done / len(items), text=f"{done} sur {n_of(len(items), 'item')} : niveau de consensus fixé"
)

saved = st.session_state.pop("cons_saved", None)
if saved:
    st.success(f"Consensus enregistré pour « {saved} ». Voici l'item suivant.")
error = st.session_state.pop("cons_error", None)
if error:
    st.error(error)
order = [item.question_id for item in items]
by_id = {item.question_id: item for item in items}
# The item examined, per campaign: another campaign opens on its own first item.
INDEX, PICK = f"cons_index_{campaign.id}", f"cons_pick_{campaign.id}"
index = st.session_state.get(INDEX, 0) % len(order)


def go(i: int) -> None:
    st.session_state[INDEX] = i
    st.session_state[PICK] = order[i]


picked = st.selectbox(
    "Item examiné",
    order,
    index=index,
    format_func=lambda x: (
        (("✓ " if by_id[x].done else "") + ("⚠ " if by_id[x].divergent else ""))
        + names.items[x][:110]
    ),
    key=PICK,
    placeholder="Choisir…",
    help="⚠ : avis divergents · ✓ : niveau de consensus enregistré",
)
index = order.index(picked)
row = by_id[picked]
question = q.question(picked)
scale = q.scale_of(question)
descriptions = q.described_levels(question)

st.subheader(names.dimensions[row.dimension_id])
st.markdown(f"**{question.text}**")
st.caption(
    f"{n_of(row.n, 'réponse')} · avis {row.agreement_tag or 'non mesuré'}"
    + (" · divergence signalée" if row.divergent else "")
)
levels = distribution(results, picked)
show_chart(
    figures.distribution(levels, names.levels[picked], title="Réponses individuelles"),
    distribution_table(levels),
    key="distribution",
)
with st.expander("Description des niveaux", expanded=True):
    st.markdown(
        "\n".join(
            f"{v}. **{scale.levels[v].label}** — {d}" for v, d in sorted(descriptions.items())
        )
    )

values = scale.values
keys = {k: f"cons_{k}_{picked}" for k in ("level", "target", "rationale")}


def save() -> None:
    level = st.session_state.get(keys["level"])
    if level is None:
        st.session_state["cons_error"] = "Choisissez le niveau retenu avant d'enregistrer."
        return
    try:
        meeting.record(
            engine(),
            actor,
            q,
            campaign_id=campaign.id,
            question_id=picked,
            level=level,
            target=st.session_state.get(keys["target"]),
            rationale=st.session_state.get(keys["rationale"], ""),
        )
    except AnswerError as exc:
        st.session_state["cons_error"] = f"Consensus non enregistré : {plain(exc)}."
    else:
        st.session_state["cons_saved"] = names.items[picked][:80]
        go((index + 1) % len(order))


radios = {"level": ("Niveau retenu par le collectif", row.level)}
if question.type == "current_target":
    radios["target"] = ("Niveau visé en fin de mandat", row.target)
with st.form("consensus_form"):
    for field, (label, agreed) in radios.items():
        at = None if agreed is None else values.index(agreed)
        st.radio(label, values, index=at, horizontal=True, key=keys[field])
    st.text_area(
        "Justification (ce qui fonde l'accord, points forts, axes de progrès)",
        value=meeting.rationale_of(engine(), actor, campaign_id=campaign.id, question_id=picked),
        max_chars=meeting.MAX_RATIONALE,
        key=keys["rationale"],
    )
    st.form_submit_button("Enregistrer le consensus", type="primary", on_click=save)
left, middle, right = st.columns(3)
left.button("← Item précédent", on_click=go, args=((index - 1) % len(order),), key="cons_prev")
right.button("Item suivant →", on_click=go, args=((index + 1) % len(order),), key="cons_next")
if row.done and middle.button("Revenir aux réponses individuelles", key="cons_forget"):
    meeting.forget(engine(), actor, campaign_id=campaign.id, question_id=picked)
    st.rerun()
