"""Agreement statements apart from the maturity scores: the agreement index, by hand."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from diagnostic.analytics import (
    agreement_index,
    compare_dimensions,
    compare_groups,
    dimension_scores,
    item_catalogue,
    item_stats,
    respondent_scores,
    summary,
    tidy_responses,
)
from diagnostic.questionnaire import load_questionnaire
from diagnostic.results import tables
from diagnostic.results.model import CampaignData, compute_results, labels

QUESTIONNAIRE = """
id: accord_test
version: "1"
title: Questionnaire de test des affirmations
estimated_minutes: 5
scales:
  maturite:
    label: Niveau de maturité
    levels:
      1: {label: Inexistant, description: Rien.}
      2: {label: Émergent, description: Un début.}
      3: {label: Formalisé, description: Écrit.}
      4: {label: Piloté, description: Suivi.}
      5: {label: Intégré, description: Ancré.}
  accord:
    label: Degré d'accord
    levels:
      1: {label: Pas du tout d'accord}
      2: {label: Plutôt pas d'accord}
      3: {label: Ni d'accord ni pas d'accord}
      4: {label: Plutôt d'accord}
      5: {label: Tout à fait d'accord}
sections:
  - id: ctx
    title: Contexte
    scored: false
    questions:
      - id: ctx_structure
        type: single_choice
        text: Votre structure.
        options:
          - {id: epci, label: Intercommunalité}
          - {id: commune, label: Commune}
  - id: culture
    title: Culture
    questions:
      - id: cu_pratique
        type: maturity
        text: Une pratique est suivie.
      - id: cu_confiance
        type: single_choice
        scale: accord
        text: La confiance règne.
      - id: cu_parole
        type: single_choice
        scale: accord
        text: La parole est libre.
  - id: climat
    title: Climat
    questions:
      - id: cl_ecoute
        type: single_choice
        scale: accord
        text: Chacun est écouté.
"""


@pytest.fixture(scope="module")
def q(tmp_path_factory):
    path = Path(tmp_path_factory.mktemp("q")) / "accord.yaml"
    path.write_text(QUESTIONNAIRE, encoding="utf-8")
    return load_questionnaire(path)


def person(pid: int, kind: str) -> dict[str, Any]:
    structure = 1 if kind == "epci" else 10 + pid
    return {
        "participant_id": pid,
        "role": "dgs",
        "structure_id": structure,
        "structure_name": f"S{structure}",
        "structure_kind": kind,
        "started": True,
        "submitted": True,
    }


def answer(pid: int, qid: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "participant_id": pid,
        "question_id": qid,
        "questionnaire_version": "1",
        "value": value,
        "dont_know": bool(value.get("dont_know")),
    }


# Four respondents (two of the EPCI, two of communes):
#   cu_pratique (maturity)   levels 2, 3, 3, 4        -> mean 3 -> 50/100
#   cu_confiance (statement) 5, 4, 2, 3               -> 2 of 4 agree -> 50 %
#   cu_parole (statement)    4, 4, 4, 1               -> 3 of 4 agree -> 75 %
#   cl_ecoute (statement)    4, 5, "Je ne sais pas", 1 -> 2 of 3 agree
LEVELS = {
    "cu_pratique": [2, 3, 3, 4],
    "cu_confiance": [5, 4, 2, 3],
    "cu_parole": [4, 4, 4, 1],
    "cl_ecoute": [4, 5, None, 1],
}
KINDS = ["epci", "epci", "commune", "commune"]


def frames(q, levels=LEVELS, kinds=KINDS):
    rows = []
    for pid, kind in enumerate(kinds, start=1):
        rows.append(answer(pid, "ctx_structure", {"choice": kind}))
        for qid, values in levels.items():
            level = values[pid - 1]
            key = "level" if qid == "cu_pratique" else "choice"
            rows.append(answer(pid, qid, {"dont_know": True} if level is None else {key: level}))
    people = pd.DataFrame([person(p, k) for p, k in enumerate(kinds, start=1)])
    return pd.DataFrame(rows), people


def test_the_catalogue_tells_statements_by_their_scale_not_their_id(q):
    measure = item_catalogue(q).set_index("question_id")["measure"]
    assert measure.to_dict() == {
        "cu_pratique": "maturite",
        "cu_confiance": "accord",
        "cu_parole": "accord",
        "cl_ecoute": "accord",
    }


def test_a_dimension_score_leaves_the_statements_out(q):
    data = tidy_responses(*frames(q), q)
    dims = dimension_scores(item_stats(data.items, q), q).set_index("dimension_id")
    # Only cu_pratique counts: 50/100 (with the statements, (50 + 62.5 + 56.25) / 3 = 56.25).
    assert dims.loc["culture", "score"] == 50
    assert dims.loc["culture", "n_items"] == 1
    assert dims.loc["culture", "level_label"] == "Formalisé"


def test_a_dimension_of_statements_only_has_no_maturity_score_and_says_so(q):
    answers, people = frames(q)
    data = tidy_responses(answers, people, q)
    dims = dimension_scores(item_stats(data.items, q), q).set_index("dimension_id")
    assert math.isnan(dims.loc["climat", "score"]) and dims.loc["climat", "n_items"] == 0
    assert pd.isna(dims.loc["climat", "level_label"])
    results = compute_results(_campaign(q, answers, people), min_group_size=3)
    table = tables.dimensions(results, labels(q)).set_index("Dimension")
    assert table.loc["Climat", "Remarque"] == "que des affirmations : pas de score de maturité"
    assert table.loc["Climat", "Part d'accord (%)"] == 67  # 2 of 3
    assert "nan" not in table.to_string().replace("NaN", "")
    # and its respondents' own profile has no score there either
    own = respondent_scores(data.items, q)
    assert set(own["dimension_id"]) == {"culture"}


def test_the_agreement_index_by_hand(q):
    stats = item_stats(tidy_responses(*frames(q), q).items, q).set_index("question_id")
    assert stats.loc["cu_confiance", "share_agree"] == 0.5
    assert stats.loc["cu_parole", "share_agree"] == 0.75
    assert stats.loc["cl_ecoute", "share_agree"] == pytest.approx(2 / 3)  # DK left out
    assert math.isnan(stats.loc["cu_pratique", "share_agree"])
    index = agreement_index(stats.reset_index(), q, min_answers=3).set_index("dimension_id")
    assert list(index.index) == ["culture", "climat"]
    assert index.loc["culture", "share_agree"] == 0.625  # (50 % + 75 %) / 2
    assert index.loc["culture", "n_statements_counted"] == 2
    assert index.loc["culture", "n_answers"] == 8
    assert index.loc["culture", "agree_status"] == "ok"


def test_the_privacy_threshold_exactly_at_the_limit(q):
    stats = item_stats(tidy_responses(*frames(q), q).items, q).reset_index()
    # cl_ecoute has 3 levels given: shown with a threshold of 3, hidden with 4
    at = agreement_index(stats, q, min_answers=3).set_index("dimension_id")
    assert at.loc["climat", "agree_status"] == "ok"
    assert at.loc["climat", "share_agree"] == pytest.approx(2 / 3)
    above = agreement_index(stats, q, min_answers=4).set_index("dimension_id")
    assert above.loc["climat", "agree_status"] == "suppressed"
    assert math.isnan(above.loc["climat", "share_agree"])
    assert above.loc["climat", "agree_status_label"] == "moins de 4 réponses"
    # culture keeps its two statements of 4 levels each
    assert above.loc["culture", "share_agree"] == 0.625


def test_groups_get_an_index_only_from_the_cells_they_may_show(q):
    data = tidy_responses(*frames(q), q)
    kinds = compare_groups(data, q, "structure_kind", min_group_size=2)
    index = agreement_index(kinds, q, min_answers=2, by="group").set_index(
        ["dimension_id", "group"]
    )
    # EPCI: confiance 5, 4 -> 100 % ; parole 4, 4 -> 100 %. Communes: 2, 3 -> 0 % ; 4, 1 -> 50 %.
    assert index.loc[("culture", "epci"), "share_agree"] == 1.0
    assert index.loc[("culture", "commune"), "share_agree"] == 0.25
    # cl_ecoute: one level among the communes (the other said « Je ne sais pas »): hidden, and
    # the EPCI's cell is masked so that it cannot be deduced from the total
    assert index.loc[("climat", "commune"), "agree_status"] == "suppressed"
    assert index.loc[("climat", "epci"), "agree_status"] == "masked"
    # the groups' maturity scores use the maturity item only, and no blind spot on a statement
    dims = compare_dimensions(kinds, q, min_group_size=2).set_index(["dimension_id", "group"])
    assert dims.loc[("culture", "epci"), "score"] == 37.5  # levels 2, 3
    statements = kinds.loc[kinds["measure"] == "accord"]
    assert not statements["blind_spot"].any()
    assert (statements["difference"].abs() >= 25).any()  # would have been one


def test_the_summary_reports_the_index_apart_from_the_best_and_worst(q):
    stats = item_stats(tidy_responses(*frames(q), q).items, q)
    sections = {s.key: s for s in summary(stats, q, n_respondents=4, min_answers=3)}
    cited = " ".join(sections["strongest"].lines + sections["weakest"].lines)
    assert "confiance" not in cited and "écouté" not in cited
    assert sections["agreement"].lines == (
        "Culture : 63 % de réponses « plutôt » ou « tout à fait d'accord » (moyenne sur 2 "
        "affirmations).",
        "Climat : 67 % de réponses « plutôt » ou « tout à fait d'accord » (moyenne sur 1 "
        "affirmation).",
    )


def test_a_questionnaire_may_name_its_agreement_scale_or_have_none(tmp_path):
    renamed = QUESTIONNAIRE.replace("  accord:\n", "  adhesion:\n").replace(
        "scale: accord", "scale: adhesion"
    )
    path = tmp_path / "q.yaml"
    path.write_text(renamed, encoding="utf-8")
    assert set(item_catalogue(load_questionnaire(path))["measure"]) == {"maturite"}
    path.write_text(renamed.replace("scales:", "agreement_scale: adhesion\nscales:"), "utf-8")
    assert (item_catalogue(load_questionnaire(path))["measure"] == "accord").sum() == 3


def test_an_unknown_agreement_scale_is_refused_with_its_line(tmp_path):
    from diagnostic.questionnaire import QuestionnaireError

    path = tmp_path / "q.yaml"
    path.write_text(QUESTIONNAIRE.replace("scales:", "agreement_scale: acord\nscales:"), "utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert "acord" in str(caught.value) and "QUESTION-001" in str(caught.value)


def _campaign(q, answers, people) -> CampaignData:
    from types import SimpleNamespace

    territory = SimpleNamespace(name="Territoire")
    return CampaignData(SimpleNamespace(), territory, q, answers, people, pd.DataFrame())
