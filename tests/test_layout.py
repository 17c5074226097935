"""The layers of the source and the size of its modules, read from the source with ``ast``.

Data flows one way (DESIGN.md §2): view → service → models. These tests read every
import statement of our own modules, those inside functions included, and fail when:

- a service imports Flask (or a Flask extension), a view, a form or the app;
- the models import a service, a view, a form or the app;
- a view module imports another view module (only the base view, the registry that adds
  every page to the admin, and the label tables are shared);
- a form imports a view module;
- our modules import each other in a cycle;
- a source file is over 500 lines or a function over 60 (README "Layout").

An import is an edge to the module it names: ``from package import name`` names the
package (its ``__init__`` runs and is read) and ``package.name`` when that is a module. So
the modules inside a package that re-exports them, such as ``services/backup/``, import
each other by their own names (``from services.backup.files import …``), never through
the package.
"""

import ast
import functools
import pathlib


ROOT = pathlib.Path(__file__).resolve().parent.parent

# Folders that hold no source of ours.
SKIPPED_DIRS = {".venv", ".git", ".pytest_cache", "__pycache__", "instance", "data",
                "node_modules", "static", "templates", "translations", "results"}

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60

# What a view module may import from admin_views: the package itself (its __init__ is a
# docstring, tested below), the base view, the registry and the label tables.
SHARED_VIEW_MODULES = {"admin_views", "admin_views.base", "admin_views.registry"}

# The layers below the views: what a service or the models may never import.
FLASK_LAYER = ("flask", "werkzeug")  # and every flask_* extension
TOP_LAYERS = ("app", "cli", "security", "admin_views", "forms")

# --- reading the source ------------------------------------------------------------------


def _module_name(relative):
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def _modules():
    """Return ``{module name: (path relative to the root, ast tree)}`` of every module of
    ours (read once, by the first test that needs it)."""
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not SKIPPED_DIRS.intersection(relative.parts[:-1]):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(relative))
            modules[_module_name(relative)] = (relative, tree)
    return modules


def _imported_names(tree, package):
    """Yield ``(line, dotted name)`` for every import in ``tree``, at any depth.

    ``from package import name`` yields ``package`` and ``package.name`` (a submodule, or
    a name inside the package); relative imports are resolved against ``package``, the
    package the module is in.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".") if package else []
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            yield node.lineno, base
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{base}.{alias.name}"


def _ours(name):
    """Return the module of ours that ``name`` is or is inside, or None (not ours)."""
    while name:
        if name in _modules():
            return name
        name = name.rpartition(".")[0]
    return None


@functools.cache
def _dependencies():
    """Return ``{module: {(line, target)}}``: every module of ours that a module imports,
    and ``(line, "external:top")`` for the top-level name of every other import."""
    found = {}
    for module, (relative, tree) in _modules().items():
        package = module if relative.name == "__init__.py" else module.rpartition(".")[0]
        found[module] = set()
        for line, name in _imported_names(tree, package):
            target = _ours(name)
            if target is None:
                found[module].add((line, "external:" + name.split(".")[0]))
            elif target != module:
                found[module].add((line, target))
    return found


def _graph():
    """Return ``{module: {module of ours it imports}}``."""
    return {module: {target for _line, target in imports if not target.startswith("external:")}
            for module, imports in _dependencies().items()}


def _in(module, package):
    return module == package or module.startswith(package + ".")


def _violations(rule):
    """Return ``["path:line imports target"]`` for every import that ``rule`` refuses."""
    found = []
    for module, imports in sorted(_dependencies().items()):
        for line, target in sorted(imports):
            if rule(module, target):
                found.append(f"{_modules()[module][0]}:{line} imports {target}")
    return found


def test_the_scan_reads_imports_at_any_depth_and_relative_ones():
    # The rules below are only as good as the import reader: check it.
    tree = ast.parse("import a.b\ndef f():\n    from . import x\n    from ..y import z\n")
    assert set(_imported_names(tree, "services.backup")) == {
        (1, "a.b"), (3, "services.backup"), (3, "services.backup.x"), (4, "services.y"),
        (4, "services.y.z")}
    graph = _graph()
    assert "admin_views.base" in graph["admin_views.customers"]
    assert "services.backup.create" in graph["services.backup"]
    assert "cli.backup" in graph["cli"]
    assert "external:flask" in {target for _l, target in _dependencies()["app"]}


# --- layers ------------------------------------------------------------------------------


def _flask(target):
    top = target.removeprefix("external:")
    return target.startswith("external:") and (top in FLASK_LAYER or top.startswith("flask_"))


def test_services_import_no_flask_no_views_and_no_forms():
    def refused(module, target):
        return _in(module, "services") and (
            _flask(target) or any(_in(target, layer) for layer in TOP_LAYERS))

    assert _violations(refused) == []


def test_models_import_no_services_views_or_forms():
    def refused(module, target):
        return _in(module, "models") and any(
            _in(target, layer) for layer in ("services", "bench", *TOP_LAYERS))

    assert _violations(refused) == []


def test_view_modules_import_only_the_base_and_the_registry():
    def refused(module, target):
        return (_in(module, "admin_views") and module != "admin_views.registry"
                and _in(target, "admin_views") and target not in SHARED_VIEW_MODULES
                and not _in(target, "admin_views.base"))

    assert _violations(refused) == []


def test_forms_import_no_views():
    def refused(module, target):
        return _in(module, "forms") and _in(target, "admin_views")

    assert _violations(refused) == []


def test_the_admin_package_is_only_a_docstring():
    # Its pages are added by admin_views/registry.py: an __init__ importing them would be
    # imported back by every page that imports a sibling through the package.
    _relative, tree = _modules()["admin_views"]
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
    assert isinstance(tree.body[0].value, ast.Constant)


# --- cycles ------------------------------------------------------------------------------


def test_no_module_of_ours_imports_itself_back_through_others():
    cycles = _cycles(_graph())
    assert cycles == [], "\n".join(" → ".join(cycle) for cycle in cycles)


def test_the_cycle_finder_finds_every_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": {"f"}}
    assert _cycles(graph) == [["a", "b", "c", "a"], ["d", "e", "d"]]


def _cycles(graph):
    """Return one cycle (a closed path) per group of modules that import each other."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while node not in group:
                group.add(stack.pop())
            on_stack.difference_update(group)
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(_closed_path(graph, group) for group in groups)


def _closed_path(graph, group):
    """Return the shortest path through ``group`` from its first member back to it."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph.get(node, ())):
            if target == start:
                return paths[node] + [start]
            if target in group and target not in paths:
                paths[target] = paths[node] + [target]
                queue.append(target)
    return sorted(group)


# --- size --------------------------------------------------------------------------------


def _oversized():
    """Return every source file over MAX_FILE_LINES and function over MAX_FUNCTION_LINES,
    tests and migrations aside."""
    found = []
    for relative, tree in sorted(_modules().values()):
        if relative.parts[0] in ("tests", "migrations"):
            continue
        lines = len((ROOT / relative).read_text(encoding="utf-8").splitlines())
        if lines > MAX_FILE_LINES:
            found.append(f"{relative}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{relative}:{node.lineno} {node.name}(): {length} lines")
    return found


def test_the_size_measure_counts_a_function_from_its_def_to_its_last_line():
    tree = ast.parse("def f():\n" + "    x = 1\n" * 60)
    function = tree.body[0]
    assert function.end_lineno - function.lineno + 1 == 61 > MAX_FUNCTION_LINES


def test_no_source_file_over_500_lines_and_no_function_over_60():
    offenders = _oversized()
    assert offenders == [], f"{len(offenders)} over the limits:\n" + "\n".join(offenders)
