"""Synthetic territories at national scale, for the comparison benchmarks and a demo peer group.

    .venv/bin/python bench/generate.py --territories 1254 --db sqlite:///bench/national.db

creates N fictitious EPCI (« Territoire synthétique 0001 »…, kinds and sizes drawn like the
French ones: 989 CC, 230 CA, 14 CU, 21 métropoles), each with two communes, one closed
campaign of the full questionnaire (questions/questionnaires/gouvernance.yaml), 12
respondents who all answered every question and submitted, and the consent to anonymous
comparison for a share of them (--consent). Answers come from the demo generator
(diagnostic.demo.generate_answers) around a random profile per territory, are validated by the
app's own normalisation, and are written in bulk through the store's engine (executemany,
never the ORM row by row). The benchmark table is then rebuilt (unless --no-rebuild).

It adds to any database, the demo one included: to give the demo a visible peer group,
    .venv/bin/python bench/generate.py --territories 300 --db sqlite:///data/diagnostic.db
Synthetic territories have no member account: nobody sees them by name.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from diagnostic.demo import DemoProfile, generate_answers  # noqa: E402
from diagnostic.questionnaire.codecs import normalize  # noqa: E402
from diagnostic.questionnaire.registry import default_questionnaire  # noqa: E402
from diagnostic.store.engine import build_engine, migrate  # noqa: E402
from diagnostic.store.models import (  # noqa: E402
    Answer,
    Campaign,
    Membership,
    Participant,
    Territory,
    User,
    now,
)

# EPCI à fiscalité propre at 1 January 2025 (DGCL, domain brief § 2.1); populations drawn
# around a typical size of each kind (log-normal), within its legal range.
KINDS = {"cc": 989, "ca": 230, "cu": 14, "metropole": 21}
SIZES = {
    "cc": (22_000, 0.55, 3_000, 120_000),
    "ca": (85_000, 0.45, 50_000, 400_000),
    "cu": (250_000, 0.35, 100_000, 600_000),
    "metropole": (500_000, 0.6, 250_000, 2_000_000),
}
ROLES = ["dgs", "dga", "dst", "encadrant", "dgs", "dst", "encadrant", "autre"]
ROLE_ANSWERS = {"encadrant": "directeur", "autre": "sgm"}
CHUNK = 20_000


def _table(model: Any) -> Any:
    return model.__table__


def _insert(conn: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert returning the new ids in the order of `rows`."""
    table = _table(model)
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        result = conn.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            rows[start : start + CHUNK],
        )
        ids += [r[0] for r in result]
    return ids


def _population(rng: random.Random, kind: str) -> int:
    median, sigma, low, high = SIZES[kind]
    return int(min(high, max(low, rng.lognormvariate(0, sigma) * median)))


def _profile(rng: random.Random, dimensions: list[str]) -> DemoProfile:
    base = rng.uniform(1.6, 3.9)
    return DemoProfile(
        base=base,
        epci_bias=rng.uniform(-0.4, 0.8),
        spread=rng.uniform(0.4, 1.1),
        dimensions={d: min(5.0, max(1.0, base + rng.gauss(0, 0.5))) for d in dimensions},
    )


def generate(
    url: str,
    *,
    territories: int,
    respondents: int = 12,
    consent: float = 0.8,
    seed: int = 2026,
    questions_dir: Path = ROOT / "questions",
    consultant: str | None = None,
) -> dict[str, float]:
    """Write the synthetic data; returns the seconds spent per step."""
    rng = random.Random(seed)
    q = default_questionnaire(questions_dir)
    dimensions = [d.id for d in q.dimensions]
    engine = build_engine(url)
    migrate(engine)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    stamp = now()
    kinds = rng.choices(list(KINDS), weights=list(KINDS.values()), k=territories)
    tag = secrets.token_hex(3)  # names stay unique when the generator runs twice
    with engine.begin() as conn:
        epci_ids = _insert(
            conn,
            Territory,
            [
                {
                    "name": f"Territoire synthétique {tag}-{i + 1:04d}",
                    "kind": kind,
                    "population": _population(rng, kind),
                    "created_at": stamp,
                }
                for i, kind in enumerate(kinds)
            ],
        )
        commune_ids = _insert(
            conn,
            Territory,
            [
                {
                    "name": f"Commune synthétique {tag}-{i + 1:04d}-{j}",
                    "kind": "commune",
                    "parent_id": epci,
                    "created_at": stamp,
                }
                for i, epci in enumerate(epci_ids)
                for j in (1, 2)
            ],
        )
        campaign_ids = _insert(
            conn,
            Campaign,
            [
                {
                    "territory_id": epci,
                    "title": "Campagne synthétique",
                    "questionnaire_id": q.id,
                    "questionnaire_version": q.version,
                    "status": "closed",
                    "benchmark_consent": rng.random() < consent,
                    "created_at": stamp,
                    "opened_at": stamp,
                    "closed_at": stamp,
                }
                for epci in epci_ids
            ],
        )
        people: list[dict[str, Any]] = []
        for i, (epci, campaign) in enumerate(zip(epci_ids, campaign_ids, strict=True)):
            places = [epci, commune_ids[2 * i], commune_ids[2 * i + 1]]
            for r in range(respondents):
                people.append(
                    {
                        "campaign_id": campaign,
                        "role": ROLES[r % len(ROLES)],
                        "structure_id": epci if r < respondents // 3 else places[1 + r % 2],
                        "token_hash": secrets.token_hex(32),
                        "created_at": stamp,
                        "started_at": stamp,
                        "submitted_at": stamp,
                    }
                )
        participant_ids = _insert(conn, Participant, people)
        if consultant:
            user_id = _insert(
                conn,
                User,
                [
                    {
                        "email": consultant,
                        "name": f"{consultant} (banc d'essai)",
                        "password_hash": _password_hash(),
                        "is_admin": False,
                        "is_active": True,
                        "failed_logins": 0,
                        "created_at": stamp,
                    }
                ],
            )[0]
            conn.execute(
                insert(_table(Membership)),
                [
                    {
                        "user_id": user_id,
                        "territory_id": t,
                        "role": "consultant",
                        "created_at": stamp,
                    }
                    for t in epci_ids[:3]
                ],
            )
    timings["territoires, campagnes, participant·es"] = time.perf_counter() - started

    started = time.perf_counter()
    written = 0
    batch: list[dict[str, Any]] = []
    by_campaign = {c: _profile(rng, dimensions) for c in campaign_ids}
    epci_set = set(epci_ids)
    for person, pid in zip(people, participant_ids, strict=True):
        answers = generate_answers(
            q,
            by_campaign[person["campaign_id"]],
            rng,
            at_epci=person["structure_id"] in epci_set,
            role=ROLE_ANSWERS.get(person["role"], person["role"]),
        )
        for qid, raw in answers.items():
            answer = normalize(q, q.question(qid), raw)
            batch.append(
                {
                    "participant_id": pid,
                    "question_id": qid,
                    "questionnaire_id": q.id,
                    "questionnaire_version": q.version,
                    "value": answer.value,
                    "dont_know": answer.dont_know,
                    "level": answer.level,
                    "target": answer.target,
                    "importance": answer.importance,
                    "updated_at": stamp,
                }
            )
        if len(batch) >= CHUNK:
            written += _flush(engine, batch)
            batch = []
    written += _flush(engine, batch)
    timings[f"réponses ({written} lignes)"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as conn:  # fresh statistics, as autovacuum or a DBA would leave them:
        conn.exec_driver_sql("ANALYZE")  # without, PostgreSQL scans all answers for one campaign
    timings["statistiques (ANALYZE)"] = time.perf_counter() - started
    engine.dispose()
    return timings


def _flush(engine: Any, batch: list[dict[str, Any]]) -> int:
    if not batch:
        return 0
    with engine.begin() as conn:
        conn.execute(insert(_table(Answer)), batch)
    return len(batch)


def _password_hash() -> str:
    from diagnostic.accounts.security import hash_password

    return hash_password("banc-essai-diagnostic")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--territories", type=int, default=1254)
    parser.add_argument("--respondents", type=int, default=12)
    parser.add_argument("--db", required=True, help="URL SQLAlchemy (sqlite:///… ou postgresql…)")
    parser.add_argument("--consent", type=float, default=0.8, help="part des campagnes d'accord")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--consultant",
        metavar="EMAIL",
        help="créer ce compte consultant (mot de passe banc-essai-diagnostic) sur 3 territoires",
    )
    parser.add_argument("--no-rebuild", action="store_true", help="ne pas recalculer la table")
    args = parser.parse_args(argv)
    total = time.perf_counter()
    timings = generate(
        args.db,
        territories=args.territories,
        respondents=args.respondents,
        consent=args.consent,
        seed=args.seed,
        consultant=args.consultant,
    )
    if not args.no_rebuild:
        from diagnostic.comparison.benchmark import rebuild

        engine = build_engine(args.db)
        report = rebuild(engine, ROOT / "questions")
        timings[f"table de comparaison ({report.rows} lignes)"] = report.seconds
        engine.dispose()
    for step, seconds in timings.items():
        print(f"{step} : {seconds:.1f} s")
    print(f"total : {time.perf_counter() - total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
