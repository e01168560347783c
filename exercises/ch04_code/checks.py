"""Checks for Chapter 4's replicated-register exercise (trusted code: students
do not edit this).

The student's replica class can only run in the sandboxed child, so two
procedures run there: one drives a replica alone on a three-node network and
returns its data and the acknowledgements after each step; the other runs
the package's fault campaign (`dsscale.faults.run_seed`: seeded loss,
duplication, slow links, replica and client crashes, partitions; then heal,
quiesce and a final read of every key) on the ABD register with the
student's replica, and returns the raw histories. The judge compares the
first with values worked out by hand, and checks the histories itself
(`dsscale.grading.campaign.judge_histories`: the seed's plan, then
linearizability and lost writes). That the same campaign catches the
overwriting handler is a test of the suite (tests/test_grading_ch04.py).
"""

from dsscale.grading import assert_equal, check, forbid, procedure
from dsscale.grading.campaign import judge_histories, run_histories
from dsscale.replication.abd import ABDClient, Store
from dsscale.replication.protocols import Deployment, replica_ids
from dsscale.sim import FixedDelay, Link, Network, Node

forbid("ex01_fix_replication_handler",
       "dsscale.replication.abd.ABDReplica.on_Store",
       "dsscale.replication.quorum_core.store_if_newer",
       "dsscale.replication.quorum_store",
       reason="this exercise asks you to write on_Store yourself.")

UNIQUE_SEEDS = range(40)
REPEATED_SEEDS = range(1000, 1020)


# ---- ex01_fix_replication_handler ---------------------------------------------


class _Probe(Node):
    """A fake client: sends what it is told and records every StoreAck."""

    def init_state(self):
        self.acks = []

    def on_StoreAck(self, src, msg):
        self.acks.append([src, msg.req_id, msg.phase])


@procedure
def store_steps(module, steps):
    """Child: send each Store to one replica; its data and the acks after each."""
    net = Network(0, Link(FixedDelay(1.0)))
    replica, probe = module.Replica("r0"), _Probe("p")
    net.add(replica, probe)
    net.run_until_idle()
    seen = []
    for req_id, key, tag, value in steps:
        probe.send("r0", Store(req_id, 2, key, tuple(tag), value))
        net.run_until_idle(max_events=1000)
        seen.append({"data": dict(replica.data), "acks": list(probe.acks)})
    return seen


STEPS = [  # (req_id, key, tag, value), and what the replica must then hold
    ((1, "x", (2, "c1"), "b"), {"x": ((2, "c1"), "b")},
     "Store(1, 'x', (2, 'c1'), 'b') to an empty replica"),
    ((2, "x", (1, "c0"), "a"), {"x": ((2, "c1"), "b")},
     "then Store(2, 'x', (1, 'c0'), 'a'), an older tag"),
    ((3, "x", (2, "c0"), "z"), {"x": ((2, "c1"), "b")},
     "then Store(3, 'x', (2, 'c0'), 'z'): (2, 'c0') < (2, 'c1') as tuples"),
    ((4, "x", (2, "c1"), "b"), {"x": ((2, "c1"), "b")},
     "then a duplicate Store(4, 'x', (2, 'c1'), 'b')"),
    ((5, "x", (3, "c0"), "c"), {"x": ((3, "c0"), "c")},
     "then Store(5, 'x', (3, 'c0'), 'c'), a newer tag"),
    ((6, "y", (1, "c2"), "d"), {"x": ((3, "c0"), "c"), "y": ((1, "c2"), "d")},
     "then Store(6, 'y', (1, 'c2'), 'd') for another key"),
]


@check("ex01_fix_replication_handler", points=2,
       name="on_Store keeps the largest tag and always acknowledges")
def _(ex):
    seen = store_steps(ex, [step for step, _, _ in STEPS])
    if not isinstance(seen, list) or len(seen) != len(STEPS):
        raise AssertionError("the replica did not run all the steps")
    for k, ((_, want, what), got) in enumerate(zip(STEPS, seen, strict=True)):
        if not isinstance(got, dict):
            raise AssertionError(f"after {what}: the replica's state is unreadable")
        assert_equal(got.get("data"), want, f"after {what}: replica.data")
        acks = [["r0", i, 2] for i in range(1, k + 2)]
        assert_equal(got.get("acks"), acks,
                     f"after {what}: the StoreAcks the client received "
                     "(one per Store, with its req_id and phase)")


def _abd_with(module):
    def build(net, client_ids, num_replicas, options=None):
        replicas = replica_ids(num_replicas)
        net.add(*(module.Replica(r) for r in replicas))

        def make_client(cid, plan, history):
            return ABDClient(cid, plan, history, replicas)

        return Deployment(replicas, (), make_client)

    return build


@procedure
def abd_campaign(module, seeds, workload):
    """Child: the fault campaign on ABD with the student's Replica."""
    return run_histories(_abd_with(module), seeds, workload)


def _judge(ex, seeds, workload):
    verdict = judge_histories(abd_campaign(ex, list(seeds), workload), list(seeds),
                              workload)
    if verdict.failures:
        raise AssertionError(
            f"{len(verdict.failures)} of {len(seeds)} seeded runs ({workload} "
            f"values) broke a property; the first, {verdict.first()}. Which "
            "Store can reach a replica after a newer one?")
    # a correct handler completes about 95 % of the operations under these
    # faults (the rest time out during partitions); nothing completes without
    # acknowledgements
    if verdict.completed < 0.8 * verdict.planned:
        raise AssertionError(
            f"only {verdict.completed} of {verdict.planned} planned operations "
            f"completed in the campaign ({workload} values); is every Store "
            "acknowledged?")


@check("ex01_fix_replication_handler", points=2,
       name="fault campaign, unique values: 40 seeds, linearizable, no lost write",
       requires=["on_Store keeps the largest tag and always acknowledges"])
def _(ex):
    _judge(ex, UNIQUE_SEEDS, "unique")


@check("ex01_fix_replication_handler", points=1,
       name="fault campaign, repeated values: 20 seeds",
       requires=["on_Store keeps the largest tag and always acknowledges"])
def _(ex):
    _judge(ex, REPEATED_SEEDS, "repeated")
