"""The official territory list: INSEE files, search, labels, CLI (tiny fixtures only); the
package extract is tested in test_official_package.py."""

from __future__ import annotations

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


@pytest.fixture
def cli_env(app_env):
    return app_env


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
