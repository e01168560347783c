"""Start a student's child process in a sandbox, bound its output, kill it.

What is enforced depends on the platform (see :func:`detect_isolation`):

* **namespaces** (Linux, as root, ``unshare`` and ``setpriv`` present: a
  Gradescope container, a CI runner): :mod:`dsscale.grading.jail` gives the
  child new mount, PID, network, IPC and UTS namespaces and a ``chroot`` that
  holds only read-only copies of the Python installation, the package and the
  system libraries, plus the submission; it runs as ``nobody`` with no
  capabilities and no network, and when it exits the kernel kills everything
  it started. Ray exercises keep the host network (the shared cluster listens
  on loopback), the cluster's ``/tmp/ray`` and ``/dev/shm`` and a
  capability-less root (Ray's sockets belong to root), and no PID namespace
  (a Ray driver cannot start in one); the jail then reaps and kills every
  descendant itself.
* **basic** (anything else, e.g. a student's laptop): resource limits and a
  process group of its own; the file system and the network are not hidden.

Everywhere: CPU time, address space (not for Ray), file size and open files
are limited, stdout and stderr go through a bounded buffer, and the whole
process group is killed on timeout with a bounded wait after the kill.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

JAIL = Path(__file__).with_name("jail.py")
NOBODY = 65534
TAIL = 64 * 1024  # bytes of output kept for the report


@dataclass(frozen=True)
class Limits:
    """Resource limits of one child (``None``: not limited)."""

    cpu_seconds: int = 120
    memory_bytes: int | None = 3 << 30
    processes: int | None = 64  # counted per user: only enforced for nobody
    file_bytes: int = 16 << 20
    open_files: int = 256
    output_bytes: int = 16 << 20
    tmp_megabytes: int = 64


# Ray drivers map the object store and start threads by the dozen
RAY_LIMITS = Limits(memory_bytes=None, processes=None, open_files=8192)


@dataclass(frozen=True)
class Isolation:
    """What the platform lets the sandbox enforce."""

    namespaces: bool
    ray: bool = False

    def describe(self) -> str:
        if not self.namespaces:
            return ("basic sandbox: resource limits and a process group (run as "
                    "root on Linux with unshare and setpriv for namespaces)")
        if self.ray:
            return ("namespaces (Ray): read-only chroot, capability-less root, "
                    "host loopback network, descendants reaped by the jail")
        return ("namespaces: read-only chroot, user nobody, no network, "
                "own PID namespace")


def detect_isolation(ray: bool = False) -> Isolation:
    """Namespaces when possible; ``DSSCALE_SANDBOX=basic`` forces basic."""
    forced = os.environ.get("DSSCALE_SANDBOX", "auto")
    able = (sys.platform == "linux" and os.geteuid() == 0
            and shutil.which("unshare") is not None
            and Path("/usr/bin/setpriv").exists())
    return Isolation(namespaces=able and forced != "basic", ray=ray)


def _rlimits(limits: Limits, *, drop_user: bool) -> dict[str, int]:
    out = {"CPU": limits.cpu_seconds, "FSIZE": limits.file_bytes,
           "NOFILE": limits.open_files, "CORE": 0}
    if limits.memory_bytes is not None:
        out["AS"] = limits.memory_bytes
    if limits.processes is not None and drop_user:
        out["NPROC"] = limits.processes
    return out


def _ro_binds(extra: list[str]) -> list[str]:
    """The system, the interpreter, its packages and ``extra`` (read-only)."""
    paths = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc",
             sys.base_prefix, sys.prefix,
             str(Path(os.path.realpath(sys.executable)).parent.parent)]
    paths += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    paths += extra
    seen: list[str] = []
    for p in paths:  # a symlink (/lib -> usr/lib) and what it points to
        for q in (os.path.abspath(p), os.path.realpath(p)):
            if os.path.exists(q) and q not in seen:
                seen.append(q)
    return seen


class Sandbox:
    """One running child and the pipes to it."""

    def __init__(self, argv: list[str], env: dict[str, str], workdir: Path,
                 cwd: Path, readable: list[str], limits: Limits,
                 isolation: Isolation) -> None:
        self.limits = limits
        self.isolation = isolation
        self.tail = bytearray()
        self.total_output = 0
        self.flooded = False
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        self.err_r, err_w = os.pipe()
        os.set_blocking(self.req_w, False)
        os.set_blocking(self.err_r, False)
        cmd = self._command(argv, env, workdir, cwd, readable)
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=req_r, stdout=resp_w, stderr=err_w, cwd=cwd,
                env=env if not isolation.namespaces else {"PATH": "/usr/bin:/bin"},
                start_new_session=True, close_fds=True,
                preexec_fn=None if isolation.namespaces else self._limit_self)
        finally:
            for fd in (req_r, resp_w, err_w):
                os.close(fd)

    def _command(self, argv: list[str], env: dict[str, str], workdir: Path,
                 cwd: Path, readable: list[str]) -> list[str]:
        if not self.isolation.namespaces:
            return argv
        import json

        ray = self.isolation.ray
        root = workdir / "root"
        root.mkdir(exist_ok=True)
        user = ([] if ray else [f"--reuid={NOBODY}", f"--regid={NOBODY}",
                                "--clear-groups"])
        spec = {
            "root": str(root), "ro_binds": _ro_binds(readable),
            "rw_binds": [p for p in ("/tmp/ray", "/dev/shm") if ray and
                         os.path.isdir(p)],
            "tmp_mb": self.limits.tmp_megabytes, "cwd": str(cwd),
            "rlimits": _rlimits(self.limits, drop_user=not ray),
            "setpriv": [*user, "--no-new-privs", "--inh-caps=-all",
                        "--bounding-set=-all"],
            "argv": argv, "env": env, "reaper": ray,
        }
        spaces = ["--mount", "--ipc", "--uts"] + ([] if ray else ["--pid", "--net",
                                                                   "--fork",
                                                                   "--kill-child"])
        return ["unshare", *spaces, sys.executable, "-I", "-S", str(JAIL),
                json.dumps(spec)]

    def _limit_self(self) -> None:  # basic mode: runs in the child before exec
        for name, value in _rlimits(self.limits, drop_user=False).items():
            kind = getattr(resource, f"RLIMIT_{name}")
            hard = resource.getrlimit(kind)[1]  # an unprivileged user cannot raise it
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(kind, (value, value))

    # -- output ------------------------------------------------------------------
    def drain(self, fd: int | None = None) -> None:
        """Read what the child printed; stop it once it printed too much."""
        while True:
            try:
                chunk = os.read(self.err_r, 1 << 16)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                return
            self.total_output += len(chunk)
            self.tail += chunk
            del self.tail[:-TAIL]
            if self.total_output > self.limits.output_bytes and not self.flooded:
                self.flooded = True
                self.kill()
                return

    def last_line(self) -> str:
        lines = self.tail.decode(errors="replace").strip().splitlines()
        return lines[-1][:300] if lines else ""

    # -- life cycle ----------------------------------------------------------------
    def exited(self) -> bool:
        return self.proc.poll() is not None

    def kill(self) -> None:
        """Kill the child and everything it started (bounded wait)."""
        if self.isolation.namespaces and self.isolation.ray and not self.exited():
            self.proc.send_signal(signal.SIGTERM)  # the jail kills its descendants
            try:
                self.proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def close(self) -> int | None:
        """Stop the child, close the pipes; return its exit code if it exited."""
        try:
            os.close(self.req_w)  # end of requests: a well-behaved child exits
        except OSError:
            pass
        deadline = time.monotonic() + 0.5
        while not self.exited() and time.monotonic() < deadline:
            time.sleep(0.005)
        code = self.proc.poll()
        self.kill()
        self.drain()
        for fd in (self.resp_r, self.err_r):
            try:
                os.close(fd)
            except OSError:
                pass
        return code


def with_cpu(limits: Limits, seconds: float) -> Limits:
    """``limits`` with a CPU allowance of ``seconds`` (rounded up, plus one)."""
    return replace(limits, cpu_seconds=int(seconds) + 2)
