"""The course in a real browser: JupyterLab on localhost, headless Chromium, "Run All Cells".

For notebook 06 (audio players, figures and ipywidgets sliders), the student copy and the
solution are opened in JupyterLab, run with "Run All Cells" in the smoke profile, and saved.
Then: every code cell ran; the audio players, the figures and a widget control are on the page;
and the saved notebook holds no error except, in the student copy, those of the cells tagged
``raises-exception`` (the exercise stubs and their checks, NotImplementedError).

No click races the kernel: the server exposes JupyterLab's application object to the page
(``--LabApp.expose_app_in_browser``), the test waits until the notebook's kernel is connected,
idle and has answered ``kernel_info``, and only then runs JupyterLab's own
``notebook:run-all-cells`` command and waits for every cell through the notebook's model.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package. Without them
the test is skipped, unless ``AUDIOGAN_BROWSER_TESTS=1`` (as ``.ci/run`` sets after installing
them), where a missing browser fails.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "06_gansynth_progressive.ipynb"
REQUIRED = os.environ.get("AUDIOGAN_BROWSER_TESTS", "").strip() in ("1", "true", "yes")

# two notebooks of about 25 s each; a hang fails here, naming the test
pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on localhost over a copy of the two notebooks: (url, token, folder)."""
    missing = _missing()
    if missing:
        if REQUIRED:
            pytest.fail(f"AUDIOGAN_BROWSER_TESTS=1 but {missing}")
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("lab")
    for part in ("notebooks", "solutions"):
        (folder / part).mkdir()
        shutil.copy(ROOT / part / NOTEBOOK, folder / part / NOTEBOOK)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "audiogan-browser-test"
    home = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ, AUDIOGAN_PROFILE="smoke", JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_DATA_DIR=str(home / "data"))
    settings = home / "settings"
    for name, values in {  # every cell in the page (no windowing), no news or update toasts
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
            {"windowingMode": "none", "autoStartDefaultKernel": True},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "workspaces")
    env.pop("JUPYTER_PATH", None)
    env.pop("MPLBACKEND", None)  # the test run's Agg would hide the figures: a student has inline
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={folder}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class="
               "jupyterlab.NeverCheckForUpdate", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")
    log = open(home / "server.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n"
                                + (home / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield url, token, folder
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def browser(lab, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.save_screenshot(str(tmp_path / "last_page.png"))  # for a failure's post-mortem
        driver.quit()


# JupyterLab's application object (``--LabApp.expose_app_in_browser``) and the notebook panel
# of ``path``, found by its context's path once the page has made it.
_PANEL = """
const app = window.jupyterapp;
if (!app || !app.shell) return null;
for (const w of app.shell.widgets('main')) {
  if (w.context && w.context.path === arguments[0] && w.sessionContext) {
    window.__panel = w;
    return true;
  }
}
return null;
"""

# True once the notebook's kernel is started, connected and idle, and has answered its
# kernel_info request: from then on an execute request cannot be lost.
_KERNEL_READY = """
const done = arguments[arguments.length - 1];
const panel = window.__panel;
(async () => {
  await panel.context.ready;
  await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel) return "no kernel";
  await kernel.info;
  // the reply comes on the shell channel; the status "idle" on iopub, a moment later
  while (!(kernel.connectionStatus === "connected" && kernel.status === "idle")) {
    if (kernel.isDisposed || kernel.status === "dead") return `kernel ${kernel.status}`;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return true;
})().then(done, e => done("error: " + e));
"""

# Start Run All Cells; its result lands in window.__runAll. The command's promise settles at
# the first cell that raises (ok: false) and resets the prompts of the cells not run yet, while
# the kernel goes on with the cells queued after a raises-exception cell: _STATE tells the rest.
_RUN_ALL = """
window.__runAll = null;
window.jupyterapp.commands.execute("notebook:run-all-cells").then(
  ok => { window.__runAll = {ok: ok}; }, e => { window.__runAll = {error: String(e)}; });
"""

# Where the run stands: the command settled, every code cell has run (its model holds an
# execution count), and the kernel is idle.
_STATE = """
const panel = window.__panel;
const code = panel.content.widgets.filter(c => c.model.type === "code");
return {settled: window.__runAll !== null,
        ran: code.every(c => c.model.executionCount !== null),
        idle: panel.sessionContext.session.kernel.status === "idle"};
"""


def _wait_for_run(driver, seconds: float, what: str, quiet: float = 5.0) -> None:
    """Wait until every code cell has run and the kernel is idle; or, when a cell failed and
    Run All stopped, until the kernel has been idle for ``quiet`` seconds (the caller's checks
    then say which cells did not run)."""
    deadline, idle_since = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        state = driver.execute_script(_STATE)
        if state["settled"] and state["idle"]:
            if state["ran"]:
                return
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > quiet:
                return
        else:
            idle_since = None
        time.sleep(0.25)
    pytest.fail(f"{what}: not finished within {seconds:.0f} s")


_SAVE = """
const done = arguments[arguments.length - 1];
window.__panel.context.save().then(() => done(true), e => done("error: " + e));
"""


def _prompts(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell "
        ".jp-InputArea-prompt')).map(e => e.textContent.trim())")


def _wait(driver, seconds: float, what: str, script: str, *args):
    """Poll ``script`` until it returns something truthy; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = driver.execute_script(script, *args)
        if found:
            return found
        time.sleep(0.25)
    pytest.fail(f"{what}: not within {seconds:.0f} s")


def _run_all(driver, url: str, token: str, path: str,
             timeout: float = float(os.environ.get("AUDIOGAN_BROWSER_TIMEOUT", 300))) -> dict:
    """Open ``path`` in JupyterLab, wait until its kernel is connected, run all cells through
    JupyterLab's own command, wait for that command to finish, save; the command's result."""
    workspace = path.split("/")[0]  # a fresh workspace per notebook: one notebook on the page
    driver.get(f"{url}/lab/workspaces/{workspace}/tree/{path}?reset&token={token}")
    _wait(driver, 120, f"JupyterLab did not open {path}", _PANEL, path)
    driver.set_script_timeout(120)
    ready = driver.execute_async_script(_KERNEL_READY)
    assert ready is True, f"{path}: the kernel did not become ready ({ready})"
    driver.execute_script(_RUN_ALL)
    _wait_for_run(driver, timeout, f"Run All Cells of {path}")
    result = driver.execute_script("return window.__runAll;")
    saved = driver.execute_async_script(_SAVE)
    assert saved is True, f"{path}: saving failed ({saved})"
    return result


def _rendered(driver) -> dict[str, int]:
    return driver.execute_script(
        "const q = s => document.querySelectorAll('.jp-Notebook ' + s).length;"
        "return {audio: q('.jp-OutputArea-output audio'),"
        "        figures: q('.jp-OutputArea-output img'),"
        "        sliders: q('.jp-OutputArea-output .widget-slider'),"
        "        widgets: q('.jp-OutputArea-output .jupyter-widgets')};")


def _errors(path: Path) -> list[tuple[list[str], str]]:
    """``(tags, error name)`` of every error output of the saved notebook."""
    nb = json.loads(path.read_text())
    return [(cell.get("metadata", {}).get("tags", []), out.get("ename", ""))
            for cell in nb["cells"] if cell["cell_type"] == "code"
            for out in cell.get("outputs", []) if out.get("output_type") == "error"]


@pytest.mark.parametrize("part", ["notebooks", "solutions"])
def test_notebook_runs_all_cells_in_a_real_browser(lab, browser, part):
    url, token, folder = lab
    result = _run_all(browser, url, token, f"{part}/{NOTEBOOK}")
    prompts = _prompts(browser)
    not_run = [i for i, p in enumerate(prompts) if p in ("[*]:", "[ ]:", "")]
    errors = _errors(folder / part / NOTEBOOK)
    assert "error" not in result, result  # the command itself failed
    assert result["ok"] == (part == "solutions"), result  # a student copy's stubs raise
    assert prompts and not not_run, (f"code cells that did not run: {not_run} of {len(prompts)}; "
                                     f"errors (tags, name): {errors}")
    from selenium.webdriver.support.ui import WebDriverWait
    # widgets and images render after their output arrives: give the page a moment
    WebDriverWait(browser, 30).until(lambda d: (lambda s: s["audio"] >= 2 and s["figures"] >= 2
                                                and s["sliders"] >= 1)(_rendered(d)))
    shown = _rendered(browser)
    assert shown["widgets"] >= 1, shown
    if part == "solutions":
        assert errors == [], errors
    else:
        assert errors, "the student copy's exercise stubs should raise"
        assert all("raises-exception" in tags and name == "NotImplementedError"
                   for tags, name in errors), errors
