"""Setup files agree with each other: pyproject, environment.yml, constraints, README, CI."""

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    wanted = {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {_normalise(r) for r in pip_section if not r.startswith("-e")}
    assert listed == wanted, f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    assert "-e ." in pip_section
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


def test_course_card_packages_are_dependencies():
    project = _pyproject()["project"]
    names = {re.split(r"[<>=!~ \[]", r)[0].lower() for r in
             project["dependencies"] + project["optional-dependencies"]["test"]}
    for package in ("jupyterlab", "torch", "torchaudio", "librosa", "ipywidgets", "matplotlib",
                    "nbval", "jupytext", "soundfile", "tqdm", "scipy", "scikit-learn", "pytest"):
        assert package in names, package


def test_package_has_lower_bounds_only():
    project = _pyproject()["project"]
    for requirement in project["dependencies"]:
        assert "==" not in requirement and "<" not in requirement, requirement


def test_constraints_pin_the_matched_torch_pair():
    pins = {}
    for line in (REPO / ".ci" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower()] = version
    assert pins["torch"] == "2.11.0" and pins["torchaudio"] == "2.11.0"
    for package in ("librosa", "nbval", "jupytext", "jupyterlab", "pytest-env"):
        assert package in pins, package


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, flags=re.M)
    assert "make lesson" in commands and "make test" in commands
    ci = [l for l in (REPO / ".ci" / "run").read_text().splitlines() if l and not l.startswith("#")]
    assert "make test" in ci
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^test: setup\n\t\$\(BIN\)/python -m pytest$", makefile, flags=re.M)


def test_pytest_sets_smoke_profile_and_runs_both_notebook_folders():
    options = _pyproject()["tool"]["pytest"]["ini_options"]
    assert "D:AUDIOGAN_PROFILE=smoke" in options["env"]
    assert set(options["testpaths"]) == {"tests", "notebooks", "solutions"}
    assert "--nbval-lax" in options["addopts"]


def test_readme_course_map_lists_every_solution():
    readme = (REPO / "README.md").read_text()
    for path in sorted((REPO / "solutions").glob("*.ipynb")):
        assert path.stem in readme, f"README course map misses {path.stem}"
