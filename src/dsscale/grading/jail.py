"""The init process of a grading sandbox (Linux, run as root, stdlib only).

``dsscale.grading.sandbox`` starts this file with ``unshare --mount --pid
--net --ipc --uts --fork --kill-child``, so it is process 1 of fresh mount, PID,
network, IPC and UTS namespaces, and is killed by the kernel as soon as the
judge kills ``unshare``. It then

1. builds a new root on a tmpfs holding only read-only bind mounts of what the
   child needs (the Python installation, the package, the system libraries,
   the copied submission), a private ``/tmp`` and ``/dev/shm``, a minimal
   ``/dev`` and a ``/proc`` of the new PID namespace, and ``chroot``\\ s into it
   (the exercises, their solutions, their checks and the tests are simply not
   there);
2. starts the child through ``setpriv`` (as ``nobody`` with no capabilities,
   or, for Ray exercises, as a capability-less root) with resource limits;
3. reaps every process until the child exits, and exits with its status:
   when process 1 of a PID namespace exits, the kernel kills every process
   left in it, so nothing the student started (even with ``setsid`` and a
   double fork) outlives the child.

Its one argument is a JSON object (see :func:`main`). Being process 1, it
ignores signals without handlers; the judge ends it by killing ``unshare``.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
from typing import Any

MS_RDONLY, MS_NOSUID, MS_NODEV = 1, 2, 4
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]


def _mount(source: str, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    ret = _libc.mount(source.encode(), target.encode(),
                      fstype.encode() if fstype else None, flags,
                      data.encode() if data else None)
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _bind(root: str, path: str, *, writable: bool) -> None:
    """Bind ``path`` at the same path under ``root`` (read-only unless asked)."""
    target = root + path
    if os.path.islink(path):  # e.g. /lib -> usr/lib on a merged-/usr system
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(os.readlink(path), target)
        return
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()  # noqa: SIM115 - an empty mount point
    _mount(path, target, None, MS_BIND | MS_REC)
    if not writable:
        _mount(path, target, None,
               MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def build_root(spec: dict[str, Any]) -> None:
    """Populate ``spec["root"]`` and chroot into it."""
    root = spec["root"]
    _mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing leaks back out
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=16m")
    for path in ("/tmp", "/dev/shm"):  # first: binds may land inside /tmp
        if path not in spec["rw_binds"]:
            os.makedirs(root + path, exist_ok=True)
            _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV,
                   f"mode=1777,size={spec['tmp_mb']}m")
    for path in spec["rw_binds"]:
        _bind(root, path, writable=True)
    for path in spec["ro_binds"]:
        if os.path.exists(path):
            _bind(root, path, writable=False)
    for dev in ("null", "zero", "random", "urandom"):
        _bind(root, f"/dev/{dev}", writable=True)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir(spec["cwd"])


def _limit(spec: dict[str, Any]) -> None:
    for name, value in spec["rlimits"].items():
        limit = getattr(resource, f"RLIMIT_{name}")
        resource.setrlimit(limit, (value, value))


def _kill_descendants() -> None:
    """SIGKILL every child until none is left (orphans re-parent to us)."""
    for _ in range(1000):
        me = str(os.getpid())
        children = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1].decode() == me:
                children.append(int(entry))
        for pid in children:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return


def _terminate(signum: int, frame: object) -> None:
    _kill_descendants()
    os._exit(143)


def main(argv: list[str]) -> int:
    """``jail.py SPEC_JSON``: root, ro_binds, rw_binds, tmp_mb, cwd, rlimits,
    setpriv (the setpriv options), argv and env of the child, and reaper (not
    process 1 of a PID namespace: adopt and kill orphans ourselves)."""
    spec = json.loads(argv[0])
    if spec.get("reaper"):
        _libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        signal.signal(signal.SIGTERM, _terminate)
    build_root(spec)
    pid = os.fork()
    if pid == 0:
        try:
            _limit(spec)
            os.execve("/usr/bin/setpriv",
                      ["setpriv", *spec["setpriv"], "--", *spec["argv"]], spec["env"])
        finally:
            os._exit(127)
    while True:  # reap every orphan until the child itself has exited
        try:
            done, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 126
        if done == pid:
            code = os.waitstatus_to_exitcode(status)
            if spec.get("reaper"):
                _kill_descendants()
            return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
