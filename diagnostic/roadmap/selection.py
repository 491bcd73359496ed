"""From the triggered actions to a plan a DGS can sign: selection, sequencing, chantiers.

    select(proposals, chantiers, situation, results, library)  -> proposals marked main or aside
    schedule(rows, chantiers, situation, today)                 -> a date window per main row
    arrange(rows, chantiers)                                    -> main rows in the plan's order
    groups(rows, chantiers)                                     -> the main plan by chantier

Pure: values in, values out (questions/chantiers.yaml through diagnostic/roadmap/chantiers.py,
the Situation of the territory, the results). The rules are written out in docs/methodes.md
(« Sélection, priorité et calendrier du plan ») and tested in tests/test_roadmap_selection.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from diagnostic.results.model import CampaignResults
from diagnostic.roadmap.chantiers import (
    Chantier,
    Chantiers,
    Phase,
    apply_exclusions,
    fits,
    indicator_items,
    indicator_values,
    order,
    with_requirements,
)
from diagnostic.roadmap.library import BODIES, Action, body_named
from diagnostic.roadmap.model import (
    Evidence,
    LegalDuty,
    PlanGroup,
    Proposal,
    Window,
    month_text,
)
from diagnostic.roadmap.proposals import proposal_for, situation_values
from diagnostic.territory.calendar import add_months
from diagnostic.territory.presentation import statement
from diagnostic.territory.situation import Situation

MIN_CHANTIERS = 5  # the main plan's chantiers: at least five when the answers allow it…
TARGET_CHANTIERS = 6  # … chosen up to six from the findings (plus the chantier that ends…
MAX_CHANTIERS = 8  # … the mandate, and those of the bodies that steer), never more than eight
MAX_ACTIONS = 12  # actions of the main plan, legal duties included
PER_CHANTIER = 3  # actions chosen per chantier, legal duties and required bodies apart
STEP = 25.0  # one level on the 1-5 scale, in points (the indicator's rule)

# Sequencing (months): the mandate's phases as in questions/calendrier.yaml (« moments »).
PHASE_MONTHS = 24  # « début de mandat »: 24 months from the renewal; « fin »: the last 24
ADOPTION_MONTHS = 2  # the plan is amended and adopted first: actions start two months on
LATE_MONTHS = 3  # a late obligation: settled within three months of the document
STAGGER_MONTHS = 3  # one chantier starts a new action every three months at most
LATER_MONTHS = 3  # « dans l'année » in the library: after those « dans les 100 jours »
MIN_MONTHS, MAX_MONTHS = 2, 12  # an action's duration, from its staff days (DAYS_PER_MONTH)
DAYS_PER_MONTH = 3  # staff days a team gives an action per month, every administration together
MID_REVIEW_MONTHS = 36  # the mid-mandate review: three years after the renewal
HANDOVER_MONTHS = 6  # the hand-over is prepared in the last six months
REVIEW_LEAD_MONTHS = 2  # the mid-mandate review is prepared in the two months before it
MILESTONE = "Calendrier du mandat"  # the « item » of the evidence of a step of the mandate


# --- selection -------------------------------------------------------------------------------


def select(
    proposals: Sequence[Proposal],
    chantiers: Chantiers,
    situation: Situation | None,
    results: CampaignResults | None = None,
    library: Iterable[Action] = (),
) -> list[Proposal]:
    """Every proposal with its chantier, its indicator's baseline and target, and whether it is
    in the main plan (`main`) or among the « Autres pistes » (`aside`: why). The main plan
    first, in the plan's order (arrange), then the other leads, best priority first.

    Rule (docs/methodes.md): the fiche's conditions (`fits`) and the exclusion groups
    (`apply_exclusions`) first; every legal duty is in; then the chantiers whose best action
    has the highest priority (priority already carries the angles morts, the gaps on items
    rated important and the communes that share them) up to TARGET_CHANTIERS, plus the one
    chantier that reaches the end of the mandate; in each, its best action, then the next best
    overall, at most PER_CHANTIER per chantier and MAX_ACTIONS in all; each action brings the
    bodies it requires (`with_requirements`). Deterministic: ties go to the action id."""
    facts = _facts_of(situation)
    entries = chantiers.entries()
    items = {a.id: list(a.items) for a in library}
    by_id: dict[str, Proposal] = {}
    scores = _scores(results)
    for p in proposals:
        home = chantiers.chantier_of(p.action_id)
        measure = _measure(chantiers, scores, p.action_id, items.get(p.action_id, []))
        by_id[p.action_id] = replace(p, chantier=home.id if home else None, measure=measure)
    aside: dict[str, str] = {}
    for p in by_id.values():
        entry = entries.get(p.action_id)
        if p.legal is None and entry is not None and fits(entry.condition, facts) is False:
            aside[p.action_id] = _unfit_reason(entry.condition, situation)
    ranks = {a: _score(p) for a, p in by_id.items()}
    offered = [a for a in by_id if a not in aside]
    filtered = apply_exclusions(chantiers, offered, facts, ranks)
    for dropped in filtered.dropped:
        if by_id[dropped.action].legal is None:
            kept = by_id[dropped.kept].title
            aside[dropped.action] = f"Fait double emploi avec « {kept} »."
    for action, body in _duplicates_of_an_existing_body(chantiers, filtered.kept, facts):
        if by_id[action].legal is None:
            aside[action] = (
                f"Fait double emploi avec le {BODIES[body]}, qui existe déjà selon les réponses."
            )
    candidates = [a for a in filtered.kept if a not in aside] + [
        d.action for d in filtered.dropped if by_id[d.action].legal is not None
    ]
    main: list[str] = [a for a in candidates if by_id[a].legal is not None]
    free = sorted(
        (a for a in candidates if a not in main), key=lambda a: (-ranks[a], a)
    )  # best first
    best_of: dict[str, float] = {}
    for a in free:
        home = by_id[a].chantier or ""
        best_of.setdefault(home, ranks[a])
    legal_homes = list(dict.fromkeys(by_id[a].chantier or "" for a in main))
    chosen = list(legal_homes)
    for home in sorted(best_of, key=lambda c: (-best_of[c], c)):
        if len(chosen) >= TARGET_CHANTIERS:
            break
        chosen += [] if home in chosen else [home]
    last = _closing_chantier(chantiers, best_of, chosen)
    if last is not None:
        chosen.append(last)
    why: dict[str, str] = {}
    count: dict[str, int] = {}

    def take(action: str) -> bool:
        home = by_id[action].chantier or ""
        needed = [r for r in with_requirements(chantiers, [action], candidates) if r not in main]
        homes = set(chosen) | {by_id[r].chantier or "" for r in needed}
        if len(main) + len(needed) > MAX_ACTIONS:
            why[action] = _below_cut()
            return False
        if len({by_id[a].chantier or "" for a in main} | homes) > MAX_CHANTIERS:
            why[action] = _below_cut()
            return False
        if count.get(home, 0) >= PER_CHANTIER:
            why[action] = f"Le chantier compte déjà ses {PER_CHANTIER} actions prioritaires."
            return False
        for r in needed:
            main.append(r)
            owner = by_id[r].chantier or ""
            if owner not in chosen:
                chosen.append(owner)
        count[home] = count.get(home, 0) + 1
        return True

    for home in chosen:  # round one: the best action of each chosen chantier
        first = next((a for a in free if (by_id[a].chantier or "") == home), None)
        if first is not None and first not in main:
            take(first)
    for a in free:  # then the best of the others, within the chosen chantiers
        if a in main or a in why:
            continue
        home = by_id[a].chantier or ""
        if home not in chosen:
            why[a] = "Chantier non retenu dans ce projet."
            continue
        take(a)
    for a in free:
        if a not in main and a not in why:
            why[a] = _below_cut()
    aside.update({a: w for a, w in why.items() if a not in main})
    for step in _steps(chantiers, library, situation):  # the plan's own governance, on top
        by_id[step.action_id] = by_id.get(step.action_id) or step
        main += [] if step.action_id in main else [step.action_id]
    planned = arrange_ids(chantiers, main, {a: by_id[a].legal for a in main})
    alias = directions_alias(chantiers, facts, main, by_id)
    out = [replace(by_id[a], main=True, aside=None, pilot=alias(by_id[a].pilot)) for a in planned]
    rest = sorted((a for a in by_id if a not in main), key=lambda a: (-ranks[a], a))
    out += [replace(by_id[a], main=False, aside=aside.get(a) or _below_cut()) for a in rest]
    return out


def _directions_groups(chantiers: Chantiers, facts: Mapping[str, Any]) -> list[Any]:
    """The exclusion groups that make one body of the directions (a group whose first action
    institutes a body, library.BODIES) and whose `cumul_si` the fiche does not meet."""
    return [
        g
        for g in chantiers.exclusions
        if g.actions and g.actions[0] in BODIES and fits(g.cumul_si, facts) is not True
    ]


def _duplicates_of_an_existing_body(
    chantiers: Chantiers, proposed: Sequence[str], facts: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(action, body) for each proposed action of a group whose first body exists — its action
    is not proposed, the rule `pilots` follows: a conférence des DGS beside the CoDir de
    territoire the answers say is there would gather the same people twice (the group's
    `motif`)."""
    out: list[tuple[str, str]] = []
    for group in _directions_groups(chantiers, facts):
        body = group.actions[0]
        if body not in proposed:
            out += [(a, body) for a in group.actions[1:] if a in proposed]
    return out


def directions_alias(
    chantiers: Chantiers,
    facts: Mapping[str, Any],
    main: Iterable[str],
    proposed: Iterable[str],
) -> Callable[[str], str]:
    """How a pilot reads when the directions have one body: where a group makes one body of
    the CoDir de territoire and the conférence des DGS and the plan does not convene the
    conférence, a pilot that names it names the CoDir, which exists (not proposed) or which
    the plan institutes (`pilots` then dates it). Otherwise pilots read as written."""
    in_plan, asked = set(main), set(proposed)
    merged = False
    for group in _directions_groups(chantiers, facts):
        body, rest = group.actions[0], group.actions[1:]
        if body != CODIR or (body not in in_plan and body in asked):
            continue  # called for, not instituted: `pilots` gives the interim pilot
        merged = merged or (CONFERENCE in rest and CONFERENCE not in in_plan)
    return _as_codir if merged else _unchanged


CODIR, CONFERENCE = "instituer_codir_territoire", "conference_dgs_reguliere"


def _unchanged(pilot: str) -> str:
    return pilot


def _as_codir(pilot: str) -> str:
    """« …, avec la conférence des DGS » -> « …, avec le CoDir de territoire »."""
    pilot = re.sub(
        r"\b([Ll])a conférence des DGS", lambda m: f"{m.group(1)}e {BODIES[CODIR]}", pilot
    )
    return re.sub(r"[Cc]onférence des DGS", BODIES[CODIR], pilot)


def _steps(
    chantiers: Chantiers, library: Iterable[Action], situation: Situation | None
) -> list[Proposal]:
    """The steps of the mandate the plan always carries (chantiers.yaml, `jalon`): the
    mid-mandate review and the preparation of the 2032 hand-over, while still ahead of the
    document's day, as proposals whose evidence is the mandate's calendar (triggered or not;
    they come on top of the MAX_ACTIONS chosen from the findings)."""
    today = situation.on if situation is not None else date.today()
    actions = {a.id: a for a in library}
    moments = dict(_moments(situation, today))
    out: list[Proposal] = []
    for action_id, entry in chantiers.entries().items():
        action = actions.get(action_id)
        if entry.jalon is None or action is None or moments[entry.jalon][0] < today:
            continue
        day, said = moments[entry.jalon]
        home = chantiers.chantier_of(action_id)
        why = f"étape du pilotage de la feuille de route : {said} ({month_text(day)})"
        out.append(
            proposal_for(
                action,
                priority=None,
                evidence=(Evidence("", MILESTONE, why, "", "calendrier du mandat"),),
                chantier=home.id if home else None,
            )
        )
    return out


def _moments(situation: Situation | None, today: date) -> list[tuple[str, tuple[date, str]]]:
    """When the mandate's steps fall: the mid-mandate review, the hand-over's preparation."""
    start, end = mandate_bounds(situation, today)
    return [
        ("mi", (add_months(start, MID_REVIEW_MONTHS), "le bilan de mi-mandat")),
        ("fin", (add_months(end, -HANDOVER_MONTHS), "la préparation de la transmission")),
    ]


def _score(p: Proposal) -> float:
    """The rank a selection reads: legal duties above everything, then the priority."""
    return math.inf if p.legal is not None else (p.priority or 0.0)


def _below_cut() -> str:
    return f"Au-delà des {MAX_ACTIONS} actions du plan principal."


def _title(chantiers: Chantiers, chantier_id: str) -> str:
    found = next((c for c in chantiers.chantiers if c.id == chantier_id), None)
    return found.titre if found else "sans chantier"


def _closing_chantier(
    chantiers: Chantiers, best_of: Mapping[str, float], chosen: list[str]
) -> str | None:
    """The chantier that reaches the end of the mandate (its phases include « fin »), when one
    of its actions is triggered and none of the chosen chantiers already does."""
    ends = [c.id for c in chantiers.chantiers if Phase.FIN in c.phases]
    if any(c in chosen for c in ends):
        return None
    return next((c for c in ends if c in best_of), None)


def _facts_of(situation: Situation | None) -> dict[str, Any]:
    return situation_values(situation)


def _unfit_reason(condition: Any, situation: Situation | None) -> str:
    """« Sans objet d'après la fiche du territoire : le bureau comprend tous les maires. »"""
    facts = _facts_of(situation)
    fields = situation.fiche.fields if situation is not None and situation.fiche else {}
    known = [f for f in condition.facts() if f in fields and facts.get(f) is not None]
    # only the facts that rule the action out: « le bureau ne comprend pas tous les maires »
    # beside « 8 communes » would read as a reason when it is what the action asks for
    failing = [f for f in known if _fails(condition, f, facts[f])]
    said = [statement(fields[f], facts[f]) for f in failing or known]
    said = list(dict.fromkeys(said))
    return "Sans objet d'après la fiche du territoire" + (
        f" : {' ; '.join(said)}." if said else "."
    )


def _fails(condition: Any, fact: str, value: Any) -> bool:
    """Whether this one fact's test of the condition does not hold."""
    if fact in condition.si and value != condition.si[fact]:
        return True
    if fact in condition.sauf_si and value == condition.sauf_si[fact]:
        return True
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if fact in condition.plus_de and numeric and value <= condition.plus_de[fact]:
        return True
    return fact in condition.au_plus and numeric and value > condition.au_plus[fact]


def _scores(results: CampaignResults | None) -> dict[str, tuple[float, float]] | None:
    """Each scored item's score and target score (consensus applied; NaN when none), read
    once for all the proposals of a run (None without results)."""
    if results is None:
        return None
    frame = results.items
    used = frame.loc[frame["scored"] & frame["score_used"].notna()]
    return {
        str(qid): (float(score), float(target))
        for qid, score, target in zip(
            used["question_id"], used["score_used"], used["target_score_used"], strict=True
        )
    }


def _measure(
    chantiers: Chantiers,
    scores: dict[str, tuple[float, float]] | None,
    action_id: str,
    items: list[str],
) -> tuple[float, float] | None:
    """The indicator's baseline and target (indicator_values) on the action's scored items
    (`scores`: _scores)."""
    entry = chantiers.entry(action_id)
    if scores is None or entry is None:
        return None
    rows = [scores[i] for i in indicator_items(entry, items) if i in scores]
    if not rows:
        return None
    # the means as pandas took them (numpy's sum, then divided)
    current = float(np.sum([score for score, _ in rows]) / len(rows))
    targets = [target for _, target in rows if target == target]
    wished = float(np.sum(targets) / len(targets)) if len(targets) == len(rows) else None
    found = indicator_values(chantiers.regle_indicateur, current, wished, STEP)
    return None if found is None else (round(found[0]), round(found[1]))


# --- order of the main plan ------------------------------------------------------------------


def arrange_ids(
    chantiers: Chantiers, action_ids: Iterable[str], duties: Mapping[str, LegalDuty | None]
) -> list[str]:
    """The main plan's order: the chantiers holding a legal duty first (the most urgent duty
    first), then the others in the file's order (the mandate's logic: the legal appointments,
    the collective of directors, …, the hand-over); within a chantier, legal duties first, then
    `order` (the body that steers before what it steers)."""
    ids = list(dict.fromkeys(action_ids))
    file_order = {c.id: i for i, c in enumerate(chantiers.chantiers)}
    position = {a: i for i, a in enumerate(chantiers.entries())}

    def duty(a: str) -> LegalDuty | None:
        return duties.get(a)

    def home(a: str) -> str:
        found = chantiers.chantier_of(a)
        return found.id if found else ""

    urgency: dict[str, tuple[int, date]] = {}
    for a in ids:
        d = duty(a)
        if d is not None:
            h = home(a)
            urgency[h] = min(urgency.get(h, (9, date.max)), d.urgency())
    homes = sorted(
        dict.fromkeys(home(a) for a in ids),
        key=lambda h: (urgency.get(h, (9, date.max)), file_order.get(h, len(file_order))),
    )
    out: list[str] = []
    for h in homes:
        mine = [a for a in ids if home(a) == h]
        mine.sort(key=lambda a: (duty(a) is None, position.get(a, len(position))))
        out += order(chantiers, mine)
    return out


# --- sequencing ------------------------------------------------------------------------------


def mandate_bounds(situation: Situation | None, today: date) -> tuple[date, date]:
    """The mandate's first round and the next renewal's (expected) first day; without a
    moment, the document's day and six years later."""
    moment = situation.moment if situation is not None else None
    if moment is None:
        return today, add_months(today, 72)
    return moment.renewal.start, moment.next_start


def phase_bounds(phase: str, situation: Situation | None, today: date) -> tuple[date, date]:
    """A phase of the mandate as days: début (24 months from the renewal), fin (the last 24
    months before the next one), mi (between)."""
    start, end = mandate_bounds(situation, today)
    early, late = add_months(start, PHASE_MONTHS), add_months(end, -PHASE_MONTHS)
    late = max(late, early)
    return {
        Phase.DEBUT.value: (start, early),
        Phase.MI.value: (early, late),
        Phase.FIN.value: (late, end),
    }[phase]


def milestones(situation: Situation | None, today: date) -> list[tuple[date, str]]:
    """The mandate's landmarks for the timeline: mid-mandate review, hand-over, renewal."""
    start, end = mandate_bounds(situation, today)
    out = [
        (add_months(start, MID_REVIEW_MONTHS), "Bilan de mi-mandat"),
        (add_months(end, -HANDOVER_MONTHS), "Préparation de la transmission"),
        (end, "Renouvellement"),
    ]
    return [(d, label) for d, label in out if d >= today]


def _first_of_next_month(day: date, months: int = 1) -> date:
    return add_months(day.replace(day=1), months)


def _duration(chantiers: Chantiers, action_id: str | None) -> int:
    entry = chantiers.entry(action_id or "")
    days = entry.effort.jours[1] if entry is not None else 6
    return max(MIN_MONTHS, min(MAX_MONTHS, math.ceil(days / DAYS_PER_MONTH)))


def _phase_for(chantier: Chantier | None, horizon: str | None, open_phases: list[str]) -> str:
    """The phase an action is conducted in: the chantier's first phase still open, or the one
    its horizon names (mi-mandat, fin de mandat) when the chantier runs then."""
    phases = [p.value for p in chantier.phases] if chantier else list(open_phases)
    alive = [p for p in phases if p in open_phases] or open_phases[-1:]
    if horizon == "fin_de_mandat" and Phase.FIN.value in alive:
        return Phase.FIN.value
    if horizon in {"mi_mandat", "fin_de_mandat"}:
        later = [p for p in alive if p != Phase.DEBUT.value]
        if later:
            return later[0]
    return alive[0]


def schedule(
    rows: Sequence[Any],
    chantiers: Chantiers,
    situation: Situation | None,
    today: date,
    legal: Sequence[LegalDuty | None] | None = None,
    chosen: Sequence[bool] | None = None,
) -> list[Window]:
    """A window for each row of the main plan (rows in the plan's order; `legal` the duty of
    each on `today`, read on the row when not given; `chosen` True where people chose the
    horizon themselves). Never before `today`; a late duty: within LATE_MONTHS, « à régulariser
    sans attendre »; a duty by a legal day: before it; the others in their chantier's phase
    still open (or the one their horizon names), from the month after the adoption, after the
    end of what they require, STAGGER_MONTHS after the previous action of their chantier, for a
    duration that follows their staff days; nothing after the next renewal."""
    end_of = mandate_bounds(situation, today)[1]
    first = _first_of_next_month(today, ADOPTION_MONTHS)
    last = end_of - timedelta(days=1)
    open_phases = [
        p.value for p in Phase if phase_bounds(p.value, situation, today)[1] > first
    ] or [Phase.FIN.value]
    requires = chantiers.requires()
    ends: dict[str, date] = {}
    previous: dict[str, date] = {}
    out: dict[int, Window] = {}
    for index in _requirements_first(rows, requires):
        row = rows[index]
        action = row.action_id or ""
        duty = legal[index] if legal is not None else getattr(row, "legal", None)
        home = chantiers.chantier_of(action)
        if duty is not None:
            if duty.late:
                window = Window(today, add_months(today, LATE_MONTHS), "sans_attendre")
            else:
                due = duty.due if duty.due and duty.due >= today else add_months(today, 6)
                window = Window(today, due, "echeance")
        elif chosen is not None and chosen[index] and row.horizon:
            window = _from_horizon(row.horizon, situation, today, first, last)
        elif (step := _step_of(chantiers, action)) is not None:
            day = dict(_moments(situation, today))[step][0]
            lead = REVIEW_LEAD_MONTHS if step == "mi" else 0
            begin = max(add_months(day.replace(day=1), -lead), first)
            end = add_months(day.replace(day=1), 1) - timedelta(days=1) if step == "mi" else last
            window = Window(min(begin, last), max(min(end, last), begin), step)
        else:
            phase = _phase_for(home, row.horizon, open_phases)
            begin = max(first, phase_bounds(phase, situation, today)[0])
            if row.horizon != "cent_jours" and phase == open_phases[0]:
                begin = max(begin, add_months(first, LATER_MONTHS))
            for needed in requires.get(action, ()):
                if needed in ends:
                    begin = max(begin, _first_of_next_month(ends[needed], 0))
            key = home.id if home else ""
            if key in previous:
                begin = max(begin, add_months(previous[key], STAGGER_MONTHS))
            months = _duration(chantiers, action)
            begin = min(begin, add_months(last, -months))
            begin = max(begin, today)
            end = min(add_months(begin, months) - timedelta(days=1), last)
            window = Window(begin, max(end, begin), phase)
        ends[action] = window.end
        if home is not None and duty is None:
            previous[home.id] = window.start
        out[index] = window
    return [out[i] for i in range(len(rows))]


def _requirements_first(rows: Sequence[Any], requires: Mapping[str, Sequence[str]]) -> list[int]:
    """The rows' indices in the plan's order, except that a row comes after the rows it
    requires (a chantier holding a legal duty goes first in the plan, but its action steered by
    the CoDir is still dated after the CoDir of another chantier)."""
    position = {row.action_id: i for i, row in enumerate(rows) if row.action_id}
    done: list[int] = []
    seen: set[int] = set()

    def visit(i: int, path: frozenset[int]) -> None:
        if i in seen or i in path:  # a cycle is refused by validate: never loop on one
            return
        for needed in requires.get(rows[i].action_id or "", ()):
            if needed in position:
                visit(position[needed], path | {i})
        seen.add(i)
        done.append(i)

    for i in range(len(rows)):
        visit(i, frozenset())
    return done


def _step_of(chantiers: Chantiers, action_id: str) -> str | None:
    entry = chantiers.entry(action_id)
    return entry.jalon if entry is not None else None


def _from_horizon(
    horizon: str, situation: Situation | None, today: date, first: date, last: date
) -> Window:
    """The window of a horizon people chose (Dans les 100 jours, Dans l'année, mi-mandat, fin
    de mandat), from the document's day."""
    if horizon == "cent_jours":
        return Window(today, today + timedelta(days=100), Phase.DEBUT.value)
    if horizon == "premiere_annee":
        return Window(today, add_months(today, 12), Phase.DEBUT.value)
    phase = Phase.FIN.value if horizon == "fin_de_mandat" else Phase.MI.value
    begin, end = phase_bounds(phase, situation, today)
    begin = max(begin, first)
    return Window(min(begin, last), max(min(end - timedelta(days=1), last), begin), phase)


# --- pilots: no body named before it exists ------------------------------------------------

# What a pilot adds, in brackets, when the plan institutes the body it names later on.
ONCE_INSTITUTED = {
    "instituer_codir_territoire": "le CoDir de territoire, une fois institué",
    "conference_dgs_reguliere": "la conférence des DGS, une fois réunie régulièrement",
}


def pilots(
    rows: Sequence[Any],
    windows: Sequence[Window],
    library: Iterable[Action],
    triggered: Iterable[str],
) -> list[str]:
    """The pilot of each main row (rows and their windows in the plan's order). A pilot that
    names a body (CoDir de territoire, conférence des DGS: library.BODIES) keeps it when the
    body exists: its action is not triggered, or the plan institutes it before the row starts.
    Otherwise the row takes the library's `pilot_interim`: with « (le CoDir de territoire, une
    fois institué) » when the plan institutes the body later, as is when the plan does not
    institute it (the answers say it is missing, so nothing says it exists)."""
    interim = {a.id: a.pilot_interim for a in library}
    proposed = set(triggered)
    ends = {row.action_id: w.end for row, w in zip(rows, windows, strict=True)}
    out: list[str] = []
    for row, window in zip(rows, windows, strict=True):
        pilot = row.pilot
        named = body_named(pilot or "")
        spare = interim.get(row.action_id or "")
        if named is None or named[0] == row.action_id or not spare:
            out.append(pilot)
            continue
        body = named[0]
        if body in ends:
            later = window.start < ends[body].replace(day=1)  # schedule's « after »: that month
            out.append(f"{spare} ({ONCE_INSTITUTED[body]})" if later else pilot)
        else:
            out.append(spare if body in proposed else pilot)
    return out


# --- the main plan by chantier ---------------------------------------------------------------


def chantier_pilot(
    chantier: Chantier,
    rows: Sequence[Any],
    indices: Sequence[int],
    windows: Sequence[Window | None] | None,
    triggered: Iterable[str],
) -> str:
    """A chantier's pilot, by the rule of `pilots`: a pilot that names a body (CoDir de
    territoire, conférence des DGS) keeps it when the body exists; when the plan institutes it
    after the chantier's first action starts, the chantier's `pilote_interim` with « (le CoDir
    de territoire, une fois institué) »; when the answers call for it but the main plan does not
    institute it, the `pilote_interim` as is."""
    named = body_named(chantier.pilote)
    if named is None or not chantier.pilote_interim:
        return chantier.pilote
    body = named[0]
    where = {row.action_id: i for i, row in enumerate(rows)}
    if body in where:
        if windows is None:
            return chantier.pilote
        ends = windows[where[body]]
        starts = [w.start for i in indices if (w := windows[i]) is not None]
        if ends is None or not starts or min(starts) >= ends.end.replace(day=1):
            return chantier.pilote
        return f"{chantier.pilote_interim} ({ONCE_INSTITUTED[body]})"
    return chantier.pilote_interim if body in set(triggered) else chantier.pilote


def groups(
    rows: Sequence[Any],
    chantiers: Chantiers,
    outside: str = "Actions ajoutées par le collectif",
    *,
    windows: Sequence[Window | None] | None = None,
    triggered: Iterable[str] = (),
    alias: Callable[[str], str] | None = None,
) -> list[PlanGroup]:
    """The main plan by chantier, in the rows' order of first appearance: each chantier's texts,
    its pilot (`chantier_pilot`: `windows` are the rows' windows, `triggered` the actions the
    answers call for outside the main plan), its rows (indices) and its effort summed (staff
    days, budget, outside help); the rows of no chantier (added by hand) in a group of their
    own."""
    triggered = set(triggered)
    alias = alias or _unchanged
    found: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        home = chantiers.chantier_of(row.action_id or "") if row.action_id else None
        found.setdefault(home.id if home else "", []).append(i)
    out: list[PlanGroup] = []
    for key, indices in found.items():
        chantier = next((c for c in chantiers.chantiers if c.id == key), None)
        days, budget = [0, 0], [0, 0]
        support: dict[str, list[int]] = {}
        for i in indices:
            entry = chantiers.entry(rows[i].action_id or "")
            if entry is None:
                continue
            effort = entry.effort
            days = [days[0] + effort.jours[0], days[1] + effort.jours[1]]
            budget = [budget[0] + effort.budget[0], budget[1] + effort.budget[1]]
            if effort.appui and effort.jours_appui:
                seen = support.setdefault(effort.appui, [0, 0])
                seen[0] += effort.jours_appui[0]
                seen[1] += effort.jours_appui[1]
        helps = tuple(
            f"{chantiers.appuis.get(k, k)} : {_range(v[0], v[1], 'jour')}"
            for k, v in support.items()
        )
        out.append(
            PlanGroup(
                chantier=key,
                title=chantier.titre if chantier else outside,
                objective=chantier.objectif if chantier else "",
                pilot=chantier_pilot(
                    chantier.model_copy(update={"pilote": alias(chantier.pilote)}),
                    rows,
                    indices,
                    windows,
                    triggered,
                )
                if chantier
                else "",
                validation=chantier.validation if chantier else "",
                rows=tuple(indices),
                days=(days[0], days[1]),
                budget=(budget[0], budget[1]),
                support=helps,
            )
        )
    return out


def _range(low: int, high: int, unit: str) -> str:
    """« 1 à 2 jours », « 0 à 5 jours », « 3 jours »."""
    plural = unit + ("s" if high > 1 else "")
    return f"{low} {plural}" if low == high else f"{low} à {high} {plural}"


__all__ = [
    "MAX_ACTIONS",
    "MAX_CHANTIERS",
    "MIN_CHANTIERS",
    "arrange_ids",
    "groups",
    "mandate_bounds",
    "milestones",
    "phase_bounds",
    "pilots",
    "schedule",
    "select",
]
