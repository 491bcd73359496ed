"""The review of the previous roadmap (« Bilan de la feuille de route précédente »), pure.

For each kept action of the previous campaign's roadmap: its follow-up status, and for each
item it should move (its links, keyed in the previous questionnaire) the before → after
values — collective value, agreement, the intercommunalité's and the communes' scores — with
a plain-French reading. No database, no access rule: roadmap/review_service.py reads the two
campaigns and calls `review`. Thresholds: docs/methodes.md, « Bilan de la feuille de route
précédente ».

Privacy: a campaign below the minimum group size (TooFewRespondents) shows nothing of any
item; the intercommunalité–communes comparison of an item is shown only when both groups
may be shown in BOTH campaigns (a masked group on either side hides the four figures).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from diagnostic import analytics as an
from diagnostic.analytics.agreement import CONSENSUS_FROM
from diagnostic.analytics.groups import BLIND_SPOT_THRESHOLD
from diagnostic.analytics.summary import format_number
from diagnostic.questionnaire import Questionnaire
from diagnostic.results.model import CampaignResults, TooFewRespondents
from diagnostic.roadmap.followup import FOLLOW_UP_LABELS, ActionFollowUp
from diagnostic.roadmap.model import PlanItem
from diagnostic.vocabulary import count, french_date

MOVE_FROM = 0.5  # levels: a collective value that moved less is « inchangée »
SHARED_FROM = CONSENSUS_FROM  # A >= 0.5 (« avis concordants »): the perception is shared
GAP_FROM = BLIND_SPOT_THRESHOLD  # points: an intercommunalité–communes gap (angle mort)

# What became of a linked item in the comparison.
COMPARED = "compare"  # both values shown
NOT_ASKED = "non_pose"  # the item is not in the other campaign's questionnaire
CHANGED = "modifie"  # in both questionnaires, but its type or scale changed
HIDDEN = "masque"  # fewer respondents than the minimum group size in one of the campaigns
NO_DATA = "sans_donnee"  # no collective value on one side (nobody gave a level)
NOT_MEASURED = "non_mesure"  # not an item with levels (a choice, a ranking, a grid…)

STATE_LABELS = {
    COMPARED: "comparé",
    NOT_ASKED: "non posé",
    CHANGED: "question modifiée",
    HIDDEN: "masqué (trop peu de réponses)",
    NO_DATA: "aucune valeur",
    NOT_MEASURED: "sans niveau à comparer",
}
STATUS_PHRASES = {
    "fait": "Action faite",
    "en_cours": "Action en cours",
    "a_lancer": "Action pas encore lancée",
    "abandonne": "Action abandonnée",
}


@dataclass(frozen=True)
class Side:
    """One campaign of the review, as the service read it (access already checked)."""

    campaign_id: int
    title: str
    questionnaire: Questionnaire
    results: CampaignResults | TooFewRespondents

    @property
    def shown(self) -> bool:
        return isinstance(self.results, CampaignResults)

    @property
    def label(self) -> str:
        """« Autodiagnostic de mi-mandat 2020-2026 (version courte du questionnaire, 2026.1) »:
        the questionnaire as its title names it, never its file id."""
        q = self.questionnaire
        variant = q.title.rsplit(" — ", 1)[1] if " — " in q.title else ""  # « version courte »
        kind = f"{variant} du questionnaire" if variant else "questionnaire complet"
        return f"{self.title} ({kind}, {q.version})"


@dataclass(frozen=True)
class ItemValue:
    """An item's figures in one campaign: collective value (consensus level, else median, on
    the item's scale), score on 100 (consensus applied), van der Eijk's A, and the scores of
    the intercommunalité and of the communes (None when their group may not be shown)."""

    level: float | None
    score: float | None
    agreement: float | None
    epci: float | None
    communes: float | None

    @property
    def groups_shown(self) -> bool:
        return self.epci is not None and self.communes is not None

    @property
    def gap(self) -> float | None:
        """Intercommunalité minus communes, in points (None when a group is hidden)."""
        if self.epci is None or self.communes is None:
            return None
        return self.epci - self.communes

    @property
    def shared(self) -> bool:
        return self.agreement is not None and self.agreement >= SHARED_FROM


@dataclass(frozen=True)
class ItemMove:
    """One linked item of an action, before → after."""

    key: str  # the item's id in the previous questionnaire (the action's link)
    after_id: str | None  # its id in the new questionnaire (renamed.yaml followed)
    label: str  # its wording
    state: str  # COMPARED, NOT_ASKED…
    before: ItemValue | None = None  # shown only when state == COMPARED
    after: ItemValue | None = None

    @property
    def change(self) -> float | None:
        """After minus before collective value, in levels."""
        if self.before is None or self.after is None:
            return None
        if self.before.level is None or self.after.level is None:
            return None
        return self.after.level - self.before.level

    @property
    def groups_shown(self) -> bool:
        """The intercommunalité–communes comparison: both groups shown on both sides."""
        return (
            self.before is not None
            and self.after is not None
            and self.before.groups_shown
            and self.after.groups_shown
        )

    def reading(self, not_asked_in: str = "") -> str:
        """« en hausse d'un niveau (2 → 3), désormais partagée », « non posé dans le
        questionnaire court »…"""
        if self.state == NOT_ASKED:
            return f"non posé {not_asked_in}".strip()
        if self.state != COMPARED:
            return STATE_LABELS[self.state]
        assert self.before is not None and self.after is not None
        said = f"{movement(self.change)} ({level(self.before.level)} → {level(self.after.level)})"
        notes = _qualifiers([self])
        return ", ".join([said, *notes])


@dataclass(frozen=True)
class ActionReview:
    """One kept action of the previous roadmap: its follow-up and its items' movement."""

    follow_up: ActionFollowUp
    moves: tuple[ItemMove, ...]
    reading: str

    @property
    def item(self) -> PlanItem:
        return self.follow_up.item

    @property
    def status(self) -> str:
        return self.follow_up.status

    @property
    def status_label(self) -> str:
        return FOLLOW_UP_LABELS.get(self.status, self.status)

    @property
    def since(self) -> date | None:
        current = self.follow_up.current
        return current.on if current is not None else None

    @property
    def compared(self) -> tuple[ItemMove, ...]:
        return tuple(m for m in self.moves if m.state == COMPARED)


@dataclass(frozen=True)
class Review:
    """The whole « Bilan de la feuille de route précédente »."""

    before: Side
    after: Side
    actions: tuple[ActionReview, ...]
    not_asked: tuple[str, ...]  # wordings of the linked items the new questionnaire lacks
    short_after: bool  # the new questionnaire is a shorter one (the short variant)

    @property
    def not_asked_in(self) -> str:
        """Where a linked item was not asked: « dans le questionnaire court » or « dans la
        version 2026.2 »."""
        if self.short_after:
            return "dans le questionnaire court"
        q = self.after.questionnaire
        return f"dans le questionnaire {q.id} {q.version}"

    def counts(self) -> dict[str, int]:
        """How many actions in each follow-up status."""
        return {s: sum(a.status == s for a in self.actions) for s in FOLLOW_UP_LABELS}


# --- numbers in words -----------------------------------------------------------------------


def level(value: float | None) -> str:
    """« 2 », « 2,5 »; « — » when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return format_number(value, 1) if value != int(value) else str(int(value))


def amount(levels: float) -> str:
    """« d'un demi-niveau », « d'un niveau », « d'un niveau et demi », « de 2 niveaux »,
    « de 2,5 niveaux » (rounded to the half level)."""
    halves = int(math.floor(abs(levels) * 2 + 0.5))
    words = {1: "d'un demi-niveau", 2: "d'un niveau", 3: "d'un niveau et demi"}
    if halves in words:
        return words[halves]
    value = halves / 2
    return f"de {level(value)} niveaux"


def movement(change: float | None) -> str:
    """« perception en hausse d'un niveau », « perception inchangée »…"""
    if change is None:
        return "perception non mesurée"
    if abs(change) < MOVE_FROM:
        return "perception inchangée"
    return f"perception en {'hausse' if change > 0 else 'baisse'} {amount(change)}"


def _qualifiers(moves: Sequence[ItemMove]) -> list[str]:
    """What changed beside the value: agreement (« désormais partagée », « moins partagée
    qu'avant ») and the intercommunalité–communes gap (« écart … atténué », « … apparu »)."""
    notes = []
    pairs = [(m.before, m.after) for m in moves if m.before is not None and m.after is not None]
    known = [(b, a) for b, a in pairs if b.agreement is not None and a.agreement is not None]
    if known and all(a.shared for _, a in known) and any(not b.shared for b, _ in known):
        notes.append("désormais partagée")
    elif any(b.shared and not a.shared for b, a in known):
        notes.append("moins partagée qu'avant")
    gaps = [(b.gap, a.gap) for b, a in pairs if b.gap is not None and a.gap is not None]
    wide_before = [abs(b) >= GAP_FROM for b, _ in gaps]
    wide_after = [abs(a) >= GAP_FROM for _, a in gaps]
    if gaps and any(wide_before) and not any(wide_after):
        notes.append("écart intercommunalité–communes atténué")
    elif any(wa and not wb for wb, wa in zip(wide_before, wide_after, strict=True)):
        notes.append("écart intercommunalité–communes apparu")
    return notes


# --- the readings ---------------------------------------------------------------------------

# What the movement asks of the collective, by follow-up status: (up, unchanged, down).
_ADVICE = {
    "fait": ("", "à interroger", "à interroger"),
    "en_cours": ("", "à suivre", "à suivre de près"),
    "a_lancer": ("d'autres causes à chercher", "", "à lancer"),
    "abandonne": ("", "le besoin demeure", "le besoin s'accroît"),
}
_RISE_WORD = {"en_cours": "déjà", "abandonne": "pourtant"}


def action_reading(status: str, moves: Sequence[ItemMove], not_asked_in: str) -> str:
    """The plain-French reading of one action (rules: docs/methodes.md, « Bilan… »)."""
    head = STATUS_PHRASES.get(status, f"Action {FOLLOW_UP_LABELS.get(status, status).lower()}")
    compared = [m for m in moves if m.state == COMPARED and m.change is not None]
    if not moves:
        return f"{head} ; pas de mesure : aucun item lié à cette action"
    if not compared:
        return f"{head} ; {_why_not(moves, not_asked_in)}"
    change = sum(m.change for m in compared if m.change is not None) / len(compared)
    said = f"{head}, {movement(change)}"
    notes = _qualifiers(compared)
    if notes:
        said += ", " + ", ".join(notes)
    up, same, down = _ADVICE.get(status, ("", "", ""))
    advice = same if abs(change) < MOVE_FROM else up if change > 0 else down
    if change >= MOVE_FROM and status in _RISE_WORD:
        said = said.replace("perception en hausse", f"perception {_RISE_WORD[status]} en hausse", 1)
    if advice:
        said += f" : {advice}"
    if len(compared) < len(moves):
        said += f" ({len(compared)} {'item mesuré' if len(compared) < 2 else 'items mesurés'} "
        said += f"sur {len(moves)})"
    return said


def _why_not(moves: Sequence[ItemMove], not_asked_in: str) -> str:
    """Why no linked item could be compared, the likeliest reason first."""
    states = {m.state for m in moves}
    several = len(moves) > 1
    if NOT_ASKED in states and states <= {NOT_ASKED, NOT_MEASURED, NO_DATA}:
        what = "items non posés" if several else "item non posé"
        return f"pas encore mesurable : {what} {not_asked_in}"
    if HIDDEN in states:
        return "pas de lecture : trop peu de réponses pour comparer sans risque pour l'anonymat"
    if CHANGED in states:
        return "pas mesurable : question modifiée depuis, les réponses ne se comparent pas"
    if NO_DATA in states:
        return "pas mesurable : aucune valeur collective d'un côté"
    if NOT_ASKED in states:
        what = "items non posés" if several else "item non posé"
        return f"pas encore mesurable : {what} {not_asked_in}"
    what = "items sans niveau" if several else "item sans niveau"
    return f"pas mesurable : {what} à comparer (choix, classement, grille)"


# --- the computation ------------------------------------------------------------------------


def item_values(results: CampaignResults) -> dict[str, ItemValue]:
    """Each ordinal item's figures in one campaign (group scores hidden unless shown)."""
    items = results.items.set_index("question_id")
    collective = results.collective.set_index("question_id")["current"]
    groups = results.comparisons.get("structure_kind", pd.DataFrame())
    shown: dict[tuple[str, str], float] = {}
    if not groups.empty:
        ok = groups.loc[groups["status"] == an.STATUS_OK]
        for qid, group, value in zip(ok["question_id"], ok["group"], ok["score"], strict=True):
            if value is not None and not pd.isna(value):
                shown[(str(qid), str(group))] = float(value)
    out = {}
    for qid in items.index:
        row = items.loc[qid]
        out[str(qid)] = ItemValue(
            level=_number(collective.get(qid)),
            score=_number(row.get("score_used", row.get("score"))),
            agreement=_number(row.get("agreement")),
            epci=shown.get((str(qid), "epci")),
            communes=shown.get((str(qid), "commune")),
        )
    return out


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def review(
    follow_ups: Sequence[ActionFollowUp],
    before: Side,
    after: Side,
    pairs: Mapping[str, str],
    renamed: Mapping[str, str] | None = None,
) -> Review:
    """The review of the previous roadmap. `follow_ups`: its kept actions (tracking.follow_ups
    of the previous campaign); `pairs`: comparison.service.common_items(before questionnaire,
    after questionnaire, renamed) — new id -> old id of the items that compare; `renamed`:
    old id -> new id (questions/renamed.yaml), to name an item whose question changed."""
    renamed = dict(renamed or {})
    new_of = {old: new for new, old in pairs.items()}
    ordinal_before = set(an.item_catalogue(before.questionnaire)["question_id"])
    after_ids = {x.id for x in after.questionnaire.questions()}
    values_before = (
        item_values(before.results) if isinstance(before.results, CampaignResults) else None
    )
    values_after = (
        item_values(after.results) if isinstance(after.results, CampaignResults) else None
    )
    wording = {x.id: x.text for x in before.questionnaire.questions()}
    wording_after = {x.id: x.text for x in after.questionnaire.questions()}
    short_after = _shorter(after.questionnaire, before.questionnaire)
    not_asked: dict[str, str] = {}
    actions = []
    for follow_up in follow_ups:
        moves = []
        for key in follow_up.links:
            new = new_of.get(key)
            label = wording.get(key) or wording_after.get(renamed.get(key, key)) or key
            if new is None:
                state = _missing(key, renamed, ordinal_before, after_ids, wording)
                if state == NOT_ASKED:
                    not_asked[key] = label
                moves.append(ItemMove(key, None, label, state))
                continue
            if values_before is None or values_after is None:
                moves.append(ItemMove(key, new, label, HIDDEN))
                continue
            b, a = values_before.get(key), values_after.get(new)
            if b is None or a is None or b.level is None or a.level is None:
                moves.append(ItemMove(key, new, label, NO_DATA))
                continue
            if not (b.groups_shown and a.groups_shown):  # privacy on both sides
                b = ItemValue(b.level, b.score, b.agreement, None, None)
                a = ItemValue(a.level, a.score, a.agreement, None, None)
            moves.append(ItemMove(key, new, label, COMPARED, b, a))
        actions.append(ActionReview(follow_up, tuple(moves), ""))
    result = Review(before, after, (), tuple(not_asked.values()), short_after)
    where = result.not_asked_in
    readings = tuple(
        ActionReview(a.follow_up, a.moves, action_reading(a.status, a.moves, where))
        for a in actions
    )
    return Review(before, after, readings, result.not_asked, short_after)


def _missing(
    key: str,
    renamed: Mapping[str, str],
    ordinal_before: set[str],
    after_ids: set[str],
    wording: Mapping[str, str],
) -> str:
    """Why a linked item has no counterpart in the new questionnaire."""
    if key in wording and key not in ordinal_before:
        return NOT_MEASURED
    if renamed.get(key, key) in after_ids:
        return CHANGED
    return NOT_ASKED


def _shorter(after: Questionnaire, before: Questionnaire) -> bool:
    """The new questionnaire asks fewer ordinal items than the previous one (short variant)."""
    return len(an.item_catalogue(after)) < len(an.item_catalogue(before))


# --- tables (exports, page, CLI) ------------------------------------------------------------

REVIEW_COLUMNS = (
    "Action",
    "Statut",
    "Depuis le",
    "Avancement (%)",
    "Lecture",
    "Item",
    "Comparaison",
    "Valeur avant",
    "Valeur après",
    "Évolution (niveaux)",
    "Score avant",
    "Score après",
    "Accord A avant",
    "Accord A après",
    "Intercommunalité avant",
    "Communes avant",
    "Intercommunalité après",
    "Communes après",
    "Lecture de l'item",
)


def _round(value: float | None, digits: int = 0) -> float | None:
    return None if value is None else round(value, digits)


def review_table(found: Review) -> pd.DataFrame:
    """One row per action and linked item (one row for an action without any), in French;
    numbers stay numbers (the export escapes text cells)."""
    rows = []
    for action in found.actions:
        head = (
            action.item.title,
            action.status_label,
            action.since,
            action.follow_up.progress,
            action.reading,
        )
        if not action.moves:
            rows.append((*head, *([None] * (len(REVIEW_COLUMNS) - len(head)))))
            continue
        for m in action.moves:
            b, a = m.before, m.after
            groups = m.groups_shown
            rows.append(
                (
                    *head,
                    m.label,
                    STATE_LABELS[m.state],
                    b.level if b else None,
                    a.level if a else None,
                    m.change,
                    _round(b.score) if b else None,
                    _round(a.score) if a else None,
                    _round(b.agreement, 2) if b else None,
                    _round(a.agreement, 2) if a else None,
                    _round(b.epci) if b and groups else None,
                    _round(b.communes) if b and groups else None,
                    _round(a.epci) if a and groups else None,
                    _round(a.communes) if a and groups else None,
                    m.reading(found.not_asked_in),
                )
            )
    return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))


FOLLOW_UP_COLUMNS = (
    "Action",
    "Chantier",
    "Statut",
    "Depuis le",
    "Avancement (%)",
    "Valeur de l'indicateur",
    "Échéance",
    "En retard",
    "Commentaire",
    "Items liés",
    "Changements de statut",
)


def follow_up_table(
    follow_ups: Sequence[ActionFollowUp],
    today: date,
    chantiers: Mapping[str, str] | None = None,
    items: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The follow-up of a roadmap's kept actions, one row each, in French. `chantiers`: titles
    by id; `items`: wordings by item key (the key itself when unknown)."""
    chantiers, items = chantiers or {}, items or {}
    rows = []
    for f in follow_ups:
        current = f.current
        rows.append(
            (
                f.item.title,
                chantiers.get(f.item.chantier or "", f.item.chantier or ""),
                FOLLOW_UP_LABELS.get(f.status, f.status),
                current.on if current else None,
                f.progress,
                f.indicator_value,
                f.due,
                "oui" if f.late(today) else "non",
                current.comment if current else "",
                " ; ".join(items.get(k, k) for k in f.links),
                len(f.history),
            )
        )
    return pd.DataFrame(rows, columns=list(FOLLOW_UP_COLUMNS))


def summary_line(found: Review) -> str:
    """« 6 actions retenues dans « Diagnostic 2023 » : 2 faites, 2 en cours, 1 abandonnée,
    1 à lancer. »"""
    c = found.counts()
    parts = [  # only the statuses present: never « 0 abandonnée »
        count(c[key], *words)
        for key, words in (
            ("fait", ("faite",)),
            ("en_cours", ("en cours", "en cours")),
            ("abandonne", ("abandonnée",)),
            ("a_lancer", ("à lancer", "à lancer")),
        )
        if c[key]
    ]
    kept = count(len(found.actions), "action retenue", "actions retenues")
    return f"{kept} dans « {found.before.title} » : {', '.join(parts)}."


def day(value: date | None) -> str:
    return french_date(value) if value else "—"
