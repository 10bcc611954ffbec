"""demo_project.contract: the demo's one seam with the study app and the tests, plus the
import rules around it (no circle, no sys.path edits outside the demo, Celery-free contract)."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

from demo_project import contract

ROOT = contract.DEMO_DIR.parent
PACKAGES = ("deckgen", "studyapp", "demo_project")
# Inside demo_project/ these packages are imported under their top-level names (see the
# demo_project docstring): `config.settings` is demo_project/config/settings.py.
DEMO_TOP_LEVEL = ("config", "tasks", "lessons", "client")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            modules[_module_name(path)] = path
    return modules


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:`` (never imported at
    run time, so no circle)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def _imported(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Project modules that the module ``name`` at ``path`` imports, anywhere in its body."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        candidates: list[str] = []
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            candidates = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for candidate in candidates:
            if candidate.split(".")[0] in DEMO_TOP_LEVEL:
                candidate = f"demo_project.{candidate}"
            if candidate in modules and candidate != name:
                targets.add(candidate)
    return targets


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_anywhere() -> None:
    modules = _project_modules()
    graph = {name: _imported(path, name, modules) for name, path in modules.items()}
    assert graph["demo_project.launch"] and graph["studyapp.runner.stack"]  # the scan sees imports
    assert "demo_project.launch" not in graph["demo_project.app_loader"]
    assert "demo_project.app_loader" not in graph["demo_project.launch"]
    assert _circles(graph) == []


def test_only_the_demo_edits_sys_path() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("deckgen", "studyapp")
        for path in (ROOT / package).rglob("*.py")
        if "sys.path" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_default_urls_are_written_once() -> None:
    # The lessons are course text: they print example URLs for the learner to read (a
    # Compose host name, a password being masked); what they connect to comes from the
    # environment like everything else.
    lessons = ROOT / "demo_project" / "lessons"
    writers = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if not path.is_relative_to(lessons)
        and (
            "127.0.0.1:6379" in (text := path.read_text(encoding="utf-8"))
            or str(contract.DEFAULT_REDIS_PORT) in text
        )
    ]
    assert writers == ["demo_project/contract.py"]


def test_the_contract_loads_no_celery_kombu_or_redis() -> None:
    code = (
        "import sys, demo_project.contract as c; c.run_environment(); c.state_dir();"
        " print(sorted(m for m in ('celery', 'kombu', 'redis') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert done.stdout.strip() == "[]"


def test_state_dir_in_a_checkout_and_from_demo_var_dir(tmp_path: Path) -> None:
    assert contract.in_checkout()
    assert contract.state_dir({}) == contract.DEMO_DIR / "var"
    assert contract.state_dir({"DEMO_VAR_DIR": "elsewhere"}) == contract.DEMO_DIR / "elsewhere"
    made = contract.state_dir({"DEMO_VAR_DIR": str(tmp_path / "state")}, create=True)
    assert made == tmp_path / "state" and made.is_dir()


def test_state_dir_of_an_installed_copy_is_the_user_state_folder(tmp_path: Path) -> None:
    # A copy of the module outside any checkout stands for an installed wheel.
    installed = tmp_path / "site-packages" / "demo_project"
    installed.mkdir(parents=True)
    shutil.copy(Path(contract.__file__), installed / "contract.py")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "xdg-state"), "PYTHONPATH": ""}
    env.pop("DEMO_VAR_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", "import contract; print(contract.state_dir())"],
        cwd=installed, env=env, capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    assert Path(done.stdout.strip()) == tmp_path / "xdg-state" / "celery-srs" / "demo"


def test_run_environment_fills_the_defaults_and_puts_the_venv_first(tmp_path: Path) -> None:
    env = contract.run_environment(base={"PATH": "/usr/bin"}, dotenv=tmp_path / "absent.env")
    assert env["CELERY_BROKER_URL"] == contract.DEFAULT_BROKER_URL
    assert env["CELERY_RESULT_BACKEND"] == contract.DEFAULT_RESULT_BACKEND
    assert env["PATH"].split(os.pathsep) == [str(contract.venv_bin_dir()), "/usr/bin"]
    assert contract.client_transport_options() == {"sep": contract.KEY_SEPARATOR}
