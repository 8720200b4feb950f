"""The lock files agree with pyproject.toml, and the internals of other packages that the
code leans on are still where it expects them (upper bounds in pyproject.toml say which
versions were checked; these tests say what to check again before raising one)."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
UNLOCKED_EXTRAS = {"minilm"}  # torch: installed by hand (README)


def pins(lock: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if match := PIN.match(line):
            found[canonicalize_name(match[1])] = match[2]
    assert found, f"no pinned package in requirements/{lock}"
    return found


def requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def unmet(reqs: list[Requirement], locked: dict[str, str]) -> list[str]:
    """The requirements that the lock does not pin, or pins outside their bounds."""
    wrong = []
    for req in reqs:
        version = locked.get(canonicalize_name(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            wrong.append(f"{req} (locked: {version})")
    return wrong


def test_the_production_lock_pins_every_dependency_within_its_bounds():
    assert unmet(requirements(), pins("base.txt")) == [], "run `make lock`"


def test_the_dev_lock_pins_every_locked_extra_within_its_bounds():
    extras = sorted(set(PYPROJECT["project"]["optional-dependencies"]) - UNLOCKED_EXTRAS)
    assert "dev" in extras
    assert unmet(requirements(*extras), pins("dev.txt")) == [], "run `make lock`"


def test_the_dev_lock_runs_what_production_runs():
    base, dev = pins("base.txt"), pins("dev.txt")
    assert {name: dev.get(name) for name in base} == base


def test_the_dev_lock_holds_its_own_generator():
    assert "uv" in pins("dev.txt")


def test_the_optional_torch_extra_stays_outside_the_locks():
    assert "torch" not in pins("dev.txt")


@pytest.mark.parametrize("lock", ["base.txt", "dev.txt"])
def test_every_pin_carries_a_hash(lock):
    text = (ROOT / "requirements" / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert len(entries) > 50
    assert unhashed == []
