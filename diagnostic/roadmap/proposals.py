"""Roadmap generation: actions of the library proposed from the results, ranked, explained.

Pure functions over CampaignResults and the action library; the merge with the stored,
human-edited plan is in `merge_plan`. The formulas are written in docs/methodes.md (§ Feuille
de route) and tested in tests/test_roadmap.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import pandas as pd

from diagnostic import analytics as an
from diagnostic.analytics.agreement import CONSENSUS_FROM
from diagnostic.analytics.summary import format_number
from diagnostic.analytics.thresholds import at_least, at_most
from diagnostic.questionnaire import Questionnaire, QuestionType
from diagnostic.results.model import CampaignResults
from diagnostic.roadmap.library import Action, Trigger
from diagnostic.roadmap.model import (
    DUE,
    LATE,
    WINDOW_OPEN,
    Evidence,
    LegalDuty,
    PlanItem,
    PointToInvestigate,
    Proposal,
)
from diagnostic.territory import knowledge
from diagnostic.territory.facts import effective
from diagnostic.territory.obligations import State, Status
from diagnostic.territory.presentation import lacking, statement
from diagnostic.territory.situation import Situation
from diagnostic.vocabulary import count, ordinal

DEFAULT_IMPORTANCE = 2.0  # « importante » when nobody gave an importance
# Priority of an item (item_need, docs/methodes.md « Priorité »):
GAP_WEIGHT = 0.4  # the gap to the target weighs less than the weakness itself
DEFAULT_STEP = 25.0  # the target of a level-only item: one level up (25 points on 1 to 5)
IMPORTANCE_WEIGHT = 0.1  # ±10 % per importance point around « importante »
FICHE_SCORE = 50.0  # an action fired by the fiche alone counts as an item at 50/100
BLIND_SPOT_MIN = 25.0  # an angle mort: EPCI and communes 25 points apart or more (§ 8)
BLIND_SPOT_FULL = 50.0  # the boost is full at 50 points
BLIND_SPOT_BOOST = 0.5  # up to +50 % for the largest angles morts
# A divergence strong enough to discuss before acting (the §5.6 flag of the consensus meeting is
# deliberately sensitive; with ten respondents it flags most items):
STRONG_AGREEMENT = 0.25  # van der Eijk's A below this: views spread or split
STRONG_GROUP_GAP = 50.0  # EPCI and communes two levels (50 points) apart
SHARED_BOOST = 0.5  # up to +50 % when every commune shares the gap
MIN_SHARING_COMMUNES = 2
# An action linked to a legal obligation (questions/obligations.yaml, « actions ») follows the
# obligation's status on the fiche du territoire (docs/methodes.md, « Obligations et plan »):
LEGAL_STATES = {State.EN_RETARD: LATE, State.A_FAIRE: DUE, State.FENETRE_OUVERTE: WINDOW_OPEN}
FROM_FICHE = {State.EN_RETARD, State.A_FAIRE}  # proposed whatever the answers say
MET = {State.A_JOUR, State.SANS_OBJET}  # the legal minimum is met or not required
# Tests that read a practice (a level, a gap, a divergence), not the fact an answer declares:
# only these still propose an action whose obligation is met or does not apply.
PRACTICE_TESTS = frozenset({"level_at_most", "target_at_least", "gap_at_least", "divergence"})
LATE_INDICATOR = "Obligation remplie, datée et reportée sur la fiche du territoire"
NO_LONGER_DUE = "n'est plus une obligation à remplir selon la fiche du territoire"


@dataclass(frozen=True)
class _Facts:
    """The collective values the triggers are tested on, indexed for quick look-ups."""

    collective: pd.DataFrame  # by question_id: current, target, gap, source
    items: pd.DataFrame  # by question_id: item stats with consensus applied
    choices: pd.DataFrame  # most frequent single-choice answers
    options: pd.DataFrame  # choice distribution (share of respondents per option)
    priorities: pd.DataFrame
    grids: pd.DataFrame
    grid_splits: pd.DataFrame  # per grid row: each kind's medians, split (analytics.grid_splits)
    responses: an.Responses
    group_gap: pd.Series  # by question_id: largest |EPCI - communes| score difference shown

    # Looked up for each of the library's ~300 triggers: dictionaries built once per proposal
    # run (a boolean mask over a frame per trigger was half of « Mettre à jour les
    # propositions », bench/RESULTS.md § 11.4).

    @cached_property
    def item_rows(self) -> dict[str, dict[str, Any]]:
        """Each item's statistics by question id."""
        return self.items.to_dict("index")  # type: ignore[return-value]

    @cached_property
    def collective_rows(self) -> dict[str, dict[str, Any]]:
        """Each question's collective levels by question id."""
        return self.collective.to_dict("index")  # type: ignore[return-value]

    @cached_property
    def chosen(self) -> dict[str, Any]:
        """Each single-choice question's most frequent answer."""
        return dict(zip(self.choices.index, self.choices["option_id"], strict=True))

    @cached_property
    def option_rows(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each option's share of respondents, by (question id, option id)."""
        return _by_option(self.options)

    @cached_property
    def priority_rows(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each option's points and rank in the collective ranking."""
        return _by_option(self.priorities)

    @cached_property
    def grid_cells(self) -> dict[tuple[str, str], list[tuple[str, float]]]:
        """Each grid's (row id, median) in order, by (question id, column)."""
        cells: dict[tuple[str, str], list[tuple[str, float]]] = {}
        if self.grids.empty:
            return cells
        grids = self.grids
        for qid, column, row, median in zip(
            grids["question_id"], grids["column"], grids["row_id"], grids["median"], strict=True
        ):
            cells.setdefault((qid, column), []).append((row, median))
        return cells

    @cached_property
    def split_records(self) -> dict[str, list[dict[str, Any]]]:
        """Each grid's split rows (analytics.grid_splits), in order."""
        found: dict[str, list[dict[str, Any]]] = {}
        splits = self.grid_splits
        if splits.empty:
            return found
        for record in splits.loc[splits["split"]].to_dict("records"):
            found.setdefault(record["question_id"], []).append(record)
        return found


def _by_option(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """The first row of `frame` for each (question id, option id), as a dictionary."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if frame.empty:
        return found
    for record in frame.to_dict("records"):
        found.setdefault((record["question_id"], record["option_id"]), record)
    return found


def _facts(results: CampaignResults, *, choices: bool = True) -> _Facts:
    """`choices` False: without the collective single choices (what the triggers of choice
    questions read, the longest to compute), for a reader of the items and gaps only."""
    assert results.responses is not None
    q = results.questionnaire
    return _Facts(
        collective=results.collective.set_index("question_id"),
        items=results.items.set_index("question_id"),
        choices=(
            an.collective_choices(results.responses.choices, q).set_index("question_id")
            if choices
            else pd.DataFrame(columns=["option_id"]).rename_axis("question_id")
        ),
        options=results.choices,
        priorities=results.priorities,
        grids=results.grids,
        grid_splits=results.grid_splits,
        responses=results.responses,
        group_gap=_group_gap(results),
    )


def _group_gap(results: CampaignResults) -> pd.Series:
    compared = results.comparisons["structure_kind"]
    shown = compared.loc[compared["status"] == an.STATUS_OK]
    return shown.groupby("question_id")["difference"].agg(lambda d: float(d.abs().max()))


def _strong_divergence(facts: _Facts, question_id: str) -> bool:
    row = facts.item_rows[question_id]
    spread = row["agreement"] == row["agreement"] and row["agreement"] < STRONG_AGREEMENT
    return bool(spread or at_least(facts.group_gap.get(question_id, 0.0), STRONG_GROUP_GAP))


def _is_open_divergence(facts: _Facts, question_id: str) -> bool:
    """Divergent and not settled by a consensus: to be discussed, not acted upon yet."""
    row = facts.item_rows.get(question_id)
    if row is None:
        return False
    return _strong_divergence(facts, question_id) and pd.isna(row.get("consensus_level"))


def _grid_value(facts: _Facts, trig: Trigger, column: str) -> list[tuple[str, float]]:
    cells = facts.grid_cells.get((str(trig.item), column), [])
    return [(r, m) for r, m in cells if m == m and (not trig.row or r == trig.row)]


FICHE = "Fiche du territoire"  # the « item » of the evidence of a trigger on a fact
FICHE_SOURCE = "fiche du territoire"


def evaluate(
    trig: Trigger, facts: _Facts, q: Questionnaire, situation: Situation | None = None
) -> str | None:
    """A French description of the trigger when every one of its tests holds, else None.

    A trigger on facts of the fiche reads `situation.facts` and never holds while one of its
    facts is unknown (see unknown_facts)."""
    if trig.fact is not None:
        return _evaluate_fact(trig, situation)
    assert trig.item is not None
    question = q.question(trig.item)
    said: list[str] = []
    if question.type == QuestionType.GRID:
        return _evaluate_grid(trig, facts, q, question)
    row = facts.collective_rows.get(trig.item)
    for name, value in trig.tests.items():
        if name in LEVEL_TESTS:
            if row is None:
                return None
            got = row[LEVEL_TESTS[name]]
            if got != got:  # NaN: nobody gave a level
                return None
            ok = at_most(got, value) if name == "level_at_most" else at_least(got, value)
            if not ok:
                return None
        elif name == "divergence":
            item = facts.item_rows.get(trig.item)
            if item is None or not bool(item["divergent"]):
                return None
            said.append(_spread(item, q, question))
        elif name == "answer_in":
            if trig.item not in facts.chosen:
                return None
            chosen = facts.chosen[trig.item]
            if chosen not in value:
                return None
            said.append(f"réponse la plus fréquente : « {_option_label(question, chosen)} »")
        elif name == "missing_option":
            shares = facts.option_rows.get((trig.item, value))
            if shares is None or not shares["n"]:
                return None
            share = float(shares["share"])
            if share >= 0.5:
                return None
            label, n = _option_label(question, value), int(shares["n"])
            checked = round(share * n)
            said.append(
                f"« {label} » n'est cochée par aucun des {n} répondants"
                if not checked
                else f"« {label} » cochée par {count(checked, 'répondant')} sur {n} seulement"
            )
        elif name == "ranked":
            ranks = facts.priority_rows.get((trig.item, value))
            depth = question.max_choices or len(question.options or [])
            if ranks is None or ranks["points"] <= 0 or ranks["rank"] > depth:
                return None
            rank = int(ranks["rank"])
            said.append(
                f"« {_option_label(question, value)} » arrive en {ordinal(rank, feminine=True)} "
                "position du classement collectif"
            )
    if LEVEL_TESTS.keys() & trig.tests.keys():
        assert row is not None
        said.insert(0, _levels(row, trig, q, question))
    return " ; ".join(said) if said else None


LEVEL_TESTS = {"level_at_most": "current", "target_at_least": "target", "gap_at_least": "gap"}


def _levels(row: Mapping[str, Any], trig: Trigger, q: Questionnaire, question: Any) -> str:
    """« niveau 2 sur 5, visé 4 (un écart de 2 niveaux) »: the collective levels the trigger
    read, in words (never the test itself)."""
    top = max(q.scale_of(question).levels)
    text = f"niveau {_num(row['current'])} sur {top}"
    if row["target"] == row["target"]:
        text += f", visé {_num(row['target'])}"
        if "gap_at_least" in trig.tests:
            text += f" (un écart de {_levels_count(row['gap'])})"
    return text


def _levels_count(value: float) -> str:
    """« 1 niveau », « 1,5 niveau », « 2 niveaux »: the plural from 2 on, as in French."""
    return f"{_num(value)} niveau{'x' if value >= 2 else ''}"


def _spread(row: Mapping[str, Any], q: Questionnaire, question: Any) -> str:
    """Why the answers diverge, in words: how far apart they are, or the two groups apart."""
    low, high = row.get("min"), row.get("max")
    if low == low and high == high and high - low >= 2:
        if q.is_agreement(question):
            levels = q.scale_of(question).levels
            return (
                f"réponses dispersées de « {levels[int(low)].label} » à "
                f"« {levels[int(high)].label} »"
            )
        return f"réponses dispersées du niveau {_num(low)} au niveau {_num(high)}"
    return "l'intercommunalité et les communes ne le situent pas au même niveau"


def _fact_holds(trig: Trigger, situation: Situation | None) -> bool | None:
    """Do the trigger's facts pass its tests? None while one that matters is unknown; False as
    soon as a known fact fails (an unknown one would change nothing)."""
    values = _values(situation)
    assert trig.fact is not None
    seen: list[bool | None] = []
    value = values.get(trig.fact)
    for name, wanted in trig.tests.items():
        if value is None:
            seen.append(None)
        elif name == "equals":
            seen.append(knowledge.holds({trig.fact: wanted}, values))
        elif name == "in":
            seen.append(any(knowledge.holds({trig.fact: w}, values) for w in wanted))
        elif name == "missing_option":
            seen.append(knowledge.holds({trig.fact: wanted}, values) is False)
    seen += [knowledge.holds({k: v}, values) for k, v in (trig.also or {}).items()]
    if False in seen:
        return False
    return None if None in seen else True


def unknown_facts(trig: Trigger, situation: Situation | None) -> list[str]:
    """The facts of the fiche that must be known before the trigger can hold ([] when it holds
    or already fails on a known fact); for a fact that depends on an unknown yes/no fact (the
    adoption of a pacte, on its debate), that yes/no fact."""
    if trig.fact is None or _fact_holds(trig, situation) is not None:
        return []
    values = _values(situation)
    fields = situation.fiche.fields if situation is not None and situation.fiche else {}
    out: list[str] = []
    for fact_id in trig.facts:
        if values.get(fact_id) is not None:
            continue
        # a fact that depends on an unknown yes/no fact: that one comes first on the fiche
        while fact_id in fields and fields[fact_id].depends_on:
            parent = fields[fact_id].depends_on
            if parent is None or values.get(parent) is not None:
                break
            fact_id = parent
        out += [] if fact_id in out else [fact_id]
    return out


def situation_values(situation: Situation | None) -> dict[str, Any]:
    """The fiche's facts as the rules read them (facts.effective); {} without a situation."""
    return _values(situation)


def _values(situation: Situation | None) -> dict[str, Any]:
    """The fiche's facts as the rules read them (facts.effective); {} without a situation."""
    if situation is None:
        return {}
    if situation.fiche is None:
        return dict(situation.facts)
    return effective(situation.fiche, situation.facts)


def _evaluate_fact(trig: Trigger, situation: Situation | None) -> str | None:
    """« pas de conseil de développement ; le bureau ne comprend pas tous les maires »."""
    if situation is None or not _fact_holds(trig, situation):
        return None
    said = []
    values = _values(situation)
    for fact_id in trig.facts:
        value = values.get(fact_id)
        field = situation.fiche.fields.get(fact_id) if situation.fiche else None
        if field is None:
            said.append(f"{fact_id} : {value}")
        elif fact_id == trig.fact and "missing_option" in trig.tests:
            said.append(lacking(field, str(trig.tests["missing_option"])))
        else:
            said.append(statement(field, value))
    return " ; ".join(said)


def _fact_evidence(trig: Trigger, fired: str, situation: Situation | None) -> Evidence:
    """Evidence read from the fiche: what it says, when it was checked, where it comes from."""
    origins = situation.sources if situation is not None else {}
    known = [origins[f] for f in trig.facts if origins.get(f)]
    return Evidence(
        trig.fact or "",
        FICHE,
        fired,
        "",  # no numbers: the fact itself, and where it comes from
        " ; ".join(dict.fromkeys(known)) or FICHE_SOURCE,
    )


def _evaluate_grid(trig: Trigger, facts: _Facts, q: Questionnaire, question: Any) -> str | None:
    """The first row of the grid (or the trigger's row) whose medians pass the trigger's tests,
    in words. A split row (the intercommunality and the communes two levels apart or more,
    docs/methodes.md § 12 bis) is read on each kind's medians, never on the median of all:
    it holds when it holds for one kind, and its words give both."""
    labels = {r.id: r.label for r in question.rows or []}
    top = max(q.scale_of(question).levels)
    current = dict(_grid_value(facts, trig, "current"))
    desired = dict(_grid_value(facts, trig, "desired"))
    split = _split_rows(facts, trig)
    for row in question.rows or []:
        row_id = row.id
        label = labels.get(row_id, row_id)
        if row_id in split:
            kinds = split[row_id]
            if any(_grid_holds(trig.tests, now, wish) for now, wish in kinds.values()):
                return _by_kind(label, kinds, top)
        elif row_id in current:
            now, wish = current[row_id], desired.get(row_id)
            if _grid_holds(trig.tests, now, wish):
                text = f"{label} : intensité {_num(now)} sur {top} aujourd'hui"
                if wish is not None:
                    text += f", {_num(wish)} souhaitée"
                return text + " (médiane des réponses)"
    return None


def _grid_holds(tests: dict[str, Any], now: float | None, wish: float | None) -> bool:
    """Whether one row's levels (a median today, one wished) pass a grid trigger's tests."""
    if now is None:
        return False
    ok = True
    if "level_at_most" in tests:
        ok &= bool(at_most(now, tests["level_at_most"]))
    if "target_at_least" in tests:
        ok &= wish is not None and bool(at_least(wish, tests["target_at_least"]))
    if "gap_at_least" in tests:
        ok &= wish is not None and bool(at_least(wish - now, tests["gap_at_least"]))
    return ok


def _split_rows(
    facts: _Facts, trig: Trigger
) -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """The split rows of the trigger's grid (or its row): for each, each kind's medians today
    and wished (None when not shown)."""
    rows = facts.split_records.get(str(trig.item), [])
    out: dict[str, dict[str, tuple[float | None, float | None]]] = {}
    for row in rows:
        if trig.row and row["row_id"] != trig.row:
            continue
        out[row["row_id"]] = {
            kind: (_level(row[f"{kind}_current"]), _level(row[f"{kind}_desired"]))
            for kind in an.KINDS
        }
    return out


def _shown(value: float | None) -> str:
    """A kind's median in words; « — » when the privacy rule hides it in that column."""
    return "—" if value is None else _num(value)


def _level(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def _by_kind(label: str, kinds: dict[str, tuple[float | None, float | None]], top: int) -> str:
    """« Ressources humaines : l'intercommunalité le voit à 5 sur 6 aujourd'hui et le
    souhaite à 5, les communes à 1 et à 3 (médianes de chaque structure : leurs avis
    s'opposent) »."""
    epci_now, epci_wish = kinds["epci"]
    communes_now, communes_wish = kinds["commune"]
    text = f"{label} : l'intercommunalité le voit à {_shown(epci_now)} sur {top} aujourd'hui"
    wished = epci_wish is not None or communes_wish is not None
    if wished:
        text += f" et le souhaite à {_shown(epci_wish)}"
    text += f", les communes à {_shown(communes_now)}"
    if wished:
        text += f" et à {_shown(communes_wish)}"
    return text + " (médianes de chaque structure : leurs avis s'opposent)"


def _num(value: float) -> str:
    """A level in French: one decimal, none when whole (2 ; 2,5)."""
    return format_number(value, 1).removesuffix(",0")


def _option_label(question: Any, option_id: str) -> str:
    return next((o.label for o in question.options or [] if o.id == option_id), option_id)


def _summary(facts: _Facts, question_id: str) -> tuple[str, str]:
    """The numbers of an item in French words, and the source of its levels: « score 29/100
    aujourd'hui, 61/100 visé ; jugé important (2,3 sur 3) ; avis concordants ; 7 réponses »."""
    row = facts.item_rows.get(question_id)
    if row is None:
        return "", an.SOURCE_INDIVIDUAL
    parts = []
    if row.get("measure") == an.AGREEMENT:
        if row["share_agree"] == row["share_agree"]:
            parts.append(f"{format_number(row['share_agree'] * 100)} % d'accord")
    elif row["score_used"] == row["score_used"]:
        text = f"score {format_number(row['score_used'])}/100 aujourd'hui"
        if row["target_score_used"] == row["target_score_used"]:
            text += f", {format_number(row['target_score_used'])}/100 visé"
        parts.append(text)
    if row["importance_mean"] == row["importance_mean"]:
        parts.append(
            f"{importance_words(row['importance_mean'])} ({_num(row['importance_mean'])} sur 3)"
        )
    said = agreement_words(row["agreement"], row["divergent"] is True or row["divergent"] == 1)
    if said:
        parts.append(said)
    answers = count(int(row["n"]), "réponse")
    if row["n_dont_know"]:
        answers += (
            f" et {count(int(row['n_dont_know']), '« Je ne sais pas »', '« Je ne sais pas »')}"
        )
    parts.append(answers)
    return " ; ".join(parts), str(row["source"])


def item_need(score: float | None, target: float | None, importance: float | None) -> float:
    """The priority of one scored item (docs/methodes.md, « Priorité ») on the 0-100 scores:

        ((1 − s) + GAP_WEIGHT × (t − s)) × (1 + IMPORTANCE_WEIGHT × (importance − 2))

    s the score used (consensus applied), t the target score when the question asks for one
    and it is above s, else s + DEFAULT_STEP points (one level: the indicator's own rule);
    importance 1 to 3, DEFAULT_IMPORTANCE when nobody gave one. Weakness weighs most, so that
    a level-only item at 14/100 (0.96) never ranks below an item at 40/100 with any target
    (0.84 at most at equal importance, 0.92 rated « essentielle » by all)."""
    if score is None or score != score:
        score = FICHE_SCORE
    low = score / 100.0
    wished = target if target is not None and target == target and target > score else None
    gap = (wished - score) / 100.0 if wished is not None else DEFAULT_STEP / 100.0
    gap = min(gap, 1.0 - low) if wished is None else gap
    weight = importance if importance is not None and importance == importance else None
    factor = 1.0 + IMPORTANCE_WEIGHT * ((weight or DEFAULT_IMPORTANCE) - DEFAULT_IMPORTANCE)
    return ((1.0 - low) + GAP_WEIGHT * gap) * factor


def blind_spot_boost(points: float) -> float:
    """1 + BLIND_SPOT_BOOST × min(points, 50) / 50 for an EPCI-communes gap of BLIND_SPOT_MIN
    points or more (an angle mort between the two groups), else 1."""
    if points != points or points < BLIND_SPOT_MIN:
        return 1.0
    return 1.0 + BLIND_SPOT_BOOST * min(points, BLIND_SPOT_FULL) / BLIND_SPOT_FULL


def importance_words(mean: float) -> str:
    """The mean importance (1 secondaire, 2 importante, 3 prioritaire) in words."""
    if at_least(mean, 2.5):
        return "jugé prioritaire"
    return "jugé important" if at_least(mean, 1.5) else "jugé secondaire"


def agreement_words(value: float, divergent: bool) -> str:
    """The agreement between respondents in words, consistent with the divergence flag: never
    « concordants » for an item whose answers diverge (docs/methodes.md, accord)."""
    if value != value:
        return ""
    if value < 0:
        return "avis opposés"
    if value < CONSENSUS_FROM:
        return "avis partagés"
    return (
        "avis proches pour la plupart, quelques réponses à l'écart"
        if divergent
        else "avis concordants"
    )


def _item_priority(facts: _Facts, question_id: str) -> float:
    """item_need of one item, raised by its angle mort between EPCI and communes."""
    row = facts.item_rows.get(question_id)
    if row is None:
        return item_need(None, None, None)
    need = item_need(row["score_used"], row["target_score_used"], row["importance_mean"])
    return need * blind_spot_boost(float(facts.group_gap.get(question_id, 0.0)))


def _commune_medians(facts: _Facts) -> dict[str, pd.DataFrame]:
    """By question: each commune's median current and target levels (its respondents taken
    together), computed once for all the triggers of a proposal run."""
    items = facts.responses.items
    levels = items.loc[items["structure_kind"] == "commune"].dropna(subset=["current"])
    if levels.empty:
        return {}
    medians = levels.groupby(["question_id", "structure_id"]).agg(
        current=("current", "median"), target=("target", "median")
    )
    return {
        str(qid): frame.droplevel("question_id")
        for qid, frame in medians.groupby(level="question_id", sort=False)
    }


def _sharing_communes(by_commune: pd.DataFrame | None, trig: Trigger) -> tuple[int, int]:
    """How many communes' respondents, taken commune by commune (`by_commune`: the item's
    medians per commune, _commune_medians), show the tested weakness."""
    if by_commune is None or by_commune.empty:
        return 0, 0
    weak = pd.Series(True, index=by_commune.index)
    if trig.level_at_most is not None:
        weak &= at_most(by_commune["current"], trig.level_at_most)
    if trig.gap_at_least is not None:
        weak &= at_least(by_commune["target"] - by_commune["current"], trig.gap_at_least)
    if trig.level_at_most is None and trig.gap_at_least is None:
        return 0, len(by_commune)
    return int(weak.sum()), len(by_commune)


def legal_duty(status: Status) -> LegalDuty | None:
    """The duty a linked action carries into the plan: a late obligation, one due by a legal
    day, or a window still open; None for any other status."""
    state = LEGAL_STATES.get(status.state)
    if state is None:
        return None
    ob = status.obligation
    return LegalDuty(ob.id, ob.titre, state, ob.base_legale, status.due, status.why)


def current_duty(item: PlanItem, situation: Situation | None) -> LegalDuty | None:
    """A plan row's legal duty on the situation's day (the document's): from the statuses of
    the obligations its action serves when the situation has them (None once they are met,
    passed or not applicable), else as stored at the last regeneration."""
    if situation is None or not situation.obligations:
        return item.legal
    status = _linked(situation, item.action_id or "")
    if status is not None:
        return legal_duty(status)
    stored = item.legal
    return stored if stored and situation.status(stored.obligation) is None else None


def _linked(situation: Situation | None, action_id: str) -> Status | None:
    """The worst status among the obligations the action serves (None: not linked, or no
    situation)."""
    if situation is None:
        return None
    found = situation.served_by(action_id)
    return found[0] if found else None


def propose(
    results: CampaignResults,
    actions: tuple[Action, ...] | list[Action],
    situation: Situation | None = None,
) -> tuple[list[Proposal], list[PointToInvestigate]]:
    """Actions whose triggers hold, and the points to investigate: legal duties first (late,
    then due), then the best priority first.

    `situation` is where the territory stands (fiche, obligations, moment in the mandate). An
    action linked to an obligation follows its status: « en retard » -> a duty to settle at
    once, « à faire » -> a duty before its legal day, both proposed whatever the answers say;
    a window still open -> proposed on its triggers, before the window closes; a window passed
    -> not proposed; « à jour » or « sans objet » -> proposed only on triggers that read a
    practice (PRACTICE_TESTS); « à vérifier » -> on its triggers, as without a situation."""
    q = results.questionnaire
    known = {x.id for x in q.questions()}
    facts = _facts(results)
    communes = _commune_medians(facts)
    proposals: list[Proposal] = []
    for action in actions:
        status = _linked(situation, action.id)
        if status is not None and status.state == State.FENETRE_PASSEE:
            continue  # another body's window has closed: nothing left to prepare
        duty = legal_duty(status) if status is not None else None
        from_fiche = status is not None and status.state in FROM_FICHE
        met = status is not None and status.state in MET
        foreign = any(t.item is not None and t.item not in known for t in action.triggers)
        if foreign and not from_fiche:
            continue  # an action written for another questionnaire version
        evidence: list[Evidence] = []
        best, shared, blind = 0.0, (0, 0), 0.0
        for trig in action.triggers:
            if trig.item is None:  # a fact of the fiche: no answer, no divergence, no commune
                fired = None if met else evaluate(trig, facts, q, situation)
                if fired is not None:
                    evidence.append(_fact_evidence(trig, fired, situation))
                    best = max(best, _item_priority(facts, ""))
                continue
            if trig.item not in known:
                continue
            if met and not PRACTICE_TESTS & set(trig.tests):
                continue  # the fiche settles the fact this trigger asks respondents about
            if "divergence" not in trig.tests and _is_open_divergence(facts, trig.item):
                continue  # the group must first discuss it: see points_to_investigate
            fired = evaluate(trig, facts, q)
            if fired is None:
                continue
            summary, source = _summary(facts, trig.item)
            evidence.append(Evidence(trig.item, q.question(trig.item).text, fired, summary, source))
            best = max(best, _item_priority(facts, trig.item))
            blind = max(blind, float(facts.group_gap.get(trig.item, 0.0)))
            count, total = _sharing_communes(communes.get(trig.item), trig)
            if count > shared[0]:
                shared = (count, total)
        if not evidence and not from_fiche:
            continue
        boost = 1.0
        shared_text = None
        if shared[0] >= MIN_SHARING_COMMUNES:
            boost += SHARED_BOOST * shared[0] / shared[1]
            shared_text = f"constat partagé par {shared[0]} communes sur {shared[1]}"
        proposals.append(
            proposal_for(
                action,
                horizon=duty.horizon if duty else action.horizon,
                indicator=LATE_INDICATOR if duty and duty.late else action.indicator,
                priority=round(best * boost, 3) if evidence else None,
                evidence=tuple(evidence),
                shared_by=shared_text,
                legal=duty,
                blind_spot=blind,
            )
        )
    proposals.sort(key=_rank)
    return proposals, points_to_investigate(results, facts)


def proposal_for(action: Action, **fields: Any) -> Proposal:
    """A proposal of the library's action, its text as written; `fields` set the rest
    (priority, evidence, horizon…)."""
    return Proposal(
        **{
            "action_id": action.id,
            "dimension": action.dimension,
            "title": action.title,
            "description": action.description,
            "instrument": action.instrument,
            "pilot": action.pilot,
            "validation": action.validation,
            "horizon": action.horizon,
            "indicator": action.indicator,
            "references": tuple(action.references),
            **fields,
        }
    )


def _rank(p: Proposal) -> tuple[tuple[int, date], float, str]:
    """Legal duties by urgency (LegalDuty.urgency), then the others; best priority first."""
    urgency = p.legal.urgency() if p.legal is not None else (3, date.max)
    return urgency, -(p.priority or 0.0), p.action_id


@dataclass(frozen=True)
class FactToComplete:
    """A fact of the fiche still unknown that an action of the library waits for."""

    fact_id: str
    label: str  # the fact's label on the fiche
    actions: tuple[str, ...]  # the titles of the actions that cannot be judged without it


def facts_to_complete(
    actions: tuple[Action, ...] | list[Action],
    situation: Situation | None,
    proposed: set[str] | frozenset[str] = frozenset(),
) -> list[FactToComplete]:
    """The unknown facts that keep an action from being proposed or set aside (« à compléter
    sur la fiche du territoire »), in the order of the fiche; actions already `proposed` (by
    id) need nothing more."""
    waiting: dict[str, list[str]] = {}
    for action in actions:
        if action.id in proposed:
            continue
        for trig in action.triggers:
            for fact_id in unknown_facts(trig, situation):
                titles = waiting.setdefault(fact_id, [])
                titles += [] if action.title in titles else [action.title]
    fields = situation.fiche.fields if situation is not None and situation.fiche else {}
    order = {k: i for i, k in enumerate(fields)}
    return [
        FactToComplete(fact_id, fields[fact_id].label if fact_id in fields else fact_id, tuple(t))
        for fact_id, t in sorted(waiting.items(), key=lambda x: order.get(x[0], len(order)))
    ]


def points_to_investigate(
    results: CampaignResults, facts: _Facts | None = None
) -> list[PointToInvestigate]:
    """Scored items strongly divergent and without consensus yet, most divergent first."""
    facts = facts or _facts(results, choices=False)  # items and gaps only
    items = results.items.loc[results.items["scored"]].sort_values("agreement", na_position="last")
    q = results.questionnaire
    out = []
    for qid, dim in zip(items["question_id"], items["dimension_id"], strict=True):
        if not _is_open_divergence(facts, qid):
            continue
        summary, _ = _summary(facts, qid)
        gap = facts.group_gap.get(qid)
        if gap is not None and at_least(gap, STRONG_GROUP_GAP):
            summary += f" ; intercommunalité et communes à {format_number(gap)} points d'écart"
        out.append(PointToInvestigate(qid, dim, q.question(qid).text, summary))
    return out


def _details(p: Proposal) -> dict[str, Any]:
    return {
        "instrument": p.instrument,
        "pilot": p.pilot,
        "validation": p.validation,
        "references": list(p.references),
        "shared_by": p.shared_by,
        "evidence": [e.__dict__ for e in p.evidence],
        "legal": p.legal.as_dict() if p.legal else None,
        "proposed_horizon": p.horizon,
        "chantier": p.chantier,
        "main": p.main,
        "aside": p.aside,
        "window": p.window.as_dict() if p.window else None,
        "measure": list(p.measure) if p.measure else None,
    }


def _legal_change(item: PlanItem, proposal: Proposal) -> str | None:
    """What a regeneration says of a row kept by people whose legal duty appeared or changed."""
    duty, before = proposal.legal, item.legal
    if duty is None or (before and (before.state, before.due) == (duty.state, duty.due)):
        return None
    if duty.late:
        return "obligation légale en retard : à régulariser sans attendre"
    return f"obligation légale : {duty.when()[0].lower()}{duty.when()[1:]}"


@dataclass(frozen=True)
class PlanChange:
    """What to do with the stored plan after a regeneration."""

    insert: list[dict[str, Any]]  # new rows
    update: dict[int, dict[str, Any]]  # row id -> fields to set
    delete: list[int]  # untouched generated rows no longer proposed


def merge_plan(stored: list[PlanItem], proposals: list[Proposal]) -> PlanChange:
    """Regenerate without losing any human edit.

    - rows a person wrote or edited (manual, workshop, edited, or with a status set) keep every
      field they chose; only their evidence and priority follow the new results, and a change
      is marked when they are no longer triggered;
    - untouched generated rows follow the proposals (marked « modifiée » when the numbers
      changed) and disappear when no longer proposed;
    - new proposals are added, marked « nouvelle » unless the plan was empty;
    - a legal duty (late or due obligation) always follows the fiche: it is set, updated or
      removed on every row, and a row people kept says so in its change mark; the document
      dates such a row by the duty, whatever horizon was chosen.
    """
    by_action = {p.action_id: p for p in proposals}
    first_time = not stored
    insert: list[dict[str, Any]] = []
    update: dict[int, dict[str, Any]] = {}
    delete: list[int] = []
    seen: set[str] = set()
    for item in stored:
        assert item.id is not None
        proposal = by_action.get(item.action_id or "")
        human = item.edited or item.origin in {"manual", "atelier"} or item.status != "proposed"
        if item.action_id:
            seen.add(item.action_id)
        if item.origin in {"manual", "atelier"} and proposal is None:
            continue
        if proposal is None:
            if human and item.legal is not None:
                details = {**item.details, "legal": None}
                update[item.id] = {"change": NO_LONGER_DUE, "details": details}
            elif human:
                update[item.id] = {"change": "n'est plus déclenchée par les réponses"}
            else:
                delete.append(item.id)
            continue
        details = {**item.details, **_details(proposal)}
        changed = (
            item.details.get("evidence") != details["evidence"]
            or item.details.get("legal") != details["legal"]
            or not math.isclose(item.priority or 0.0, proposal.priority or 0.0)
        )
        fields: dict[str, Any] = {"priority": proposal.priority, "details": details}
        if not human:
            fields.update(
                title=proposal.title,
                description=proposal.description,
                horizon=proposal.horizon,
                indicator=proposal.indicator,
                owner=proposal.pilot,
            )
        fields["change"] = ("données mises à jour" if human else "modifiée") if changed else None
        if human and _legal_change(item, proposal):
            fields["change"] = _legal_change(item, proposal)
        update[item.id] = fields
    start = max((i.position for i in stored), default=-1) + 1
    for offset, proposal in enumerate(p for p in proposals if p.action_id not in seen):
        insert.append(
            {
                "action_id": proposal.action_id,
                "dimension": proposal.dimension,
                "title": proposal.title,
                "description": proposal.description,
                "horizon": proposal.horizon,
                "owner": proposal.pilot,
                "indicator": proposal.indicator,
                "priority": proposal.priority,
                "position": start + offset,
                "origin": "generated",
                "status": "proposed",
                "details": _details(proposal),
                "change": None if first_time else "nouvelle",
            }
        )
    return PlanChange(insert, update, delete)
