"""A campaign's data as files: answers (long and wide, with labels) and computed results."""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from diagnostic.accounts.permissions import Action, Actor, can
from diagnostic.exports import Export, export
from diagnostic.questionnaire import Questionnaire
from diagnostic.questionnaire.codecs import describe_answer
from diagnostic.results import tables
from diagnostic.results.model import CampaignData, compute_results, labels
from diagnostic.results.service import read_campaign_data, require_results_access
from diagnostic.store import campaigns as campaign_store
from diagnostic.store.audit import record_on_campaign
from diagnostic.store.engine import session_scope
from diagnostic.vocabulary import ROLE_LABELS

FORMATS = ("csv", "xlsx", "json")
CSV_TABLES = ("long", "large", "items", "dimensions")
KIND_NAMES = {"epci": "Intercommunalité", "commune": "Commune"}

RESPONDENT = "Répondant·e"
KIND, ROLE, STRUCTURE = "Type de structure", "Fonction", "Structure"
# The columns that describe a person, in the order they are kept when not all can be: the
# crossed views of the results page (intercommunalité / communes, then fonctions) come first.
DESCRIBING = (KIND, ROLE, STRUCTURE)
OTHER = {KIND: "autre type", ROLE: "autre fonction", STRUCTURE: "autre structure"}
OTHER_ANSWER = "autre réponse"  # an identifying question's answer given by too few people
NO_ANSWER = "(sans réponse)"
# Only in a named export: they tell people apart (who has submitted, when each answer was
# changed: the participation list shows the dates of submission).
NAMED_ONLY = ("Envoyé", "Modifiée le", "Version du questionnaire")

NOT_NAMED = (
    "cette campagne n'est pas nominative : ses réponses ne s'exportent qu'avec des codes "
    "(R01, R02…), comme annoncé aux répondant·es. Le choix des réponses nominatives se fait à "
    "la création de la campagne, avant la première réponse"
)
NAMES_FOR_COORDINATION = "les noms sont réservés à la coordination du territoire"


def respondent_codes(
    participant_ids: Iterable[int], rng: random.Random | None = None
) -> dict[int, str]:
    """Pseudonyms R01, R02… drawn at random at each export: they follow neither the order of
    the invitations nor the numbers the participation list shows."""
    ids = sorted({int(p) for p in participant_ids})
    (rng or random.SystemRandom()).shuffle(ids)
    return {pid: f"R{i:02d}" for i, pid in enumerate(ids, start=1)}


def _merge_small(values: pd.Series, other: str, min_group_size: int) -> pd.Series | None:
    """Values shared by fewer than min_group_size people become `other`; while `other` itself
    holds between 1 and min_group_size - 1 people, the smallest remaining value joins it.
    None when every value would have to go."""
    counts = values.value_counts()
    small = sorted((v for v, n in counts.items() if n < min_group_size), key=str)
    kept = counts.drop(small)
    merged = int(counts[small].sum()) if small else 0
    while 0 < merged < min_group_size and not kept.empty:
        smallest = kept.sort_values(kind="stable").index[0]
        merged += int(kept[smallest])
        small.append(smallest)
        kept = kept.drop(smallest)
    if kept.empty:
        return None  # « autre » for everybody says nothing
    return values.where(~values.isin(small), other)


def generalise(
    people: pd.DataFrame, *, min_group_size: int, columns: Iterable[str] = DESCRIBING
) -> pd.DataFrame:
    """The describing columns of a pseudonymous export, so that nobody stands out.

    `people` has one row per respondent; `columns` are the ones that describe a person, in the
    order they are kept when not all can be (DESCRIBING, then the answers to `identifying`
    questions). The rule of the results page applies: a group of fewer than min_group_size
    people is never detailed. Each column first merges its small groups (« autre fonction »,
    « autre structure », « autre réponse »); the columns kept are then the most (in that
    order) whose combination leaves nobody in a group of fewer than min_group_size people —
    otherwise « la DST de la commune A » would be a group of one. Returns `people` with the
    other describing columns left out.
    """
    out = people.copy()
    usable = []
    for column in columns:
        if column not in out:
            continue
        merged = _merge_small(out[column], OTHER.get(column, OTHER_ANSWER), min_group_size)
        if merged is None:
            out = out.drop(columns=column)
        else:
            out[column] = merged
            usable.append(column)
    for size in range(len(usable), 0, -1):
        for chosen in combinations(usable, size):
            if out.groupby(list(chosen)).size().min() >= min_group_size:
                return out.drop(columns=[c for c in usable if c not in chosen])
    return out.drop(columns=usable)


def long_answers(
    data: CampaignData,
    *,
    names: dict[int, str] | None = None,
    min_group_size: int,
    rng: random.Random | None = None,
) -> pd.DataFrame:
    """One row per respondent x question, with the question's wording and the answer in words.

    With `names` (a named campaign, for its coordination): every answer, in progress or sent,
    beside the person's name (or number), structure, function, submission and dates.
    Without: only the questionnaires sent, from min_group_size of them on, each person under a
    random code, described only as far as `generalise` allows, without dates.
    """
    q = data.questionnaire
    known = {x.id: x for x in q.questions()}
    people = data.participants.set_index("participant_id")
    answers = data.answers
    if names is None:
        sent = set(people.index[people["submitted"].astype(bool)])
        if len(sent) < min_group_size:
            return pd.DataFrame(columns=[RESPONDENT])
        answers = answers.loc[answers["participant_id"].isin(sent)]
        codes = respondent_codes(sent, rng)
    rows = []
    for _, a in answers.iterrows():
        question = known.get(a["question_id"])
        pid = int(a["participant_id"])
        person = people.loc[pid]
        rows.append(
            {
                RESPONDENT: (names.get(pid) or f"Répondant·e n° {pid}")
                if names is not None
                else codes[pid],
                STRUCTURE: person["structure_name"],
                KIND: KIND_NAMES.get(person["structure_kind"], ""),
                ROLE: ROLE_LABELS.get(person["role"], person["role"]),
                "Envoyé": "oui" if person["submitted"] else "non",
                "Partie": q.section_of(question.id).title if question else "",
                "Question (id)": a["question_id"],
                "Question": question.text if question else "(question retirée du questionnaire)",
                "Réponse": describe_answer(q, question, a["value"]) if question else "",
                "Niveau": a["level"],
                "Visé": a["target"],
                "Importance": a["importance"],
                "Je ne sais pas": "oui" if a["dont_know"] else "",
                "Version du questionnaire": a["questionnaire_version"],
                "Modifiée le": a["updated_at"],
            }
        )
    long = pd.DataFrame(rows)
    if long.empty:
        return pd.DataFrame(columns=[RESPONDENT])
    if names is None:
        long = _pseudonymous(long, q, min_group_size)
        first = [RESPONDENT, *[c for c in DESCRIBING if c in long]]
        long = long[first + [c for c in long.columns if c not in first]]
        order = {x.id: i for i, x in enumerate(q.questions())}
        long = long.sort_values(
            [RESPONDENT, "Question (id)"],
            key=lambda c: c.map(order).fillna(len(order)) if c.name == "Question (id)" else c,
            kind="stable",
        ).reset_index(drop=True)
    return long


def _pseudonymous(long: pd.DataFrame, q: Questionnaire, min_group_size: int) -> pd.DataFrame:
    """Dates and submission left out; the describing columns and the answers to identifying
    questions generalised together (`generalise`): an answer merged becomes « autre réponse »,
    the rows of an identifying question left out go."""
    long = long.drop(columns=list(NAMED_ONLY))
    described = long[[RESPONDENT, *DESCRIBING]].drop_duplicates(RESPONDENT).set_index(RESPONDENT)
    identifying = [x.id for x in q.questions() if x.identifying]
    answers = long.loc[long["Question (id)"].isin(identifying)]
    given = answers.pivot_table(
        index=RESPONDENT, columns="Question (id)", values="Réponse", aggfunc="first"
    )
    for qid in identifying:
        column = given[qid] if qid in given else pd.Series(dtype=object)
        described[qid] = column.reindex(described.index).fillna(NO_ANSWER)
    kept = generalise(
        described.reset_index(), min_group_size=min_group_size, columns=[*DESCRIBING, *identifying]
    ).set_index(RESPONDENT)
    long = long.drop(columns=list(DESCRIBING))
    for qid in identifying:
        rows = long["Question (id)"] == qid
        if qid not in kept:
            long = long.loc[~rows]
        else:
            long.loc[rows, "Réponse"] = long.loc[rows, RESPONDENT].map(kept[qid])
    kept = kept.drop(columns=[c for c in identifying if c in kept])
    return long.merge(kept.reset_index(), on=RESPONDENT, how="left")


def wide_answers(long: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, one column per question id, answers in words."""
    if long.empty:
        return pd.DataFrame(columns=[RESPONDENT])
    keys = [c for c in (RESPONDENT, STRUCTURE, KIND, ROLE, "Envoyé") if c in long]
    wide = long.pivot_table(
        index=keys, columns="Question (id)", values="Réponse", aggfunc="first"
    ).reset_index()
    wide.columns.name = None
    return wide


def export_file_name(territory: str, campaign: str, fmt: str) -> str:
    """The name a campaign export is saved under."""
    from diagnostic.exports import file_name

    return file_name(f"diagnostic-{territory}-{campaign}", fmt)


def campaign_export(
    engine: Engine,
    actor: Actor,
    campaign_id: int,
    questions_dir: Path,
    *,
    fmt: str,
    min_group_size: int,
    table: str = "long",
    with_names: bool = False,
    rng: random.Random | None = None,
) -> Export:
    """The campaign's data as a file (checked: the actor must be able to read its results).

    Names appear only when asked, for a campaign whose coordination chose named answers before
    the first answer (`Campaign.named_answers`), and only to those who manage the territory
    (coordination, administration); otherwise asking is refused. Without names, the answers are
    pseudonymous and nobody stands out (see `long_answers` and `generalise`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu : {fmt} (csv, xlsx ou json)")
    if table not in CSV_TABLES:
        raise ValueError(f"tableau inconnu : {table} ({', '.join(CSV_TABLES)})")
    campaign = require_results_access(engine, actor, campaign_id)
    names = None
    if with_names:
        if not campaign.named_answers:
            raise ValueError(NOT_NAMED)
        if not can(actor, Action.TERRITORY_MANAGE, territory_id=campaign.territory_id):
            raise ValueError(NAMES_FOR_COORDINATION)
        with session_scope(engine) as s:
            names = {
                p.id: p.name
                for p in campaign_store.participants_of(s, campaign_id=campaign_id)
                if p.id is not None and p.name
            }
    data = read_campaign_data(engine, campaign_id, questions_dir)
    long = long_answers(data, names=names, min_group_size=min_group_size, rng=rng)
    sheets: dict[str, pd.DataFrame] = {}
    if not long.empty or names is not None:
        sheets["Réponses (long)"] = long
        sheets["Réponses (large)"] = wide_answers(long)
    answers_only = fmt == "csv" and table in ("long", "large")
    results = None if answers_only else compute_results(data, min_group_size=min_group_size)
    if results is not None and results.n_respondents >= min_group_size:
        names_ = labels(data.questionnaire)
        sheets["Dimensions"] = tables.dimensions(results, names_)
        statements = tables.agreement(results, names_)
        if not statements.empty:  # the share of agreement, beside the maturity scores
            sheets["Affirmations"] = statements
        sheets["Items"] = tables.items(results, names_)
        sheets["Angles morts"] = tables.blind_spots(results, names_)
        rankings = [x for x in data.questionnaire.questions() if x.type == "ranking"]
        for number, question in enumerate(rankings, start=1):
            sheets[f"Priorités {number}"] = tables.priorities(results, names_, question.id)
    if results is not None:
        sheets["Participation"] = tables.participation(results, "structure")
    if fmt == "csv":
        chosen = {
            "long": "Réponses (long)",
            "large": "Réponses (large)",
            "items": "Items",
            "dimensions": "Dimensions",
        }[table]
        if chosen not in sheets:
            what = "réponses à exporter" if table in ("long", "large") else "résultats calculés"
            raise ValueError(
                f"pas encore de {what} : il faut {min_group_size} questionnaires envoyés, pour "
                "protéger l'anonymat"
            )
        sheets = {chosen: sheets[chosen]}
    base = f"diagnostic-{data.territory.name}-{campaign.title}"
    with session_scope(engine) as s:
        record_on_campaign(
            s,
            actor.label(),
            "campaign.export",
            campaign_id,
            format=fmt,
            table=table if fmt == "csv" else "toutes",
            names=names is not None,
        )
    return export(sheets, base, fmt)
