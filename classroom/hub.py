"""Serve the course to a class from one machine: JupyterHub, one Unix account and one JupyterLab per student.

    python -m classroom.hub --roster roster.csv [--admin teacher] [--ip 127.0.0.1] [--port 8000] [--state DIR]
                            [--ssl-cert FILE --ssl-key FILE | --behind-https-proxy]
    make hub ROSTER=roster.csv [ADMIN=teacher] [HUB_IP=127.0.0.1] [HUB_PORT=8000]

What it starts (everything from the course's own environment, pinned in requirements.txt; no Node.js):

- JupyterHub, with the pure-Python ``configurable-http-proxy`` in front, on ``--ip``:``--port``.
- Log-in with FirstUseAuthenticator: only the roster's names (and the admin) may log in, and the first log-in with a
  name sets its password (8 characters at least). Hand out the address while the class is in the room: whoever logs
  in first with a name owns it. The admin (the teacher) can open any student's server from the hub's admin page.
- Each student's server runs as the student's own Unix account, made at first log-in (``useradd``) with a home only
  they can read (mode 0700): students cannot read each other's work. So the hub must run as root.
- At first log-in the student edition (``make student``, built here when missing) is copied into
  ``~/pytorch-course/``, never over a file that is already there; JupyterLab opens there.
- The idle culler stops a server after an hour without activity (its notebooks stay in the home).

A non-loopback ``--ip`` needs HTTPS: certificate files (``--ssl-cert``/``--ssl-key``) or ``--behind-https-proxy``
for a reverse proxy that terminates TLS (TEACHING.md, "A class on JupyterHub"); passwords would otherwise cross the
network in clear text, and the hub refuses to start.
"""

from __future__ import annotations

import argparse
import csv
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

# Not from classroom.notebook, which imports the helpers and with them torch: the hub process imports this module
# (its configuration calls prepare_home) and stays small without them.
ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
COURSE_FOLDER = "pytorch-course"  # in each student's home
IDLE_SECONDS = 3600
BIN = Path(sys.executable).parent


class UsageError(ValueError):
    """Wrong arguments or a machine that cannot serve the class: the message says what to do."""


def read_roster(path: Path) -> list[str]:
    """The student names in a roster CSV (a header row with a ``username`` column; other columns are ignored)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UsageError(f"cannot read the roster {path}: {error}. Pass a CSV file with a 'username' column.") from None
    if not rows or "username" not in rows[0]:
        raise UsageError(f"the roster {path} needs a header row with a 'username' column, one student per row")
    names, seen = [], set()
    for line, row in enumerate(rows, start=2):
        name = (row.get("username") or "").strip()
        if not USER_NAME.match(name):
            raise UsageError(f"{path}, line {line}: {name!r} is not a valid user name: lowercase letters, digits, "
                             f"'_' and '-', starting with a letter or '_', at most 32 characters")
        if name in seen:
            raise UsageError(f"{path}, line {line}: {name!r} is listed twice")
        seen.add(name)
        names.append(name)
    return names


def check_address(ip: str, ssl: bool, behind_proxy: bool) -> None:
    """Refuse a non-loopback address without HTTPS: students' passwords would cross the network in clear text."""
    try:
        loopback = ip == "localhost" or ipaddress.ip_address(ip).is_loopback
    except ValueError:
        raise UsageError(f"--ip must be an IP address such as 127.0.0.1 or 0.0.0.0, got {ip!r}") from None
    if not loopback and not ssl and not behind_proxy:
        raise UsageError(f"--ip {ip} serves the class on the network without HTTPS: passwords would cross it in clear "
                         f"text. Give --ssl-cert and --ssl-key, or put a reverse proxy with HTTPS in front and pass "
                         f"--behind-https-proxy (TEACHING.md, 'A class on JupyterHub').")


def config_text(students: list[str], admin: str, ip: str, port: int, state: Path, student_edition: Path,
                python: str = sys.executable, ssl_cert: str = "", ssl_key: str = "", api_token: str = "") -> str:
    """The hub's ``jupyterhub_config.py``."""
    lines = [
        "# Written by classroom/hub.py: edit that, not this file.",
        "import sys",
        f"sys.path.insert(0, {str(ROOT)!r})",
        "from classroom.hub import prepare_home",
        f"c.JupyterHub.ip = {ip!r}",
        f"c.JupyterHub.port = {port!r}",
        f"c.JupyterHub.db_url = {'sqlite:///' + str(state / 'jupyterhub.sqlite')!r}",
        f"c.JupyterHub.cookie_secret_file = {str(state / 'jupyterhub_cookie_secret')!r}",
        f"c.ConfigurableHTTPProxy.command = [{str(BIN / 'configurable-http-proxy')!r}]",
        f"c.ConfigurableHTTPProxy.pid_file = {str(state / 'proxy.pid')!r}",
        "c.JupyterHub.authenticator_class = 'firstuseauthenticator.FirstUseAuthenticator'",
        "c.FirstUseAuthenticator.create_users = False",
        "c.FirstUseAuthenticator.min_password_length = 8",
        f"c.FirstUseAuthenticator.dbm_path = {str(state / 'passwords.dbm')!r}",
        f"c.Authenticator.allowed_users = {set(students)!r}",
        f"c.Authenticator.admin_users = {{{admin!r}}}",
        "c.JupyterHub.spawner_class = 'localprocess'",
        f"c.Spawner.cmd = [{python!r}, '-m', 'jupyterhub.singleuser']",
        f"c.Spawner.notebook_dir = '~/{COURSE_FOLDER}'",
        "c.Spawner.default_url = '/lab'",
        f"c.Spawner.environment = {{'COURSE_DATA_DIR': lambda spawner: spawner.user_env({{}})['HOME'] + "
        f"'/{COURSE_FOLDER}/data'}}",
        f"c.Spawner.pre_spawn_hook = lambda spawner: prepare_home(spawner.user.name, {str(student_edition)!r})",
        "c.JupyterHub.load_roles = [{'name': 'idle-culler', 'services': ['idle-culler'], 'scopes': "
        "['list:users', 'read:users:activity', 'read:servers', 'delete:servers']}]",
        f"c.JupyterHub.services = [{{'name': 'idle-culler', 'command': [{sys.executable!r}, '-m', "
        f"'jupyterhub_idle_culler', '--timeout={IDLE_SECONDS}']}}]",
    ]
    if ssl_cert:
        lines += [f"c.JupyterHub.ssl_cert = {ssl_cert!r}", f"c.JupyterHub.ssl_key = {ssl_key!r}"]
    if api_token:  # the tests' (and a teacher's scripts') admin access to the REST API, and JupyterLab's app object
        lines += ["c.Spawner.args = ['--LabApp.expose_app_in_browser=True']","c.JupyterHub.services.append({'name': 'classroom', 'api_token': " + repr(api_token) + "})",
                  "c.JupyterHub.load_roles.append({'name': 'classroom', 'services': ['classroom'], "
                  "'scopes': ['admin:users', 'admin:servers', 'tokens', 'access:servers']})"]
    return "\n".join(lines) + "\n"


def prepare_home(name: str, student_edition: str) -> None:
    """Before a student's server starts: their Unix account (made if missing, home mode 0700) and the student
    edition in ``~/pytorch-course`` (files already there are kept: a student's work is never overwritten)."""
    import pwd

    if not USER_NAME.match(name):
        raise ValueError(f"refusing to make a Unix account for {name!r}: not a valid user name")
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name], check=True)
        account = pwd.getpwnam(name)
    home = Path(account.pw_dir)
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, account.pw_uid, account.pw_gid)
    home.chmod(0o700)
    target = home / COURSE_FOLDER
    if target.is_symlink():
        return  # the student's own doing: never write through it
    if not target.exists():
        target.mkdir()
        os.chown(target, account.pw_uid, account.pw_gid)
    for source in sorted(Path(student_edition).rglob("*")):
        place = target / source.relative_to(student_edition)
        if _through_a_link(place, target) or place.exists():
            continue  # never write through a link the student made (it could lead anywhere, as root)
        if source.is_dir():
            place.mkdir(parents=True)
        else:
            place.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, place)
        os.chown(place, account.pw_uid, account.pw_gid)
    for folder in (target, target / "data"):
        if not folder.exists():
            folder.mkdir(parents=True)
            os.chown(folder, account.pw_uid, account.pw_gid)


def check_python(python: str) -> None:
    """Refuse a Python that the students' accounts cannot run, or that lacks the course (JupyterHub, helpers)."""
    probe = ["runuser", "-u", "nobody", "--", python, "-c", "import jupyterhub.singleuser, helpers, torch"]
    done = subprocess.run(probe, capture_output=True, text=True, cwd="/")
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise UsageError(f"the students' accounts cannot run the course's Python {python} ({why}). Make the course's "
                         f"environment with a Python outside any private home (make setup PYTHON=/usr/bin/python3.11) "
                         f"in a folder every account can read, or pass --python with one that works.")


def _through_a_link(place: Path, top: Path) -> bool:
    """Is ``place`` itself, or any folder between it and ``top``, a symbolic link?"""
    while place != top:
        if place.is_symlink():
            return True
        place = place.parent
    return False


def student_edition() -> Path:
    """The student edition's folder (build/student/), built with ``make student``'s code when missing."""
    edition = BUILD / "student"
    if not (edition / "notebooks").is_dir():
        subprocess.run([sys.executable, "-m", "classroom.student"], cwd=ROOT, check=True)
    return edition


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.hub", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roster", type=Path, required=True, help="CSV with a 'username' column, one student a row")
    parser.add_argument("--admin", default="teacher", help="the teacher's user name on the hub (default teacher)")
    parser.add_argument("--ip", default="127.0.0.1", help="the address to serve on (default 127.0.0.1: this machine)")
    parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    parser.add_argument("--state", type=Path, default=BUILD / "hub",
                        help="the hub's own files: database, passwords, cookie secret (default build/hub/)")
    parser.add_argument("--ssl-cert", default="", help="HTTPS certificate file (with --ssl-key)")
    parser.add_argument("--ssl-key", default="", help="HTTPS key file")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python of each student's server and kernels (default: this one); every account "
                             "must be able to run it, with the course's packages")
    parser.add_argument("--behind-https-proxy", action="store_true",
                        help="a reverse proxy in front terminates HTTPS: serve plain HTTP on a non-loopback --ip")
    args = parser.parse_args(argv)
    try:
        students = read_roster(args.roster)
        if not USER_NAME.match(args.admin):
            raise UsageError(f"--admin must be a valid user name, got {args.admin!r}")
        if bool(args.ssl_cert) != bool(args.ssl_key):
            raise UsageError("--ssl-cert and --ssl-key go together: pass both, or neither")
        check_address(args.ip, bool(args.ssl_cert), args.behind_https_proxy)
        if os.geteuid() != 0:
            raise UsageError("the hub must run as root (sudo make hub ...): each student's server runs as the "
                             "student's own Unix account, which only root can start")
        check_python(args.python)
    except UsageError as error:
        parser.error(str(error))
    state = args.state.resolve()
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    config = state / "jupyterhub_config.py"
    config.write_text(config_text(students, args.admin, args.ip, args.port, state, student_edition(),
                                  args.python, args.ssl_cert, args.ssl_key, os.environ.get("COURSE_HUB_API_TOKEN", "")),
                      encoding="utf-8")
    print(f"Serving {len(students)} students at http{'s' if args.ssl_cert else ''}://{args.ip}:{args.port}/ "
          f"(admin: {args.admin}); stop with Ctrl+C")
    hub = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(config)], cwd=state)

    def stop(signum: int, _frame: object) -> None:  # JupyterHub stops every student's server before it exits
        hub.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return hub.wait()


if __name__ == "__main__":
    sys.exit(main())
