"""Checks for Chapter 4's replicated-register exercise (trusted code: students
do not edit this).

The handler is unit-tested on a three-node network, then the student's whole
protocol runs through the package's fault campaign (`dsscale.faults.run_seed`:
seeded loss, duplication, slow links, replica and client crashes, partitions;
then heal, quiesce and a final read of every key) and every history is checked
with `dsscale.consistency.check_linearizable`. The same campaign is run on the
student's protocol with the original overwriting handler in place of theirs,
and must catch it: that proves the campaign can fail.
"""

from dsscale.faults import run_seed
from dsscale.grading import check
from dsscale.replication.protocols import PROTOCOLS, Deployment, ProtocolSpec
from dsscale.sim import FixedDelay, Link, Network, Node

SEEDS = range(60)  # ~1 s for a correct protocol on one core
REPLICAS = ("r0", "r1", "r2")


# ---- ex01_fix_replication_handler ---------------------------------------------


class _Probe(Node):
    """A fake client: sends what it is told and records every StoreAck."""

    def init_state(self):
        self.acks = []

    def on_StoreAck(self, src, msg):
        self.acks.append((src, msg.req_id))


def _send_and_run(net, probe, ex, req_id, key, tag, value):
    probe.send("r0", ex.Store(req_id, key, tag, value))
    net.run_until_idle(max_events=1000)


def _expect_data(replica, key, want, what):
    got = replica.data.get(key)
    if got != want:
        raise AssertionError(f"{what}: replica.data[{key!r}] should be {want!r}, "
                             f"got {got!r}")


def _expect_acks(probe, want, what):
    if probe.acks != want:
        raise AssertionError(
            f"{what}: the client should have received StoreAck for req_ids "
            f"{[r for _, r in want]} (one per Store, also for an old tag), got "
            f"{[r for _, r in probe.acks]}")


@check("ex01_fix_replication_handler", points=2,
       name="on_Store keeps the newest tag and always acknowledges")
def _(ex):
    net = Network(0, Link(FixedDelay(1.0)))
    replica, probe = ex.Replica("r0"), _Probe("p")
    net.add(replica, probe)
    net.run_until_idle()
    # a fresh key: any real tag beats ZERO
    _send_and_run(net, probe, ex, 1, "x", (2, "c1"), "b")
    what = "after Store(1, 'x', (2, 'c1'), 'b') to an empty replica"
    _expect_data(replica, "x", ((2, "c1"), "b"), what)
    _expect_acks(probe, [("r0", 1)], what)
    # an older tag (a delayed copy of an earlier write) must not win
    _send_and_run(net, probe, ex, 2, "x", (1, "c0"), "a")
    what = "then Store(2, 'x', (1, 'c0'), 'a'), an OLDER tag"
    _expect_data(replica, "x", ((2, "c1"), "b"), what)
    _expect_acks(probe, [("r0", 1), ("r0", 2)], what)
    # same counter, smaller writer id: (2, 'c0') < (2, 'c1') as tuples
    _send_and_run(net, probe, ex, 3, "x", (2, "c0"), "z")
    what = "then Store(3, 'x', (2, 'c0'), 'z') (tuple order: (2, 'c0') < (2, 'c1'))"
    _expect_data(replica, "x", ((2, "c1"), "b"), what)
    _expect_acks(probe, [("r0", 1), ("r0", 2), ("r0", 3)], what)
    # a duplicate of the current write changes nothing and is acknowledged
    _send_and_run(net, probe, ex, 4, "x", (2, "c1"), "b")
    what = "then a duplicate Store(4, 'x', (2, 'c1'), 'b')"
    _expect_data(replica, "x", ((2, "c1"), "b"), what)
    _expect_acks(probe, [("r0", 1), ("r0", 2), ("r0", 3), ("r0", 4)], what)
    # a newer tag wins; other keys are independent
    _send_and_run(net, probe, ex, 5, "x", (3, "c0"), "c")
    _send_and_run(net, probe, ex, 6, "y", (1, "c2"), "d")
    what = "then Store(5, 'x', (3, 'c0'), 'c') and Store(6, 'y', (1, 'c2'), 'd')"
    _expect_data(replica, "x", ((3, "c0"), "c"), what)
    _expect_data(replica, "y", ((1, "c2"), "d"), what)
    _expect_acks(probe, [("r0", i) for i in range(1, 7)], what)


def _campaign(ex, replica_cls, name):
    """Run SEEDS through dsscale.faults.run_seed; return (failures, done, total)."""

    def build(net, client_ids, num_replicas, options=None):
        net.add(*(replica_cls(r) for r in REPLICAS))

        def make_client(cid, plan, history):
            return ex.RegisterClient(cid, plan, history, REPLICAS)

        return Deployment(REPLICAS, (), make_client)

    # run_seed looks protocols up by name: register this one for the run
    PROTOCOLS[name] = ProtocolSpec(name, True, "linearizable", build)
    failures, done, total = [], 0, 0
    try:
        for seed in SEEDS:
            result = run_seed(name, seed)
            ops = [op for op in result.history if not str(op.client_id).startswith(
                "final")]
            total += len(ops)
            done += sum(not op.pending for op in ops)
            if result.violations:
                failures.append((seed, result.violations[0]))
    finally:
        del PROTOCOLS[name]
    return failures, done, total


@check("ex01_fix_replication_handler", points=3,
       name="fault campaign: 60 seeds, linearizable, no lost write, live")
def _(ex):
    failures, done, total = _campaign(ex, ex.Replica, "ex01-student")
    if failures:
        seed, violation = failures[0]
        raise AssertionError(
            f"{len(failures)} of {len(SEEDS)} seeded runs broke a property; the "
            f"first, seed {seed}: {violation.kind}: {violation.detail}. Does "
            "on_Store keep the larger tag and acknowledge every Store?")
    # a correct handler completes about 98 % of the operations under these
    # faults (the rest time out during partitions); nothing completes without
    # acknowledgements
    if done < 0.9 * total:
        raise AssertionError(
            f"only {done} of {total} operations completed in the campaign; "
            "does on_Store always send StoreAck(msg.req_id) back to src?")

    # self-test: the overwriting handler must be caught by the same campaign
    class Overwriting(ex.Replica):
        def on_Store(self, src, msg):
            self.data[msg.key] = (msg.tag, msg.value)
            self.send(src, ex.StoreAck(msg.req_id))

    caught, _, _ = _campaign(ex, Overwriting, "ex01-overwrite")
    if len(caught) < len(SEEDS) // 2:
        raise AssertionError(
            "grader self-test failed: the campaign should catch the overwriting "
            f"handler in most of {len(SEEDS)} seeds, caught it in {len(caught)}; "
            "did you change the client or the messages?")
