"""Start and stop Ray the same way everywhere: book, tests, demos, benchmarks.

One code path, three scales. With no address (and no ``RAY_ADDRESS`` in the
environment) :func:`init_ray` starts a private local Ray instance
(``address="local"``, no dashboard); with an address, or ``RAY_ADDRESS`` set, it
connects to that cluster instead. Either way the caller's code is the same.

Facts this module is built on (Ray 2.60, measured on a 2-core machine):

* ``ray.init`` of a local instance takes about 4-6 s and 700 MB; start it once.
* Token authentication is on by default. A new local instance creates
  ``~/.ray/auth_token`` if it is missing; a client connecting by explicit
  address only sends a token when ``RAY_AUTH_MODE=token`` is set, so we set it
  (unless the caller set ``RAY_AUTH_MODE`` already). The token itself comes
  from ``RAY_AUTH_TOKEN``, the file named by ``RAY_AUTH_TOKEN_PATH``, or
  ``~/.ray/auth_token`` (``ray get-auth-token --generate`` prints or creates it).
* Connecting to an address where no Ray is listening does not fail: the driver
  retries for minutes (measured: still retrying after 200 s). We therefore
  probe the GCS port with a plain TCP connect first, so an unreachable address
  fails in at most ``connect_timeout`` seconds with a one-line
  :class:`ConnectionError`. A reachable cluster that rejects our token makes
  ``ray.init`` raise ``ConnectionError`` after about 20 s of retries; that
  error is re-raised with a hint about the token.
* ``ray stop`` kills every Ray process on the machine; never use it to clean up.
  :func:`shutdown_ray` (``ray.shutdown``) stops only what this process started.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dsscale._validate import check_float, check_int

__all__ = ["RaySessionInfo", "init_ray", "ray_session", "resolve_address",
           "shutdown_ray"]

_LOCAL = "local"
# True while the current Ray runtime was started (or connected) by init_ray,
# so shutdown_ray never tears down a runtime somebody else owns.
_owned = False


@dataclass(frozen=True)
class RaySessionInfo:
    """What :func:`init_ray` did: where Ray runs and whether we own it."""

    address: str
    """``"local"`` for a private instance, otherwise the cluster address."""
    started: bool
    """True if this call started or connected Ray (and will shut it down)."""
    num_cpus: float
    """Total CPUs the Ray runtime advertises."""


def resolve_address(address: str | None = None) -> str:
    """The address Ray will use: ``address``, else ``$RAY_ADDRESS``, else local."""
    if address is not None and not isinstance(address, str):
        raise TypeError(f"address must be a string or None, got "
                        f"{type(address).__name__}")
    if address is None or address.strip() == "":
        address = os.environ.get("RAY_ADDRESS", "").strip() or _LOCAL
    return address.strip()


def _host_port(address: str) -> tuple[str, int] | None:
    """Split ``[ray://]host:port`` into its parts (None for ``auto``)."""
    if address == "auto":
        return None
    bare = address.split("://", 1)[1] if "://" in address else address
    host, sep, port_text = bare.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit():
        raise ValueError(f"address must look like HOST:PORT, got {address!r}")
    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"address port must be in 1..65535, got {port}")
    return host, port


def _probe(address: str, timeout: float) -> None:
    """Fail fast with ConnectionError if nothing listens at ``address``."""
    target = _host_port(address)
    if target is None:
        return
    try:
        with socket.create_connection(target, timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError | socket.timeout):
            reason = f"no answer within {timeout:g} s"
        raise ConnectionError(
            f"cannot reach a Ray cluster at {address} ({reason}); "
            f"start one with `ray start --head` or fix --address/RAY_ADDRESS"
        ) from None


def init_ray(address: str | None = None, num_cpus: int | None = None, *,
             log_to_driver: bool = False, connect_timeout: float = 5.0,
             **init_kwargs: Any) -> RaySessionInfo:
    """Start a local Ray instance or connect to a cluster.

    Parameters
    ----------
    address
        ``None`` (default): use ``$RAY_ADDRESS`` if set, else start a private
        local instance. ``"local"`` always starts one; ``"HOST:PORT"`` or
        ``"auto"`` connects to an existing cluster.
    num_cpus
        CPUs a *local* instance advertises (Ray's default: all cores). Ignored
        when connecting, since a cluster's size is fixed by ``ray start``.
    log_to_driver
        Forward workers' stdout/stderr to this process. Off by default, so
        demos and notebooks print only their own output.
    connect_timeout
        Seconds to wait for the TCP probe of a cluster address.
    init_kwargs
        Passed on to ``ray.init`` (for example ``runtime_env``).

    Re-initialisation: if Ray is already running in this process (a test
    session fixture, a notebook cell that ran before), it is reused as it is,
    like ``ray.init(ignore_reinit_error=True)``: ``num_cpus`` is then not
    applied, and ``started`` is False, so :func:`ray_session` leaves the
    runtime running on exit for its owner to stop. An explicit ``HOST:PORT``
    is still checked: unreachable gives ``ConnectionError``, and a different
    cluster from the running one gives ``ValueError``.
    """
    import ray  # imported lazily: most of dsscale never needs Ray

    if num_cpus is not None:
        num_cpus = check_int("num_cpus", num_cpus, minimum=1)
    connect_timeout = check_float("connect_timeout", connect_timeout, 0.0,
                                  strict_min=True)
    if ray.is_initialized():
        return _reuse_running(address, connect_timeout)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    _ensure_token_mode()
    resolved = resolve_address(address)
    options: dict[str, Any] = {
        "log_to_driver": log_to_driver,
        "logging_level": logging.WARNING,
        "configure_logging": True,
    }
    if resolved == _LOCAL:
        options.update(address=_LOCAL, include_dashboard=False)
        if num_cpus is not None:
            options["num_cpus"] = num_cpus
    else:
        _probe(resolved, connect_timeout)
        options["address"] = resolved
    options.update(init_kwargs)
    _start(resolved, options)
    global _owned
    _owned = True
    return RaySessionInfo(resolved, True, _cluster_cpus())


def _reuse_running(address: str | None, connect_timeout: float) -> RaySessionInfo:
    """The Ray already running in this process, unless ``address`` names another."""
    current = _current_address()
    wanted = resolve_address(address) if address is not None else None
    target = _host_port(wanted) if wanted not in (None, _LOCAL, "auto") else None
    if target is not None:
        # an explicit cluster address must not be silently ignored
        _probe(str(wanted), connect_timeout)
        try:
            running = _host_port(current)
        except ValueError:
            running = None
        if running is None or running[1] != target[1]:
            raise ValueError(
                f"address {wanted} cannot be used: Ray is already running in "
                f"this process (connected to {current}); shut it down first")
    return RaySessionInfo(current, False, _cluster_cpus())


def _start(resolved: str, options: dict[str, Any]) -> None:
    """``ray.init(**options)``, with errors that say what to check."""
    import ray

    try:
        ray.init(**options)
    except ConnectionError as exc:
        if resolved == _LOCAL:
            raise
        # Reachable port but no session: typically a token mismatch (Ray logs
        # "InvalidAuthToken" and gives up after about 20 s) or not a Ray GCS.
        raise ConnectionError(
            f"{str(exc).strip() or 'cannot connect'} (is it a Ray head node? with "
            f"token auth, RAY_AUTH_TOKEN or ~/.ray/auth_token must hold the "
            f"cluster's token)") from None
    except ray.exceptions.AuthenticationError as exc:
        raise ConnectionError(
            f"Ray at {resolved} refused authentication ({exc}); provide the "
            f"cluster's token via RAY_AUTH_TOKEN or ~/.ray/auth_token"
        ) from None


def _ensure_token_mode() -> None:
    """Turn token auth on unless the caller chose a mode via ``RAY_AUTH_MODE``.

    A client connecting by address sends its token only in token mode, and a
    local instance then starts without Ray's "enabled by default" warning.
    Ray reads ``RAY_AUTH_MODE`` into its config when ``ray`` is imported, so
    after changing the variable the config is re-read, as Ray itself does
    when it enables token auth by default.
    """
    if "RAY_AUTH_MODE" in os.environ:
        return
    os.environ["RAY_AUTH_MODE"] = "token"
    try:
        from ray._raylet import Config  # type: ignore[attr-defined]

        Config.initialize("")
    except (ImportError, AttributeError):  # pragma: no cover - other Ray versions
        pass


def shutdown_ray() -> None:
    """Shut Ray down if :func:`init_ray` started or connected it; else no-op.

    A runtime started by plain ``ray.init`` (not by :func:`init_ray`) is left
    alone. Prefer :func:`ray_session`, which pairs the two calls.

    Disconnecting from a cluster leaves the cluster running; a local instance
    is stopped together with its worker processes.
    """
    global _owned
    if not _owned:
        return
    import ray

    ray.shutdown()
    _owned = False


@contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None, *,
                log_to_driver: bool = False, connect_timeout: float = 5.0,
                **init_kwargs: Any) -> Iterator[RaySessionInfo]:
    """``with ray_session(): ...`` — :func:`init_ray` on entry, cleanup on exit.

    Nested or repeated use inside a process that already runs Ray reuses that
    runtime and does not shut it down on exit (see :func:`init_ray`).
    """
    info = init_ray(address, num_cpus, log_to_driver=log_to_driver,
                    connect_timeout=connect_timeout, **init_kwargs)
    try:
        yield info
    finally:
        if info.started:
            shutdown_ray()


def _cluster_cpus() -> float:
    import ray

    resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
    return float(resources.get("CPU", 0.0))


def _current_address() -> str:
    import ray

    try:
        return str(ray.get_runtime_context().gcs_address)
    except (AttributeError, RuntimeError):  # pragma: no cover - Ray version
        return "unknown"
