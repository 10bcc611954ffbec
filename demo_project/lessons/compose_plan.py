"""What the demo's ``compose.yaml`` asks Docker Compose to do, read from the file itself.

``python -m lessons.compose_plan up SERVICE``: the services ``docker compose up -d SERVICE``
starts (the service plus everything it ``depends_on``, recursively).
``python -m lessons.compose_plan images``: which services share one image (the same
``build``) and the ``command`` each runs.
``python -m lessons.compose_plan volumes``: the named volumes (``down -v`` deletes them) and
the host folders mounted into each service.
There is no Docker engine here, so this reads the same YAML Compose would read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

COMPOSE_FILE = Path(__file__).resolve().parent.parent / "compose.yaml"


def started_by_up(name: str, defined: dict[str, dict[str, Any]]) -> list[str]:
    order: list[str] = []

    def visit(service: str) -> None:
        for dependency in defined[service].get("depends_on", []):
            visit(dependency)
        if service not in order:
            order.append(service)

    visit(name)
    return order


def main(argv: list[str]) -> int:
    compose: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    defined: dict[str, dict[str, Any]] = compose["services"]
    if argv[:1] == ["up"] and len(argv) == 2:
        started = started_by_up(argv[1], defined)
        print(f"docker compose up -d {argv[1]} starts: {', '.join(started)}")
        print(f"left stopped: {', '.join(s for s in defined if s not in started) or 'none'}")
        return 0
    if argv == ["images"]:
        by_image: dict[str, list[str]] = {}
        for name, spec in defined.items():
            build = spec.get("build")
            context = build.get("context") if isinstance(build, dict) else build
            image = f"build {context}" if build else f"image {spec['image']}"
            by_image.setdefault(image, []).append(name)
        for image, names in by_image.items():
            print(f"{image}: {', '.join(names)}")
            for name in names:
                command = defined[name].get("command")
                if command:
                    shown = " ".join(command) if isinstance(command, list) else command
                    print(f"  {name}: command: {shown}")
        return 0
    if argv == ["volumes"]:
        named = set(compose.get("volumes") or {})
        for name, spec in defined.items():
            for volume in spec.get("volumes", []):
                source, target = str(volume).split(":", 1)
                kind = "named volume" if source in named else "host folder"
                print(f"{name}: {kind} {source} -> {target}")
        return 0
    print("usage: python -m lessons.compose_plan up SERVICE | images | volumes", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
