"""The suite itself: tests that cannot pass by accident and modules that stand alone.

An `async def` test that awaits nothing never lets the event loop run, so it checks only what
a plain function would; a test module imported by another has its tests collected twice and
couples the two files' fixtures and order.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MODULES = sorted(TESTS.rglob("*.py"))


def _where(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _own_nodes(function: ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of the function's body, without those of functions and classes defined in it."""
    todo: list[ast.AST] = list(function.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            todo.extend(ast.iter_child_nodes(node))


def _awaits_nothing(path: Path) -> Iterator[str]:
    for node in ast.walk(_tree(path)):
        if (
            isinstance(node, ast.AsyncFunctionDef)
            and node.name.startswith("test")
            and not any(
                isinstance(inner, ast.Await | ast.AsyncWith | ast.AsyncFor)
                for inner in _own_nodes(node)
            )
        ):
            yield f"{_where(path)}:{node.lineno} {node.name}"


def _imported_test_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module not in {None, "tests"}:
            names = [str(node.module)]
        elif isinstance(node, ast.ImportFrom):  # from . import test_x, from tests import test_x
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[-1].startswith("test_"):
                yield f"{_where(path)}:{node.lineno} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_every_async_test_awaits_something(path: Path) -> None:
    found = list(_awaits_nothing(path))
    assert not found, "; ".join(found)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_test_module_imports_another(path: Path) -> None:
    found = list(_imported_test_modules(path))
    assert not found, "; ".join(found)


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from test_e2e_bot import helper\n"
        "import tests.test_config\n"
        "from . import test_cli\n"
        "from botapi_stub import StubBot\n"
        "async def test_idle():\n"
        "    async def inner():\n"
        "        await thing()\n"
        "async def test_awaits():\n"
        "    await thing()\n"
        "async def test_iterates():\n"
        "    async for _ in things():\n"
        "        pass\n"
        "async def test_enters():\n"
        "    async with thing():\n"
        "        pass\n",
        encoding="utf-8",
    )
    assert [line.split()[-1] for line in _awaits_nothing(sample)] == ["test_idle"]
    assert sorted(line.split()[-1] for line in _imported_test_modules(sample)) == [
        "test_cli",
        "test_e2e_bot",
        "tests.test_config",
    ]


def test_no_merge_conflict_is_left_in_the_repository() -> None:
    # A merge once left <<<<<<< markers in README.md; git would have refused nothing.
    root = TESTS.parent
    texts = [
        *root.glob("*.md"),
        *root.glob("*.yaml"),
        *(p for top in ("bot", "tests", "faq", "docs", "benchmarks", "scripts", "deploy")
          for p in (root / top).rglob("*") if p.suffix in {".py", ".yaml", ".md", ".sh", ".template"}),
    ]  # fmt: skip
    markers = ("<" * 7 + " ", ">" * 7 + " ")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in texts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.startswith(markers) or line == "=" * 7
    ]
    assert found == []
