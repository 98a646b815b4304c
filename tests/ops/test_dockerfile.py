"""The image's structure, checked by parsing the Dockerfile: no container engine runs on the test machines."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from dataclasses import dataclass

import yaml

from tests.conftest import ROOT


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[Instruction]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def index(self, keyword: str, pattern: str) -> int:
        """Position of the first ``keyword`` instruction whose arguments match ``pattern``."""
        for n, instruction in enumerate(self.instructions):
            if instruction.keyword == keyword and re.search(pattern, instruction.args):
                return n
        raise AssertionError(f"no {keyword} matching {pattern!r} in stage {self.name}")


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARGs and stages; continuation lines joined, comments dropped (enough of the Dockerfile grammar)."""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        keyword, _, rest = (buffer + line).partition(" ")
        buffer = ""
        instruction = Instruction(keyword.upper(), rest.strip(), start)
        if instruction.keyword == "FROM":
            parts = instruction.args.split()
            name = parts[2] if len(parts) == 3 and parts[1].lower() == "as" else parts[0]
            stages.append(Stage(name, parts[0], []))
        elif not stages and instruction.keyword == "ARG":
            key, _, value = instruction.args.partition("=")
            args[key] = value
        else:
            stages[-1].instructions.append(instruction)
    return args, stages


def load() -> tuple[dict[str, str], list[Stage]]:
    return parse((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def resolve(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), value)


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"{args} is not the exec (JSON array) form"
    return value


def test_multi_stage_from_a_slim_python_311_base() -> None:
    args, stages = load()
    assert [s.name for s in stages] == ["build", "runtime"]
    for stage in stages:
        base = resolve(stage.base, args)
        assert re.fullmatch(r"python:3\.1[1-9](\.\d+)?-slim(-\w+)?", base), base
    runtime = stages[-1]
    copies = [i.args for i in runtime.all("COPY")]
    assert any(c.startswith("--from=build /opt/venv") for c in copies), "runtime takes the venv from the build stage"
    assert not runtime.all("RUN") or all("pip install" not in i.args for i in runtime.all("RUN"))


def test_dependencies_are_installed_before_the_source_is_copied() -> None:
    _, stages = load()
    build = stages[0]
    deps_copy = build.index("COPY", r"^pyproject\.toml\b")
    deps_install = build.index("RUN", r"pip install -r")
    source_copy = build.index("COPY", r"^bot\b")
    package_install = build.index("RUN", r"pip install --no-deps")
    assert deps_copy < deps_install < source_copy < package_install
    before_install = [i.args for i in build.instructions[:deps_install] if i.keyword == "COPY"]
    assert before_install == ["pyproject.toml ./"], "only pyproject.toml may invalidate the dependency layer"


def test_the_dependency_extraction_matches_pyproject() -> None:
    """The build stage's one-liner, run here: it yields exactly the project's dependencies."""
    _, stages = load()
    run = stages[0].instructions[stages[0].index("RUN", "tomllib")].args
    snippet = re.search(r'python -c "(.*?)"\s+>', run)
    assert snippet is not None
    out = subprocess.run(["python3", "-c", snippet.group(1)], cwd=ROOT, capture_output=True, text=True,  # noqa: S603, S607
                         check=True, timeout=30).stdout.split("\n")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert [line for line in out if line] == declared
    assert any(d.startswith("prometheus-client") for d in declared)


def test_runtime_runs_as_non_root_with_data_volume_healthcheck_and_cmd() -> None:
    _, stages = load()
    runtime = stages[-1]
    users = runtime.all("USER")
    assert users and users[-1].args.split(":")[0] not in {"root", "0"}
    user_at = runtime.instructions.index(users[-1])
    assert user_at < runtime.index("CMD", ".")
    useradd = runtime.all("RUN")[0].args
    assert "useradd" in useradd and "chown quizbot:quizbot /data" in useradd
    assert exec_form(runtime.all("VOLUME")[-1].args) == ["/data"]
    env = " ".join(i.args for i in runtime.all("ENV"))
    assert "QUIZBOT_DATABASE_PATH=/data/quizbot.db" in env
    (health,) = runtime.all("HEALTHCHECK")
    options, _, command = health.args.partition("CMD ")
    assert exec_form(command) == ["quizbot", "health"]
    assert "--interval=" in options and "--start-period=" in options
    assert exec_form(runtime.all("CMD")[-1].args) == ["quizbot", "run"]


def test_every_copied_path_exists_and_dockerignore_keeps_secrets_and_data_out() -> None:
    _, stages = load()
    for instruction in stages[0].all("COPY"):
        source = instruction.args.split()[0]
        assert (ROOT / source).exists(), f"Dockerfile line {instruction.line}: {source} is missing"
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", "data/", ".venv/", ".git/", "*.db"} <= ignored
    assert "!.env.example" in ignored


def test_compose_example_mounts_data_and_restarts() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = compose["services"]["quizbot"]
    assert service["restart"] == "unless-stopped"
    assert any(v.endswith(":/data") for v in service["volumes"])
    assert service["environment"]["QUIZBOT_DATABASE_PATH"] == "/data/quizbot.db"
    assert service["environment"]["QUIZBOT_BACKUP_DIR"].startswith("/data/")
    assert "quizbot-data" in compose["volumes"]


def test_make_docker_without_an_engine_says_so_and_succeeds() -> None:
    result = subprocess.run(["make", "--no-print-directory", "docker", "CONTAINER_ENGINE="], cwd=ROOT,  # noqa: S607
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "no running container engine" in result.stdout
