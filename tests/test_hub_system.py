"""A class on JupyterHub, end to end (``make hub-test``; CI runs it): a real hub on loopback serves 30 students from a
roster, each gets a server as their own Unix account and answers lesson 01 (25 through the REST API, 5 in Chromium:
log in, open lesson 01, run the setup cell, answer an exercise, save); then the teacher collects, grades and returns,
and the hub stops with no process left.

It makes Unix accounts (hubtest01...), so it needs root and runs only with COURSE_HUB_TEST=1 (``make hub-test``);
the accounts and their homes are removed afterwards.
"""

from __future__ import annotations

import concurrent.futures
import csv
import os
import pwd
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest
import requests

from classroom import grade, sandbox
from classroom.hub import student_edition
from classroom.notebook import check_calls, exercises, with_answer
from tests.chromium import CHROMIUM_ARGS, find_chromium
from tests.test_lab import free_port

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = [f"hubtest{i:02d}" for i in range(1, int(os.environ.get("HUB_TEST_STUDENTS", "30")) + 1)]
IN_BROWSER = STUDENTS[:5]
ADMIN = "hubteacher"
PASSWORD = "correct-horse-{name}"
LESSON = "01"

pytestmark = pytest.mark.skipif(os.environ.get("COURSE_HUB_TEST") != "1" or os.geteuid() != 0,
                                reason="the hub's system test makes Unix accounts: run it as root with make hub-test")


def _answers(index: int) -> dict[str, str]:
    """What student ``index`` answers in lesson 01: the solutions of the first (index % 7) exercises."""
    nb = nbformat.read(ROOT / "notebooks" / f"{LESSON}_tensors.ipynb", as_version=4)
    solved = [e for e in exercises(nb.cells)][: index % 7]
    return {e.exercise_id: e.solution for e in solved}


def _student_notebook(answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / "build" / "student" / "notebooks" / f"{LESSON}_tensors.ipynb", as_version=4)
    for cell in nb.cells:
        calls = check_calls(cell)
        if calls and calls[0][0] in answers:
            cell.source = with_answer(cell.source, answers[calls[0][0]])
    return nb


@pytest.fixture(scope="module")
def shared_python():
    """A Python every account can run, with the course's packages: the system's Python of this version, seeing this
    environment's packages and the course (this machine's own Python lives in root's private home). In a folder of
    its own under /tmp, outside pytest's private temporary folders."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(f"python{version}", path="/usr/bin:/usr/local/bin")
    if system is None:
        pytest.skip(f"no system Python {version} for the students' accounts")
    folder = Path(tempfile.mkdtemp(prefix="course-hub-python-"))
    try:
        subprocess.run([system, "-m", "venv", "--without-pip", str(folder / "venv")], check=True)
        site = sysconfig.get_path("purelib")
        target = folder / "venv" / "lib" / f"python{version}" / "site-packages" / "course.pth"
        target.write_text(f"{site}\n{ROOT}\n", encoding="utf-8")
        for data in ("etc", "share"):  # Jupyter's configuration (JupyterLab as an extension) and JupyterLab's files
            (folder / "venv" / data).symlink_to(Path(sys.prefix) / data)
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o005 | (0o050 if path.is_dir() else 0o040))
        yield str(folder / "venv" / "bin" / "python")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def hub(tmp_path_factory, shared_python):
    work = tmp_path_factory.mktemp("hub")
    roster = work / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["username", "name"], *([s, s.title()] for s in STUDENTS)])
    student_edition()  # the hub builds it too: the REST students' answers start from it
    port, token = free_port(), uuid.uuid4().hex
    log = open(work / "hub.log", "w+")
    env = dict(os.environ, COURSE_HUB_API_TOKEN=token)
    process = subprocess.Popen([sys.executable, "-m", "classroom.hub", "--roster", str(roster), "--admin", ADMIN,
                                "--port", str(port), "--state", str(work / "state"), "--python", shared_python],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, _tail(log)
            time.sleep(0.3)
        yield {"base": base, "token": token, "process": process, "log": log, "work": work}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        log.close()
        for name in STUDENTS:
            subprocess.run(["pkill", "-9", "-u", name], capture_output=True)
            subprocess.run(["userdel", "--remove", name], capture_output=True)


def _tail(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-4000:]


def _log_in(base: str, name: str) -> requests.Session:
    """Log in through the hub's form, as a browser would: the first log-in sets the password."""
    session = requests.Session()
    page = session.get(f"{base}/hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    done = session.post(f"{base}/hub/login", data={"username": name, "password": PASSWORD.format(name=name),
                                                   "_xsrf": xsrf}, timeout=60, allow_redirects=False)
    assert done.status_code == 302, (name, done.status_code, done.text[:500])
    return session


def _spawn_and_answer(base: str, token: str, index: int, name: str) -> None:
    _log_in(base, name)
    admin = {"Authorization": f"token {token}"}
    started = requests.post(f"{base}/hub/api/users/{name}/server", headers=admin, timeout=120)
    assert started.status_code in (201, 202), (name, started.status_code, started.text[:300])
    deadline = time.monotonic() + 150
    while requests.get(f"{base}/hub/api/users/{name}", headers=admin, timeout=30).json().get("pending"):
        assert time.monotonic() < deadline, f"{name}'s server never started"
        time.sleep(0.5)
    if name in IN_BROWSER:
        return
    path = f"notebooks/{LESSON}_tensors.ipynb"
    answered = {"type": "notebook", "format": "json", "content": _as_dict(_student_notebook(_answers(index)))}
    saved = requests.put(f"{base}/user/{name}/api/contents/{path}", json=answered, headers=admin, timeout=60)
    assert saved.status_code == 200, (name, saved.status_code, saved.text[:300])


def _as_dict(nb: nbformat.NotebookNode) -> dict:
    import json

    return json.loads(nbformat.writes(nb))


ANSWER_IN_THE_BROWSER = """async ([path, exerciseId, code]) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook', kernel: {name: 'python3'}});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  const cells = panel.content.widgets;
  const setup = cells.findIndex(c => c.model.type === 'code');
  const exercise = cells.findIndex(c => c.model.type === 'code' && c.model.sharedModel.getSource().includes(`check("${exerciseId}"`));
  const source = cells[exercise].model.sharedModel.getSource();
  cells[exercise].model.sharedModel.setSource(source.replace(/^answer = \\.\\.\\..*$/m, code));
  for (const index of [setup, exercise]) {
    panel.content.activeCellIndex = index;
    await app.commands.execute('notebook:run-cell');
  }
  return panel.id;
}"""


def _answer_in_the_browser(base: str, names: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    assert chromium, "the hub's system test drives Chromium: apt-get install chromium"
    nb = nbformat.read(ROOT / "notebooks" / f"{LESSON}_tensors.ipynb", as_version=4)
    first = exercises(nb.cells)[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for name in names:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/hub/login")
                page.fill("input[name=username]", name)
                page.fill("input[name=password]", PASSWORD.format(name=name))
                page.click("input[type=submit], button[type=submit]")
                page.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=120_000)
                try:
                    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started !== undefined",
                                           timeout=60_000)
                except Exception:
                    page.screenshot(path="/tmp/hubtest/shot.png")
                    Path("/tmp/hubtest/page.txt").write_text(page.url + "\n" + page.content()[:3000])
                    raise
                page.evaluate("() => window.jupyterapp.started")
                page.evaluate(ANSWER_IN_THE_BROWSER, [f"notebooks/{LESSON}_tensors.ipynb", first.exercise_id,
                                                      first.solution])
                page.wait_for_selector(f"text=✅ Exercise {first.exercise_id}", timeout=120_000)
                page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
                page.wait_for_function("""() => { const w = window.jupyterapp.shell.currentWidget;
                                          return w && w.context && !w.context.model.dirty; }""", timeout=60_000)
                page.close()
        finally:
            browser.close()


def _rss_mb(*selection: str) -> float:
    """Resident memory of the selected processes (``ps`` options), in MB."""
    listed = subprocess.run(["ps", "-o", "rss=,user=", *selection], capture_output=True, text=True).stdout
    return sum(int(rss) for rss, user in (line.split() for line in listed.splitlines()) if user == "root"
               or "-u" in selection) / 1024


def _memory(launcher: int, with_kernel: str, without_kernel: str) -> str:
    """TEACHING's capacity figures: a student's server, with and without a kernel that ran lesson 01's setup cell
    and an exercise (PyTorch imported), and the hub with its proxy and culler (not the students' servers)."""
    hub_pid = subprocess.run(["pgrep", "-P", str(launcher)], capture_output=True, text=True).stdout.split()[0]
    hub_mb = _rss_mb("-p", hub_pid) + _rss_mb("--ppid", hub_pid)
    return (f"memory: a student's server alone {_rss_mb('-u', without_kernel):.0f} MB; with a kernel that ran lesson "
            f"01's setup cell and an exercise {_rss_mb('-u', with_kernel):.0f} MB; the hub, its proxy and the idle "
            f"culler {hub_mb:.0f} MB")


def test_a_class_on_the_hub(hub, tmp_path):
    from classroom import collect as collecting

    base, token = hub["base"], hub["token"]
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda pair: _spawn_and_answer(base, token, *pair), enumerate(STUDENTS, start=1)))
    for name in STUDENTS:  # each home is its student's alone
        home = Path(pwd.getpwnam(name).pw_dir)
        assert home.stat().st_uid == pwd.getpwnam(name).pw_uid and home.stat().st_mode & 0o077 == 0, name
    _answer_in_the_browser(base, IN_BROWSER)
    print(_memory(hub["process"].pid, IN_BROWSER[0], STUDENTS[-1]))

    submissions, out = tmp_path / "submissions", tmp_path / "grades"
    rows = collecting.collect(LESSON, homes=Path("/home"), out=submissions, students=STUDENTS)
    assert len(rows) == len(STUDENTS)
    limits = grade.Limits(sandboxed=sandbox.unavailable() is None)
    results = grade.grade_folder(submissions, LESSON, out, jobs=2, limits=limits, progress=False)
    totals = {r.file.removesuffix(".ipynb"): r.total(grade.Lesson.load(LESSON).exercise_ids) for r in results}
    expected = {name: f"{1 if name in IN_BROWSER else len(_answers(i))}/6" for i, name in enumerate(STUDENTS, 1)}
    assert totals == expected
    returned = collecting.return_feedback(LESSON, homes=Path("/home"), feedback=out / "feedback")
    assert all(why is None for why in returned.values()) and len(returned) == len(STUDENTS), returned
    for name in STUDENTS:
        text = (Path(pwd.getpwnam(name).pw_dir) / "pytorch-course" / "feedback" / f"lesson-{LESSON}.md").read_text()
        assert expected[name] in text

    process = hub["process"]
    process.terminate()  # as Ctrl+C or a service manager stops make hub
    process.wait(60)
    listed = subprocess.run(["ps", "-o", "pid=,stat=,args=", "-u", ",".join(STUDENTS)], capture_output=True,
                            text=True).stdout
    # a zombie (stat Z) has ended already: only its exit status waits for a parent (here PID 1 may never reap it)
    left = [line for line in listed.splitlines() if line.split()[1][:1] != "Z"]
    assert not left, "processes left after the hub stopped:\n" + "\n".join(left)
    hub_left = subprocess.run(["pgrep", "-af", "configurable-http-proxy|jupyterhub"], capture_output=True,
                              text=True).stdout
    assert str(hub["work"]) not in hub_left, hub_left
    print(f"a class of {len(STUDENTS)} on the hub: {time.monotonic() - started:.0f} s")
