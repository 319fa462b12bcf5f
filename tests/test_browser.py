"""The widgets work in a real browser: JupyterLab + headless Chromium, every notebook that has a widget.

JupyterLab is started the way the Chinese edition's learners start it, with ``make lab-zh`` (on a copy of the course),
so the same run shows that its menus are in Chinese; ``tests/test_lab.py`` checks that ``make lab`` stays English.

For each such notebook the test clears its outputs, runs its cells in JupyterLab (all of them up to the last
one that makes a widget or a progress bar: ``last_cell_to_run``), and asserts that
- no cell shows an error, and no output says "Error displaying widget";
- every widget is drawn as a widget, never as its text form (``VBox(children=...``, ``[Interactive: ...]``);
- moving each control (ArrowRight on a slider handle, another option in a dropdown, a click on a checkbox
  or button) changes the text or image that the control drives;
- tqdm progress bars are drawn as widgets, not as text;
- no figure is shrunk to fit: those it ran are measured as drawn, and the stored figures of the cells after the
  last widget are measured against the width of the page's output area.
On failure it saves a screenshot under the data folder (``browser-test/``) and names it in the message.

``make browser-test`` runs it (about a minute); ``make test`` leaves it out, to stay within its 3-minute budget, and
CI runs both. It needs Chromium (Debian: ``apt-get install chromium``; elsewhere set ``COURSE_CHROMIUM`` to a Chrome or
Chromium binary); without one it is skipped with that advice. ``.ci/run`` installs Chromium, so CI always
runs it (``COURSE_BROWSER_TEST=required`` turns the skip into a failure there).
The notebooks are copied to a temporary folder first, so nothing the browser does can change them. The English
notebooks share one kernel here (``english_kernel``), each running its own cells from its setup cell on; whether a
notebook runs in a fresh kernel is strict nbval's test, and this one is about what the front end draws.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from helpers.config import data_dir
from tests.chromium import CHROMIUM_ARGS, chromium_or_skip
from tests.test_lab import free_port, stop, wait_for_server

# make test leaves this module out (it keeps make test within its time budget): make browser-test runs it, and CI.
RUN_ENV = "COURSE_BROWSER_RUN"
if os.environ.get(RUN_ENV) != "1":
    pytest.skip("the browser test (JupyterLab + Chromium, about a minute) runs with make browser-test",
                allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
RUN_ALL_TIMEOUT_S = 150
# A figure drawn narrower than this share of its own width has been shrunk to fit: its text gets too small.
MIN_FIGURE_SCALE = 0.9
FIGURES_ENV = "COURSE_BROWSER_FIGURES"  # set to 1 to save a screenshot of every figure, for a legibility review
MOVE_TIMEOUT_S = 20
# How often the test looks at the page while it waits (a cell to finish, a widget's output to change and settle)
POLL_S = 0.1
# The text forms of widgets that mean "the front end could not draw this widget".
WIDGET_AS_TEXT = re.compile(
    r"\b(?:VBox|HBox|Box|IntSlider|FloatSlider|FloatLogSlider|Dropdown|Checkbox|Button|Output|Label|HTML|"
    r"FloatProgress|IntProgress|SelectionSlider)\((?:children|value|description|layout|options|outputs)="
    r"|\[Interactive: |\[交互控件：|Error displaying widget|IProgress not found"
)
# A tqdm bar that fell back to text: "12%|█▏   | 1/8".
TEXT_PROGRESS_BAR = re.compile(r"\d+%\|")
USES_WIDGETS = re.compile(r"ipywidgets|helpers\.widgets|\btqdm\b|\binteract\(")


# Of the Chinese edition only the start page is driven here: every Chinese notebook's code is token for token its
# English twin's (tests/test_zh_parity.py), so its widgets behave the same; what differs is their text, which strict
# nbval compares. The start page checks that Chinese widget text forms and labels are drawn as widgets too.
CHINESE_IN_BROWSER = {"zh/00_start_here.ipynb"}


def notebooks_with_widgets() -> list[str]:
    """Return the notebooks (relative to notebooks/) whose code makes a widget or a tqdm bar."""
    names = []
    for path in sorted(NOTEBOOKS.rglob("*.ipynb")):
        relative = path.relative_to(NOTEBOOKS).as_posix()
        if ".ipynb_checkpoints" in path.parts or (path.parent != NOTEBOOKS and relative not in CHINESE_IN_BROWSER):
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        if any(c["cell_type"] == "code" and USES_WIDGETS.search("".join(c["source"])) for c in cells):
            names.append(path.relative_to(NOTEBOOKS).as_posix())
    return names


def test_the_cells_run_in_the_browser_reach_every_widget():
    """Start page: up to its slider (the last cell that makes a widget); 07: past the one-cycle widget up to the
    bench's definition (it names tqdm), before the ladder's rungs and torchrun; 05: its stored figures after the
    training widget are checked from the file."""
    assert last_cell_to_run(NOTEBOOKS / "00_start_here.ipynb") == 14
    cells = json.loads((NOTEBOOKS / "07_faster_and_better.ipynb").read_text(encoding="utf-8"))["cells"]
    last = last_cell_to_run(NOTEBOOKS / "07_faster_and_better.ipynb")
    assert "def run_rung" in "".join(cells[last]["source"])
    assert any("one_cycle_explorer" in "".join(c["source"]) for c in cells[:last])
    assert any("torch.distributed.run" in "".join(c["source"]) for c in cells[last + 1:])
    after = stored_figures(NOTEBOOKS / "05_updating_weights.ipynb", last_cell_to_run(NOTEBOOKS / "05_updating_weights.ipynb"))
    assert len(after) >= 3 and all(width > 100 for _cell, width in after), after


def test_the_widget_notebooks_are_found():
    """The list this test works through is not empty by accident (a renamed folder, a broken regex)."""
    found = notebooks_with_widgets()
    assert "00_start_here.ipynb" in found and "05_updating_weights.ipynb" in found, found
    assert "zh/00_start_here.ipynb" in found and not any(n.startswith("zh/") and n not in CHINESE_IN_BROWSER
                                                          for n in found), found


def _settings(folder: Path) -> None:
    """User settings for the test's JupyterLab: every cell in the DOM, no autosave, no news pop-up."""
    files = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False,
        },
    }
    for name, value in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium, driven by Playwright, for the module's pages."""
    found = chromium_or_skip("the browser test of the widgets", "make browser-test")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=found, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def _lab_page(browser, work: Path, target: str):
    """Start JupyterLab with ``make TARGET`` on a copy of the course in ``work`` (LAB_ROOT; the test's own settings
    and port through LAB_ARGS); yield a Chromium page logged into it, and ``work``."""
    shutil.copytree(NOTEBOOKS, work / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _settings(work / "settings")
    port, token = free_port(), uuid.uuid4().hex
    options = [
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={work / 'settings'}", f"--LabApp.workspaces_dir={work / 'workspaces'}",
    ]
    command = ["make", "--no-print-directory", target, f"LAB_ROOT={work}", "LAB_ARGS=" + " ".join(options)]
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(work / "runtime"))
    log = open(work / "lab.log", "w+")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    page = None
    try:
        wait_for_server(server, base, token, log, f"make {target}")
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/lab?token={token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started !== undefined", timeout=60_000)
        page.evaluate("() => window.jupyterapp.started")
        page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
        yield page, work
    finally:
        if page is not None:
            page.close()
        stop(server)
        log.close()


@pytest.fixture(scope="module")
def browser_page(chromium, tmp_path_factory):
    """`make lab-zh` itself (the Chinese edition's JupyterLab: the course's settings, the Chinese language pack),
    serving a copy of the course on a free localhost port, and one Chromium page logged into it. Every notebook is
    driven here: what this test checks (widgets drawn and moved) does not depend on the menus' language, and one
    JupyterLab costs the budget less than two. test_lab.py checks that make lab's JupyterLab stays English."""
    yield from _lab_page(chromium, tmp_path_factory.mktemp("browser"), "lab-zh")


# JupyterLab's main menus, as the page shows them.
MENUS = """() => Array.from(document.querySelectorAll('#jp-menu-panel .lm-MenuBar-itemLabel')).map(e => e.textContent)"""


def test_make_lab_zh_shows_jupyterlab_in_chinese(browser_page):
    """The Chinese edition's JupyterLab speaks Chinese in its own menus (the language pack, make lab-zh's settings)."""
    menus = browser_page[0].evaluate(MENUS)
    assert {"文件", "编辑", "运行", "内核", "帮助"} <= set(menus), menus


# JavaScript run in the page. `window.jupyterapp` is there because of --LabApp.expose_app_in_browser.
OPEN_AND_RUN_ALL = """async ([path, last, kernelId]) => {
  const app = window.jupyterapp;
  const kernel = kernelId ? {id: kernelId} : {name: 'python3'};
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook', kernel});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  // Not awaited: Python polls, with a time limit. Cells after `last` show nothing this test checks: not run.
  if (last + 1 >= panel.content.widgets.length) {
    app.commands.execute('notebook:run-all-cells');
  } else {
    panel.content.activeCellIndex = last + 1;
    app.commands.execute('notebook:run-all-above');
  }
  return panel.id;
}"""

KERNEL_ID = """(id) => window.jupyterapp.shell.widgets('main').find(w => w.id === id).sessionContext.session.kernel.id"""

# "done" when every code cell up to `last` ran and the kernel is idle; "error" as soon as a cell shows an error.
RUN_STATE = """([id, last]) => {
  const panel = window.jupyterapp.shell.widgets('main').find(w => w.id === id);
  const cells = panel.content.widgets.filter((c, i) => i <= last && c.model.type === 'code');
  for (const cell of cells) {
    for (const out of cell.model.outputs.toJSON()) { if (out.output_type === 'error') return 'error'; }
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const ran = cells.every(c => c.model.executionCount !== null && c.model.executionState !== 'running');
  return ran && kernel && kernel.status === 'idle' ? 'done' : 'running';
}"""

# Every cell: its index, its first source line, its outputs' types and text, and what the DOM shows.
CELL_REPORT = """async (id) => {
  const panel = window.jupyterapp.shell.widgets('main').find(w => w.id === id);
  const VIEW = 'application/vnd.jupyter.widget-view+json';
  const report = [];
  for (const [index, cell] of panel.content.widgets.entries()) {
    if (cell.model.type !== 'code') continue;
    const outputs = cell.model.outputs.toJSON();
    // Widgets closed by the kernel on purpose (a tqdm bar made with leave=False) have nothing left to draw.
    let closed = 0;
    for (const [i, out] of outputs.entries()) {
      const view = out.data && out.data[VIEW];
      const child = cell.outputArea.widgets[i];
      const renderer = view && child && (child.widgets || []).find(w => w._manager);
      if (renderer && !(await renderer._manager.promise).has_model(view.model_id)) closed += 1;
    }
    report.push({
      index,
      code: cell.model.sharedModel.getSource(),
      source: cell.model.sharedModel.getSource().split('\\n').find(l => l.trim() && !l.includes('NBVAL')) || '',
      errors: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
      streams: outputs.filter(o => o.output_type === 'stream').map(o => o.text).join(''),
      shown: cell.outputArea.node.innerText,
      widgetOutputs: outputs.filter(o => o.data && o.data[VIEW]).length - closed,
      drawnWidgets: Array.from(cell.outputArea.node.querySelectorAll(':scope > .jp-OutputArea-child'))
        .filter(child => child.querySelector('.jupyter-widgets')).length,
      progressBars: cell.outputArea.node.querySelectorAll('.widget-hprogress, .widget-progress').length,
      // How far the code runs past the cell's right edge (JupyterLab does not wrap code lines).
      codeOverflow: (() => {
        const scroller = cell.node.querySelector('.cm-scroller');
        return scroller ? scroller.scrollWidth - scroller.clientWidth : 0;
      })(),
      // Every picture's drawn width against its own: a figure shrunk to fit has smaller, harder-to-read text.
      images: Array.from(cell.outputArea.node.querySelectorAll('img'))
        .filter(img => img.naturalWidth > 0).map(img => [img.clientWidth, img.naturalWidth]),
    });
  }
  return report;
}"""

# The width an image may take in an output area of this page (JupyterLab draws images at most this wide).
OUTPUT_WIDTH = """(id) => {
  const panel = window.jupyterapp.shell.widgets('main').find(w => w.id === id);
  const outputs = Array.from(panel.node.querySelectorAll('.jp-OutputArea-output'));
  return Math.max(0, ...outputs.map(o => o.clientWidth));
}"""

# What a widget drives: its text and images, without the controls themselves (their readouts change too).
DRIVEN = """(el) => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.widget-slider, .widget-hslider, .widget-dropdown, .widget-checkbox, .widget-button, '
    + 'button, select, input, .widget-readout, .widget-toggle-buttons').forEach(n => n.remove());
  const images = Array.from(copy.querySelectorAll('img')).map(i => i.getAttribute('src') || '');
  document.body.appendChild(copy);
  const text = copy.innerText;
  copy.remove();
  return {text, images};
}"""


@pytest.fixture(scope="module")
def english_kernel() -> dict:
    """The kernel the English notebooks share in the browser: starting a kernel and importing PyTorch for each costs
    ~3 s of the test budget. Every notebook still runs its own cells from its setup cell on, and strict nbval runs
    each in a fresh kernel. The Chinese start page gets its own (its setup cell switches the helpers to Chinese)."""
    return {}


@pytest.mark.parametrize("name", notebooks_with_widgets())
def test_widgets_render_and_respond_in_jupyterlab(browser_page, english_kernel, name):
    page, _ = browser_page
    _run_and_check(page, f"notebooks/{name}", MOVE_TIMEOUT_S, last_cell_to_run(NOTEBOOKS / name),
                   None if name.startswith("zh/") else english_kernel)


def test_a_control_that_drives_nothing_fails_the_check(browser_page):
    """The check can fail: a slider with nothing attached is reported, with a screenshot."""
    page, work = browser_page
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\nwidgets.VBox([widgets.IntSlider(description='dead'), widgets.Label('fixed')])")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "canary.ipynb")
    with pytest.raises(pytest.fail.Exception, match=r"slider 'dead' changed nothing it drives(?s:.*)screenshot: "):
        _run_and_check(page, "canary.ipynb", move_timeout_s=2)


def test_the_text_forms_of_broken_widgets_are_recognised():
    """What the page shows when a widget is not drawn: ipywidgets' and LiveBox's text forms, tqdm's text bar."""
    import ipywidgets as widgets
    from tqdm import tqdm

    from helpers.widgets.live import LiveBox

    for broken in (widgets.VBox([widgets.IntSlider()]), widgets.Dropdown(options=["a"]), LiveBox([], what="x")):
        assert WIDGET_AS_TEXT.search(broken._repr_mimebundle_()["text/plain"]), broken
    assert WIDGET_AS_TEXT.search("Error displaying widget: model not found")
    assert TEXT_PROGRESS_BAR.search(tqdm.format_meter(3, 8, 1.0, prefix="training"))
    assert not WIDGET_AS_TEXT.search("3 squared is 9\nlr = 0.1: converged")


# What a cell's stored output shows when it made a widget or a progress bar (their text forms).
SHOWS_WIDGET = re.compile(r"\[Interactive: |\[交互控件：|\d+%\|")


def last_cell_to_run(notebook: Path) -> int:
    """The index of the last cell this test needs to run: the last that makes a widget or a progress bar.

    Found from the code (``USES_WIDGETS``) and from the stored outputs (a widget's or a bar's text form). The cells
    after it (07's later rungs and torchrun launch, the exercises) need no live front end, and strict nbval runs them
    all; so the browser runs every cell up to that one ('Run All Above'), and not the rest. Their code is still
    checked for width, and their stored figures against the output area's width (``stored_figures``).
    """
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    needed = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (
        USES_WIDGETS.search("".join(c["source"]))
        or SHOWS_WIDGET.search(json.dumps(c.get("outputs", []), ensure_ascii=False)))]
    return max(needed, default=len(cells) - 1)


def stored_figures(notebook: Path, after: int) -> list[tuple[int, int]]:
    """(cell index, width in CSS px) of every stored PNG in the code cells after ``after``: as JupyterLab shows it,
    the width its metadata gives, else its own pixel width (read from the PNG header)."""
    found = []
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for index, cell in enumerate(cells[after + 1:], start=after + 1):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            png = output.get("data", {}).get("image/png")
            if png:
                width = output.get("metadata", {}).get("image/png", {}).get("width")
                if width is None:
                    header = base64.b64decode("".join(png)[:32])
                    width = int.from_bytes(header[16:20], "big")
                found.append((index, int(width)))
    return found


def _run_and_check(page, path: str, move_timeout_s: float, last: int = 10**9, kernels: dict | None = None) -> None:
    """Open ``path``, run it up to cell ``last`` and check it. ``kernels``: the English notebooks share one kernel,
    kept there (each still runs its own cells from its setup cell on); without it, a kernel of its own."""
    name = path.removeprefix("notebooks/")
    shot = data_dir() / "browser-test" / (name.replace("/", "_").removesuffix(".ipynb") + ".png")
    panel_id = page.evaluate(OPEN_AND_RUN_ALL, [path, last, (kernels or {}).get("id")])
    if kernels is not None:
        kernels["id"] = page.evaluate(KERNEL_ID, panel_id)
    try:
        _check_notebook(page, panel_id, name, shot, move_timeout_s, last)
    finally:
        # The next notebook uses a shared kernel: close the panel only. Else not awaited: the kernel shuts down
        # while the next notebook starts.
        page.evaluate("""([id, keep]) => {
          const panel = window.jupyterapp.shell.widgets('main').find(w => w.id === id);
          if (keep) { panel.dispose(); } else { panel.sessionContext.shutdown().finally(() => panel.dispose()); }
        }""", [panel_id, kernels is not None])


def _fail(page, panel_id: str, shot: Path, message: str, cell: int | None = None):
    """Scroll to the cell at fault, save a screenshot, and fail with the message and the screenshot's path."""
    if cell is not None:
        page.evaluate("""([id, index]) => {
          const panel = window.jupyterapp.shell.widgets('main').find(w => w.id === id);
          panel.content.widgets[index].node.scrollIntoView();
        }""", [panel_id, cell])
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    pytest.fail(f"{message}\nscreenshot: {shot}", pytrace=False)


def _check_notebook(page, panel_id: str, name: str, shot: Path, move_timeout_s: float, last: int) -> None:
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
    state = "running"
    while state == "running" and time.monotonic() < deadline:
        time.sleep(POLL_S)
        state = page.evaluate(RUN_STATE, [panel_id, last])
    cells = page.evaluate(CELL_REPORT, panel_id)
    for cell in cells:
        if cell["errors"]:
            _fail(page, panel_id, shot, f"{name}: cell {cell['index']} ({cell['source']!r}) shows an error: "
                  f"{cell['errors'][0]}", cell["index"])
    if state != "done":
        _fail(page, panel_id, shot, f"{name}: 'Run All' did not finish within {RUN_ALL_TIMEOUT_S} s")
    # Let the widget views of the last cells attach before reading the page.
    page.wait_for_timeout(500)
    cells = page.evaluate(CELL_REPORT, panel_id)
    _check_drawn(page, panel_id, name, shot, cells)
    _check_stored_figures(page, panel_id, name, shot, last)
    moved = _move_every_control(page, panel_id, name, shot, cells, move_timeout_s)
    print(f"{name}: moved {len(moved)} control(s)")
    for line in moved:
        print("  " + line)
    if os.environ.get(FIGURES_ENV, "").strip() == "1":
        _save_figures(page, panel_id, shot.parent / "figures", shot.stem)
    # Moving controls must not leave a broken widget behind either.
    _check_drawn(page, panel_id, name, shot, page.evaluate(CELL_REPORT, panel_id))


def _check_stored_figures(page, panel_id: str, name: str, shot: Path, last: int) -> None:
    """The figures of the cells this test did not run, as stored, must fit the output area this page draws."""
    from helpers.plot import MAX_WIDTH

    available = page.evaluate(OUTPUT_WIDTH, panel_id)
    # helpers.plot sizes every figure for this width (its unit tests hold them to MAX_WIDTH inches at 100 dpi)
    assert available >= MIN_FIGURE_SCALE * MAX_WIDTH * 100, (
        f"{name}: JupyterLab's output area is {available} px wide, too narrow for helpers.plot's "
        f"{MAX_WIDTH * 100:.0f}-px figures: lower helpers.plot.MAX_WIDTH")
    notebook = NOTEBOOKS / name
    for cell, width in stored_figures(notebook, last) if notebook.exists() else []:
        if min(width, available) < MIN_FIGURE_SCALE * width:
            _fail(page, panel_id, shot, f"{name}: cell {cell} stores a {width}-px-wide figure, which an output "
                  f"area of {available} px shrinks to {available / width:.0%}: make it narrower so its text stays "
                  "readable", None)


def _save_figures(page, panel_id: str, folder: Path, stem: str) -> None:
    """Save a screenshot of every figure as the page draws it (COURSE_BROWSER_FIGURES=1)."""
    folder.mkdir(parents=True, exist_ok=True)
    cells = page.locator(f"#{panel_id} .jp-Notebook .jp-Cell")
    for index in range(cells.count()):
        for k, image in enumerate(cells.nth(index).locator(".jp-Cell-outputArea img").all()):
            image.scroll_into_view_if_needed()
            image.screenshot(path=str(folder / f"{stem}_cell{index:02d}_{k}.png"))


def _check_drawn(page, panel_id: str, name: str, shot: Path, cells: list[dict]) -> None:
    wide = [f"cell {c['index']} ({c['source'][:40]!r}…) by {c['codeOverflow']} px" for c in cells if c["codeOverflow"] > 2]
    if wide:
        _fail(page, panel_id, shot, f"{name}: code runs past the cell's right edge at JupyterLab's default width "
              f"(wrap the long lines): {'; '.join(wide)}", int(wide[0].split()[1]))
    for cell in cells:
        where = f"{name}: cell {cell['index']} ({cell['source']!r})"
        if match := WIDGET_AS_TEXT.search(cell["shown"]):
            _fail(page, panel_id, shot, f"{where} shows {match.group(0)!r}…: a widget drawn as text, not as a "
                  "widget", cell["index"])
        if cell["drawnWidgets"] < cell["widgetOutputs"]:
            _fail(page, panel_id, shot, f"{where} has {cell['widgetOutputs']} widget output(s), but only "
                  f"{cell['drawnWidgets']} drawn", cell["index"])
        if TEXT_PROGRESS_BAR.search(cell["streams"]):
            _fail(page, panel_id, shot, f"{where} printed a text progress bar: tqdm could not draw its widget",
                  cell["index"])
        for drawn, natural in cell["images"]:
            if drawn < MIN_FIGURE_SCALE * natural:
                _fail(page, panel_id, shot, f"{where} draws a {natural}-px-wide figure at {drawn} px (shrunk to "
                      f"{drawn / natural:.0%}): make it narrower so its text stays readable", cell["index"])
        # A bar that stays when it ends (tqdm's default) must be there, drawn as a progress widget.
        if "tqdm(" in cell["code"] and "leave=False" not in cell["code"] and not cell["progressBars"]:
            _fail(page, panel_id, shot, f"{where} runs a tqdm bar, but no progress bar widget is drawn",
                  cell["index"])


def _move_every_control(page, panel_id: str, name: str, shot: Path, cells: list[dict],
                        move_timeout_s: float) -> list[str]:
    """Move every control of every widget once; return a line per control saying what changed."""
    moved = []
    for cell in cells:
        if not cell["drawnWidgets"]:
            continue
        output = page.locator(f"#{panel_id} .jp-Notebook .jp-Cell").nth(cell["index"]).locator(
            ".jp-Cell-outputArea > .jp-OutputArea-child").filter(has=page.locator(".jupyter-widgets"))
        for k in range(output.count()):
            widget = output.nth(k)
            controls = [("slider", h) for h in widget.locator(".noUi-handle").all()]
            controls += [("dropdown", s) for s in widget.locator(".widget-dropdown select").all()]
            controls += [("checkbox", c) for c in widget.locator(".widget-checkbox input").all()]
            controls += [("button", b) for b in widget.locator("button.jupyter-button").all()]
            for kind, control in controls:
                label = _control_label(control)
                before = widget.evaluate(DRIVEN)
                did = _move(kind, control)
                after = _wait_for_change(widget, before, move_timeout_s)
                if after is None:
                    _fail(page, panel_id, shot, f"{name}: cell {cell['index']} ({cell['source']!r}): {did} on the "
                          f"{kind} {label!r} changed nothing it drives within {move_timeout_s} s", cell["index"])
                moved.append(f"cell {cell['index']}: {kind} {label!r}, {did}: {_describe_change(before, after)}")
    return moved


def _control_label(control) -> str:
    """The control's description as the page shows it ('n', 'shape', 'lr'...)."""
    return control.evaluate("""(el) => {
      const box = el.closest('.widget-inline-hbox, .widget-checkbox, .widget-button, button') || el;
      const label = box.querySelector('.widget-label-basic') || box.querySelector('label');
      const clean = (t) => (t || '').replace(/\\u200b/g, '').replace(/\\u00a0/g, ' ').trim();
      return clean(label && label.innerText) || clean(box.innerText).split('\\n')[0] || el.tagName.toLowerCase();
    }""")


def _move(kind: str, control) -> str:
    """Move one control the way a learner would; return what was done, in words."""
    if kind == "slider":
        now = float(control.get_attribute("aria-valuenow") or 0)
        top = float(control.get_attribute("aria-valuemax") or 0)
        key = "ArrowLeft" if now >= top else "ArrowRight"
        control.focus()
        control.press(key)
        return f"pressed {key}"
    if kind == "dropdown":
        options = control.evaluate("(s) => Array.from(s.options).map(o => o.value)")
        current = control.evaluate("(s) => s.value")
        other = next(o for o in options if o != current)
        control.select_option(other)
        picked = control.evaluate("(s) => s.options[s.selectedIndex].text").replace("\xa0", " ")
        return f"picked option {picked!r}"
    control.click()
    return "clicked"


def _wait_for_change(widget, before: dict, timeout_s: float) -> dict | None:
    """Wait until what the widget drives has changed and settled (a redraw may clear it first); None if never."""
    deadline = time.monotonic() + timeout_s
    last = before
    while time.monotonic() < deadline:
        widget.page.wait_for_timeout(POLL_S * 1000)
        now = widget.evaluate(DRIVEN)
        settled = now == last
        last = now
        drawn = now["text"].strip() or now["images"]
        if settled and now != before and drawn and len(now["images"]) >= len(before["images"]):
            return now
    return None


def _describe_change(before: dict, after: dict) -> str:
    """One short line: the first text line that changed, and whether an image changed."""
    parts = []
    old_lines, new_lines = before["text"].splitlines(), after["text"].splitlines()
    for i in range(max(len(old_lines), len(new_lines))):
        old = old_lines[i] if i < len(old_lines) else ""
        new = new_lines[i] if i < len(new_lines) else ""
        if old != new:
            parts.append(f"{old.strip()[:60]!r} -> {new.strip()[:60]!r}")
            break
    if before["images"] != after["images"]:
        parts.append(f"image redrawn ({len(after['images'])} image(s))")
    return "; ".join(parts)
