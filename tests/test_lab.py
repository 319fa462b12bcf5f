"""`make lab`, the course's main command, really serves the course: started headless on a free port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
START_NOTEBOOK = "notebooks/00_start_here.ipynb"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


@pytest.fixture
def lab(tmp_path):
    port, token = free_port(), uuid.uuid4().hex
    args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
        f"--IdentityProvider.token={token}"
    )
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "lab.log", "w+")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(process, base, token, log, "make lab")
        yield base, token, tmp_path / "runtime"
    finally:
        stop(process)
        log.close()


def wait_for_server(process: subprocess.Popen, base: str, token: str, log, what: str, limit_s: float = 90) -> None:
    """Wait until the Jupyter server at ``base`` answers; fail with the end of its log if it exits or never answers."""
    deadline = time.monotonic() + limit_s
    while True:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"{what} exited with {process.returncode}:\n{log.read()[-3000:]}")
        try:
            if get(f"{base}/api/status", token)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"{what} did not answer within {limit_s:g} s:\n{log.read()[-3000:]}")
        time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    """Stop make and the JupyterLab it started (one process group)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def test_make_lab_serves_the_start_notebook(lab):
    base, token, runtime = lab
    status, body = get(f"{base}/api/contents/{START_NOTEBOOK}", token)
    model = json.loads(body)
    assert status == 200 and model["type"] == "notebook"
    assert model["content"]["cells"][0]["source"].startswith("# 00 · Start here")
    status, page = get(f"{base}/lab/tree/{START_NOTEBOOK}", token)
    assert status == 200 and b"JupyterLab" in page
    status, body = get(f"{base}/api/kernelspecs", token)
    assert "python3" in json.loads(body)["kernelspecs"]
    # the whole course is served, not only the start page's folder: both editions, README, TEACHING
    for path in ("README.md", "README.zh-CN.md", "TEACHING.md", "notebooks/zh/00_start_here.ipynb"):
        assert get(f"{base}/api/contents/{path}?content=0", token)[0] == 200, path
    # JupyterLab's own menus stay English here: Chinese is make lab-zh's default only (tests/test_browser.py)
    status, body = get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin", token)
    plugin = json.loads(body)
    assert plugin["schema"]["properties"]["locale"]["default"] == "default" and "locale" not in plugin["settings"]
    # ...and the browser would open the start page (the server writes the page it opens into its runtime folder)
    opened = [f.read_text() for f in runtime.glob("jpserver-*-open*.html")]
    assert any(f"lab/tree/{START_NOTEBOOK}" in page for page in opened), opened


def test_make_lab_zh_opens_the_chinese_start_page_the_same_way():
    """`make lab-zh` runs the very command `make lab` runs (tested above), opening the Chinese start page instead,
    with Chinese as the default language of JupyterLab's own menus (tests/test_browser.py sees them in Chinese)."""
    def command(target: str) -> str:
        out = subprocess.run(["make", "--no-print-directory", "-n", target], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
        return next(line for line in out.splitlines() if " lab " in f" {line} " and "jupyter" in line)

    english, chinese = command("lab"), command("lab-zh")
    settings = f'--LabApp.app_settings_dir="{ROOT / "tools" / "lab-zh"}"'
    assert chinese == english.replace(f'{START_NOTEBOOK}"', f'notebooks/zh/00_start_here.ipynb" {settings}')
    overrides = json.loads((ROOT / "tools" / "lab-zh" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides == {"@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"}}
    start = json.loads((ROOT / "notebooks" / "zh" / "00_start_here.ipynb").read_text(encoding="utf-8"))
    assert "".join(start["cells"][0]["source"]).startswith("# 00 · 从这里开始")
