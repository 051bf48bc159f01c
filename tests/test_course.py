"""The course tool: stubs, tags, outputs, staleness and pairing (audiogan_lesson.course)."""

import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from audiogan_lesson import course

REPO = Path(__file__).resolve().parent.parent


def _solution_notebook():
    exercise = new_code_cell(
        "def shift(x, k):\n"
        "    '''Shift x by k.'''\n"
        "    # BEGIN SOLUTION Exercise 4.1: shift x by k samples\n"
        "    y = x[k:]\n"
        "    return y\n"
        "    # END SOLUTION\n"
    )
    exercise.outputs = [new_output("stream", name="stdout", text="defined\n")]
    check = new_code_cell("check_phase_shuffle(shift)")
    check.outputs = [new_output("stream", name="stdout", text="[PASS] Exercise 4.1\n")]
    table = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(19065345)")
    table.outputs = [new_output("stream", name="stdout", text="19065345\n")]
    plain = new_code_cell(course.SETUP_CELL + "x = 1")  # the setup cell every notebook has
    plain.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=3)]
    badge = new_markdown_cell(f"[badge]({course.COLAB_PREFIX}solutions/04_x.ipynb)")
    return new_notebook(cells=[badge, plain, exercise, check, table])


def test_solution_block_becomes_stub_with_message_and_tag():
    student = course.to_student(_solution_notebook(), "04_x")
    cell = student.cells[2]
    assert "BEGIN SOLUTION" not in cell.source and "x[k:]" not in cell.source
    assert "    raise NotImplementedError('Exercise 4.1: shift x by k samples')" in cell.source
    assert cell.source.startswith("def shift(x, k):\n    '''Shift x by k.'''")
    assert "raises-exception" in cell.metadata["tags"]
    # the stubbed function really raises the exercise's error
    namespace = {}
    exec(cell.source, namespace)
    with pytest.raises(NotImplementedError, match="Exercise 4.1"):
        namespace["shift"]([1, 2], 1)


def test_check_cell_tagged_plain_cell_not():
    student = course.to_student(_solution_notebook(), "04_x")
    assert "raises-exception" in student.cells[3].metadata["tags"]
    assert "tags" not in student.cells[1].metadata


def test_outputs_cleared_except_check_output_cells():
    solution = _solution_notebook()
    student = course.to_student(solution, "04_x")
    assert student.cells[1].outputs == [] and student.cells[1].execution_count is None
    assert student.cells[2].outputs == [] and student.cells[3].outputs == []
    assert student.cells[4].outputs[0]["text"] == "19065345\n"
    # the solution itself is untouched
    assert "BEGIN SOLUTION" in solution.cells[2].source and solution.cells[1].outputs


def test_colab_badge_points_at_student_copy():
    student = course.to_student(_solution_notebook(), "04_x")
    assert f"{course.COLAB_PREFIX}notebooks/04_x.ipynb" in student.cells[0].source


@pytest.mark.parametrize(
    "source, message",
    [
        ("    # BEGIN SOLUTION Exercise 4.1: a\n    pass\n", "no '# END SOLUTION'"),
        ("    # BEGIN SOLUTION\n    pass\n    # END SOLUTION\n", "write the exercise after BEGIN"),
        ("    # BEGIN SOLUTION Exercise 3.1: a\n    pass\n    # END SOLUTION\n",
         "number it Exercise 4.1"),
        ("    pass\n    # END SOLUTION\n", "without a '# BEGIN SOLUTION'"),
    ],
)
def test_malformed_blocks_name_the_cell(source, message):
    with pytest.raises(course.CourseError, match="04_x cell 0") as err:
        course.stub_source(source, "04_x cell 0", 4)
    assert message in str(err.value)


def test_list_exercises():
    found = course.list_exercises(_solution_notebook(), "04_x")
    assert [(e.label, e.text, e.cell) for e in found] == [
        ("Exercise 4.1", "shift x by k samples", 2)]


@pytest.fixture()
def mini_course(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "notebooks").mkdir()
    nb = _solution_notebook()
    course._write_pair(nb, tmp_path / "solutions" / "04_x.ipynb")
    return tmp_path


def test_build_then_check_is_clean(mini_course):
    assert course.build(mini_course) == []
    assert (mini_course / "notebooks" / "04_x.ipynb").exists()
    assert (mini_course / "notebooks" / "04_x.py").exists()
    assert course.build(mini_course, check=True) == []
    py = (mini_course / "notebooks" / "04_x.py").read_text()
    assert 'tags=["raises-exception"]' in py and "BEGIN SOLUTION" not in py


def test_check_detects_hand_edited_student_notebook(mini_course):
    course.build(mini_course)
    path = mini_course / "notebooks" / "04_x.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("raise NotImplementedError", "return x  #")
    nbformat.write(nb, path)
    problems = course.build(mini_course, check=True)
    assert any("04_x.ipynb is stale (cell 2 differs)" in p for p in problems)


def test_check_detects_changed_solution(mini_course):
    course.build(mini_course)
    path = mini_course / "solutions" / "04_x.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = "x = 2"
    course._write_pair(nb, path)
    assert any("stale" in p for p in course.build(mini_course, check=True))


def test_check_detects_unsynced_pair_and_orphans(mini_course):
    course.build(mini_course)
    py = mini_course / "solutions" / "04_x.py"
    py.write_text(py.read_text().replace("x = 1", "x = 42"))
    shutil.copy(mini_course / "notebooks" / "04_x.ipynb",
                mini_course / "notebooks" / "09_orphan.ipynb")
    problems = course.build(mini_course, check=True)
    assert any("out of sync" in p and "jupytext --sync" in p for p in problems)
    assert any("09_orphan.ipynb has no solution" in p for p in problems)


def test_repository_student_notebooks_are_fresh_and_paired():
    """The committed notebooks/ equal a fresh build of solutions/, and every pair is in sync."""
    assert course.solution_names(REPO), "no solution notebooks found"
    assert course.build(REPO, check=True) == []


def test_every_notebook_has_a_py_twin_in_sync():
    for folder in ("solutions", "notebooks"):
        for ipynb in sorted((REPO / folder).glob("*.ipynb")):
            assert course.pair_problems(ipynb) == [], ipynb
            text = jupytext.read(ipynb.with_suffix(".py"))
            assert text.metadata["jupytext"]["formats"] == "ipynb,py:percent"


def test_solutions_are_committed_executed():
    for ipynb in sorted((REPO / "solutions").glob("*.ipynb")):
        nb = nbformat.read(ipynb, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count is not None for c in code), \
            f"{ipynb.name} is not fully executed"
        assert not any(o.get("output_type") == "error" for c in code for o in c.outputs), ipynb.name


def test_cli_check_exit_code(mini_course, capsys):
    root = ["--root", str(mini_course)]
    assert course.main([*root, "check"]) == 1
    assert course.main([*root, "build"]) == 0
    assert course.main([*root, "check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_time_runs_each_notebook_from_an_empty_runs_folder_then_again(tmp_path, capsys):
    (tmp_path / "solutions").mkdir()
    runs_log = tmp_path / "runs_seen.txt"
    # the notebook "trains" when its runs folder is empty and "loads" when it is not
    source = ("# %%\nimport os, time\nfrom pathlib import Path\n"
              "runs = Path(os.environ['AUDIOGAN_RUNS'])\n"
              f"with open({str(runs_log)!r}, 'a') as f:\n"
              "    f.write(f\"{os.environ['AUDIOGAN_PROFILE']} {runs} "
              "{sorted(p.name for p in runs.iterdir())}\\n\")\n"
              "# %%\nif not (runs / 'done').exists():\n"
              "    time.sleep(1.5)\n    (runs / 'done').touch()\n")
    (tmp_path / "solutions" / "00_tiny.py").write_text(source)
    assert course.main(["--root", str(tmp_path), "time", "00_tiny", "--profile", "smoke",
                        "--json", str(tmp_path / "t.json")]) == 0
    out = capsys.readouterr().out
    assert "| notebook | minutes, empty runs folder | minutes, again | slowest cell |" in out
    first, second = runs_log.read_text().splitlines()
    assert first.endswith("[]") and second.endswith("['done']")  # empty, then the runs it made
    assert first.split()[:2] == second.split()[:2] and first.startswith("smoke ")
    assert not Path(first.split()[1]).exists()  # the temporary runs folder is gone
    timing = __import__("json").loads((tmp_path / "t.json").read_text())[0]
    assert timing["name"] == "00_tiny" and timing["slowest_cell"] == 1
    # the sleeping cell is the slowest; the totals also hold two kernel starts, which vary
    # by seconds on a shared machine, so they are only checked to cover that cell
    assert timing["slowest_cell_s"] >= 1.5 and timing["first_s"] >= timing["slowest_cell_s"]
    assert timing["again_s"] > 0
    assert not (tmp_path / "solutions" / "00_tiny.ipynb").exists()  # nothing written


def test_every_setup_cell_installs_this_release_and_every_badge_opens_it():
    """One version named once (audiogan_lesson.__version__): every solution's setup cell installs
    it on Colab and every Colab badge opens its tag."""
    from audiogan_lesson import __version__

    assert course.COLAB_INSTALL == f"audiogan-lesson=={__version__}"
    assert f"/blob/v{__version__}/" in course.COLAB_PREFIX
    assert course.setup_problems(REPO) == []


def test_a_setup_cell_or_badge_of_another_release_is_named(tmp_path):
    (tmp_path / "solutions").mkdir()
    source = (REPO / "solutions" / "00_welcome.py").read_text()
    stale = source.replace(course.COLAB_INSTALL, "audiogan-lesson==0.0.9").replace(
        course.COLAB_PREFIX, course.COLAB_PREFIX.replace(course.RELEASE, "main"))
    (tmp_path / "solutions" / "00_welcome.py").write_text(stale)
    (tmp_path / "solutions" / "00_welcome.ipynb").write_text("{}")
    problems = course.setup_problems(tmp_path)
    assert len(problems) == 2
    assert "setup cell" in problems[0] and course.COLAB_INSTALL in problems[0]
    assert "blob/main" in problems[1] and course.RELEASE in problems[1]
