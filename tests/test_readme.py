"""The README's architecture section is what the code says it is (see tests/architecture.py)."""

from __future__ import annotations

from cogapp import Cog

from tests.architecture import ROOT, tree


def test_readme_module_list_is_current(capsys):
    status = Cog().main(["cog", "-I", str(ROOT), "--check", str(ROOT / "README.md")])
    assert status == 0, "README.md's module list is out of date: run `make docs`\n" + (
        capsys.readouterr().out
    )


def test_every_module_is_listed_with_its_purpose():
    listed = tree()
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "__init__.py":
                assert f"`{path.name}` — " in listed, path
    assert "`views/`" in listed and "`callbacks.py` — Every inline button" in listed
