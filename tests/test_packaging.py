"""Setup files agree with each other: pyproject, environment.yml, constraints, README, CI; and the
package's own imports form no cycle, with torchaudio imported only in env.py."""

import ast
import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "audiogan_lesson"


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_matches_pyproject():
    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    wanted = {_normalise(r) for r in project["dependencies"] + extras["lab"] + extras["test"]}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {_normalise(r) for r in pip_section if not r.startswith("-e")}
    assert listed == wanted, \
        f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    assert "-e ." in pip_section
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


def test_one_python_floor_everywhere():
    """pyproject's requires-python, environment.yml, the README, ruff's target and the Makefile's
    check name one floor, and every pin of .ci/constraints.txt installs on it."""
    from importlib import metadata

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    project = _pyproject()
    floor = project["project"]["requires-python"]
    assert re.fullmatch(r">=3\.\d+", floor), floor
    minor = int(floor.split(".")[1])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert f"python>=3.{minor}" in env["dependencies"]
    assert f"`python3` (3.{minor} or newer)" in (REPO / "README.md").read_text()
    assert project["tool"]["ruff"]["target-version"] == f"py3{minor}"
    assert f"v < (3, {minor})" in (REPO / "Makefile").read_text()
    lowest = Version(f"3.{minor}")
    too_new = []
    for line in (REPO / ".ci" / "constraints.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, version = line.split("==")
        try:
            installed = metadata.metadata(name)
        except metadata.PackageNotFoundError:
            continue  # a pin for another platform
        needs = installed.get("Requires-Python")
        if installed["Version"] == version and needs and lowest not in SpecifierSet(needs):
            too_new.append(f"{name}=={version} needs Python {needs}")
    assert not too_new, f"pins that do not install on Python 3.{minor}: {too_new}"


def test_course_card_packages_are_dependencies():
    project = _pyproject()["project"]
    extras = project["optional-dependencies"]
    names = {re.split(r"[<>=!~ \[]", r)[0].lower() for r in
             project["dependencies"] + extras["lab"] + extras["test"]}
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
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
          if line and not line.startswith("#")]
    assert "make test" in ci
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^test: setup\n\t\$\(BIN\)/ruff check audiogan_lesson tests\n"
                     r"\t\$\(BIN\)/python -m pytest$", makefile, flags=re.M)
    assert _pyproject()["tool"]["ruff"]["lint"]["select"]  # the rules are written down


def test_pytest_sets_smoke_profile_and_runs_both_notebook_folders():
    options = _pyproject()["tool"]["pytest"]["ini_options"]
    assert "D:AUDIOGAN_PROFILE=smoke" in options["env"]
    assert set(options["testpaths"]) == {"tests", "notebooks", "solutions"}
    assert "--nbval-lax" in options["addopts"]


def test_readme_course_map_lists_every_solution():
    readme = (REPO / "README.md").read_text()
    for path in sorted((REPO / "solutions").glob("*.ipynb")):
        assert path.stem in readme, f"README course map misses {path.stem}"


# ---------------------------------------------------------------------------- the package's imports


def _modules() -> dict[str, Path]:
    """Dotted name -> file of every module of the package (a package is named by its folder)."""
    modules = {}
    for path in sorted((REPO / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(path: Path):
    """Every import statement of ``path``, at the top or inside functions: ``(node, module)``
    with relative imports resolved to dotted names."""
    package = list(path.relative_to(REPO).parent.parts)  # what ``from .`` names
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node, module, [alias.name for alias in node.names]


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (the named module, each package on the way
    that is not one of the importer's own parents, and each imported name that is a module)."""
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        parents = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
        for _, module, names in _imports(path):
            if module != PACKAGE and not module.startswith(PACKAGE + "."):
                continue
            parts = module.split(".")
            targets = {".".join(parts[:i]) for i in range(2, len(parts) + 1)} - parents
            for imported in names:
                sub = f"{module}.{imported}"
                targets.add(sub if sub in modules else module)
            if not names:
                targets.add(module)
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    graph = _import_graph()
    assert "audiogan_lesson.cli" in graph["audiogan_lesson.__main__"]
    cycles = _cycles(graph)
    detail = "; ".join(
        " <-> ".join(c) + " (" + ", ".join(f"{a} -> {b}" for a in c for b in sorted(graph[a])
                                           if b in c) + ")"
        for c in cycles)
    assert not cycles, f"import cycles: {detail}"


def test_evaluation_scores_without_the_runs_so_experiments_can_build_the_score():
    """The code that trains builds a run's selection score from ``evaluation``: so ``evaluation``
    (but :mod:`.run_scores`, which samples saved runs) never imports ``runs``, and folders come
    from ``paths``."""
    graph = _import_graph()
    scoring = [m for m in graph if m.startswith(f"{PACKAGE}.evaluation")
               and m != f"{PACKAGE}.evaluation.run_scores"]
    assert f"{PACKAGE}.evaluation.selection" in scoring
    assert [m for m in scoring if f"{PACKAGE}.runs" in graph[m]] == []
    assert f"{PACKAGE}.evaluation.selection" in graph[f"{PACKAGE}.experiments"]


def test_library_never_imports_the_command_line():
    graph = _import_graph()
    for name, targets in graph.items():
        if name.startswith("audiogan_lesson.cli") or name == "audiogan_lesson.__main__":
            continue
        assert not any(t.startswith("audiogan_lesson.cli") for t in targets), name


def test_torchaudio_is_imported_only_in_env():
    offenders = []
    for name, path in _modules().items():
        if name == "audiogan_lesson.env":
            continue
        for node, module, _ in _imports(path):
            if module == "torchaudio" or module.startswith("torchaudio."):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, \
        f"torchaudio imported outside env.py (use env.import_torchaudio): {offenders}"


# What Colab's GPU image has installed (the ones the course must not replace): its torch and
# torchaudio pair, IPython and ipywidgets 7, on Python 3.12 or 3.13.
COLAB_PREINSTALLED = {"torch": "2.11.0", "torchaudio": "2.11.0", "ipywidgets": "7.7.1",
                      "ipython": "7.34.0"}


def test_installing_over_colab_upgrades_none_of_its_packages():
    """pip upgrades an installed package only when a requirement excludes its version: every
    requirement of the package admits Colab's versions, and its Python floor admits Colab's."""
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    project = _pyproject()["project"]
    for python in ("3.12", "3.13"):
        assert python in SpecifierSet(project["requires-python"])
    required = {Requirement(r).name.lower(): Requirement(r) for r in project["dependencies"]}
    for name, version in COLAB_PREINSTALLED.items():
        assert name in required, f"{name} is not a requirement; drop it from this list"
        assert version in required[name].specifier, \
            f"{required[name]} would replace Colab's {name} {version}"
    assert "jupyterlab" not in required and "ipykernel" not in required  # Colab has its own


def test_make_installs_jupyterlab_through_the_lab_extra():
    extras = _pyproject()["project"]["optional-dependencies"]
    assert {re.split(r"[<>=]", r)[0] for r in extras["lab"]} == {"jupyterlab", "ipykernel"}
    assert "-e '.[lab,test]'" in (REPO / "Makefile").read_text()


def test_one_version_named_in_pyproject_the_package_and_the_readme():
    from audiogan_lesson import __version__
    from audiogan_lesson.course import COLAB_PREFIX

    assert _pyproject()["project"]["version"] == __version__
    assert COLAB_PREFIX in (REPO / "README.md").read_text()
