"""The grader's sandbox (classroom.sandbox): one real lesson-01 kernel started in it with nbclient, as the grader does,
probed from inside; every protection is observed, not assumed.

The layout imitates a grading run: a read-only "course" folder that holds SUBMISSIONS, OUT and build/ (the teacher's
solutions), more SUBMISSIONS/OUT outside it, other submissions' temporary folders (next to this one, and in /tmp), a
marker in the home folder, and a TCP listener on localhost. One kernel runs every probe (about 4 s); the message tests
start none.

Needs bubblewrap (`bwrap`): without it the kernel test is skipped, with the reason; ``COURSE_SANDBOX_TEST=required``
(CI) turns that skip into a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import socket
import tempfile
import time
from pathlib import Path
from unittest import mock

import nbformat
import pytest
from nbclient import NotebookClient

from classroom import sandbox
from classroom.notebook import ROOT, exercises, speaking

REQUIRED_ENV = "COURSE_SANDBOX_TEST"

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None and os.environ.get(REQUIRED_ENV) != "required",
    reason="bubblewrap (bwrap) is not installed: `sudo apt install bubblewrap` runs these tests "
           f"({REQUIRED_ENV}=required makes its absence a failure, as in CI)")

PROBE = '''
import json, os, resource, socket, subprocess
def attempt(action):
    try:
        return "ok " + repr(action())[:200]
    except BaseException as error:
        return type(error).__name__ + " " + str(error)[:200]
def write(path):
    with open(path, "a") as handle:
        return handle.write("changed by the sandbox")
observed = {
    "read": {name: attempt(lambda p=p: open(p).read()) for name, p in MARKERS.items()},
    "write": {name: attempt(lambda p=p: write(p)) for name, p in MARKERS.items()},
    "create": {name: attempt(lambda d=d: write(os.path.join(d, "new-" + TOKEN))) for name, d in FOLDERS.items()},
    "list": {name: attempt(lambda d=d: sorted(os.listdir(d))) for name, d in FOLDERS.items()},
    "course_file": attempt(lambda: open(COURSE_FILE).read()),
    "own_folder": attempt(lambda: write("mine.txt")),
    "connect": attempt(lambda: socket.create_connection(("127.0.0.1", PORT), timeout=2).close()),
    "interfaces": [name for _index, name in socket.if_nameindex()],
    "kill_grader": attempt(lambda: os.kill(GRADER_PID, 0)),
    "processes": {p: open(f"/proc/{p}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
                  for p in os.listdir("/proc") if p.isdigit()},
    "capabilities": [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0],
    "env": {k: os.environ.get(k) for k in ("HOME", "SECRET_TOKEN", "COURSE_DATA_DIR", "JPY_PARENT_PID")},
    "user_namespace": attempt(lambda: subprocess.run(["unshare", "--user", "true"], capture_output=True).returncode),
    "raise_memory_limit": attempt(lambda: resource.setrlimit(resource.RLIMIT_DATA, (resource.RLIM_INFINITY,) * 2)),
}
print(json.dumps(observed))
'''

# a detached process: a shell started in its own session puts it in the background and exits (a double fork)
DETACH = '''
import subprocess, sys
subprocess.Popen(["/bin/sh", "-c", f"{sys.executable} -c 'import time; time.sleep(120)' {TOKEN} &"],
                 start_new_session=True).wait()
'''

MEMORY = '''
import torch
def attempt(action):
    try:
        action()
        return "ok", ""
    except BaseException as error:
        return type(error).__name__, str(error)[:300]
print(json.dumps({"fits": attempt(lambda: torch.ones(2**27).sum()),  # 512 MiB after importing PyTorch: fine
                  "bytes": attempt(lambda: bytearray(5 * 1024**3)),
                  "tensor": attempt(lambda: torch.ones(5 * 1024**3, dtype=torch.uint8))}))
'''


def processes_with(token: str) -> list[int]:
    """The machine's processes (seen from outside the sandbox) whose command line holds ``token``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:  # it ended meanwhile
                pass
    return found


def wait_for(condition, seconds: float = 5) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Start one sandboxed kernel, run the probes; what they saw, and what the test saw from outside."""
    base = tmp_path_factory.mktemp("sandbox")
    token = secrets.token_hex(8)
    course = base / "course"  # a read-only folder holding SUBMISSIONS, OUT and build/ (like the course folder)
    markers = {
        "submissions in course": course / "submissions" / "alice.ipynb",
        "out in course": course / "grades" / "gradebook.csv",
        "teacher's solutions": course / "build" / "teacher" / "01_tensors.ipynb",
        "submissions": base / "SUBMISSIONS" / "bob.ipynb",
        "out": base / "OUT" / "gradebook.csv",
        "home": Path.home() / f".classroom-sandbox-test-{token}",
    }
    for path in markers.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("secret " + token)
    (course / "lesson.txt").write_text("readable")
    # this submission's folder and another one's next to it, in a folder the kernel may read (a TMPDIR in the course)
    (course / "tmp").mkdir()
    workdir = Path(tempfile.mkdtemp(prefix="classroom-grade-", dir=course / "tmp"))
    neighbour = Path(tempfile.mkdtemp(prefix="classroom-grade-", dir=course / "tmp"))
    elsewhere = Path(tempfile.mkdtemp(prefix="classroom-grade-"))  # another one in the usual /tmp
    for name, folder in (("other submission", neighbour), ("other submission in /tmp", elsewhere)):
        markers[name] = folder / "work" / "answer.txt"
        markers[name].parent.mkdir()
        markers[name].write_text("secret " + token)
    markers["course file"] = course / "lesson.txt"
    folders = {"course": course, "real course": ROOT, "home": Path.home(), "submissions": base / "SUBMISSIONS",
               "out": base / "OUT", "other submission": neighbour / "work", "tmp": Path(tempfile.gettempdir()),
               "dev": Path("/dev")}
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    socket.create_connection(("127.0.0.1", port), timeout=2).close()  # reachable from outside the sandbox

    lesson = nbformat.read(ROOT / "notebooks" / "01_tensors.ipynb", as_version=4)
    setup = next(c.source for c in lesson.cells if c.cell_type == "code")
    first = exercises(lesson.cells)[0]
    constants = (f"MARKERS = {json.dumps({k: str(v) for k, v in markers.items()})}\n"
                 f"FOLDERS = {json.dumps({k: str(v) for k, v in folders.items()})}\n"
                 f"TOKEN = {token!r}\nPORT = {port}\nGRADER_PID = {os.getpid()}\n"
                 f"COURSE_FILE = {str(course / 'lesson.txt')!r}\n")
    codes = [setup, f'{first.solution}\ncheck("{first.exercise_id}", {first.name})', constants + PROBE, DETACH,
             "while True:\n    pass", "print('still here')", MEMORY]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in codes])
    for folder in ("work", "data", "ipython", "runtime"):
        (workdir / folder).mkdir()
    env = dict(os.environ, COURSE_DATA_DIR=str(workdir / "data"), IPYTHONDIR=str(workdir / "ipython"),
               JUPYTER_RUNTIME_DIR=str(workdir / "runtime"), SECRET_TOKEN=token)
    with mock.patch.object(sandbox, "BUILD", course / "build"):
        box = sandbox.Sandbox(workdir, hide=[course / "submissions", course / "grades", base / "SUBMISSIONS",
                                             base / "OUT"], read=[course])
    manager = sandbox.kernel_manager(box, connection_file=str(workdir / "runtime" / "kernel.json"))
    client = NotebookClient(nb, km=manager, timeout=60, iopub_timeout=2, allow_errors=True,
                            interrupt_on_timeout=True, error_on_timeout={"ename": "CellTimeout", "evalue": ""},
                            shutdown_kernel="immediate")
    outside: dict = {}

    async def grade() -> None:
        started = time.monotonic()
        with (workdir / "kernel.log").open("wb") as log:
            async with client.async_setup_kernel(env=env, cwd=str(workdir / "work"), cleanup_kc=True, stdout=log,
                                                 stderr=log):
                outside["kernel_pid"] = manager.provisioner.pid
                for index, cell in enumerate(nb.cells):
                    client.timeout = 1 if "while True" in cell.source else 60
                    await client.async_execute_cell(cell, index)
                    if cell.source == DETACH:
                        outside["detached"] = wait_for(lambda: processes_with(token), 5)
        outside["seconds"] = time.monotonic() - started
        outside["detached_after"] = not wait_for(lambda: not processes_with(token), 5)

    try:
        asyncio.run(grade())
        yield {"nb": nb, "outside": outside, "markers": markers, "token": token, "course": course,
               "observed": json.loads(_stdout(nb.cells[2])), "memory": json.loads(_stdout(nb.cells[6])),
               "log": (workdir / "kernel.log").read_text(errors="replace")}
    finally:
        listener.close()
        markers["home"].unlink(missing_ok=True)
        (ROOT / f"new-{token}").unlink(missing_ok=True)  # only there if the sandbox failed to protect the course
        for pid in processes_with(token):
            os.kill(pid, 9)
        shutil.rmtree(elsewhere, ignore_errors=True)


def _stdout(cell) -> str:
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    assert text, f"the cell printed nothing; its outputs: {cell.outputs}"
    return text.strip().splitlines()[-1]


@needs_bwrap
def test_a_lesson_cell_runs_and_the_kernel_stays_usable(run):
    nb = run["nb"]
    assert not [o for o in nb.cells[0].outputs if o.get("output_type") == "error"], (nb.cells[0].outputs, run["log"])
    assert "✅" in "".join(o.get("text", "") for o in nb.cells[1].outputs), nb.cells[1].outputs
    # an endless loop is interrupted (by message: signals to the sandbox would hit bubblewrap) and the kernel goes on
    assert [o.get("ename") for o in nb.cells[4].outputs if o.get("output_type") == "error"] == ["KeyboardInterrupt"]
    assert "still here" in _stdout(nb.cells[5])
    print(f"sandboxed kernel: {run['outside']['seconds']:.1f} s for start, 7 cells and shutdown")


@needs_bwrap
def test_files_outside_the_allowed_folders_cannot_be_read_or_written(run):
    observed, token = run["observed"], run["token"]
    for name, path in run["markers"].items():
        assert path.read_text() == ("readable" if name == "course file" else "secret " + token), name  # unchanged
        if name == "course file":
            assert observed["read"][name] == "ok 'readable'"
            assert observed["write"][name].startswith("OSError [Errno 30] Read-only file system")
        else:
            assert observed["read"][name].startswith("FileNotFoundError"), (name, observed["read"][name])
            assert not observed["write"][name].startswith("ok"), (name, observed["write"][name])
    for name, result in observed["create"].items():  # no new file in the course, home, SUBMISSIONS, OUT...
        assert result.startswith("ok") == (name == "tmp"), (name, result)  # ...but in its own /tmp (in memory)
    assert observed["create"]["real course"].startswith("OSError [Errno 30] Read-only file system")
    assert observed["course_file"] == "ok 'readable'"
    assert observed["own_folder"].startswith("ok")  # its own working folder is writable
    listed = observed["list"]
    tmp = listed.pop("tmp")  # the kernel's own /tmp: no other submission's folder there
    assert tmp.startswith("ok") and "classroom-grade-" not in tmp, tmp
    assert token not in json.dumps(listed)  # no marker's name shows in any listing (home, course, other folders)
    assert listed["course"] == "ok " + repr(sorted(["build", "grades", "lesson.txt", "submissions", "tmp"]))
    assert observed["capabilities"] == "0000000000000000"  # even when the grader runs as root
    assert observed["user_namespace"] != "ok 0", observed["user_namespace"]  # no way to get new capabilities
    assert observed["env"]["SECRET_TOKEN"] is None and observed["env"]["JPY_PARENT_PID"] is None
    assert observed["env"]["COURSE_DATA_DIR"] and Path(observed["env"]["HOME"]).name.startswith("classroom-grade-")


@needs_bwrap
def test_no_network_and_no_other_process_in_sight(run):
    observed = run["observed"]
    assert observed["connect"].startswith(("ConnectionRefusedError", "OSError")), observed["connect"]
    assert observed["interfaces"] == ["lo"]
    assert observed["kill_grader"].startswith("ProcessLookupError"), observed["kill_grader"]
    processes = observed["processes"]
    # bubblewrap's init (pid 1) and the kernel: nothing of the grader or of the machine
    assert len(processes) == 2 and processes["1"].startswith(sandbox.bwrap_path()), processes
    assert "ipykernel_launcher" in processes["2"], processes


@needs_bwrap
def test_a_detached_process_is_gone_after_the_kernel_shuts_down(run):
    assert run["outside"]["detached"], "the detached process never started: the test proves nothing"
    assert not run["outside"]["detached_after"], "a process of the submission outlived its kernel"


@needs_bwrap
def test_memory_is_limited_and_the_error_is_recognised(run):
    memory, observed = run["memory"], run["observed"]
    assert memory.pop("fits") == ["ok", ""], memory
    assert memory["bytes"][0] == "MemoryError", memory
    assert memory["tensor"][0] != "ok", memory
    for ename, evalue in memory.values():
        assert sandbox.memory_problem(ename, evalue), (ename, evalue)
    assert not sandbox.memory_problem("ValueError", "my own mistake")
    assert observed["raise_memory_limit"].startswith("ValueError"), observed["raise_memory_limit"]
    with speaking("zh"):
        assert any("\u4e00" <= c <= "\u9fff" for c in sandbox.memory_message())


def test_a_missing_or_broken_bubblewrap_is_reported_with_what_to_do(monkeypatch):
    real_which = shutil.which
    for bwrap, expected in ((None, "apt install bubblewrap"), ("/bin/false", "could not start a sandbox")):
        if bwrap and real_which("prlimit") is None:  # macOS: no prlimit, which the sandbox needs too
            continue
        monkeypatch.setattr(sandbox.shutil, "which", lambda name, b=bwrap: b if name == "bwrap" else real_which(name))
        sandbox._trial.cache_clear()
        try:
            message = sandbox.unavailable()
            with speaking("zh"):
                chinese = sandbox.unavailable()
        finally:
            sandbox._trial.cache_clear()
        assert message and expected in message and "--no-sandbox" in message, message
        assert chinese and chinese != message and any("\u4e00" <= c <= "\u9fff" for c in chinese), chinese
    with speaking("zh"):
        assert any("\u4e00" <= c <= "\u9fff" for c in sandbox.no_sandbox_warning())


@needs_bwrap
def test_the_sandbox_works_here():
    sandbox._trial.cache_clear()
    assert sandbox.unavailable() is None
