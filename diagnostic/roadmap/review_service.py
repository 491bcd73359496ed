"""The review of the previous roadmap (service): find the territory's previous campaign, read
both campaigns' results with the same right and the same privacy rule, the previous roadmap's
follow-up, map the items across questionnaire versions, and call the pure review.

Access: reading the results of the campaign asked (RESULTS_VIEW); the previous campaign is of
the same territory, read with the same right (checked again by results_for and follow_ups).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from diagnostic.accounts.guard import require_campaign
from diagnostic.accounts.permissions import Action, Actor
from diagnostic.comparison.service import common_items, load_renamed
from diagnostic.document.markdown_writer import blocks_text
from diagnostic.document.review import follow_up_blocks, review_section
from diagnostic.exports import Export, export, file_name, to_csv, to_xlsx
from diagnostic.questionnaire.registry import UnknownQuestionnaireError, get_questionnaire
from diagnostic.results.service import results_for
from diagnostic.roadmap.chantiers import CHANTIERS_FILE, load_chantiers
from diagnostic.roadmap.review import Review, Side, follow_up_table, review, review_table
from diagnostic.roadmap.tracking import follow_ups
from diagnostic.settings import get_settings
from diagnostic.store import review as review_store
from diagnostic.store.engine import session_scope


def previous_campaign_id(engine: Engine, actor: Actor, campaign_id: int) -> int | None:
    """The latest earlier campaign of the same territory whose roadmap has kept actions."""
    require_campaign(engine, actor, Action.RESULTS_VIEW, campaign_id)
    with session_scope(engine) as s:
        found = review_store.previous_campaign(s, campaign_id=campaign_id)
        return found.id if found is not None else None


def review_for(engine: Engine, actor: Actor, campaign_id: int) -> Review | None:
    """The « Bilan de la feuille de route précédente » of a campaign, or None when the
    territory has no earlier campaign with kept actions (or its questionnaire file is gone)."""
    campaign = require_campaign(engine, actor, Action.RESULTS_VIEW, campaign_id)
    previous_id = previous_campaign_id(engine, actor, campaign_id)
    if previous_id is None:
        return None
    previous = require_campaign(engine, actor, Action.RESULTS_VIEW, previous_id)
    folder = Path(get_settings().questions_dir)
    try:
        before_q = get_questionnaire(
            folder, previous.questionnaire_id, previous.questionnaire_version
        )
        after_q = get_questionnaire(
            folder, campaign.questionnaire_id, campaign.questionnaire_version
        )
    except UnknownQuestionnaireError:
        return None
    renames = load_renamed(folder)
    # a rename declared under either questionnaire (the short variant shares the long one's ids)
    renamed = {**renames.get(before_q.id, {}), **renames.get(after_q.id, {})}
    before = Side(previous_id, previous.title, before_q, results_for(engine, actor, previous_id))
    after = Side(campaign_id, campaign.title, after_q, results_for(engine, actor, campaign_id))
    actions = follow_ups(engine, actor, previous_id)
    return review(actions, before, after, common_items(before_q, after_q, renamed), renamed)


@dataclass(frozen=True)
class Report:
    """What the command « suivi » prints or writes."""

    text: str  # Markdown, CSV or "" (xlsx), to print without -o
    files: tuple[Export, ...]  # the follow-up first, then the review (CSV: two files)
    has_review: bool


def follow_up_report(
    engine: Engine, actor: Actor, campaign_id: int, fmt: str, *, today: date
) -> Report:
    """The follow-up of the campaign's roadmap and, when the territory has a previous roadmap,
    its review, as Markdown, CSV (two tables) or an Excel workbook (two sheets)."""
    campaign = require_campaign(engine, actor, Action.RESULTS_VIEW, campaign_id)
    actions = follow_ups(engine, actor, campaign_id)
    folder = Path(get_settings().questions_dir)
    try:
        questionnaire = get_questionnaire(
            folder, campaign.questionnaire_id, campaign.questionnaire_version
        )
        wordings = {x.id: x.text for x in questionnaire.questions()}
    except UnknownQuestionnaireError:
        wordings = {}
    chantiers = load_chantiers(folder) if (folder / CHANTIERS_FILE).is_file() else None
    titles = {c.id: c.titre for c in chantiers.chantiers} if chantiers else {}
    follow = follow_up_table(actions, today, titles, wordings)
    found = review_for(engine, actor, campaign_id)
    name = f"suivi-{campaign.title}"
    if fmt == "md":
        blocks = follow_up_blocks(campaign.title, follow, today)
        blocks += review_section(found, "2.")
        text = blocks_text(blocks)
        md = Export(text.encode("utf-8"), file_name(name, "md"), "text/markdown; charset=utf-8")
        return Report(text, (md,), found is not None)
    if fmt == "xlsx":
        sheets = {"Suivi": follow}
        if found is not None:
            sheets["Bilan"] = review_table(found)
        return Report("", (to_xlsx(sheets, name),), found is not None)
    files = [to_csv(follow, name)]
    if found is not None:
        files.append(to_csv(review_table(found), f"{name}-bilan"))
    text = "\n".join(f.data.decode("utf-8-sig") for f in files)
    return Report(text, tuple(files), found is not None)


def review_export(engine: Engine, actor: Actor, campaign_id: int, fmt: str) -> Export | None:
    """The review as a file to download (csv or xlsx); None without a previous roadmap."""
    found = review_for(engine, actor, campaign_id)
    if found is None:
        return None
    return export(review_table(found), f"bilan-{found.before.title}-{found.after.title}", fmt)
