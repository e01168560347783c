"""Side-by-side speed ratios for dsscale.partitioning (ratios, not absolute times).

Run ``python benchmarks/bench_partitioning.py [--quick] [--json PATH]``.

1. ``jump_hash_array`` (numpy) vs a Python loop over ``jump_hash``, and vs the
   paper's C function compiled with gcc and looped in C (if gcc is available);
2. ``HashRing.node_for_many`` vs the peer library uhashring's ``get_node``, on the
   same string keys and nodes;
3. per-key lookup cost of every scheme as the node count grows (HashRing itself
   uses a bucket index, expected O(1); "ring-bisect" is the same ring searched by
   plain binary search, the O(log n) of the textbook).

Every time is the best of several repeats of ``time.perf_counter``; loops that
would take too long are timed on a subset and reported per key, as printed.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from dsscale.partitioning import (
    HashRing,
    JumpHash,
    Maglev,
    ModuloPartitioner,
    Rendezvous,
    jump_hash,
    jump_hash_array,
    stable_hash_many,
)
from dsscale.timing import best_time

C_JUMP = r"""
#include <stdint.h>
static int32_t jump(uint64_t key, int32_t num_buckets) {
    int64_t b = -1, j = 0;
    while (j < num_buckets) {
        b = j;
        key = key * 2862933555777941757ULL + 1;
        j = (b + 1) * ((double)(1LL << 31) / (double)((key >> 33) + 1));
    }
    return (int32_t)b;
}
void jump_many(const uint64_t *keys, int64_t n, int32_t buckets, int32_t *out) {
    for (int64_t i = 0; i < n; i++) out[i] = jump(keys[i], buckets);
}
"""


def compile_c_jump(workdir: Path) -> Callable[[np.ndarray, int], np.ndarray] | None:
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    src, lib = workdir / "jump.c", workdir / "libjump.so"
    src.write_text(C_JUMP)
    try:
        subprocess.run([gcc, "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    fn = ctypes.CDLL(str(lib)).jump_many
    fn.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int32, ctypes.c_void_p]
    fn.restype = None

    def run(keys: np.ndarray, buckets: int) -> np.ndarray:
        keys = np.ascontiguousarray(keys, dtype=np.uint64)
        out = np.empty(keys.size, dtype=np.int32)
        fn(keys.ctypes.data, keys.size, buckets, out.ctypes.data)
        return out

    return run


def bench_jump(quick: bool, repeats: int) -> dict[str, Any]:
    n_keys, n_loop, buckets = (10**5, 10**4, 1000) if quick else (10**6, 10**5, 1000)
    keys = np.random.default_rng(0).integers(0, 2**64, n_keys, dtype=np.uint64,
                                             endpoint=False)
    loop_keys = keys[:n_loop].tolist()
    t_vec = best_time(lambda: jump_hash_array(keys, buckets), repeats) / n_keys
    t_loop = best_time(lambda: [jump_hash(k, buckets) for k in loop_keys],
                       repeats) / n_loop
    res: dict[str, Any] = {"keys": n_keys, "loop_keys": n_loop, "buckets": buckets,
                           "numpy_ns_per_key": t_vec * 1e9,
                           "loop_ns_per_key": t_loop * 1e9,
                           "numpy_vs_loop": t_loop / t_vec}
    with tempfile.TemporaryDirectory() as tmp:
        c_jump = compile_c_jump(Path(tmp))
        if c_jump is not None:
            assert np.array_equal(c_jump(keys, buckets), jump_hash_array(keys, buckets))
            t_c = best_time(lambda: c_jump(keys, buckets), repeats) / n_keys
            res["c_ns_per_key"] = t_c * 1e9
            res["numpy_slowdown_vs_c"] = t_vec / t_c
    return res


def bench_uhashring(quick: bool, repeats: int) -> dict[str, Any] | None:
    try:
        from uhashring import HashRing as UHashRing
    except ImportError:
        return None

    nodes = [f"node-{i}" for i in range(100)]
    n_ours, n_peer = (2 * 10**4, 5000) if quick else (2 * 10**5, 5 * 10**4)
    keys = [f"user:{i}" for i in range(n_ours)]
    peer_keys = keys[:n_peer]
    ours = HashRing(nodes, vnodes=160)
    peer = UHashRing(nodes=nodes)
    t_many = best_time(lambda: ours.node_for_many(keys), repeats) / n_ours
    t_scalar = best_time(lambda: [ours.node_for(k) for k in peer_keys],
                         repeats) / n_peer
    t_peer = best_time(lambda: [peer.get_node(k) for k in peer_keys], repeats) / n_peer
    return {"nodes": len(nodes), "keys": n_ours, "peer_keys": n_peer,
            "node_for_many_ns_per_key": t_many * 1e9,
            "node_for_ns_per_key": t_scalar * 1e9,
            "uhashring_ns_per_key": t_peer * 1e9,
            "node_for_many_vs_uhashring": t_peer / t_many,
            "node_for_vs_uhashring": t_peer / t_scalar}


class BinarySearchRing:
    """A HashRing looked up by plain ``np.searchsorted``: the textbook O(log n)."""

    def __init__(self, nodes: list[str]) -> None:
        ring = HashRing(nodes, vnodes=160)
        self.points, self.owners = ring.points, ring.point_owners

    def node_for_many(self, keys: Any) -> np.ndarray:
        slots = np.searchsorted(self.points, stable_hash_many(keys), side="left")
        slots[slots == self.points.size] = 0
        return self.owners[slots]


SCHEMES: dict[str, tuple[str, Callable[[list[str]], Any]]] = {
    "modulo": ("O(1)", ModuloPartitioner),
    "jump": ("O(ln n)", JumpHash),
    "maglev": ("O(1)", Maglev),
    "ring-bisect": ("O(log n)", BinarySearchRing),
    "ring": ("O(1) exp.", lambda nodes: HashRing(nodes, vnodes=160)),
    "rendezvous": ("O(n)", Rendezvous),
}


def bench_scaling(quick: bool, repeats: int) -> dict[str, Any]:
    counts = [10, 100, 1000] if quick else [10, 100, 1000, 10000]
    n_keys = 2 * 10**4 if quick else 2 * 10**5
    keys = np.random.default_rng(1).integers(0, 2**63, n_keys, dtype=np.int64)
    out: dict[str, Any] = {"node_counts": counts, "keys": n_keys, "schemes": {}}
    for name, (order, make) in SCHEMES.items():
        per_key = []
        for n in counts:
            part = make([f"n{i}" for i in range(n)])
            # Rendezvous scores every node: time fewer keys at large n.
            m = n_keys
            if name == "rendezvous":
                m = min(n_keys, max(200, 2 * 10**6 // n))
            sub = keys[:m]
            per_key.append(best_time(lambda p=part, s=sub: p.node_for_many(s),
                                     repeats) / m * 1e9)
        out["schemes"][name] = {"complexity": order, "ns_per_key": per_key,
                                "growth_vs_10_nodes": [t / per_key[0] for t in per_key]}
    return out


def print_ring(ring: dict[str, Any]) -> None:
    print(f"\n[2] HashRing vs uhashring, {ring['nodes']} nodes, string keys "
          f"(ours on {ring['keys']:,} keys, uhashring on {ring['peer_keys']:,}, "
          "per key)")
    print(f"  ratio  node_for_many vs get_node      : "
          f"{ring['node_for_many_vs_uhashring']:8.1f}x faster"
          f"  ({ring['node_for_many_ns_per_key']:.0f} vs "
          f"{ring['uhashring_ns_per_key']:.0f} ns/key)")
    print(f"  ratio  node_for (scalar) vs get_node  : "
          f"{ring['node_for_vs_uhashring']:8.1f}x faster"
          f"  ({ring['node_for_ns_per_key']:.0f} vs "
          f"{ring['uhashring_ns_per_key']:.0f} ns/key)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    repeats = 2 if args.quick else 5
    print(f"dsscale partitioning benchmark ({'quick' if args.quick else 'full'}; "
          f"best of {repeats}; python {sys.version.split()[0]}, "
          f"numpy {np.__version__})")

    jump = bench_jump(args.quick, repeats)
    print(f"\n[1] jump hash, {jump['buckets']} buckets, {jump['keys']:,} uint64 keys "
          f"(Python loop timed on the first {jump['loop_keys']:,}, per key)")
    print("  ratio  jump_hash_array vs Python loop : "
          f"{jump['numpy_vs_loop']:8.1f}x faster"
          f"  ({jump['numpy_ns_per_key']:.0f} vs {jump['loop_ns_per_key']:.0f} ns/key)")
    if "numpy_slowdown_vs_c" in jump:
        print(f"  ratio  jump_hash_array vs C (gcc -O2) : "
              f"{jump['numpy_slowdown_vs_c']:8.1f}x slower"
              f"  ({jump['numpy_ns_per_key']:.0f} vs "
              f"{jump['c_ns_per_key']:.0f} ns/key)")
    else:
        print("  (gcc not found: C comparison skipped)")

    ring = bench_uhashring(args.quick, repeats)
    if ring is None:
        print("\n[2] uhashring is not installed: peer comparison skipped")
    else:
        print_ring(ring)

    scaling = bench_scaling(args.quick, repeats)
    counts = scaling["node_counts"]
    print(f"\n[3] node_for_many cost per key vs node count ({scaling['keys']:,} int "
          "keys; ratio = cost / cost at 10 nodes)")
    print("  scheme        order      " + "".join(f"{f'n={c}':>18}" for c in counts))
    for name, row in scaling["schemes"].items():
        cells = "".join(f"{f'{t:.0f}ns ({g:.1f}x)':>18}" for t, g in
                        zip(row["ns_per_key"], row["growth_vs_10_nodes"], strict=True))
        print(f"  ratio {name:<12}{row['complexity']:<10}" + cells)
    print("\n(Shared machine: absolute times vary run to run; compare ratios.)")

    if args.json:
        args.json.write_text(json.dumps(
            {"quick": args.quick, "repeats": repeats, "jump": jump,
             "uhashring": ring, "scaling": scaling}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
