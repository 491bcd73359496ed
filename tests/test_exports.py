"""Safe exports: CSV for French Excel, XLSX and JSON; formulas neutralised, numbers kept."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from diagnostic.exports import MIME, export, file_name, neutralize, to_csv, to_json, to_xlsx

DANGEROUS = ["=1+1", "+33 6 12", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", '=HYPERLINK("x")']


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Texte": ["Élément à noter", "=1+1", "@SUM(A1)", "ok"],
            "Nombre": [-3, 2, 0, 10],
            "Réel": [-2.5, 1.0, 0.25, None],
            "Date": [
                datetime(2025, 1, 31, 9, 5, tzinfo=UTC),
                datetime(2025, 7, 14, 22, 30, tzinfo=UTC),
                None,
                datetime(2025, 3, 1, 0, 0),  # naive: UTC, as the store returns it
            ],
        }
    )


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: French Excel then reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_text_is_prefixed(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", ["Texte", "3 - 2", "", " =espace", -3, 2.5, None, "'déjà"])
def test_other_values_are_untouched(value):
    assert neutralize(value) == value


def test_csv_neutralises_keeps_accents_numbers_and_french_dates():
    out = to_csv(frame(), "Réponses de l'EPCI")
    assert out.filename == "reponses-de-l-epci.csv"
    assert out.mime == "text/csv"
    rows = read_csv(out.data)
    assert rows[0] == ["Texte", "Nombre", "Réel", "Date"]
    assert rows[1] == ["Élément à noter", "-3", "-2,5", "31/01/2025 10:05"]  # Paris, winter
    assert rows[2] == ["'=1+1", "2", "1", "15/07/2025 00:30"]  # Paris, summer
    assert rows[3] == ["'@SUM(A1)", "0", "0,25", ""]
    assert rows[4] == ["ok", "10", "", "01/03/2025 01:00"]


def test_plain_dates_and_booleans():
    out = to_csv(pd.DataFrame({"Jour": [date(2025, 2, 3)], "Envoyé": [True]}), "x")
    assert read_csv(out.data)[1] == ["03/02/2025", "oui"]
    sheet = load_workbook(io.BytesIO(to_xlsx(pd.DataFrame({"Jour": [date(2025, 2, 3)]}), "x").data))
    assert sheet.active["A2"].number_format == "DD/MM/YYYY"


def test_csv_with_separator_and_newline_in_text_is_quoted():
    out = to_csv(pd.DataFrame({"t": ["a;b", "ligne 1\nligne 2"]}), "x")
    rows = read_csv(out.data)
    assert rows[1:] == [["a;b"], ["ligne 1\nligne 2"]]


def test_xlsx_read_back_with_openpyxl():
    other = pd.DataFrame({"=Titre": ["-5 points", 7], "Oui": [True, False]})
    out = to_xlsx({"Réponses": frame(), "Autre/feuille:[1]": other}, "export")
    assert out.mime == MIME["xlsx"] and out.filename == "export.xlsx"
    book = load_workbook(io.BytesIO(out.data))
    assert book.sheetnames == ["Réponses", "Autre feuille  1"]
    sheet = book["Réponses"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Texte", "Nombre", "Réel", "Date"]
    assert rows[1][:3] == ["Élément à noter", -3, -2.5]
    assert rows[1][3] == datetime(2025, 1, 31, 10, 5)
    assert sheet["D2"].number_format == "DD/MM/YYYY HH:MM"
    assert rows[2][0] == "'=1+1" and rows[3][0] == "'@SUM(A1)"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # no formula
    assert isinstance(rows[1][1], int) and isinstance(rows[1][2], float)
    second = [[c.value for c in row] for row in book["Autre feuille  1"].iter_rows()]
    assert second == [["'=Titre", "Oui"], ["'-5 points", "oui"], [7, "non"]]


def test_json_keeps_types_and_iso_dates():
    out = to_json({"Réponses": frame()}, "export", meta={"Exporté le": datetime(2025, 1, 1)})
    data = json.loads(out.data.decode("utf-8"))
    assert data["Exporté le"] == "2025-01-01T01:00:00+01:00"
    first = data["Réponses"][0]
    assert first == {
        "Texte": "Élément à noter",
        "Nombre": -3,
        "Réel": -2.5,
        "Date": "2025-01-31T10:05:00+01:00",
    }
    assert data["Réponses"][1]["Texte"] == "=1+1"  # JSON is not a spreadsheet: kept as typed
    assert data["Réponses"][2]["Date"] is None
    assert "Élément" in out.data.decode("utf-8")  # not \u-escaped


def test_export_dispatches_and_refuses_unknown_formats():
    assert export(frame(), "x", "csv").filename == "x.csv"
    assert export(frame(), "x", "xlsx").filename == "x.xlsx"
    assert export(frame(), "x", "json").filename == "x.json"
    assert export({}, "vide", "csv").data.strip() == b"\xef\xbb\xbf"
    with pytest.raises(ValueError, match="format d'export inconnu"):
        export(frame(), "x", "pdf")


def test_file_names_are_portable():
    assert file_name("Campagne « Été 2025 » / CC", "csv") == "campagne-ete-2025-cc.csv"
    assert file_name("***", "json") == "export.json"


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
def test_no_exported_csv_cell_can_start_a_formula(texts):
    rows = read_csv(to_csv(pd.DataFrame({"t": texts}), "x").data)
    for row in rows[1:]:
        cell = row[0] if row else ""
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


HOSTILE_MD = [
    "**gras**",
    "[lien](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "# titre",
    "Ligne\n===",
    "- puce\r\n1. liste",
    "`code` | cellule | ~~barré~~",
    "+ plus",
    "12) douze",
]


@pytest.mark.parametrize("text", HOSTILE_MD)
def test_markdown_text_renders_as_typed_on_one_line(text):
    from markdown_it import MarkdownIt

    from diagnostic.exports import markdown_text

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = md.parse(markdown_text(text))
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "text", "softbreak"}, kinds
    rendered = "".join(c.content for t in tokens if t.children for c in t.children)
    assert rendered == " ".join(text.split())


def test_markdown_text_escapes_bare_links_unless_asked():
    from diagnostic.exports import markdown_text

    assert markdown_text("voir https://exemple.fr et www.exemple.fr") == (
        "voir https\\://exemple.fr et www\\.exemple.fr"
    )
    assert markdown_text("https://exemple.fr", bare_links=True) == "https://exemple.fr"


def test_roadmap_markdown_escapes_the_territory_and_titles():
    from diagnostic.document import markdown_writer
    from diagnostic.document.blocks import Bullets, Cover, Document, Heading, Table

    cover = Cover(
        title="Feuille de route",
        subtitle="Mandat 2026–2032",
        territory="[CC](javascript:x) **des** <b>Rives</b>",
        facts=(("Pilote", "=1+1 # non"),),
        notice="Projet",
    )
    blocks = (
        Heading(1, "# Action *importante*"),
        Bullets(("[clic](https://piege.example)",)),
        Table(columns=("Action", "Pilote"), rows=(("a | b", "<script>x</script>"),), widths=(1, 1)),
    )
    document = Document(
        cover=cover,
        blocks=blocks,
        title="Feuille de route",
        subject="Gouvernance",
        author="Coordination",
        language="fr-FR",
        day=date(2026, 11, 29),
    )
    text = markdown_writer.write(document).decode("utf-8")
    assert (
        "# Feuille de route — \\[CC\\](javascript:x) \\*\\*des\\*\\* \\<b\\>Rives\\</b\\>" in text
    )
    assert "## \\# Action \\*importante\\*" in text
    assert "- \\[clic\\](https://piege.example)" in text
    assert "| a \\| b | \\<script\\>x\\</script\\> |" in text


def test_markdown_text_escapes_a_list_marker_only_at_the_start_of_a_line():
    from diagnostic.exports import markdown_text

    assert markdown_text("1. Contexte") == "1\\. Contexte"
    assert markdown_text("- puce") == "\\- puce"
    assert markdown_text("1. Contexte", line_start=False) == "1. Contexte"
