"""Safe file exports from DataFrames: CSV for French Excel, XLSX and JSON, as bytes to download.

Spreadsheets execute a cell that starts with `=`, `+`, `-` or `@` as a formula (and some treat a
leading tab or carriage return the same way): text typed by a user could then run a formula on
the machine of whoever opens the export (CSV injection). Every such text cell is prefixed with a
single quote; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%d/%m/%Y %H:%M"
DAY_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "DD/MM/YYYY HH:MM"
XLSX_DAY_FORMAT = "DD/MM/YYYY"
TIMEZONE = "Europe/Paris"
CSV_SEPARATOR = ";"

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

Sheets = pd.DataFrame | Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class Export:
    """A file ready to download or to write: its bytes, its name and its MIME type."""

    data: bytes
    filename: str
    mime: str


def file_name(base: str, fmt: str) -> str:
    """A portable file name: ASCII letters, digits and dashes, then the extension."""
    ascii_text = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower() or "export"
    return f"{slug[:80]}.{fmt}"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~@])")
_BARE_LINK = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=\bwww)(\.)")
_LIST_MARKER = re.compile(r"^([-+])|^(\d+)([.)])")
WORD_JOINER = "\u2060"  # invisible, no width, no line break; screen readers skip it
_AUTOLINK_START = re.compile(r"(?i)(?<=www)(?=\.)|(?<=:)(?=//)|(?<=@)")


def markdown_text(text: object, *, bare_links: bool = False, line_start: bool = True) -> str:
    """Text printed as typed in a Markdown file, on one line: no markup, no bracketed or <…>
    link, no heading, list or rule (every line break, \\r included, becomes a space). The bare
    addresses and e-mails that GitHub-flavoured Markdown links by itself are escaped too, unless
    `bare_links` (a visible address is no disguise: the roadmap keeps its sources clickable).
    A leading list marker (« - », « + », « 1. ») is escaped unless the caller puts the text
    after something else on its line (`line_start=False`: a heading's « ## », a table cell)."""
    one_line = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    if line_start:
        one_line = _LIST_MARKER.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", one_line)
    return one_line if bare_links else _BARE_LINK.sub(r"\\\1\2", one_line)


def unlinked(text: str) -> str:
    """Text in which Streamlit's Markdown finds no bare address nor e-mail to link.

    Streamlit (remark-gfm) looks for « www. », « http(s):// » and « x@y.z » in the text once
    the Markdown is read, backslash escapes already resolved: only a character can stop it. An
    invisible word joiner goes inside « www. » and « :// » and after every « @ ». The text looks
    the same and screen readers read it the same; copied, it keeps this invisible character."""
    return _AUTOLINK_START.sub(WORD_JOINER, text)


def neutralize(value: Any) -> Any:
    """Prefix a text a spreadsheet would read as a formula with `'`; leave anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def local_time(value: datetime | pd.Timestamp) -> pd.Timestamp:
    """A timestamp in French local time (naive ones are UTC, as the store returns them)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(TIMEZONE)


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str | list | dict) and bool(pd.isna(value)))


def _cell(value: Any) -> Any:
    """A value as a spreadsheet should receive it: native numbers, local naive dates, safe text."""
    if isinstance(value, list | tuple | set | dict):
        return neutralize(json.dumps(value, ensure_ascii=False, default=str))
    if _is_missing(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return local_time(value).tz_localize(None).to_pydatetime()
    if isinstance(value, np.bool_ | bool):
        return "oui" if value else "non"
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, int | float | date):
        return value
    return neutralize(str(value))


def _sheets(sheets: Sheets) -> dict[str, pd.DataFrame]:
    if isinstance(sheets, pd.DataFrame):
        return {"Données": sheets}
    return dict(sheets)


def to_csv(frame: pd.DataFrame, name: str) -> Export:
    """CSV for French Excel: UTF-8 with BOM, `;` separator, dates as dd/mm/yyyy HH:MM."""
    rows = [[neutralize(str(c)) for c in frame.columns]]
    for record in frame.itertuples(index=False, name=None):
        row = []
        for value in record:
            cell = _cell(value)
            if isinstance(cell, datetime):
                cell = cell.strftime(DATE_FORMAT)
            elif isinstance(cell, date):
                cell = cell.strftime(DAY_FORMAT)
            elif isinstance(cell, float):
                cell = _french_number(cell)
            row.append("" if cell is None else cell)
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerows(rows)
    return Export(buffer.getvalue().encode("utf-8-sig"), file_name(name, "csv"), MIME["csv"])


def _french_number(value: float) -> str:
    # French Excel reads a decimal comma; whole floats are written without decimals.
    if value.is_integer():
        return str(int(value))
    return repr(value).replace(".", ",")


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel refuses []:*?/\ in sheet names and more than 31 characters.
    clean = re.sub(r"[\[\]:*?/\\]", " ", title).strip().strip("'") or "Feuille"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def to_xlsx(sheets: Sheets, name: str) -> Export:
    """An Excel workbook, one sheet per DataFrame; every text cell is written as plain text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for title, frame in _sheets(sheets).items():
        sheet = workbook.create_sheet(_sheet_title(str(title), used))
        sheet.append([neutralize(str(c)) for c in frame.columns])
        for record in frame.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in record])
        for row in sheet.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                elif isinstance(cell.value, datetime):
                    cell.number_format = XLSX_DATE_FORMAT
                elif isinstance(cell.value, date):
                    cell.number_format = XLSX_DAY_FORMAT
        for i, column in enumerate(frame.columns, start=1):
            width = max([len(str(column))] + [len(str(v)) for v in frame.iloc[:, i - 1][:200]])
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
    if not workbook.sheetnames:
        workbook.create_sheet("Données")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Export(buffer.getvalue(), file_name(name, "xlsx"), MIME["xlsx"])


def _json_value(value: Any) -> Any:
    if isinstance(value, list | tuple | dict):
        return value
    if _is_missing(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return local_time(value).isoformat()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(sheets: Sheets, name: str, meta: Mapping[str, Any] | None = None) -> Export:
    """JSON: `{"sheet": [{column: value}, …]}` (dates in ISO 8601), with optional metadata."""
    payload: dict[str, Any] = {}
    if meta:
        payload.update({k: _json_value(v) for k, v in meta.items()})
    for title, frame in _sheets(sheets).items():
        payload[str(title)] = [
            {str(c): _json_value(v) for c, v in zip(frame.columns, record, strict=True)}
            for record in frame.itertuples(index=False, name=None)
        ]
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    return Export(text.encode("utf-8"), file_name(name, "json"), MIME["json"])


def export(sheets: Sheets, name: str, fmt: str) -> Export:
    """One entry point for the three formats (a CSV holds the first sheet only)."""
    if fmt == "csv":
        frames = _sheets(sheets)
        return to_csv(next(iter(frames.values())) if frames else pd.DataFrame(), name)
    if fmt == "xlsx":
        return to_xlsx(sheets, name)
    if fmt == "json":
        return to_json(sheets, name)
    raise ValueError(f"format d'export inconnu : {fmt} (csv, xlsx ou json)")
