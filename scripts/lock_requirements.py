"""Regenerate requirements.lock: every package the Docker image installs, at one exact version.

pip resolves pyproject.toml's [project].dependencies against the package index the way
`pip install` would (nothing is installed: --dry-run, --ignore-installed) and reports the
result; this writes each package of it pinned with ==. The image runs
`pip install --no-deps -r requirements.lock`, so two builds of one commit get the same packages.

Run it with Python 3.11 on Linux, the image's platform (environment markers are evaluated
for the running interpreter), after changing the dependencies:

    make lock    # or: .venv/bin/python scripts/lock_requirements.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
IMAGE_PYTHON = (3, 11)


def canonical(name: str) -> str:
    """The PEP 503 form of a distribution name: PyYAML -> pyyaml, google_re2 -> google-re2."""
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve(requirements: list[str]) -> dict[str, str]:
    """What pip would install for `requirements` into an empty environment: {name: version}."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--ignore-installed",
                "--disable-pip-version-check",
                "--quiet",
                "--report",
                str(report),
                *requirements,
            ],
            check=True,
        )
        installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {canonical(item["metadata"]["name"]): item["metadata"]["version"] for item in installed}


def render(pins: dict[str, str]) -> str:
    python = ".".join(map(str, IMAGE_PYTHON))
    header = [
        "# Every package the Docker image installs, at one exact version:",
        "# `pip install --no-deps -r requirements.lock`, then the bot's wheel.",
        f"# Resolved from pyproject.toml's dependencies for Python {python} on Linux by",
        "# scripts/lock_requirements.py (`make lock`); regenerate it, do not edit it by hand.",
    ]
    return "\n".join([*header, *(f"{name}=={pins[name]}" for name in sorted(pins))]) + "\n"


def main() -> int:
    if sys.version_info[:2] != IMAGE_PYTHON or not sys.platform.startswith("linux"):
        python = ".".join(map(str, IMAGE_PYTHON))
        print(f"run this with Python {python} on Linux, like the image", file=sys.stderr)
        return 2
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = resolve(pyproject["project"]["dependencies"])
    LOCK.write_text(render(pins), encoding="utf-8")
    print(f"wrote {len(pins)} packages to {LOCK.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
