"""The course tool: build student notebooks from the solutions, execute solutions, verify pairing.

The solution notebooks in ``solutions/`` are the only source. An exercise's answer sits in a
code cell between ``# BEGIN SOLUTION Exercise N.k: instruction`` and ``# END SOLUTION``; the
student copy in ``notebooks/`` replaces it with a stub that raises
``NotImplementedError("Exercise N.k: instruction")``, and the exercise cell and its check cells
get the ``raises-exception`` tag so nbval allows exactly that error. Outputs are cleared except
in cells marked ``# NBVAL_CHECK_OUTPUT``. Every notebook is paired with a jupytext percent
``.py`` twin.

Command line::

    python -m audiogan_lesson.course build              # write notebooks/ from solutions/
    python -m audiogan_lesson.course check              # fail if anything is stale or unpaired,
                                                        # or two notebooks score a run apart
    python -m audiogan_lesson.course execute 00_welcome --profile laptop
                                                        # run a solution (.py) into its .ipynb
    python -m audiogan_lesson.course time --profile laptop
                                                        # minutes per notebook, from empty runs
    python -m audiogan_lesson.course ship RUN_DIR 05_wavegan_10min --command "..." \
        --options '{"steps": 1000000000, "max_seconds": 600.0, "checkpoint_every": 500}'
                                                        # a run into audiogan_lesson/shipped/
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

try:
    import jupytext
    import nbclient
    import nbformat
except ImportError as exc:  # pragma: no cover - the test extra installs them
    raise ImportError("the course tool needs jupytext, nbformat and nbclient: "
                      "pip install -e '.[test]'") from exc

from . import __version__
from .evaluation.run_scores import score_lines
from .profiles import PROFILE_NAMES

REPO_ROOT = Path(__file__).resolve().parent.parent
GITHUB_REPO = "audiogan-lesson/audiogan-lesson"
# One version of the course, named once: the release tag the Colab badges open and the package
# version every setup cell installs on Colab (from the package index: the package alone, no
# executed notebooks). A new release changes __version__; `course check` and a test then name
# every notebook whose setup cell or badge still points at the old one.
RELEASE = f"v{__version__}"
COLAB_PREFIX = f"https://colab.research.google.com/github/{GITHUB_REPO}/blob/{RELEASE}/"
COLAB_INSTALL = f"audiogan-lesson=={__version__}"
SETUP_CELL = f'''import subprocess
import sys

KEEP_ON_DRIVE = None  # Colab: True keeps runs and datasets on Google Drive; None: with a GPU only
if "google.colab" in sys.modules:  # install the course; Colab's torch, torchaudio, ipywidgets stay
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{COLAB_INSTALL}"], check=True)
    from audiogan_lesson.paths import colab_setup

    colab_setup(KEEP_ON_DRIVE)
'''
PY_FORMAT = "py:percent"
RAISES_TAG = "raises-exception"
CHECK_OUTPUT_MARKER = "# NBVAL_CHECK_OUTPUT"

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?P<rest>.*)$")
_END = re.compile(r"^[ \t]*# END SOLUTION\s*$")
_LABEL = re.compile(r"^\s*(?P<label>Exercise (?P<nb>\d+)\.(?P<k>\d+))\s*:\s*(?P<text>\S.*?)\s*$")
_CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")


class CourseError(ValueError):
    """A solution notebook breaks the course conventions; the message names notebook and cell."""


@dataclass(frozen=True)
class Exercise:
    """One exercise found in a solution notebook."""

    label: str  # "Exercise 4.1"
    text: str  # the one-line instruction
    cell: int  # index of the code cell in the notebook




def notebook_number(name: str) -> int:
    """``"04_wavegan_phase_shuffle"`` -> 4."""
    match = re.match(r"^(\d+)_", name)
    if not match:
        raise CourseError(f"{name}: notebook names start with a number, like 04_wavegan")
    return int(match.group(1))


def stub_source(source: str, where: str, number: int | None = None) -> tuple[str, list[Exercise]]:
    """Replace every solution block in a cell's ``source`` by a stub; return it and the exercises.

    ``where`` names the notebook and cell in error messages; ``number`` is the notebook's number,
    which every exercise label must carry (``Exercise 4.k`` in notebook 04).
    """
    out: list[str] = []
    found: list[Exercise] = []
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        begin = _BEGIN.match(lines[i])
        if not begin:
            if _END.match(lines[i]):
                raise CourseError(f"{where}: '# END SOLUTION' without a '# BEGIN SOLUTION' "
                                  "before it")
            out.append(lines[i])
            i += 1
            continue
        label = _LABEL.match(begin.group("rest"))
        if not label:
            raise CourseError(
                f"{where}: write the exercise after BEGIN SOLUTION, like "
                f"'# BEGIN SOLUTION Exercise 4.1: shift by k and fill by reflection'; "
                f"got {lines[i].strip()!r}"
            )
        if number is not None and int(label.group("nb")) != number:
            raise CourseError(
                f"{where}: {label.group('label')} is in notebook {number:02d}; "
                f"number it Exercise {number}.{label.group('k')}"
            )
        j = i + 1
        while j < len(lines) and not _END.match(lines[j]):
            if _BEGIN.match(lines[j]):
                raise CourseError(f"{where}: nested '# BEGIN SOLUTION' inside "
                                  f"{label.group('label')}")
            j += 1
        if j == len(lines):
            raise CourseError(f"{where}: {label.group('label')} has no '# END SOLUTION' line")
        indent = begin.group("indent")
        message = f"{label.group('label')}: {label.group('text')}"
        out.append(f"{indent}# YOUR CODE HERE")
        out.append(f"{indent}raise NotImplementedError({message!r})")
        found.append(Exercise(label.group("label"), label.group("text"), -1))
        i = j + 1
    return "\n".join(out), found


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _set_tags(cell, tags: list[str]) -> None:
    if tags:
        cell.setdefault("metadata", {})["tags"] = tags
    else:
        cell.get("metadata", {}).pop("tags", None)


def to_student(solution, name: str = "notebook"):
    """The student copy of a solution notebook (an ``nbformat.NotebookNode``); the input is kept.

    Solution blocks become stubs, exercise and check cells get the ``raises-exception`` tag,
    outputs are cleared except in cells marked ``# NBVAL_CHECK_OUTPUT``, and Colab links point
    at ``notebooks/`` instead of ``solutions/``.
    """
    nb = copy.deepcopy(solution)
    number = notebook_number(name) if re.match(r"^\d+_", name) else None
    exercises: list[Exercise] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace(f"{COLAB_PREFIX}solutions/",
                                              f"{COLAB_PREFIX}notebooks/")
            cell.source = cell.source.replace("(solution copy)", "(student copy)")
            continue
        if cell.cell_type != "code":
            continue
        source, found = stub_source(cell.source, f"{name} cell {index}", number)
        tags = _tags(cell)
        if found:
            cell.source = source
            exercises.extend(Exercise(e.label, e.text, index) for e in found)
        if found or (exercises and _CHECK_CALL.search(cell.source)):
            if RAISES_TAG not in tags:
                tags.append(RAISES_TAG)
        _set_tags(cell, tags)
        if CHECK_OUTPUT_MARKER not in cell.source:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    return nb


def list_exercises(solution, name: str = "notebook") -> list[Exercise]:
    """The exercises of a solution notebook, in order."""
    number = notebook_number(name) if re.match(r"^\d+_", name) else None
    found: list[Exercise] = []
    for index, cell in enumerate(solution.cells):
        if cell.cell_type == "code":
            _, ex = stub_source(cell.source, f"{name} cell {index}", number)
            found.extend(Exercise(e.label, e.text, index) for e in ex)
    return found


# ----------------------------------------------------------------------------- files


def solution_names(root: Path = REPO_ROOT) -> list[str]:
    """Names (without suffix) of the solution notebooks, from their ``.py`` or ``.ipynb`` files."""
    folder = root / "solutions"
    names = ({p.stem for p in folder.glob("[0-9]*.py")}
             | {p.stem for p in folder.glob("[0-9]*.ipynb")})
    return sorted(names)


def _read_ipynb(path: Path):
    return nbformat.read(path, as_version=4)


def _write_pair(nb, ipynb_path: Path) -> None:
    """Write ``nb`` to ``ipynb_path`` and its jupytext percent twin ``.py``."""
    nb = copy.deepcopy(nb)
    meta = nb.metadata.setdefault("jupytext", {})
    meta["formats"] = f"ipynb,{PY_FORMAT}"
    meta["cell_metadata_filter"] = "tags,-all"  # keep raises-exception tags in the .py twin
    meta["notebook_metadata_filter"] = "kernelspec,jupytext,-all"
    meta.pop("text_representation", None)
    nb.metadata.pop("widgets", None)
    ipynb_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    ipynb_path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    jupytext.write(nb, ipynb_path.with_suffix(".py"), fmt=PY_FORMAT)


def _cells_key(nb, with_outputs: bool) -> list[tuple]:
    """What must agree between two notebooks: cell types, sources, tags (and outputs)."""
    key = []
    for cell in nb.cells:
        item = [cell.cell_type, cell.source.strip("\n"), tuple(_tags(cell))]
        if with_outputs and cell.cell_type == "code":
            item.append(_outputs_key(cell.get("outputs", [])))
        key.append(tuple(item))
    return key


def _outputs_key(outputs) -> tuple:
    result = []
    for out in outputs:
        out = dict(out)
        if out.get("output_type") in ("execute_result",):
            out.pop("execution_count", None)
        result.append(repr(sorted((k, repr(v)) for k, v in out.items())))
    return tuple(result)


def _first_difference(a: list[tuple], b: list[tuple]) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"cell {i} differs"
    return f"{len(a)} cells against {len(b)}"


def pair_problems(ipynb_path: Path) -> list[str]:
    """Problems between ``X.ipynb`` and its jupytext twin ``X.py`` (empty when in sync)."""
    py_path = ipynb_path.with_suffix(".py")
    rel = lambda p: p.relative_to(REPO_ROOT) if p.is_relative_to(REPO_ROOT) else p  # noqa: E731
    if not ipynb_path.exists():
        return [f"{rel(ipynb_path)} is missing; "
                f"run: python -m audiogan_lesson.course execute {ipynb_path.stem}"]
    if not py_path.exists():
        return [f"{rel(py_path)} is missing; run: jupytext --sync {rel(ipynb_path)}"]
    a = _cells_key(_read_ipynb(ipynb_path), with_outputs=False)
    b = _cells_key(jupytext.read(py_path), with_outputs=False)
    if a != b:
        return [f"{rel(ipynb_path)} and {rel(py_path)} are out of sync "
                f"({_first_difference(a, b)}); "
                f"edit one and run: jupytext --sync {rel(py_path)}"]
    return []


def build(root: Path = REPO_ROOT, check: bool = False, names: list[str] | None = None) -> list[str]:
    """Build ``notebooks/`` from ``solutions/``; with ``check=True`` write nothing, report
    staleness.

    Returns the list of problems (empty when everything is in order). Without ``check`` the
    student notebooks are (re)written, and the problems are those that building cannot fix.
    """
    problems: list[str] = []
    names = names or solution_names(root)
    for name in names:
        sol = root / "solutions" / f"{name}.ipynb"
        pair = pair_problems(sol)
        if pair:
            problems.extend(pair)
            continue
        student = to_student(_read_ipynb(sol), name)
        target = root / "notebooks" / f"{name}.ipynb"
        if not check:
            _write_pair(student, target)
            continue
        if not target.exists() or not target.with_suffix(".py").exists():
            problems.append(f"notebooks/{name} is missing; "
                            "run: python -m audiogan_lesson.course build")
            continue
        want = _cells_key(student, with_outputs=True)
        have = _cells_key(_read_ipynb(target), with_outputs=True)
        if want != have:
            problems.append(f"notebooks/{name}.ipynb is stale ({_first_difference(want, have)}); "
                            "run: python -m audiogan_lesson.course build")
        if (_cells_key(jupytext.read(target.with_suffix(".py")), False)
                != _cells_key(student, False)):
            problems.append(f"notebooks/{name}.py is stale; "
                            "run: python -m audiogan_lesson.course build")
    if check and names == solution_names(root):
        known = set(names)
        for path in sorted((root / "notebooks").glob("[0-9]*.ipynb")):
            if path.stem not in known:
                problems.append(f"notebooks/{path.name} has no solution in solutions/; remove it")
        problems.extend(score_problems(root))
    return problems


def setup_problems(root: Path = REPO_ROOT) -> list[str]:
    """Solutions whose first code cell does not begin with :data:`SETUP_CELL`, or whose Colab
    badge opens another release than :data:`RELEASE`. Part of ``check``."""
    problems = []
    for name in solution_names(root):
        nb = jupytext.read(root / "solutions" / f"{name}.py")
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        if not code or not code[0].startswith(SETUP_CELL):
            problems.append(f"solutions/{name}.py: the first code cell must begin with the "
                            "course's setup cell (audiogan_lesson.course.SETUP_CELL, which "
                            f"installs {COLAB_INSTALL} on Colab); copy it from there")
        badges = re.findall(r"https://colab\.research\.google\.com/github/\S+?\.ipynb",
                            "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
        wanted = f"{COLAB_PREFIX}solutions/{name}.ipynb"
        if badges != [wanted]:
            problems.append(f"solutions/{name}.py: its one Colab badge must open {wanted}; "
                            f"found {badges or 'none'}")
    return problems


def _printed_text(nb) -> str:
    """Everything a notebook's code cells printed (streams and plain-text results)."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif "text/plain" in out.get("data", {}):
                parts.append(out["data"]["text/plain"])
    return "\n".join(parts)


def score_problems(root: Path = REPO_ROOT) -> list[str]:
    """Where the executed solutions tell different stories about the same training run.

    Every line that :meth:`evaluation.run_scores.RunScore.line` printed in a solution's stored
    outputs names a run; two notebooks that print different lines for one run are a problem,
    and so is a run that notebooks 02-06 print but notebook 07 (which scores every run they
    made or loaded) does not. Part of ``check``.
    """
    printed = {path.stem: score_lines(_printed_text(_read_ipynb(path)))
               for path in sorted((root / "solutions").glob("[0-9]*.ipynb"))}
    evaluation = next((name for name in printed if name.startswith("07_")), None)
    problems = []
    names = sorted(printed)
    for i, name in enumerate(names):
        for other in names[i + 1:]:
            for run in sorted(printed[name].keys() & printed[other].keys()):
                if printed[name][run] != printed[other][run]:
                    problems.append(
                        f"run {run}: solutions/{name}.ipynb prints '{printed[name][run]}' but "
                        f"solutions/{other}.ipynb prints '{printed[other][run]}'; execute both "
                        "again in one runs folder, in the course's order")
        if evaluation and name < evaluation and name[:2] in ("02", "03", "04", "05", "06"):
            for run in sorted(printed[name].keys() - printed[evaluation].keys()):
                problems.append(f"run {run}: solutions/{name}.ipynb scores it but "
                                f"solutions/{evaluation}.ipynb does not; execute {evaluation} "
                                f"again after {name} in the same runs folder")
    return problems


@contextlib.contextmanager
def _environment(**values: str):
    """Set environment variables for the kernels started inside (restored after)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_solution(name: str, profile: str, root: Path, timeout: int, **env: str):
    """Execute ``solutions/<name>.py`` in a fresh kernel under ``profile``; the notebook."""
    src = root / "solutions" / f"{name}.py"
    if not src.exists():
        raise FileNotFoundError(f"{src} does not exist; "
                                "solutions are written as jupytext .py files")
    nb = jupytext.read(src)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    backend = os.environ.get("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    with _environment(AUDIOGAN_PROFILE=profile, MPLBACKEND=backend, **env):
        nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(src.parent)}}).execute()
    return nb


def execute(name: str, profile: str = "laptop", root: Path = REPO_ROOT,
            timeout: int = 3600) -> Path:
    """Run ``solutions/<name>.py`` top to bottom in a fresh kernel under ``profile``.

    Writes the executed ``solutions/<name>.ipynb`` and its ``.py`` twin, then rebuilds the
    student copy. Raises when a cell fails (the solution must run clean).
    """
    nb = _run_solution(name, profile, root, timeout)
    target = root / "solutions" / f"{name}.ipynb"
    _write_pair(nb, target)
    build(root, names=[name])
    return target


@dataclass(frozen=True)
class Timing:
    """How long a notebook took: from an empty runs folder (``first_s``), again with the runs
    that made (``again_s``, None when not measured), and its slowest cell in the first run."""

    name: str
    profile: str
    first_s: float
    again_s: float | None
    slowest_cell: int
    slowest_cell_s: float

    def row(self) -> str:
        again = f"{self.again_s / 60:.1f}" if self.again_s is not None else "-"
        return (f"| {self.name} | {self.first_s / 60:.1f} | {again} | cell {self.slowest_cell}, "
                f"{self.slowest_cell_s / 60:.1f} min |")


def _slowest_cell(nb) -> tuple[int, float]:
    """The code cell (index among code cells) that took longest, from nbclient's timestamps."""
    best = (0, 0.0)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        stamps = cell.metadata.get("execution", {})
        start, end = stamps.get("iopub.execute_input"), stamps.get("shell.execute_reply")
        if start and end:
            seconds = (datetime.fromisoformat(end.replace("Z", "+00:00"))
                       - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
            best = max(best, (i, seconds), key=lambda t: t[1])
    return best


def time_notebooks(names: list[str], profile: str = "laptop", root: Path = REPO_ROOT,
                   again: bool = True, timeout: int = 3600, out=print) -> list[Timing]:
    """Execute each solution as a student's fresh machine would, and time it.

    Each notebook starts from its own empty runs folder (``AUDIOGAN_RUNS``, so every run it
    trains or loads, and the evaluation classifier, is made from scratch) and, with ``again``,
    runs a second time over the runs the first made (a student's re-run, which loads instead of
    training). Nothing is written into the repository.
    """
    timings = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"audiogan-time-{name}-") as runs:
            out(f"timing solutions/{name}.py ({profile} profile, empty runs folder) ...")
            start = time.perf_counter()
            nb = _run_solution(name, profile, root, timeout, AUDIOGAN_RUNS=runs)
            first = time.perf_counter() - start
            second = None
            if again:
                out("  again, with the runs it made ...")
                start = time.perf_counter()
                _run_solution(name, profile, root, timeout, AUDIOGAN_RUNS=runs)
                second = time.perf_counter() - start
        cell, seconds = _slowest_cell(nb)
        timings.append(Timing(name, profile, first, second, cell, seconds))
        out(f"  {timings[-1].row()}")
    return timings


def timing_table(timings: list[Timing]) -> str:
    """The Markdown table of :func:`time_notebooks` (minutes)."""
    lines = ["| notebook | minutes, empty runs folder | minutes, again | slowest cell |",
             "|---|---|---|---|"]
    return "\n".join(lines + [t.row() for t in timings])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audiogan_lesson.course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="write notebooks/ from solutions/")
    p_build.add_argument("names", nargs="*", help="notebook names (default: all)")
    sub.add_parser("check", help="exit 1 if a student notebook is stale or a pair is out of sync")
    p_exec = sub.add_parser("execute", help="execute solutions/NAME.py into NAME.ipynb, then build")
    p_exec.add_argument("names", nargs="*", help="notebook names (default: all)")
    p_exec.add_argument("--profile", default="laptop", choices=list(PROFILE_NAMES))
    p_time = sub.add_parser("time", help="execute solutions from empty runs folders and print the "
                                         "minutes each took (nothing is written)")
    p_time.add_argument("names", nargs="*", help="notebook names (default: all)")
    p_time.add_argument("--profile", default="laptop", choices=list(PROFILE_NAMES))
    p_time.add_argument("--no-again", action="store_true", help="skip the second execution")
    p_time.add_argument("--json", type=Path, help="also write the timings to this JSON file")
    p_ship = sub.add_parser("ship", help="measure a finished run and write it into the package's "
                                         "shipped runs (audiogan_lesson/shipped/NAME)")
    p_ship.add_argument("run_dir", type=Path)
    p_ship.add_argument("name", help="the shipped run's name, as train_or_load(shipped=NAME)")
    p_ship.add_argument("--command", dest="made_by", required=True,
                        help="the exact command that made the run")
    p_ship.add_argument("--options", default="{}",
                        help="JSON: make_experiment's keyword arguments that the command set")
    p_ship.add_argument("--notes", default="", help="the machine and how it was used")
    p_ship.add_argument("--profile", default="laptop", choices=list(PROFILE_NAMES))
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="course folder holding solutions/ and notebooks/ "
                             "(default: this repository)")
    args = parser.parse_args(argv)
    try:
        if args.command == "execute":
            for name in args.names or solution_names(args.root):
                print(f"executing solutions/{name}.py ({args.profile} profile)", flush=True)
                execute(name, profile=args.profile, root=args.root)
            return 0
        if args.command == "ship":
            from .evaluation.run_scores import shipping_scores
            from .profiles import get_profile
            from .runs import ship_run

            profile = get_profile(args.profile, device="cpu")
            scores = shipping_scores(args.run_dir, profile)
            folder = ship_run(args.run_dir, args.name, args.made_by, scores, args.profile,
                              notes=args.notes, options=json.loads(args.options))
            print(f"shipped {args.run_dir} as {folder}: IS {scores['IS']:.2f} of real "
                  f"{scores['IS_real']:.2f}; independent listener {scores['listener']['IS']:.2f}"
                  f" of {scores['listener']['IS_real']:.2f}")
            return 0
        if args.command == "time":
            timings = time_notebooks(args.names or solution_names(args.root), args.profile,
                                     args.root, again=not args.no_again)
            print(timing_table(timings))
            if args.json:
                args.json.write_text(json.dumps([asdict(t) for t in timings], indent=1))
            return 0
        problems = build(args.root, check=args.command == "check",
                         names=getattr(args, "names", None) or None)
        if args.command == "check":
            problems += setup_problems(args.root)
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("student notebooks are up to date" if args.command == "check" else "built notebooks/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
