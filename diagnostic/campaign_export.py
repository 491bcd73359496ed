"""A campaign's data as files: answers (long and wide, with labels) and computed results."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from diagnostic import tables
from diagnostic.exports import Export, export
from diagnostic.permissions import Action, Actor, can
from diagnostic.privacy import describe_answer
from diagnostic.results import (
    CampaignData,
    compute_results,
    labels,
    read_campaign_data,
    require_results_access,
)
from diagnostic.store import campaigns as campaign_store
from diagnostic.store.audit import record
from diagnostic.store.engine import session_scope
from diagnostic.vocabulary import ROLE_LABELS

FORMATS = ("csv", "xlsx", "json")
CSV_TABLES = ("long", "large", "items", "dimensions")
KIND_NAMES = {"epci": "Intercommunalité", "commune": "Commune"}


def respondent_codes(participants: pd.DataFrame) -> dict[int, str]:
    """Pseudonyms R01, R02… in invitation order: stable within a campaign, meaningless outside."""
    ordered = sorted(int(p) for p in participants["participant_id"])
    return {pid: f"R{i:02d}" for i, pid in enumerate(ordered, start=1)}


def long_answers(data: CampaignData, names: dict[int, str] | None = None) -> pd.DataFrame:
    """One row per respondent x question, with the question's wording and the answer in words."""
    q = data.questionnaire
    known = {x.id: x for x in q.questions()}
    people = data.participants.set_index("participant_id")
    codes = respondent_codes(data.participants)
    rows = []
    for _, a in data.answers.iterrows():
        question = known.get(a["question_id"])
        pid = int(a["participant_id"])
        person = people.loc[pid]
        rows.append(
            {
                "Répondant·e": (names or {}).get(pid) or codes[pid],
                "Structure": person["structure_name"],
                "Type de structure": KIND_NAMES.get(person["structure_kind"], ""),
                "Fonction": ROLE_LABELS.get(person["role"], person["role"]),
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
    return pd.DataFrame(rows)


def wide_answers(long: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent, one column per question id, answers in words."""
    if long.empty:
        return pd.DataFrame(columns=["Répondant·e"])
    keys = ["Répondant·e", "Structure", "Type de structure", "Fonction", "Envoyé"]
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
) -> Export:
    """The campaign's data as a file (checked: the actor must be able to read its results).

    Names appear only when asked, when some were given, and when the actor manages the
    territory (coordinators, admins); consultants always get pseudonyms.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu : {fmt} (csv, xlsx ou json)")
    if table not in CSV_TABLES:
        raise ValueError(f"tableau inconnu : {table} ({', '.join(CSV_TABLES)})")
    campaign = require_results_access(engine, actor, campaign_id)
    names = None
    if with_names and can(actor, Action.TERRITORY_MANAGE, territory_id=campaign.territory_id):
        with session_scope(engine) as s:
            names = {
                p.id: p.name
                for p in campaign_store.participants_of(s, campaign_id=campaign_id)
                if p.id is not None and p.name
            }
    data = read_campaign_data(engine, campaign_id, questions_dir)
    long = long_answers(data, names)
    sheets: dict[str, pd.DataFrame] = {
        "Réponses (long)": long,
        "Réponses (large)": wide_answers(long),
    }
    results = compute_results(data, min_group_size=min_group_size)
    if results.n_respondents >= min_group_size:
        names_ = labels(data.questionnaire)
        sheets["Dimensions"] = tables.dimensions(results, names_)
        sheets["Items"] = tables.items(results, names_)
        sheets["Angles morts"] = tables.blind_spots(results, names_)
        rankings = [x for x in data.questionnaire.questions() if x.type == "ranking"]
        for number, question in enumerate(rankings, start=1):
            sheets[f"Priorités {number}"] = tables.priorities(results, names_, question.id)
    sheets["Participation"] = tables.participation(results, "structure")
    if fmt == "csv":
        chosen = {
            "long": "Réponses (long)",
            "large": "Réponses (large)",
            "items": "Items",
            "dimensions": "Dimensions",
        }[table]
        if chosen not in sheets:
            raise ValueError(
                f"pas encore de résultats calculés : il faut {min_group_size} réponses envoyées"
            )
        sheets = {chosen: sheets[chosen]}
    base = f"diagnostic-{data.territory.name}-{campaign.title}"
    with session_scope(engine) as s:
        record(
            s,
            actor=actor.label(),
            action="campaign.export",
            target=f"campaign:{campaign_id}",
            format=fmt,
            table=table if fmt == "csv" else "toutes",
            names=names is not None,
        )
    return export(sheets, base, fmt)
