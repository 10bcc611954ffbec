"""Build hook: the course (`cards/`) ships inside the wheel as `deckgen/course/`.

Everything else is declared in pyproject.toml. setuptools copies package data only from
package folders, and `cards/` sits at the repository root where authors edit it, so it is
copied into the build here; an editable install reads `cards/` itself (deckgen/course.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

COURSE_SOURCE = Path(__file__).resolve().parent / "cards"
SKIPPED_SUFFIXES = (".apkg", ".notes.json", ".pyc")  # build outputs that may lie about


class BuildPyWithCourse(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "deckgen" / "course"
        shutil.rmtree(target, ignore_errors=True)
        for source in sorted(COURSE_SOURCE.rglob("*")):
            relative = source.relative_to(COURSE_SOURCE)
            hidden = any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
            if hidden or not source.is_file() or source.name.endswith(SKIPPED_SUFFIXES):
                continue
            copied = target / relative
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copied)


setup(cmdclass={"build_py": BuildPyWithCourse})
