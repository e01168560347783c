"""Checks for Chapter 4's exploration exercises (trusted code: students do
not edit this).

ex10's student classes cannot run in the judge, so two procedures run them in
the sandboxed child and send back plain data for the checks to judge: the
messages the student's client sends when driven alone through a stand-in
network (`dsscale.sim.Mailbox`), and every distinct history that
`dsscale.explore` reaches with three ABD replicas and the student's client at
a small scope. The judge checks each returned history for linearizability
itself and requires the scope's dangerous interleaving to be among them, and
that a read returns the written value (so that a client whose reads never
finish cannot pass by saying nothing). A grader self-test requires the same
exploration to catch the student's client with the write-back removed.

ex11's answers are fixed numbers and names, derived by hand below (the
explorer agrees with them; see book/ch04_code/exploring_schedules.md); its
last check explores the student's scope and every smaller one.
"""

import math

from dsscale.consistency import KVModel, Operation, check_linearizable
from dsscale.explore import Scope, explore, read_saw_a_write
from dsscale.explore.properties import Goal
from dsscale.grading import assert_equal, check, procedure
from dsscale.replication.abd import ABDReplica, QueryReply
from dsscale.replication.protocols import Deployment, ProtocolSpec, replica_ids
from dsscale.sim import Mailbox

# ---- ex10_read_write_back ------------------------------------------------------

# one write, two reads by another client: ABD without the write-back breaks
# here (the new-old inversion), in 16 steps
PLANS = {"c0": [("put", "x", 1)], "c1": [("get", "x"), ("get", "x")]}

READ_CASES = [  # replies (replica, tag, value), the pair expected back
    ([("r0", (1, "c0"), "a"), ("r2", (0, ""), None)], ((1, "c0"), "a")),
    ([("r1", (0, ""), None), ("r0", (2, "c0"), "b")], ((2, "c0"), "b")),
    ([("r2", (3, "c0"), "p"), ("r1", (3, "c1"), "q")], ((3, "c1"), "q")),
]


@procedure
def read_steps(module, cases):
    """Child: a read's query phase on a Mailbox, then the given replies; what
    the student's client sent and holds after each case."""
    seen = []
    for replies, _ in cases:
        box = Mailbox()
        client = box.join(module.RegisterClient("c1", [(0.0, ("get", "x"))], [],
                                                ("r0", "r1", "r2")))
        client._issue()
        queries = [[dst, type(m).__name__] for dst, m in box.take()]
        current = client.current
        sent = []
        for replica, tag, value in replies:
            sent += box.deliver(client, replica,
                                QueryReply(current, 1, tuple(tag), value))
        seen.append({
            "queries": sorted(queries),
            "sent": [[dst, type(m).__name__, getattr(m, "tag", None),
                      getattr(m, "value", None), getattr(m, "key", None),
                      getattr(m, "phase", None), getattr(m, "req_id", None) == current]
                     for dst, m in sent],
            "result": client.result,
            "open": client.current is not None,
            "returned": len(client.history),
        })
    return seen


@check("ex10_read_write_back", points=2,
       name="after a majority answers: the largest tag is written back to all")
def _(ex):
    seen = read_steps(ex, READ_CASES)
    if not isinstance(seen, list) or len(seen) != len(READ_CASES):
        raise AssertionError("the client did not run all the cases")
    for (replies, (tag, value)), got in zip(READ_CASES, seen, strict=True):
        what = f"after QueryReplies {[(r, t, v) for r, t, v in replies]}"
        if got["queries"] != [["r0", "Query"], ["r1", "Query"], ["r2", "Query"]]:
            raise AssertionError("the read should start by querying r0, r1 and r2 "
                                 "(did you change on_QueryReply or begin?)")
        stores = [m for m in got["sent"] if m[1] == "Store"]
        if sorted(m[0] for m in stores) != ["r0", "r1", "r2"] or len(stores) != len(
                got["sent"]):
            raise AssertionError(f"{what}: the read should send one Store to each "
                                 f"replica and nothing else, sent {got['sent']}")
        for m in stores:
            if m[2:] != [tag, value, "x", 2, True]:
                raise AssertionError(f"{what}: the write-back should carry the pair "
                                     f"with the largest tag, in phase 2 of the "
                                     f"read's request, sent {m}")
        assert_equal(got["result"], value, f"{what}: self.result")
        if not got["open"] or got["returned"]:
            raise AssertionError(f"{what}: the read returned before its "
                                 "write-back was acknowledged")


def _spec(client_cls):
    def build(net, client_ids, num_replicas, options=None):
        replicas = replica_ids(num_replicas)
        net.add(*(ABDReplica(r) for r in replicas))
        return Deployment(replicas, (), lambda cid, plan, history: client_cls(
            cid, plan, history, replicas))
    return ProtocolSpec("ex10", True, "linearizable", build)


@procedure
def explore_client(module, write_back):
    """Child: explore the scope with the student's client (or, for the
    self-test, the same client with its write-back removed); the verdict and
    every distinct history reached, as plain data."""
    client_cls = module.RegisterClient
    if not write_back:
        class NoWriteBack(client_cls):
            def read_quorum_reached(self, replies):
                self.complete(max(replies.values(), key=lambda p: p[0])[1])
        client_cls = NoWriteBack
    histories = set()

    def record(view):
        histories.add(tuple(sorted(
            (op.client_id, op.input, op.call, op.output, op.return_time)
            for op in view.history)))
        return False

    result = explore(Scope(_spec(client_cls), plans=PLANS),
                     goals=[read_saw_a_write(), Goal("record", record)])
    return {"status": result.status,
            "trace": [str(step) for step in result.trace or ()],
            "histories": sorted(histories, key=repr)}


def _dangerous(history):
    """The write is concurrent with two reads that follow each other: the
    shape in which a read without write-back can invert."""
    puts = [op for op in history if op.input[0] == "put"]
    gets = sorted((op for op in history if op.input[0] == "get"
                   and not op.pending), key=lambda op: op.call)
    return (len(puts) == 1 and len(gets) == 2 and gets[0].return_time < gets[1].call
            and puts[0].call <= gets[0].return_time
            and puts[0].return_time >= gets[1].call)


@check("ex10_read_write_back", points=3,
       name="every schedule of 3 replicas, a write and two reads: linearizable",
       requires=["after a majority answers: the largest tag is written back to all"])
def _(ex):
    got = explore_client(ex, True)
    if got["status"] == "violation":
        raise AssertionError(
            f"a schedule of {len(got['trace'])} steps gives a history that is "
            f"not linearizable: {'; '.join(got['trace'])}. Replay it with "
            "dsscale.explore.replay.replay and draw it with plot_trace.")
    if got["status"] != "complete":
        raise AssertionError(f"the exploration did not finish ({got['status']})")
    histories = [[Operation(c, tuple(i), call, out, ret) for c, i, call, out, ret in h]
                 for h in got["histories"]]
    for history in histories:
        for op in history:
            if op.input not in (("put", "x", 1), ("get", "x")) or (
                    op.client_id not in PLANS):
                raise AssertionError(f"an operation that was never planned: {op}")
        if not check_linearizable(history, KVModel(), shrink=False):
            raise AssertionError("a schedule gives a history that is not "
                                 "linearizable (the explorer missed it)")
    if not any(op.input[0] == "get" and op.output == 1 and not math.isinf(
            op.return_time) for h in histories for op in h):
        raise AssertionError("in no schedule does a read return the written value: "
                             "do your reads ever finish?")
    if not any(_dangerous(h) for h in histories):
        raise AssertionError("no schedule completes two reads during the write: "
                             "do reads finish while a write is in progress?")
    # self-test: the same exploration must catch a read without write-back
    if explore_client(ex, False)["status"] != "violation":
        raise AssertionError("grader self-test failed: the exploration should catch "
                             "a read without write-back; did you change "
                             "RegisterClient.on_QueryReply?")


# ---- ex11_shortest_counterexample ---------------------------------------------

@check("ex11_shortest_counterexample", points=2,
       name="the inversion's shortest schedule and who holds the new value")
def _(ex):
    # by hand: the write reaches exactly one replica (issue, 2 queries, 2
    # replies, 1 store = 6 steps); the first read's majority includes it
    # (issue, 2 queries, 2 replies = 5), the second read's does not (5 more):
    # 16. Had two replicas received the store, every majority would meet one.
    assert_equal(ex.inversion_steps(), 16, "inversion_steps()")
    assert_equal(ex.inversion_holders(), 1, "inversion_holders()")


@check("ex11_shortest_counterexample", points=2,
       name="the failover's crash and the message it must lose")
def _(ex):
    # by hand: only the primary's crash makes the master fail over; the
    # write is lost only if the new primary, the next member r1, never
    # applies it -- its Replicate must be dropped (with bounded delays it
    # cannot arrive late), and r1's Sync then overwrites r2's copy.
    assert_equal(ex.failover_crashed(), "r0", "failover_crashed()")
    assert_equal(ex.failover_dropped(), ("Replicate", "r1"), "failover_dropped()")


# every workload of two operations on one key: one client or two
_TWO_OPS = [
    {"c0": [a, b]} for a in (("put", "x", 1), ("get", "x"))
    for b in (("put", "x", 2), ("get", "x"))
] + [
    {"c0": [a], "c1": [b]} for a in (("put", "x", 1), ("get", "x"))
    for b in (("put", "x", 2), ("get", "x"))
]


@check("ex11_shortest_counterexample", points=2,
       name="the smallest scope at which the inversion exists")
def _(ex):
    scope = ex.smallest_inversion_scope()
    if not isinstance(scope, Scope) or scope.name != "abd-no-writeback":
        raise AssertionError("smallest_inversion_scope() should return a Scope of "
                             f"'abd-no-writeback', got {scope!r}")
    faults = (scope.max_drops, scope.max_duplicates, scope.max_crashes,
              scope.max_early_timeouts)
    if scope.num_replicas != 3 or any(faults):
        raise AssertionError("the scope should have three replicas and no faults")
    total = sum(len(ops) for ops in scope.workload().values())
    if explore(scope).status != "violation":
        raise AssertionError(f"no schedule of this scope ({total} operations) "
                             "breaks linearizability")
    # by hand: a new-old inversion needs a write in progress and two reads,
    # the second called after the first returned: 3 operations. Exhaustively:
    # no workload of 2 operations breaks it (a self-test of this check).
    for plans in _TWO_OPS:
        if explore(Scope("abd-no-writeback", plans=plans)).status != "complete":
            raise AssertionError(f"grader self-test failed on {plans}")
    if total != 3:
        raise AssertionError(f"a violation exists at {total} operations, but also "
                             "with fewer: look for the smallest workload")
