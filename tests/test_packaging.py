"""The Docker image, checked without Docker: its layout, its base image, its lock, its context.

The Dockerfile is read with a small parser (one logical line per instruction); the image's
final stage is then rebuilt on disk: the wheel, installed into a throwaway environment, and a
working directory holding what the final stage copies into its WORKDIR.
"""

from __future__ import annotations

import importlib.metadata
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
LOCK = ROOT / "requirements.lock"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@dataclass
class Stage:
    """One FROM ... [AS name] and its instructions, as (KEYWORD, arguments) pairs."""

    base: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def dockerfile_stages(text: str) -> list[Stage]:
    """The stages of a Dockerfile, continuation lines joined and comments dropped."""
    stages: list[Stage] = []
    logical = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        keyword, _, args = (logical + line).partition(" ")
        logical = ""
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            words = args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        else:
            stages[-1].instructions.append((keyword, args))
    return stages


STAGES = dockerfile_stages(DOCKERFILE.read_text(encoding="utf-8"))
FINAL = STAGES[-1]


def copy_into(stage: Stage, root: Path) -> None:
    """Lay out under `root` what the stage's COPY instructions from the build context write."""
    workdir = PurePosixPath("/")
    for keyword, args in stage.instructions:
        if keyword == "WORKDIR":
            workdir = workdir / args
        if keyword not in {"COPY", "ADD"}:
            continue
        words = shlex.split(args)
        if any(word.startswith("--from") for word in words):
            continue  # from another stage, not from the sources
        *sources, target = [word for word in words if not word.startswith("--")]
        dest = root / (workdir / target).relative_to("/")
        for source in sources:
            path = ROOT / source
            if path.is_dir():
                shutil.copytree(path, dest, dirs_exist_ok=True, ignore=_ignored)
            elif target.endswith("/") or len(sources) > 1:
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest / path.name)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


def _ignored(directory: str, names: list[str]) -> set[str]:
    return {name for name in names if is_ignored(f"{Path(directory).relative_to(ROOT)}/{name}")}


def stage_workdir(stage: Stage) -> PurePosixPath:
    workdir = PurePosixPath("/")
    for path in stage.args("WORKDIR"):
        workdir = workdir / path
    return workdir


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bot's wheel, built like the image's build stage: from a copy of what it copies."""
    root = tmp_path_factory.mktemp("build-stage")
    build = next(
        (stage for stage in STAGES if any("pip wheel" in r for r in stage.args("RUN"))), FINAL
    )
    copy_into(build, root)
    source = root / stage_workdir(build).relative_to("/")
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return next(out.glob("softlift_faq_bot-*.whl"))


def test_the_wheel_ships_the_faq_files_and_the_locales(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/faq/softlifting.yaml" in names
    assert "bot/locales/en.yaml" in names and "bot/locales/en.words" in names
    # The answer model of each shipped FAQ file is read from the package beside it.
    assert {"bot/faq/softlifting.answers.npz", "bot/faq/softlifting.ru.answers.npz"} <= set(names)


def test_python_m_bot_runs_in_the_final_stage_layout(wheel: Path, tmp_path: Path) -> None:
    # The image's Python: the wheel unpacked into a fresh environment's site-packages, the
    # dependencies from this one (.pth lines: the editable install's import hook stays out).
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, symlinks=True)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    dependencies = [
        p for p in sys.path if p and Path(p).is_dir() and not (Path(p) / "bot").exists()
    ]
    (site / "dependencies.pth").write_text("\n".join(dependencies) + "\n", encoding="utf-8")
    # The image's filesystem: whatever the final stage copies from the sources.
    image = tmp_path / "image"
    copy_into(FINAL, image)
    workdir = image / stage_workdir(FINAL).relative_to("/")
    workdir.mkdir(parents=True, exist_ok=True)

    result = subprocess.run(
        [python, "-m", "bot", "faq", "check"],
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shadowing = sorted(path.name for path in workdir.iterdir())
    assert "bot" not in shadowing, f"{stage_workdir(FINAL)} holds sources: {shadowing}"


def test_base_images_are_one_exact_python_release() -> None:
    stage_names = {stage.name for stage in STAGES}
    bases = {stage.base for stage in STAGES if stage.base not in stage_names}
    assert len(bases) == 1, f"stages start from different images: {sorted(bases)}"
    (base,) = bases
    pinned = re.fullmatch(r"python:(\d+)\.(\d+)\.(\d+)-slim-[a-z]+(?:@sha256:[0-9a-f]{64})?", base)
    assert pinned, f"{base} is not pinned to a patch release like python:3.11.15-slim-bookworm"
    version = ".".join(pinned.groups())
    assert SpecifierSet(PYPROJECT["project"]["requires-python"]).contains(version)
    minor = ".".join(pinned.groups()[:2])
    assert f"for Python {minor} on Linux" in LOCK.read_text(encoding="utf-8"), (
        f"requirements.lock was not resolved for the image's Python {minor}"
    )


def test_the_final_stage_installs_exactly_the_lock() -> None:
    copied = [shlex.split(args) for args in FINAL.args("COPY")]
    assert any("requirements.lock" in words for words in copied)
    installs = [run for run in FINAL.args("RUN") if "pip install" in run]
    assert any(
        re.search(r"(-r|--requirement)[ =]\S*requirements\.lock", run) for run in installs
    ), "the final stage does not install requirements.lock"
    for run in installs:
        for command in run.split("&&"):
            if "pip install" in command:
                assert "--no-deps" in command, f"resolves dependencies beyond the lock: {command}"


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pinned = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line.strip())
            assert pinned, f"requirements.lock: {line!r} is not name==version"
            pins[canonicalize_name(pinned[1])] = pinned[2]
    return pins


def runtime_closure() -> set[str]:
    """Every distribution the runtime dependencies pull in here, extras followed."""
    names: set[str] = set()
    done: set[tuple[str, frozenset[str]]] = set()
    todo = [Requirement(text) for text in PYPROJECT["project"]["dependencies"]]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        names.add(name)
        if (name, frozenset(requirement.extras)) in done:
            continue
        done.add((name, frozenset(requirement.extras)))
        try:
            requires = importlib.metadata.requires(requirement.name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed here: the check of pyproject's own list still applies
        for extra in requirement.extras or {""}:
            for text in requires:
                child = Requirement(text)
                if child.marker is None or child.marker.evaluate({"extra": extra}):
                    todo.append(child)
    return names


def test_the_lock_pins_every_runtime_dependency() -> None:
    pins = lock_pins()
    for text in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is missing from requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {text!r}: run `make lock`"
        )
    missing = sorted(runtime_closure() - set(pins))
    assert not missing, f"requirements.lock lacks {missing}: run `make lock`"


def test_the_user_is_ordinary_and_not_root() -> None:
    for run in FINAL.args("RUN"):
        for command in run.split("&&"):
            words = shlex.split(command)
            if words[:1] == ["useradd"]:
                options = dict(zip(words, [*words[1:], ""], strict=True))
                uid = int(options.get("--uid") or options.get("-u") or 0)
                system = "--system" in words or "-r" in words
                assert not (system and uid > 999), (
                    f"useradd --system --uid {uid} warns: the uid is above SYS_UID_MAX (999)"
                )
    users = FINAL.args("USER")
    assert users and users[-1].split(":")[0] not in {"0", "root"}


# .dockerignore, matched as Docker does: `*` and `?` stay within one path segment, `**`
# spans any number of them, a path is excluded if it or a parent matches, and the last
# matching pattern wins (`!` re-includes).
def _docker_pattern(pattern: str) -> re.Pattern[str]:
    regex, i = "", 0
    pattern = pattern.lstrip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            regex, i = regex + pattern[i : end + 1], end + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.compile(regex)


RULES = [
    (line.startswith("!"), _docker_pattern(line.removeprefix("!")))
    for line in (raw.strip() for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines())
    if line and not line.startswith("#")
]


def is_ignored(path: str) -> bool:
    parts = PurePosixPath(path).parts
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for negated, regex in RULES:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            ignored = not negated
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "bot/.env",
        "faq/.env.production",
        "bot/answers/__pycache__/matcher.cpython-311.pyc",
        "bot/cli.pyc",
        "softlift_faq_bot.egg-info/PKG-INFO",
        "bot/softlift_faq_bot.egg-info/PKG-INFO",
        "bot/build/lib/bot/cli.py",
        "faq/.mypy_cache/x.json",
        "data/softlift.db",
        "bot/softlift.db-wal",
        ".git/HEAD",
        "tests/test_config.py",
    ],
)
def test_dockerignore_keeps_secrets_and_caches_out_at_any_depth(path: str) -> None:
    assert is_ignored(path)


def test_dockerignore_keeps_everything_the_dockerfile_copies() -> None:
    sources = [
        word
        for stage in STAGES
        for args in stage.args("COPY")
        if "--from" not in args
        for word in shlex.split(args)[:-1]
    ]
    files = [
        path.relative_to(ROOT).as_posix()
        for source in sources
        for path in ([ROOT / source] if (ROOT / source).is_file() else (ROOT / source).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert {"pyproject.toml", "requirements.lock", "faq/softlifting.yaml"} <= set(files)
    assert [path for path in files if is_ignored(path)] == []
