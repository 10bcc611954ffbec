"""demo_project/compose.yaml and its Dockerfile, checked without a Docker engine.

Debian's ``docker-compose config`` (installed by scripts/dev.sh) validates the file against
the Compose schema and prints it fully resolved, needing no daemon; the tests then read that
output: what is published where, who waits for whose healthcheck, which scripts run.
"""

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from demo_project.contract import DEMO_DIR

ROOT = DEMO_DIR.parent


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The resolved compose file, as a learner's copy sees it after `cp .env.example .env`."""
    executable = shutil.which("docker-compose")
    assert executable, "docker-compose not found: bash scripts/dev.sh installs it (Debian)"
    checkout = tmp_path_factory.mktemp("checkout")
    (checkout / "demo_project").mkdir()
    shutil.copy(DEMO_DIR / "compose.yaml", checkout / "demo_project" / "compose.yaml")
    shutil.copy(DEMO_DIR / ".env.example", checkout / "demo_project" / ".env")
    done = subprocess.run(
        [executable, "config"], cwd=checkout / "demo_project",
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    resolved: dict[str, Any] = yaml.safe_load(done.stdout)
    resolved["checkout"] = str(checkout)
    return resolved


def test_the_image_is_built_from_the_repository_with_the_demo_dockerfile(
    compose: dict[str, Any],
) -> None:
    built = {name: spec for name, spec in compose["services"].items() if "build" in spec}
    assert set(built) == {"worker", "beat", "flower"}
    dockerfile = (DEMO_DIR / "Dockerfile").read_text()
    for spec in built.values():
        assert spec["build"] == {
            "context": compose["checkout"],
            "dockerfile": "demo_project/Dockerfile",
        }
        # The start scripts run as they do under honcho, from the folder the code is mounted on.
        script = spec["command"][-1]
        assert spec["command"][0] == "bash" and (DEMO_DIR / script).is_file()
        mounts = [volume.split(":")[1] for volume in spec["volumes"]]
        assert "/app/demo_project" in mounts
    workdirs = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("WORKDIR")]
    assert workdirs[-1] == "/app/demo_project"
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            source = line.split()[1:-1]
            assert all((ROOT / item).exists() for item in source), line


def test_only_flower_is_published_and_only_on_the_loopback_address(
    compose: dict[str, Any],
) -> None:
    published = {name: spec.get("ports", []) for name, spec in compose["services"].items()}
    assert published["redis"] == [] and published["worker"] == [] and published["beat"] == []
    assert published["flower"] == ["127.0.0.1:5555:5555/tcp"]
    flower = compose["services"]["flower"]["environment"]
    assert flower["FLOWER_ADDRESS"] == "0.0.0.0"  # reachable from the published port
    assert '"--address=${FLOWER_ADDRESS:-127.0.0.1}"' in (DEMO_DIR / "flower/start.sh").read_text()


def test_services_wait_for_healthy_dependencies(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, spec in services.items():
        for dependency, condition in spec.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
            assert "healthcheck" in services[dependency], dependency
    assert set(services["flower"]["depends_on"]) == {"redis", "worker"}
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_containers_reach_redis_by_its_service_name(compose: dict[str, Any]) -> None:
    for name in ("worker", "beat", "flower"):
        env = compose["services"][name]["environment"]
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0", name  # wins over .env
        assert env["CELERY_RESULT_BACKEND"] == "redis://redis:6379/1", name
