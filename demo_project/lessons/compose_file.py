"""What the demo's ``compose.yaml`` says, one part per sub-command (there is no Docker engine
to run it, so these cards show the file Compose would read, not Compose at work).

``python -m lessons.compose_file ports|restart|mounts|volumes``
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

COMPOSE_FILE = Path(__file__).resolve().parent.parent / "compose.yaml"


def main(argv: list[str]) -> int:
    parts = ("ports", "restart", "mounts", "volumes")
    if len(argv) != 1 or argv[0] not in parts:
        print(f"usage: python -m lessons.compose_file {'|'.join(parts)}", file=sys.stderr)
        return 2
    compose: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    services: dict[str, dict[str, Any]] = compose["services"]
    if argv[0] == "ports":
        for name, spec in services.items():
            print(f"{name}: ports {spec.get('ports', 'not published')}")
    elif argv[0] == "restart":
        for name, spec in services.items():
            print(f"{name}: restart {spec.get('restart', 'no')}")
    elif argv[0] == "mounts":
        for name, spec in services.items():
            mounts = [v for v in spec.get("volumes", []) if v.split(":")[0].startswith(".")]
            context = spec.get("build", {}).get("context", "none")
            print(f"{name}: code mounted {mounts or 'no'}, image built from {context}")
    else:
        print(f"named volumes: {', '.join(compose.get('volumes', {}))}")
        for name, spec in services.items():
            named = [v for v in spec.get("volumes", []) if not v.split(":")[0].startswith(".")]
            if named:
                print(f"{name}: {', '.join(named)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
