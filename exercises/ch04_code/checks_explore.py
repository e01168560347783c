"""Checks for Chapter 4's exploration exercises (trusted code: students do
not edit this).

ex10 drives the student's ABD client alone through a stand-in network
(`dsscale.sim.Mailbox`), then explores every schedule of three ABD replicas
and the student's client at a small scope with `dsscale.explore`: every
history must be linearizable, and a read must be able to return a written
value (so that a client whose reads never finish cannot pass by saying
nothing). A grader self-test checks that the same exploration catches a
client without the write-back.

ex11's answers are fixed numbers and names, derived by hand below (the
explorer agrees with them; see book/ch04_code/exploring_schedules.md); its
last check explores the student's scope and every smaller one.
"""

from dsscale.explore import Scope, explore, read_saw_a_write
from dsscale.grading import assert_equal, check
from dsscale.replication.abd import ABDReplica, Query, QueryReply, Store
from dsscale.replication.protocols import Deployment, ProtocolSpec, replica_ids
from dsscale.sim import Mailbox

# ---- ex10_read_write_back ------------------------------------------------------

# one write, two reads by another client: ABD without the write-back breaks
# here (the new-old inversion), in 16 steps
PLANS = {"c0": [("put", "x", 1)], "c1": [("get", "x"), ("get", "x")]}


def _spec(client_cls):
    def build(net, client_ids, num_replicas, options=None):
        replicas = replica_ids(num_replicas)
        net.add(*(ABDReplica(r) for r in replicas))
        return Deployment(replicas, (), lambda cid, plan, history: client_cls(
            cid, plan, history, replicas))
    return ProtocolSpec("ex10", True, "linearizable", build)


def _reading_client(ex):
    """The student's client, in a read's query phase, on a Mailbox."""
    box = Mailbox()
    client = box.join(ex.RegisterClient("c1", [(0.0, ("get", "x"))], [],
                                        ("r0", "r1", "r2")))
    client._issue()
    queries = box.take()
    if sorted(dst for dst, _ in queries) != ["r0", "r1", "r2"] or not all(
            isinstance(m, Query) for _, m in queries):
        raise AssertionError("the read should start by querying r0, r1 and r2 "
                             "(did you change on_QueryReply or begin?)")
    return box, client


def _answer(box, client, replies):
    sent = []
    for replica, tag, value in replies:
        sent += box.deliver(client, replica, QueryReply(client.current, 1, tag,
                                                        value))
    return sent


@check("ex10_read_write_back", points=2,
       name="after a majority answers: the largest tag is written back to all")
def _(ex):
    cases = [  # replies, the pair expected back; tags compare as tuples
        ([("r0", (1, "c0"), "a"), ("r2", (0, ""), None)], ((1, "c0"), "a")),
        ([("r1", (0, ""), None), ("r0", (2, "c0"), "b")], ((2, "c0"), "b")),
        ([("r2", (3, "c0"), "p"), ("r1", (3, "c1"), "q")], ((3, "c1"), "q")),
    ]
    for replies, (tag, value) in cases:
        box, client = _reading_client(ex)
        sent = _answer(box, client, replies)
        what = f"after QueryReplies {[(r, t, v) for r, t, v in replies]}"
        stores = [(dst, m) for dst, m in sent if isinstance(m, Store)]
        if sorted(dst for dst, _ in stores) != ["r0", "r1", "r2"]:
            raise AssertionError(f"{what}: the read should send one Store to each "
                                 f"replica, sent {[(d, m) for d, m in sent]}")
        for _, m in stores:
            if (m.tag, m.value, m.key, m.phase, m.req_id) != (
                    tag, value, "x", 2, client.current):
                raise AssertionError(f"{what}: the write-back should carry the "
                                     f"pair with the largest tag, sent {m}")
        assert_equal(client.result, value, f"{what}: self.result")
        if client.current is None or client.history:
            raise AssertionError(f"{what}: the read returned before its "
                                 "write-back was acknowledged")


def _explore(client_cls):
    return explore(Scope(_spec(client_cls), plans=PLANS), goals=[read_saw_a_write()])


@check("ex10_read_write_back", points=3,
       name="every schedule of 3 replicas, a write and two reads: linearizable")
def _(ex):
    result = _explore(ex.RegisterClient)
    if result.status == "violation":
        steps = "; ".join(str(s) for s in result.trace)
        raise AssertionError(
            f"a schedule of {len(result.trace)} steps gives a history that is "
            f"not linearizable: {steps}. Replay it with "
            "dsscale.explore.replay.replay and draw it with plot_trace.")
    if result.status != "complete":
        raise AssertionError(f"the exploration did not finish ({result.status})")
    if result.goals["a read returns a written value"] is None:
        raise AssertionError("in no schedule does a read return the written value: "
                             "do your reads ever finish?")

    # self-test: the same exploration must catch a read without write-back
    class NoWriteBack(ex.RegisterClient):
        def read_quorum_reached(self, replies):
            self.complete(max(replies.values(), key=lambda p: p[0])[1])

    if _explore(NoWriteBack).status != "violation":
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
