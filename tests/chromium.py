"""The Chromium that the browser tests drive with Playwright (tests/test_browser.py, tests/test_site.py, the hub's
system test): found on PATH or named by COURSE_CHROMIUM; without one a test is skipped with how to install it, or
fails where COURSE_BROWSER_TEST=required (CI, which installs Debian's chromium)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ENV = "COURSE_CHROMIUM"
REQUIRED_ENV = "COURSE_BROWSER_TEST"
# Chromium flags for a closed network and a root user (CI), as Debian's headless Chromium needs them.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    """Return the Chromium to drive: COURSE_CHROMIUM, else the first chromium/chrome on PATH."""
    explicit = os.environ.get(CHROMIUM_ENV, "").strip()
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        if found := shutil.which(name):
            return found
    return None


def chromium_or_skip(what: str, command: str) -> str:
    """The Chromium to drive for ``what``; else skip (fail where COURSE_BROWSER_TEST=required) saying how to get one."""
    found = find_chromium()
    if found is None or not Path(found).exists():
        reason = (f"no Chromium found for {what}; install it (Debian/Ubuntu: sudo apt-get install chromium) or set "
                  f"{CHROMIUM_ENV}=/path/to/chrome, then run {command} again")
        if os.environ.get(REQUIRED_ENV, "").strip().lower() == "required":
            pytest.fail(f"{REQUIRED_ENV}=required, but {reason}")
        pytest.skip(reason)
    return found
