"""A tiny fictional `@etalab/decoupage-administratif` package, built in the test (no network):
the tarball `npm pack` would write, or its JSON files, and the extract made from it."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from diagnostic.campaigns import official_package as package

DATA_DAY = datetime(2031, 3, 9, 12, 0, tzinfo=UTC)  # populations in force then: those of 2028


def member(code: str, name: str) -> dict[str, Any]:
    return {"code": code, "nom": name, "populationMunicipale": 1, "populationTotale": 1}


EPCI: list[dict[str, Any]] = [
    {
        "code": "200000001",
        "nom": "CC du Val Fictif",
        "type": "CC",
        "modeFinancement": "FPU",
        "populationMunicipale": 1,  # not read: an EPCI's population is its communes'
        "membres": [member("99001", "Saint-Étienne-du-Val"), member("99002", "Valbonne")],
    },
    {
        "code": "200000002",
        "nom": "CA de Testville",
        "type": "CA",
        "modeFinancement": "FPU",
        "populationMunicipale": 1,
        "membres": [member("99101", "Testville"), member("99003", "Valfleuri")],
    },
    {
        "code": "200000003",
        "nom": "CC de l'Île Test",
        "type": "CC",
        "modeFinancement": "FPU",
        "populationMunicipale": 1,
        "membres": [member("97699", "Île-Test")],
    },
]


def commune(code: str, name: str, dep: str, population: int | None, **more: Any) -> dict:
    item = {"code": code, "nom": name, "departement": dep, "type": "commune-actuelle"}
    if population is not None:
        item["population"] = population
    return item | more


COMMUNES: list[dict[str, Any]] = [
    commune("99001", "Saint-Étienne-du-Val", "99", 1200, siren="219900019"),
    commune("99002", "Valbonne", "99", 800),
    commune("99003", "Valfleuri", "98", 3000),
    commune("99009", "Ancien-Bourg", "99", 50, type="commune-deleguee", chefLieu="99001"),
    commune("99101", "Testville", "98", 52000),
    commune("99102", "Isolée", "98", None),  # no population, no EPCI
    commune("97699", "Île-Test", "976", 5000),
]


def tarball(
    folder: Path,
    *,
    version: str = "9.1.0",
    epci: list[dict[str, Any]] | None = None,
    communes: list[dict[str, Any]] | None = None,
) -> Path:
    """The package as `npm pack` writes it, its data files dated DATA_DAY."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"etalab-decoupage-administratif-{version}.tgz"
    files = {
        "package/package.json": {"name": package.PACKAGE, "version": version},
        "package/data/epci.json": EPCI if epci is None else epci,
        "package/data/communes.json": COMMUNES if communes is None else communes,
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, content in files.items():
            raw = json.dumps(content, ensure_ascii=False).encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(raw), int(DATA_DAY.timestamp())
            archive.addfile(info, io.BytesIO(raw))
    return path


def extract(folder: Path, **changes: Any) -> Path:
    """An extract of the fictional package written into `folder` (returned)."""
    package.write_extract(package.read_tarball(tarball(folder, **changes)), folder / "extract")
    return folder / "extract"
