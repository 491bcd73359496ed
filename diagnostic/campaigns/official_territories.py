"""The official list of EPCI and communes: stored in the base, searched when creating a
territory. No network: the list is the extract shipped with the app (`official_package`, from
the npm package `@etalab/decoupage-administratif`), or a file the user downloaded (INSEE's
intercommunality file). See README, « Liste officielle des territoires ».
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from diagnostic.errors import DiagnosticError
from diagnostic.store import official as store
from diagnostic.store.engine import session_scope
from diagnostic.vocabulary import KIND_LABELS

EPCI_KINDS = {
    "CC": "cc",
    "CA": "ca",
    "CU": "cu",
    "ME": "metropole",
    "METRO": "metropole",
    "MET69": "metropole",
    "METLYON": "metropole",
}
POPULATION_COLUMNS = ("PMUN", "POPULATION", "POPULATION_MUNICIPALE", "PTOT")


class OfficialFileError(DiagnosticError, ValueError):
    """A file that cannot be read as an official list: `file:line: what is wrong`."""


@dataclass(frozen=True)
class ImportReport:
    epci: int
    communes: int
    source: str


def search_key(text: str) -> str:
    """Lower case, without accents, hyphens and apostrophes as spaces: « Saint-Étienne » matches
    « saint etienne »."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    for sign in "-'’":
        plain = plain.replace(sign, " ")
    return " ".join(plain.lower().split())


def thousands(value: int) -> str:
    """« 34 969 »: thousands separated by a narrow no-break space."""
    return f"{value:,}".replace(",", "\u202f")


def _int(value: Any) -> int | None:
    text = str(value or "").strip().replace(" ", "").replace("\u202f", "")
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def list_record(**fields: Any) -> dict[str, Any]:
    """One row of the stored list (store.official.COLUMNS plus its search key), from any source."""
    fields.setdefault("epci_code", None)
    fields.setdefault("departement", None)
    fields.setdefault("population", None)
    fields.setdefault("population_year", None)
    fields["search_key"] = search_key(fields["name"])[:200]
    fields["name"] = fields["name"][:200]
    return fields


def _commune(
    code: str,
    name: str,
    epci_code: str | None,
    departement: str | None,
    population: int | None,
    year: int | None,
    source: str,
) -> dict[str, Any]:
    """A commune's record; the year of its population is kept only beside a population."""
    return list_record(
        level="commune",
        code=code,
        name=name,
        kind="commune",
        epci_code=epci_code,
        departement=departement,
        population=population,
        population_year=year if population is not None else None,
        source=source,
    )


def _with_epci_totals(epci: list[dict[str, Any]], communes: list[dict[str, Any]]) -> None:
    """An EPCI's population is the sum of its communes'; its département, theirs most often."""
    by_epci: dict[str, list[dict[str, Any]]] = {}
    for c in communes:
        if c["epci_code"]:
            by_epci.setdefault(c["epci_code"], []).append(c)
    for e in epci:
        members = by_epci.get(e["code"], [])
        known = [c["population"] for c in members if c["population"] is not None]
        if e.get("population") is None and known:
            e["population"] = sum(known)
            e["population_year"] = next(
                (c["population_year"] for c in members if c["population_year"]), None
            )
        deps = Counter(c["departement"] for c in members if c["departement"])
        if e.get("departement") is None and deps:
            e["departement"] = deps.most_common(1)[0][0]


# --- INSEE's intercommunality file -----------------------------------------------------------


def _table_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV (`;`, `,` or tab) or of every sheet of an XLSX file, with line numbers."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise OfficialFileError(f"{path}:1: classeur illisible ({exc})") from None
        for sheet in book.worksheets:
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, ["" if v is None else str(v).strip() for v in values]
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("latin-1")
    except OSError as exc:
        raise OfficialFileError(f"{path}:1: lecture impossible ({exc.strerror})") from None
    sample = text[:4096]
    delimiter = max(";,\t", key=sample.count)
    for line, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        yield line, [v.strip() for v in values]


def _kind_from_name(name: str) -> str:
    upper = name.upper()
    for prefix, kind in (
        ("CC ", "cc"),
        ("COMMUNAUTÉ DE COMMUNES", "cc"),
        ("CA ", "ca"),
        ("COMMUNAUTÉ D'AGGLOMÉRATION", "ca"),
        ("CU ", "cu"),
        ("COMMUNAUTÉ URBAINE", "cu"),
        ("MÉTROPOLE", "metropole"),
    ):
        if upper.startswith(prefix):
            return kind
    return "autre"


def read_insee(path: Path, *, population_year: int | None = None) -> list[dict[str, Any]]:
    """EPCI and communes from INSEE's « intercommunalité » file (XLSX, or its composition sheet
    saved as CSV): columns CODGEO, LIBGEO, EPCI, LIBEPCI, and when present NATURE_EPCI, DEP
    and a municipal population column (PMUN)."""
    source = f"INSEE, {path.name}"
    header: list[str] | None = None
    natures: dict[str, str] = {}
    epci: dict[str, dict[str, Any]] = {}
    communes: list[dict[str, Any]] = []
    for line, values in _table_rows(path):
        upper = [v.upper() for v in values]
        if "CODGEO" in upper or ("NATURE_EPCI" in upper and "EPCI" in upper):
            header = upper
            continue
        if header is None or not any(values):
            continue
        row = dict(zip(header, values, strict=False))
        code = row.get("EPCI", "")
        if "CODGEO" not in header:  # the EPCI sheet: kinds
            if code and row.get("NATURE_EPCI"):
                natures[code] = row["NATURE_EPCI"]
            continue
        insee_code, name = row.get("CODGEO"), row.get("LIBGEO")
        if not insee_code or not name:
            raise OfficialFileError(f"{path}:{line}: code ou nom de commune absent")
        population = next(
            (_int(row[c]) for c in row if c in POPULATION_COLUMNS or c.startswith("PMUN")), None
        )
        has_epci = code.isdigit() and len(code) == 9
        epci_code, departement = (code if has_epci else None), (row.get("DEP") or None)
        communes.append(
            _commune(insee_code, name, epci_code, departement, population, population_year, source)
        )
        if has_epci and code not in epci:
            epci[code] = {"name": row.get("LIBEPCI") or code, "nature": row.get("NATURE_EPCI")}
    if not communes:
        raise OfficialFileError(
            f"{path}:1: aucune commune trouvée ; colonnes attendues CODGEO, LIBGEO, EPCI, LIBEPCI "
            "(fichier « Intercommunalité » de l'INSEE, feuille Composition_communale)"
        )
    records = []
    for code, info in epci.items():
        nature = info["nature"] or natures.get(code)
        kind = EPCI_KINDS.get(nature.upper(), "autre") if nature else _kind_from_name(info["name"])
        records.append(
            list_record(level="epci", code=code, name=info["name"], kind=kind, source=source)
        )
    _with_epci_totals(records, communes)
    return records + communes


def read_file(path: Path, *, population_year: int | None = None) -> list[dict[str, Any]]:
    """INSEE's file (CSV or XLSX); the package's files are read by `official_package`."""
    if not path.is_file():
        raise OfficialFileError(f"{path}:0: fichier introuvable")
    return read_insee(path, population_year=population_year)


def refresh_list(engine: Engine, records: list[dict[str, Any]]) -> ImportReport:
    """Replace the stored list by `records` in one transaction."""
    with session_scope(engine) as session:
        store.replace_all(session, records=records)
    levels = Counter(r["level"] for r in records)
    sources = sorted({r["source"] for r in records})
    return ImportReport(levels["epci"], levels["commune"], ", ".join(sources))


# --- what the territory page uses ------------------------------------------------------------


def epci_options(engine: Engine) -> pd.DataFrame:
    """Every EPCI of the stored list (empty when no list was imported)."""
    with session_scope(engine) as session:
        return store.epci_list(session)


def epci_labels(epci: pd.DataFrame) -> dict[str, str]:
    """Each EPCI of `epci_options` by its SIREN, as the territory page lists it: its name, its
    kind when the name does not say it, its SIREN, its département."""
    return {
        row.code: row.name
        + ("" if KIND_LABELS.get(row.kind, "?") in row.name else f" ({KIND_LABELS.get(row.kind)})")
        + f" — SIREN {row.code}"
        + (f" — dép. {row.departement}" if pd.notna(row.departement) and row.departement else "")
        for row in epci.itertuples(index=False)
    }


def commune_labels(communes: pd.DataFrame, epci: Mapping[str, str]) -> dict[str, str]:
    """Each commune of `find_communes` by its INSEE code, with the label of its EPCI (`epci`:
    `epci_labels`)."""
    return {
        row.code: f"{row.name} ({row.code}) → {epci.get(row.epci_code, 'sans EPCI')}"
        for row in communes.itertuples(index=False)
    }


def epci_of(communes: pd.DataFrame, code: str | None) -> str | None:
    """The SIREN of the EPCI of the commune `code` of `find_communes` (None: not among them)."""
    return communes.set_index("code")["epci_code"].get(code)


def find_communes(engine: Engine, query: str, *, limit: int = 30) -> pd.DataFrame:
    """Communes matching a typed name or INSEE code (at least 2 characters)."""
    key = search_key(query)
    if len(key) < 2:
        return pd.DataFrame(columns=store.COLUMNS)
    with session_scope(engine) as session:
        return store.search_communes(session, key=key, limit=limit)


@dataclass(frozen=True)
class OfficialTerritoryChoice:
    """What the territory form is filled with when an EPCI is picked."""

    name: str
    code: str
    kind: str
    population: int | None
    population_note: str
    communes: list[tuple[str, str]]  # (name, INSEE code)


def epci_choice(engine: Engine, code: str) -> OfficialTerritoryChoice | None:
    """An EPCI of the list with its member communes, ready to fill the form."""
    with session_scope(engine) as session:
        epci = store.epci_list(session)
        row = epci.loc[epci["code"] == code]
        if row.empty:
            return None
        members = store.communes_of(session, epci_code=code)
    first = row.iloc[0]
    population = None if pd.isna(first["population"]) else int(first["population"])
    note = ""
    if population is not None:
        year = first["population_year"]
        vintage = f" {int(year)}" if not pd.isna(year) else ""
        note = f"population municipale{vintage}, source : {first['source']}"
    return OfficialTerritoryChoice(
        name=str(first["name"]),
        code=str(first["code"]),
        kind=str(first["kind"]),
        population=population,
        population_note=note,
        communes=list(zip(members["name"], members["code"], strict=True)),
    )


def list_summary(engine: Engine) -> dict[str, Any]:
    with session_scope(engine) as session:
        return store.summary(session)
