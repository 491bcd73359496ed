"""The comparison's files: a CSV (every table in one, long), an XLSX workbook, a PPTX deck."""

from __future__ import annotations

from diagnostic.comparison import report as rp
from diagnostic.comparison.slides import deck
from diagnostic.exports import Export, export

FORMATS = ("csv", "xlsx", "pptx")


def to_file(report: rp.Report, fmt: str, min_group_size: int) -> Export:
    """The report in one of FORMATS, named after the territories and the date."""
    if fmt == "pptx":
        return deck(report, min_group_size)
    tables = rp.sheets(report, min_group_size)
    if fmt == "csv":
        return export(rp.long_table(tables), rp.base_name(report), "csv")
    if fmt == "xlsx":
        return export(tables, rp.base_name(report), "xlsx")
    raise ValueError(f"format inconnu : {fmt} (csv, xlsx ou pptx)")
