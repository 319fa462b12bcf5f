"""The project's own wiring: one source of dependencies, one test command, every notebook under strict nbval."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_points_at_the_requirements_file():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python>=3.11,<3.14" in deps and "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert pip_section == ["-r requirements.txt", "-e ."]
    assert "pytorch" not in env.get("channels", []), "the pytorch conda channel stopped publishing after 2.5"


def test_requirements_pin_torch_and_torchvision_exactly():
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    pins = dict(l.split("==") for l in lines if l)
    assert pins["torch"] == "2.14.1" and pins["torchvision"] == "0.29.1"
    for needed in ("jupyterlab", "ipywidgets", "matplotlib", "nbval", "pytest"):
        assert needed in pins, f"{needed} missing from requirements.txt"


def test_pytest_runs_strict_nbval_over_notebooks():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in config["testpaths"] and "tests" in config["testpaths"]
    assert "--nbval" in config["addopts"] and "--nbval-lax" not in config["addopts"]
    assert "--nbval-current-env" in config["addopts"]


def test_every_notebook_is_collected_by_nbval(request):
    notebooks = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").rglob("*.ipynb")
                       if ".ipynb_checkpoints" not in p.parts)
    assert notebooks, "no notebooks found"
    # Under make test this session collected everything already (every xdist worker collects all tests);
    # run alone, this test asks a fresh pytest what it collects under notebooks/.
    listing = "\n".join(item.nodeid for item in request.session.items)
    if ".ipynb::" not in listing:
        listing = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        ).stdout
    collected = sorted({m.group(1) for m in re.finditer(r"^(notebooks/[^:]+\.ipynb)::Cell \d+", listing, re.M)})
    assert collected == notebooks, f"not under nbval: {sorted(set(notebooks) - set(collected))}"


def test_ci_runs_the_readme_test_command():
    ci = [l for l in (ROOT / ".ci" / "run").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert "make test" in [line.strip() for line in ci]
    assert any(l.startswith('make test PYTHON="$PYTHON313"') for l in ci), "CI runs the suite on Python 3.13 too"
    readme = (ROOT / "README.md").read_text()
    assert "```bash\nmake test\n```" in readme


def test_make_test_sets_smoke_mode_and_runs_everything():
    makefile = (ROOT / "Makefile").read_text()
    recipe = next(line for line in re.search(r"^test: setup\n((?:\t.+\n)+)", makefile, re.M).group(1).splitlines()
                  if "pytest" in line).strip()
    assert recipe.startswith("COURSE_SMOKE=1 ") and "pytest" in recipe
    # helpers.data_dir() adds smoke-run/ in smoke mode (tests/test_config.py): data/smoke-run/, never beside real data
    assert 'COURSE_DATA_DIR="$(CURDIR)/data"' in recipe and "COURSE_SMOKE=1" in recipe
    assert "notebooks" not in recipe and "tests" not in recipe, "paths come from testpaths; none may be left out"


def test_notebooks_are_named_and_ordered():
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert names[0] == "00_start_here.ipynb"
    for index, name in enumerate(names):
        assert re.fullmatch(rf"{index:02d}_[a-z0-9_]+\.ipynb", name), f"{name}: expected NN_snake_case.ipynb in order"


def test_make_and_the_environment_report_know_the_same_pythons():
    from helpers.environment import SUPPORTED_PYTHONS

    makefile = (ROOT / "Makefile").read_text()
    listed = re.search(r"^SUPPORTED_PYTHONS := (.+)$", makefile, re.M).group(1).split()
    assert sorted(listed) == [f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS]
    assert "python>=3.11,<3.14" in (ROOT / "environment.yml").read_text()
