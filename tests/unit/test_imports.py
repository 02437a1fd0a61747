"""The import graph: every module imports on its own, no module imports one that imports it
back (not even from inside a function), and components never import the application.

The graph is read from the source: imports at module level, inside functions and under
`if TYPE_CHECKING:` all count for cycles (a type-only import still ties two modules
together); the rule for components looks at what runs, so there type-only imports are left
out. `create_app()` in microblog/__init__.py is the one exception: the factory that assembles
every part imports them when it runs, which is why importing any module loads only what that
module needs."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("microblog", "templates")


def module_files() -> dict[str, Path]:
    """Every module of the packages, by dotted name (a package by its own name)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = module_files()


def imported_names(name: str, path: Path, *, type_only: bool = True) -> set[str]:
    """The dotted names `name` imports (a `from a import b` names both `a` and `a.b`); with
    `type_only=False`, leaving out those under `if TYPE_CHECKING:`."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if (
                not type_only
                and isinstance(child, ast.If)
                and "TYPE_CHECKING" in ast.unparse(child.test)
            ):
                for statement in child.orelse:
                    visit_statement(statement)
            elif (
                isinstance(child, ast.FunctionDef)
                and name == "microblog"
                and child.name in {"create_app", "_register_blueprints"}
            ):
                continue  # the factory
            else:
                visit_statement(child)

    def visit_statement(statement: ast.AST) -> None:
        if isinstance(statement, ast.Import):
            names.update(alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom):
            if statement.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - statement.level + 1]
                module = ".".join([*base, *([statement.module] if statement.module else [])])
            else:
                module = statement.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in statement.names)
        visit(statement)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def import_graph(*, type_only: bool = True) -> dict[str, set[str]]:
    return {
        name: {
            other for other in imported_names(name, path, type_only=type_only) if other in MODULES
        }
        - {name}
        for name, path in MODULES.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that ends where it starts, or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def walk(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for other in sorted(graph[node]):
            if other in on_path:
                return [*path[path.index(other) :], other]
            if other not in done and (cycle := walk(other)):
                return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for node in sorted(graph):
        if node not in done and (cycle := walk(node)):
            return cycle
    return None


def test_the_graph_reader_sees_imports_in_functions_and_type_checking_blocks(tmp_path):
    """The checker itself: a cycle is found; imports inside functions and under TYPE_CHECKING
    are edges (the latter left out only when asking what runs)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None

    source = tmp_path / "m.py"
    source.write_text(
        textwrap.dedent(
            """
            from typing import TYPE_CHECKING
            from microblog.models import post
            if TYPE_CHECKING:
                from microblog.models.user import User
            def later():
                from microblog.errors import error_response
            """
        )
    )
    names = imported_names("microblog.x", source)
    assert {"microblog.models", "microblog.models.post", "microblog.errors"} <= names
    assert "microblog.models.user" in names
    assert "microblog.models.user" not in imported_names("microblog.x", source, type_only=False)


def test_no_module_imports_one_that_imports_it_back():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_components_never_import_the_application():
    """templates/ turns loaded data into HTML: it may name microblog's row types for the type
    checker, but never imports microblog when it runs."""
    graph = import_graph(type_only=False)
    wrong = {
        (name, other)
        for name, others in graph.items()
        if name.startswith("templates")
        for other in others
        if other.startswith("microblog")
    }
    assert wrong == set()


# Each module imported in a child forked from an interpreter that has loaded the libraries we
# use (for speed) but nothing of ours: a module that works only after another one of ours was
# imported first fails here. The libraries are frozen out of the garbage collector's reach
# and the children do not collect (they live for one import): 8% less time.
IMPORT_EACH = """
import gc, importlib, os, sys, traceback, warnings
warnings.simplefilter("ignore")
libraries, ours = sys.argv[1].split(","), sys.argv[2:]
for library in libraries:
    try:
        importlib.import_module(library)
    except ImportError:
        pass
gc.collect()
gc.freeze()
failed = 0
for name in ours:
    pid = os.fork()
    if pid == 0:
        gc.disable()
        try:
            importlib.import_module(name)
            loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("microblog", "templates"))
            print(name, len(loaded), " ".join(loaded), flush=True)
            os._exit(0)
        except BaseException:
            print("FAILED", name, flush=True)
            traceback.print_exc()
            sys.stdout.flush()
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    failed += status != 0
sys.exit(1 if failed else 0)
"""


@pytest.fixture(scope="module")
def imported_alone() -> dict[str, set[str]]:
    """For each module, the modules of ours that importing it alone loads."""
    libraries = {
        imported
        for name, path in MODULES.items()
        for imported in imported_names(name, path)
        if imported.split(".")[0] not in {*PACKAGES, "__future__"}
    }
    result = subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-c", IMPORT_EACH, ",".join(sorted(libraries)), *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    loaded = {}
    for line in result.stdout.splitlines():
        name, _count, *modules = line.split()
        loaded[name] = set(modules)
    return loaded


def test_every_module_imports_on_its_own(imported_alone):
    assert set(imported_alone) == set(MODULES)


def test_models_and_api_schemas_load_no_view(imported_alone):
    """Importing the models (or the API's schemas) must not drag in the site: no view module,
    no blueprint's routes, no factory."""
    views = {name for name in MODULES if name.endswith((".routes", ".views"))} | {
        "microblog.main.people",
        "microblog.main.messages",
        "microblog.api.users",
        "microblog.api.posts",
    }
    for name in ("microblog.models", "microblog.api.schemas", "microblog.services.search"):
        assert imported_alone[name] & views == set(), name
