"""Short French summary of a territory's results, written from the numbers by fixed templates."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from diagnostic.analytics.agreement import POLARISED, SHARED
from diagnostic.analytics.approval import agreement_index
from diagnostic.analytics.consensus import SOURCE_CONSENSUS
from diagnostic.analytics.frames import maturity_items
from diagnostic.analytics.groups import BLIND_SPOT_THRESHOLD, STATUS_NO_DATA, STATUS_OK
from diagnostic.questionnaire import Questionnaire

TEMPLATES: dict[str, str] = {
    "intro": "Synthèse établie à partir de {n} questionnaire{s} envoyé{s}.",
    "strongest": "Les items les mieux notés",
    "weakest": "Les items les moins bien notés",
    "divergent": "Les items où les avis divergent le plus",
    "blind_spots": "Les angles morts",
    "agreement": "Les affirmations : part d'accord",
    "agreement_line": (
        "{dimension} : {share} % de réponses « plutôt » ou « tout à fait d'accord » "
        "(moyenne sur {k} affirmation{s})."
    ),
    "agreement_hidden": (
        "{dimension} : moins de {min} réponses par affirmation, la part d'accord n'est pas "
        "montrée (règle de confidentialité)."
    ),
    "item": "« {text} » : {score}/100 ({n} réponse{s}{source}).",
    "item_consensus": "« {text} » : {score}/100 (valeur de consensus).",
    "dont_know": " ; « Je ne sais pas » : {share} %",
    "divergent_item": (
        "« {text} » : avis {tag} (indice d'accord A = {agreement} ; réponses du niveau {low} "
        "au niveau {high}, écart-type {sd})."
    ),
    "blind_spot": (
        "« {text} » : {group} {score}/100, autres répondants {others}/100 "
        "(écart de {difference} points)."
    ),
    "none_scored": "Aucun item n'a encore reçu de niveau.",
    "none_divergent": "Aucun item ne fait apparaître de désaccord marqué.",
    "settled_item": (
        "« {text} » : avis {tag} au départ, tranché en réunion de consensus (niveau {level})."
    ),
    "none_blind_spot": "Aucun groupe ne se distingue des autres de {threshold} points ou plus.",
}


@dataclass(frozen=True)
class SummarySection:
    """One part of the summary: a key, a title and its sentences."""

    key: str
    title: str
    lines: tuple[str, ...]


def format_number(value: float, digits: int = 0) -> str:
    """A number the French way: halves rounded up, decimal comma (62.5 -> "63", 0.25 -> "0,25")."""
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}".replace(".", ",")


def _plural(n: int) -> str:
    return "s" if n > 1 else ""


def _text(questionnaire: Questionnaire, question_id: str) -> str:
    return questionnaire.question(question_id).text.rstrip(" .")


def _item_line(row: pd.Series, questionnaire: Questionnaire, score_column: str) -> str:
    text = _text(questionnaire, row["question_id"])
    score = format_number(row[score_column])
    if row.get("source") == SOURCE_CONSENSUS:
        return TEMPLATES["item_consensus"].format(text=text, score=score)
    n = int(row["n"])
    share = row.get("share_dont_know")
    extra = ""
    if share is not None and not math.isnan(share) and share > 0:
        extra = TEMPLATES["dont_know"].format(share=format_number(share * 100))
    return TEMPLATES["item"].format(text=text, score=score, n=n, s=_plural(n), source=extra)


def summary(
    stats: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    n_respondents: int,
    comparisons: Iterable[pd.DataFrame] = (),
    min_answers: int,
    k: int = 5,
    threshold: float = BLIND_SPOT_THRESHOLD,
) -> list[SummarySection]:
    """The summary: the k best and worst maturity items, the k most divergent, the angles
    morts, and the agreement index of each dimension with agreement statements (if any).

    `stats` are territory item statistics (scoring.item_stats), optionally passed through
    consensus.apply_consensus: then agreed levels are used and said so. `comparisons` are
    frames from groups.compare_groups. Only items with at least min_answers levels given are
    cited (pass the privacy setting: an item few people answered would expose them), unless
    a consensus value stands for the item. Strongest and weakest never share an item: with
    fewer than 2k scored items, the upper half is "best", the rest "worst".
    """
    score_column = "score_used" if "score_used" in stats else "score"
    agreed = stats["source"] == SOURCE_CONSENSUS if "source" in stats else False
    citable = stats.loc[(stats["n"] >= min_answers) | agreed]
    scored = citable.loc[maturity_items(citable) & citable[score_column].notna()]
    ordered = scored.sort_values(
        [score_column, "n", "position"], ascending=[False, False, True], kind="stable"
    )
    m = len(ordered)
    top = min(k, math.ceil(m / 2))
    best = ordered.head(top)
    worst = ordered.iloc[top:].tail(min(k, m - top)).iloc[::-1]
    none = (TEMPLATES["none_scored"],)
    sections = [
        SummarySection(
            "strongest",
            TEMPLATES["strongest"],
            tuple(_item_line(r, questionnaire, score_column) for _, r in best.iterrows()) or none,
        ),
        SummarySection(
            "weakest",
            TEMPLATES["weakest"],
            tuple(_item_line(r, questionnaire, score_column) for _, r in worst.iterrows()) or none,
        ),
        SummarySection(
            "divergent",
            TEMPLATES["divergent"],
            _divergent(stats.loc[stats["n"] >= min_answers], questionnaire, k),
        ),
        SummarySection(
            "blind_spots",
            TEMPLATES["blind_spots"],
            _blind_spots(list(comparisons), questionnaire, k, threshold),
        ),
    ]
    lines = _agreement(stats, questionnaire, min_answers)
    if lines:
        sections.append(SummarySection("agreement", TEMPLATES["agreement"], lines))
    intro = TEMPLATES["intro"].format(n=n_respondents, s=_plural(n_respondents))
    return [SummarySection("intro", "", (intro,)), *sections]


def _agreement(
    stats: pd.DataFrame, questionnaire: Questionnaire, min_answers: int
) -> tuple[str, ...]:
    index = agreement_index(stats, questionnaire, min_answers=min_answers)
    titles = {s.id: s.title for s in questionnaire.sections}
    lines = []
    for row in index.itertuples(index=False):
        dimension = titles.get(row.dimension_id, row.dimension_id)
        if row.agree_status == STATUS_OK:
            k = int(row.n_statements_counted)
            share = format_number(row.share_agree * 100)
            lines.append(
                TEMPLATES["agreement_line"].format(
                    dimension=dimension, share=share, k=k, s=_plural(k)
                )
            )
        elif row.agree_status != STATUS_NO_DATA:
            lines.append(TEMPLATES["agreement_hidden"].format(dimension=dimension, min=min_answers))
    return tuple(lines)


def _divergent(stats: pd.DataFrame, questionnaire: Questionnaire, k: int) -> tuple[str, ...]:
    """The k items where the answers diverge most and that no consensus has settled; then
    those a consensus meeting settled, said so (they no longer divide the collective)."""
    split = stats.loc[stats["agreement_tag"].isin([SHARED, POLARISED])]
    split = split.sort_values(
        ["agreement", "sd", "position"], ascending=[True, False, True], kind="stable"
    )
    settled = split["source"].eq(SOURCE_CONSENSUS) if "source" in split else None
    done = split.loc[settled] if settled is not None else split.iloc[0:0]
    split = (split.loc[~settled] if settled is not None else split).head(k)
    after = tuple(
        TEMPLATES["settled_item"].format(
            text=_text(questionnaire, r["question_id"]),
            tag=r["agreement_tag"],
            level=format_number(r["consensus_level"]),
        )
        for _, r in done.iterrows()
    )
    lines = tuple(
        TEMPLATES["divergent_item"].format(
            text=_text(questionnaire, r["question_id"]),
            tag=r["agreement_tag"],
            agreement=format_number(r["agreement"], 2),
            low=format_number(r["min"]),
            high=format_number(r["max"]),
            sd=format_number(r["sd"], 1),
        )
        for _, r in split.iterrows()
    )
    return (lines + after) or (TEMPLATES["none_divergent"],)


def _blind_spots(
    comparisons: list[pd.DataFrame], questionnaire: Questionnaire, k: int, threshold: float
) -> tuple[str, ...]:
    frames = [c.loc[c["blind_spot"].fillna(False).astype(bool)] for c in comparisons]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return (TEMPLATES["none_blind_spot"].format(threshold=format_number(threshold)),)
    found = pd.concat(frames, ignore_index=True)
    found = found.assign(_d=found["difference"].abs()).sort_values(
        ["_d", "position"], ascending=[False, True], kind="stable"
    )
    # With two groups, each is the other's "others": keep one line per item and grouping.
    found = found.drop_duplicates(["grouping", "question_id"]).head(k)
    return tuple(
        TEMPLATES["blind_spot"].format(
            text=_text(questionnaire, r["question_id"]),
            group=r["group_label"],
            score=format_number(r["score"]),
            others=format_number(r["others_score"]),
            difference=format_number(r["_d"]),
        )
        for _, r in found.iterrows()
    )


def summary_text(sections: Iterable[SummarySection]) -> str:
    """The summary as plain text: each title followed by its sentences as a dashed list."""
    parts = []
    for section in sections:
        lines = [f"- {line}" for line in section.lines] if section.title else list(section.lines)
        parts.append("\n".join(([section.title] if section.title else []) + lines))
    return "\n\n".join(parts)
