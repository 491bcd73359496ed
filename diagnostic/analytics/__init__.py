"""Pure analytics of a territory's answers: scores, agreement, groups, priorities, summary."""

from diagnostic.analytics.actors import (
    KINDS,
    SPLIT_LEVELS,
    grid_by_kind,
    grid_gaps,
    grid_splits,
    grid_summary,
    split_grids,
)
from diagnostic.analytics.agreement import (
    CONSENSUS,
    POLARISED,
    SHARED,
    agreement_by_item,
    agreement_tag,
    divergence,
    van_der_eijk,
)
from diagnostic.analytics.approval import agreement_index
from diagnostic.analytics.consensus import (
    SOURCE_CONSENSUS,
    SOURCE_INDIVIDUAL,
    apply_consensus,
    collective_choices,
    collective_values,
)
from diagnostic.analytics.distributions import choice_distribution, level_distribution
from diagnostic.analytics.frames import (
    AGREEMENT,
    MATURITY,
    Responses,
    agreement_items,
    item_catalogue,
    maturity_items,
    tidy_responses,
)
from diagnostic.analytics.groups import (
    BLIND_SPOT_THRESHOLD,
    STATUS_MASKED,
    STATUS_NO_DATA,
    STATUS_OK,
    STATUS_SUPPRESSED,
    blind_spots,
    compare_dimensions,
    compare_groups,
    protect,
    status_label,
)
from diagnostic.analytics.levels import to_score
from diagnostic.analytics.participation import participation
from diagnostic.analytics.priorities import borda
from diagnostic.analytics.profile import respondent_profile, respondent_scores
from diagnostic.analytics.scoring import action_candidates, dimension_scores, item_stats
from diagnostic.analytics.summary import SummarySection, format_number, summary, summary_text

__all__ = [
    "AGREEMENT",
    "MATURITY",
    "BLIND_SPOT_THRESHOLD",
    "CONSENSUS",
    "POLARISED",
    "SHARED",
    "SOURCE_CONSENSUS",
    "SOURCE_INDIVIDUAL",
    "STATUS_MASKED",
    "STATUS_NO_DATA",
    "STATUS_OK",
    "STATUS_SUPPRESSED",
    "Responses",
    "SummarySection",
    "action_candidates",
    "agreement_by_item",
    "agreement_index",
    "agreement_items",
    "agreement_tag",
    "apply_consensus",
    "blind_spots",
    "borda",
    "choice_distribution",
    "collective_choices",
    "collective_values",
    "compare_dimensions",
    "compare_groups",
    "dimension_scores",
    "divergence",
    "format_number",
    "KINDS",
    "SPLIT_LEVELS",
    "grid_by_kind",
    "grid_gaps",
    "grid_splits",
    "split_grids",
    "grid_summary",
    "item_catalogue",
    "item_stats",
    "level_distribution",
    "maturity_items",
    "participation",
    "protect",
    "respondent_profile",
    "respondent_scores",
    "status_label",
    "summary",
    "summary_text",
    "tidy_responses",
    "to_score",
    "van_der_eijk",
]
