"""Checks for Chapter 4's replication exercises: the register's handler (ex01)
and the chain replica designed from a specification (ex12) (trusted code:
students do not edit this).

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
overwriting handler, and the plausible wrong chain replicas, is shown by
their mutants (tests/mutants/ch04_code/).
"""

from dsscale.grading import assert_equal, check, forbid, procedure
from dsscale.grading.campaign import judge_histories, run_histories
from dsscale.replication.abd import ABDClient, Store
from dsscale.replication.protocols import Deployment, replica_ids
from dsscale.sim import FixedDelay, Link, Network, Node

forbid("ex12_chain_replica", "dsscale.replication.chain",
       "dsscale.replication.client_table", "dsscale.replication.primary_backup",
       "dsscale.replication.config",
       reason="this exercise asks you to design the replica yourself.")
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


# ---- ex12_chain_replica ---------------------------------------------------------

CHAIN = ("r0", "r1", "r2")


class _ChainProbe(Node):
    """A fake client: sends what it is told and records every Reply."""

    def init_state(self):
        self.replies = []

    def on_Reply(self, src, msg):
        self.replies.append([msg.req_id, msg.value])


@procedure
def chain_steps(module, steps):
    """Child: send each request to one replica of a reliable 3-chain; the
    replies that came back after each."""
    net = Network(0, Link(FixedDelay(1.0)))
    net.add(*(module.ChainReplica(r, CHAIN) for r in CHAIN))
    probe = _ChainProbe("p")
    net.add(probe)
    seen = []
    for target, kind, args in steps:
        before = len(probe.replies)
        message = module.Write(*args) if kind == "write" else module.Read(*args)
        probe.send(target, message)
        net.run(until=net.now + 20.0)
        seen.append(probe.replies[before:])
    return seen


CHAIN_STEPS = [  # (to, kind, arguments), the replies expected, what it shows
    (("r0", "write", (1, "x", "a")), [[1, None]], "a write at the head"),
    (("r2", "read", (2, "x")), [[2, "a"]], "then a read at the tail"),
    (("r0", "read", (3, "x")), [], "a read sent to the head (ignored)"),
    (("r1", "write", (4, "x", "z")), [], "a write sent to r1 (ignored)"),
    (("r2", "read", (5, "x")), [[5, "a"]], "a read after the ignored write"),
    (("r0", "write", (6, "x", "b")), [[6, None]], "write 6"),
    (("r0", "write", (7, "x", "c")), [[7, None]], "write 7"),
    (("r0", "write", (6, "x", "b")), [], "a late copy of write 6 (stale)"),
    (("r2", "read", (8, "x")), [[8, "c"]], "a read after the late copy"),
    (("r0", "write", (7, "x", "c")), [[7, None]],
     "a resent write 7, already acknowledged (answer it again)"),
    (("r0", "write", (9, "x", "a")), [[9, None]], "write 9, an old value again"),
    (("r2", "read", (10, "x")), [[10, "a"]], "a read after write 9"),
]


@check("ex12_chain_replica", points=2,
       name="a reliable chain: roles, order, duplicates and stale requests")
def _(ex):
    seen = chain_steps(ex, [step for step, _, _ in CHAIN_STEPS])
    if not isinstance(seen, list) or len(seen) != len(CHAIN_STEPS):
        raise AssertionError("the chain did not run all the steps")
    for (_, want, what), got in zip(CHAIN_STEPS, seen, strict=True):
        assert_equal(got, want, f"the replies [req_id, value] to {what}")


def _chain_with(module):
    def build(net, client_ids, num_replicas, options=None):
        chain = replica_ids(num_replicas)
        net.add(*(module.ChainReplica(r, chain) for r in chain))

        def make_client(cid, plan, history):
            return module.ChainClient(cid, plan, history, chain)

        return Deployment(chain, (), make_client)

    return build


@procedure
def chain_campaign(module, seeds, workload, num_replicas):
    """Child: the fault campaign on the student's chain."""
    return run_histories(_chain_with(module), seeds, workload, num_replicas)


def _judge_chain(ex, seeds, workload, num_replicas, liveness):
    seeds = list(seeds)
    verdict = judge_histories(chain_campaign(ex, seeds, workload, num_replicas),
                              seeds, workload)
    if verdict.failures:
        raise AssertionError(
            f"{len(verdict.failures)} of {len(seeds)} seeded runs ({workload} "
            f"values, {num_replicas} replicas) broke a property; the first, "
            f"{verdict.first()}")
    if verdict.completed < liveness * verdict.planned:
        raise AssertionError(
            f"only {verdict.completed} of {verdict.planned} planned operations "
            f"completed ({workload} values, {num_replicas} replicas): are lost "
            "updates resent, and resent writes answered?")


CHAIN_FIRST = ["a reliable chain: roles, order, duplicates and stale requests"]


@check("ex12_chain_replica", points=2,
       name="fault campaign: 3 replicas, unique values, 30 seeds",
       requires=CHAIN_FIRST)
def _(ex):
    _judge_chain(ex, range(30), "unique", 3, liveness=0.8)


@check("ex12_chain_replica", points=2,
       name="fault campaign: repeated values on 3 replicas, several keys on 5",
       requires=CHAIN_FIRST)
def _(ex):
    _judge_chain(ex, range(100, 115), "repeated", 3, liveness=0.8)
    _judge_chain(ex, range(200, 210), "multikey", 5, liveness=0.8)
