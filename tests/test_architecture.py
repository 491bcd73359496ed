"""Layer rules, enforced: the domain never imports Streamlit, pages never touch the database."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

DB_MODULES = ("sqlmodel", "sqlalchemy", "sqlite3", "psycopg")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_package_never_imports_streamlit():
    for path in (ROOT / "diagnostic").rglob("*.py"):
        assert not any(m.split(".")[0] == "streamlit" for m in imports(path)), path


def test_pages_and_router_never_touch_the_database():
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        bad = [m for m in imports(path) if m.split(".")[0] in DB_MODULES]
        assert not bad, f"{path.name} importe {bad}"
        assert "unsafe_allow_html=True" not in path.read_text(encoding="utf-8"), path


def test_only_the_store_imports_database_libraries():
    for path in (ROOT / "diagnostic").rglob("*.py"):
        rel = path.relative_to(ROOT / "diagnostic").parts
        if rel[0] in {"store", "migrations"}:
            continue
        bad = [m for m in imports(path) if m.split(".")[0] in {"sqlmodel", "sqlite3", "psycopg"}]
        assert not bad, f"{path} importe {bad}"


def test_bench_only_dependency_is_never_shipped():
    """streamlit-survey (Commons Clause: must not be shipped) is a floor of bench/ only: in
    the `bench` extra and nowhere else, imported by no module of the app or its tests."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        extra: [d for d in deps if d.lower().startswith("streamlit-survey")]
        for extra, deps in {"": project["dependencies"], **project["optional-dependencies"]}.items()
    }
    assert {extra for extra, found in declared.items() if found} == {"bench"}
    paths = [ROOT / "app.py"]
    for folder in ("diagnostic", "pages", "tests"):
        paths += (ROOT / folder).rglob("*.py")
    bad = [p for p in paths if any(m.split(".")[0] == "streamlit_survey" for m in imports(p))]
    assert bad == []


def test_no_import_cycle_between_any_two_modules_of_diagnostic():
    """Module level: no module imports, even through others, a module that imports it back.
    (Rooms may use each other's pure parts both ways; import-linter checks inside each room.)"""
    import grimp

    graph = grimp.build_graph("diagnostic")
    modules = sorted(graph.modules)
    # A package's __init__ that re-exports its modules is not a cycle with them.
    edges = {
        m: [
            i
            for i in graph.find_modules_directly_imported_by(m)
            if i in graph.modules and not m.startswith(i + ".")
        ]
        for m in modules
    }
    cycles = []
    for start in modules:
        seen, todo = set(), list(edges[start])
        while todo:
            m = todo.pop()
            if m == start:
                cycles.append(start)
                break
            if m not in seen:
                seen.add(m)
                todo.extend(edges[m])
    assert cycles == []
