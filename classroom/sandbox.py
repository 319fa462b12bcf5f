"""Run one submission's kernel inside a bubblewrap sandbox (``bwrap``, the sandbox Flatpak uses).

What the kernel sees and may do (each is checked in tests/test_classroom_sandbox.py):

- **Files**: the system's programs and libraries (``/usr`` and the links ``/bin``, ``/lib``...), a few harmless files of
  ``/etc`` (the dynamic linker's cache, ``passwd``, ``localtime``...), the course folder and the Python environment the
  grader runs in (``.venv`` and the Python it links to, e.g. under ``$(pyenv root)``), all **read-only**; and one
  **writable** folder, that submission's own temporary folder (its data, IPython and Jupyter runtime folders inside).
  The course's ``build/`` (the teacher's solutions, the default grades folder) and every folder passed as ``hide``
  (SUBMISSIONS, OUT) are covered with an empty folder, and so are the other submissions' temporary folders. The home
  folder is not there (except the Python environment, where it lies inside it), nor ``/run``, ``/var`` or ``/root``.
- **Processes**: its own PID namespace: ``/proc`` lists only its own processes; it cannot see or signal the grader,
  other kernels or anything else of the machine. All capabilities are dropped (even when the grader runs as root) and
  ``no_new_privs`` is set, so set-uid programs give nothing. When its grading ends (the kernel is killed or exits, or
  the grader dies: ``--die-with-parent``) the namespace's first process dies, and the Linux kernel kills every process
  left in it, detached ones included.
- **Network**: none (``--unshare-net``: only its own empty loopback). The kernel talks to the grader through ZMQ over
  Unix socket files in its runtime folder (jupyter_client's ``transport="ipc"``), not TCP.
- **Environment variables**: only the ones the kernel needs (``PATH``, ``LANG``, ``COURSE_*``...); ``HOME`` is its
  own folder.
- **Memory**: the private memory of each of its processes is limited (``RLIMIT_DATA``, default 4 GiB, set with
  util-linux's ``prlimit`` and kept by its processes: they cannot raise it without capabilities); an allocation over
  it fails with ``MemoryError`` (or PyTorch's "can't allocate memory"), which :func:`memory_problem` recognises so the
  grader can say so. (Not ``RLIMIT_AS``: importing PyTorch alone maps 3.4 GiB of address space for 0.55 GiB used.)
  A single file it writes is limited to 1 GiB (``RLIMIT_FSIZE``), its own ``/tmp`` and ``/dev/shm`` (in memory) to
  256 MiB each, and core dumps are off; nothing else outside its folder is writable.

What it does **not** limit: CPU time (the grader's time limits do), the number of processes or threads inside the
sandbox until its grading ends (each gets the memory limit: N processes may use N times it), the total disk space
written into its own folder (any number of files of up to 1 GiB), reading the course's files and the Python
environment (the course is public), the names of the covered folders (``/proc/self/mountinfo`` lists them; not their
contents), and bugs in Linux or bubblewrap themselves. A kernel that exits by itself while a detached process of its
own still runs leaves the sandbox alive (bubblewrap's init waits for that process) until the grader shuts the kernel
down at the end of that submission, which kills it: the grader then sees a silent kernel, not a dead one, and the cell
ends at its time limit.

Use (the grader, for each submission)::

    box = Sandbox(workdir, hide=[submissions, out])        # or None with --no-sandbox
    manager = kernel_manager(box, connection_file=str(workdir / "runtime" / "kernel.json"))
    client = NotebookClient(nb, km=manager, ...)          # as before; async_setup_kernel(env=..., cwd=...)

and once, before grading: ``problem = unavailable()``; when it is not None, refuse with it (it says how to install
bubblewrap) unless the teacher passed ``--no-sandbox`` (then print :func:`no_sandbox_warning`).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from classroom.notebook import BUILD, ROOT
from helpers.i18n import _

MEMORY_LIMIT = 4 * 1024**3  # bytes of private memory (RLIMIT_DATA) per process (PyTorch, helpers
# and matplotlib use about 0.8 GiB of it)
FILE_LIMIT = 1024**3  # bytes: the largest file a kernel may write
TMP_SIZE = 256 * 1024**2  # bytes: the kernel's own /tmp (in memory)
# /etc files a kernel may read: none of them holds a secret (no shadow, no ssh keys, no machine-id)
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group", "nsswitch.conf",
             "hosts", "host.conf", "gai.conf", "mime.types", "fonts", "alternatives", "locale.alias", "ssl/openssl.cnf")
# the system folders every program needs, read-only (on a merged-/usr system, most are links into /usr)
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt/conda")
# what a kernel may read of /sys: the CPU layout (PyTorch's cpuinfo, OpenMP)
SYS_FILES = ("/sys/devices/system/cpu", "/sys/devices/system/node")
# environment variables the kernel keeps (exact names, or prefixes ending with "_")
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONUNBUFFERED",
            "PYTHONWARNINGS", "PYDEVD_DISABLE_FILE_VALIDATION", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_PLATFORM_DIRS", "MPLBACKEND",
            "LC_", "COURSE_", "CUDA_VISIBLE_DEVICES")


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def _install_hint() -> str:
    return _("Install bubblewrap: `sudo apt install bubblewrap` (Debian, Ubuntu), `sudo dnf install bubblewrap` "
             "(Fedora), `sudo pacman -S bubblewrap` (Arch). It needs Linux: on macOS or Windows, grade in a Linux "
             "virtual machine or container.")


@functools.lru_cache(maxsize=1)
def _trial() -> tuple[str, str] | None:
    """Start the smallest sandbox once; (what failed, its output) or None when it works. Cached per process."""
    for tool in ("bwrap", "prlimit"):
        if shutil.which(tool) is None:
            return tool, ""
    probe = Sandbox(Path("/"), trial=True)
    argv = probe.command([sys.executable, "-c", "pass"])
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=probe.environment(os.environ))
    except (OSError, subprocess.SubprocessError) as error:
        return "run", str(error)
    if done.returncode != 0:
        return "run", " ".join((done.stderr or done.stdout).split())[:500]
    return None


def unavailable() -> str | None:
    """Why kernels cannot be sandboxed here, with what to do (translated), or None when they can.

    The grader calls it once before grading: a non-None answer means refuse, unless the teacher passed
    ``--no-sandbox``. It really starts a sandbox once (about 0.1 s), so a bubblewrap that is installed but not allowed
    to create namespaces (some Ubuntu and container settings) is found here, not in the middle of a class.
    """
    failure = _trial()
    if failure is None:
        return None
    what, output = failure
    if what == "bwrap":
        return (_("The grader runs every submission in a sandbox made with bubblewrap (`bwrap`), which is not "
                  "installed.") + " " + _install_hint() + " " + _no_sandbox_hint())
    if what == "prlimit":
        return _("The grader limits each submission's memory with `prlimit` (util-linux), which is not installed: "
                 "install util-linux.") + " " + _no_sandbox_hint()
    return (_("bubblewrap (`bwrap`) is installed but could not start a sandbox here: {output}. It needs user "
              "namespaces: on Ubuntu 24.04 and later, install the distribution's `bubblewrap` package (its "
              "AppArmor profile allows them); in a Docker container, start the container with `--privileged`; "
              "elsewhere, check that `sysctl user.max_user_namespaces` is not 0.").format(output=output or "?")
            + " " + _no_sandbox_hint())


def _no_sandbox_hint() -> str:
    return _("Or grade without the sandbox, only if you trust every submission: `make grade ... NO_SANDBOX=1` "
             "(`--no-sandbox`).")


def no_sandbox_warning() -> str:
    """What the grader prints when the teacher passed ``--no-sandbox`` (translated)."""
    return _("Grading WITHOUT the sandbox (--no-sandbox): every submission runs with your account's rights. It can "
             "read, change or delete any file you can (other submissions, the gradebook, your home folder), use the "
             "network, stop the grader and leave processes running after it. Do this only with submissions you "
             "trust, or inside a throwaway container or account.")


def memory_problem(ename: str, evalue: str = "") -> bool:
    """Whether a cell's error (its exception's name and message) means it ran out of the sandbox's memory."""
    return ("MemoryError" in ename  # Python's, and NumPy's _ArrayMemoryError
            or "can't allocate memory" in evalue  # PyTorch's DefaultCPUAllocator
            or "Cannot allocate memory" in evalue or "std::bad_alloc" in evalue)


def memory_message(limit: int = MEMORY_LIMIT) -> str:
    """The grade's message for a cell that ran out of memory (translated)."""
    return _("used more memory than the grader allows ({size} GiB per process): make the tensors in this exercise "
             "smaller").format(size=f"{limit / 1024**3:g}")


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


class Sandbox:
    """How to run one kernel: read-only course and environment, ``workdir`` writable, nothing else.

    ``hide``: folders or files to cover even where they lie inside a read-only folder (the grader passes SUBMISSIONS and
    OUT; the course's ``build/`` is always covered). ``memory``: bytes of private memory per process, or None.
    ``read``: more folders the kernel may read (read-only), besides the course and the Python environment.
    """

    def __init__(self, workdir: Path, hide: Iterable[Path] = (), memory: int | None = MEMORY_LIMIT,
                 read: Iterable[Path] = (), trial: bool = False) -> None:
        self.workdir = Path(os.path.realpath(workdir))
        self.read = [Path(p) for p in read]
        self.hide = [Path(os.path.realpath(p)) for p in (*hide, BUILD)]
        self.memory = memory
        self.trial = trial  # the availability check: no workdir to bind

    def read_only(self) -> list[Path]:
        """The folders the kernel may read, besides the system's: the course and the Python environment."""
        folders = {ROOT, Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
                   Path(os.path.realpath(sys.executable)).parent.parent, *self.read}
        home = Path.home().resolve()
        for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):  # the teacher's own choice, if any
            if entry and os.path.isabs(entry) and os.path.isdir(entry) and not home.is_relative_to(entry):
                folders.add(Path(entry))
        resolved = sorted({Path(os.path.realpath(f)) for f in folders if f.exists()}, key=lambda p: len(p.parts))
        kept: list[Path] = []
        for folder in resolved:  # drop folders inside one already kept
            if folder != Path("/") and not any(folder.is_relative_to(k) for k in kept):
                kept.append(folder)
        return kept

    def command(self, kernel_cmd: list[str]) -> list[str]:
        """``kernel_cmd`` run in the sandbox (under ``prlimit``): the argv to start instead of it."""
        args = [bwrap_path() or "bwrap", "--unshare-all", "--unshare-net", "--unshare-user", "--disable-userns",
                "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--unsetenv", "JPY_PARENT_PID",
                "--tmpfs", "/", "--dev", "/dev", "--size", str(TMP_SIZE), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
                "--proc", "/proc", "--size", str(TMP_SIZE), "--tmpfs", "/tmp"]
        for name in SYSTEM:
            path = Path(name)
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), name]
            elif path.is_dir():
                args += ["--ro-bind", name, name]
        for name in ETC_FILES:
            if _exists(Path("/etc") / name):
                args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        for name in SYS_FILES:
            if os.path.isdir(name):
                args += ["--ro-bind", name, name]
        bound = self.read_only()
        for folder in bound:
            args += ["--ro-bind", str(folder), str(folder)]
        parent = self.workdir.parent
        if not self.trial and parent not in (Path("/"), Path("/tmp")):  # /tmp is the kernel's own already
            # the other submissions' temporary folders (this one's siblings) disappear under an empty, read-only folder
            # that holds only this one's (bound below) and the read-only folders that lie inside it, if any
            inside = [f for f in bound if f.is_relative_to(parent) and f != parent]
            args += ["--size", str(1024**2), "--tmpfs", str(parent),
                     *[a for f in inside for a in ("--ro-bind", str(f), str(f))],
                     "--dir", str(self.workdir), "--remount-ro", str(parent)]
        if not self.trial:
            work = self.workdir / "work"
            args += ["--bind", str(self.workdir), str(self.workdir),
                     "--chdir", str(work if work.is_dir() else self.workdir)]
        for path in self.hide:  # only where it lies inside something bound: an empty, read-only folder over it
            if any(path.is_relative_to(folder) for folder in bound) and _exists(path):
                args += (["--size", "4096", "--tmpfs", str(path), "--remount-ro", str(path)] if path.is_dir()
                         else ["--ro-bind", "/dev/null", str(path)])
        args += ["--remount-ro", "/"]  # the sandbox's root: nothing can be created in it
        limits = [f"--fsize={FILE_LIMIT}", "--core=0"]
        if self.memory:
            limits.append(f"--data={self.memory}")
        return [shutil.which("prlimit") or "prlimit", *limits, "--", *args, "--", *kernel_cmd]

    def environment(self, env: Mapping[str, str]) -> dict[str, str]:
        """The variables the kernel keeps of ``env``; ``HOME`` is its own folder."""
        kept = {k: v for k, v in env.items()
                if k in ENV_KEEP or any(k.startswith(p) for p in ENV_KEEP if p.endswith("_"))}
        kept["HOME"] = str(self.workdir)
        kept.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
        kept["MPLCONFIGDIR"] = str(self.workdir / "ipython" if (self.workdir / "ipython").is_dir() else self.workdir)
        return kept


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts its kernel with :meth:`Sandbox.command` and talks to it over Unix sockets.

    Interrupts go as an ``interrupt_request`` message (the kernel signals itself): a signal to the sandbox's process
    group would reach bubblewrap, not the kernel (it runs in its own session).
    """

    sandbox: Sandbox | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        assert self.sandbox is not None and self.kernel_spec is not None
        self.kernel_spec.interrupt_mode = "message"
        kw["env"] = self.sandbox.environment(kw.get("env") or os.environ)
        await super()._async_launch_kernel(self.sandbox.command(kernel_cmd), **kw)


def kernel_manager(sandbox: Sandbox | None, **kwargs: Any) -> AsyncKernelManager:
    """The kernel manager for one submission: sandboxed (IPC transport) or, with ``sandbox=None``, the plain one.

    ``kwargs`` go to the manager (``kernel_name`` defaults to ``python3``; pass ``connection_file`` inside the
    sandbox's workdir: the Unix sockets are made next to it).
    """
    kwargs.setdefault("kernel_name", "python3")
    if sandbox is None:
        return AsyncKernelManager(**kwargs)
    manager = SandboxedKernelManager(transport="ipc", **kwargs)
    manager.sandbox = sandbox
    return manager
