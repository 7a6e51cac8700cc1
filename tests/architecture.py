"""The README's architecture section, generated from the code by cog (`make docs`).

Every module of bot/ and handlers/ is listed with the first paragraph of its docstring, so
the section cannot drift: tests/test_readme.py fails when README.md is not what this makes.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers")
# Layers bottom-up, then the tools around them; a folder not named here comes last.
ORDER = ("core", "views", "storage", "transport", "services", "ops", "sandbox", "playground")


def purpose(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    if not doc:
        raise ValueError(f"{path.relative_to(ROOT)} has no docstring: say what it is for")
    return " ".join(doc.split("\n\n")[0].split())


def _folder(folder: Path, depth: int) -> list[str]:
    indent = "  " * depth
    init = folder / "__init__.py"
    name = folder.relative_to(ROOT).as_posix() if depth == 0 else folder.name
    lines = [f"{indent}- **`{name}/`** — {purpose(init)}"]
    for path in sorted(folder.glob("*.py")):
        if path.name != "__init__.py":
            lines.append(f"{indent}  - `{path.name}` — {purpose(path)}")
    subs = [p for p in folder.iterdir() if (p / "__init__.py").exists()]
    subs.sort(key=lambda p: (ORDER.index(p.name) if p.name in ORDER else len(ORDER), p.name))
    for sub in subs:
        lines += _folder(sub, depth + 1)
    return lines


def tree() -> str:
    """The Markdown list of every package and module, with its purpose."""
    lines: list[str] = []
    for package in PACKAGES:
        lines += _folder(ROOT / package, 0)
    return "\n".join(lines)
