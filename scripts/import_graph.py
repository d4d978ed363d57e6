"""List the import circles between comms_assistant's modules: exit 1 when there is any.

Every import counts, also one inside a function or behind TYPE_CHECKING: a circle hidden there
still ties the two modules together (neither can be read, moved or tested without the other).
Imports are read with `ast`, so nothing is imported and the check runs in a fraction of a second.

    python scripts/import_graph.py        # prints each circle, one a line
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "comms_assistant"
ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module an ImportFrom names, with its leading dots resolved against `module`."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    # In a package's __init__ one dot is the package itself; in a module it is its parent.
    keep = len(base) - node.level + (1 if is_package else 0)
    prefix = ".".join(base[:keep])
    return f"{prefix}.{node.module}" if node.module else prefix


def _named(node: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterable[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        source = _absolute(node, module, is_package)
        submodules = {f"{source}.{alias.name}" for alias in node.names} & known
        yield from submodules
        # `from package import module` needs only the module (Python runs the package's
        # __init__ first either way); any other name comes from the package itself.
        if len(submodules) < len(node.names):
            yield source


def imports_of(path: Path, module: str, known: set[str]) -> set[str]:
    """The package's modules that `path` imports anywhere in its text, itself left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        for name in _named(node, module, is_package, known):
            if name in known and name != module:
                found.add(name)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of the package, with the package's modules it imports."""
    paths = {module_name(path, root): path for path in sorted((root / PACKAGE).rglob("*.py"))}
    known = set(paths)
    return {module: imports_of(path, module, known) for module, path in paths.items()}


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit to meet)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph[step]))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found


def import_circles(root: Path = ROOT) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a circle; sorted."""
    return sorted(group for group in _components(import_graph(root)) if len(group) > 1)


def main() -> int:
    circles = import_circles()
    for circle in circles:
        print(" <-> ".join(circle))
    print(f"{len(circles)} import circle(s)", file=sys.stderr)
    return 1 if circles else 0


if __name__ == "__main__":
    sys.exit(main())
