"""Checks for Chapter 4's Raft exercises (trusted code: students do not edit this).

Each rule a student writes is checked twice: on cases worked out by hand (in
the comments), and inside the package's Raft server
(`dsscale.replication.raft`) under a seeded fault campaign
(`dsscale.faults.run_seed` plus a targeted nemesis from
`dsscale.replication.raft.nemesis`), whose histories are checked with
`dsscale.consistency.check_linearizable`. Where a campaign grades, a
self-test runs the same campaign on a known-wrong version and requires it to
be caught, so a pass means something.
"""

from collections import namedtuple

from dsscale.faults import FaultPlan, run_seed
from dsscale.grading import assert_close, assert_equal, assert_raises, check
from dsscale.replication.client import Workload
from dsscale.replication.protocols import PROTOCOLS, Deployment, ProtocolSpec
from dsscale.replication.raft import (
    RaftLog,
    RaftOptions,
    RaftServer,
    RaftVariant,
    Rules,
    build_raft,
)
from dsscale.replication.raft.elections import measure_split_votes
from dsscale.replication.raft.nemesis import TARGETED, raft_nemesis
from dsscale.replication.raft.rules import commit_by_counting

E = namedtuple("E", "term value")  # a log entry as the exercises see it


def _campaign(name, variant, seeds, workload, faults, stop_at_first=False):
    """Run `variant` through run_seed for `seeds`; return (failures, done, total)."""

    def build(net, client_ids, num_replicas=3, options=None):
        servers, others, make_client = build_raft(net, variant, 3)
        return Deployment(servers, others, make_client)

    PROTOCOLS[name] = ProtocolSpec(name, True, "linearizable", build)
    failures, done, total = [], 0, 0
    try:
        for seed in seeds:
            result = run_seed(name, seed, workload=workload, faults=faults)
            ops = [op for op in result.history
                   if not str(op.client_id).startswith("final")]
            total += len(ops)
            done += sum(not op.pending for op in ops)
            if result.violations:
                failures.append((seed, result.violations[0]))
                if stop_at_first:
                    break
    finally:
        del PROTOCOLS[name]
    return failures, done, total


def _explain(failures, seeds, hint):
    seed, violation = failures[0]
    return (f"{len(failures)} of {len(seeds)} seeded runs broke a property; the "
            f"first, seed {seed}: {violation.kind}: {violation.detail}. {hint}")


# ---- ex06_vote_rule ------------------------------------------------------------

VOTE_SEEDS = range(30)
VOTE_FAULTS = FaultPlan(nemesis=raft_nemesis("crash-voter"))
VOTE_WORKLOAD = Workload(keys=("x", "y"), ops_per_client=12)


@check("ex06_vote_rule", points=2,
       name="log_up_to_date compares last terms, then lengths")
def _(ex):
    cases = [
        ((3, 2, 3, 2), True),    # identical last entries
        ((4, 2, 3, 2), True),    # same last term, longer
        ((2, 2, 3, 2), False),   # same last term, shorter
        ((1, 3, 9, 2), True),    # later last term wins, however short
        ((9, 1, 1, 2), False),   # earlier last term loses, however long
        ((0, 0, 0, 0), True),    # two empty logs
        ((0, 0, 1, 1), False),   # empty against non-empty
    ]
    for args, want in cases:
        got = ex.log_up_to_date(*args)
        if got is not want:
            raise AssertionError(
                f"log_up_to_date(candidate_last_log_index={args[0]}, "
                f"candidate_last_log_term={args[1]}, last_log_index={args[2]}, "
                f"last_log_term={args[3]}) should be {want}, got {got!r}")


@check("ex06_vote_rule", points=2,
       name="grant_vote: one vote per term, up-to-date logs")
def _(ex):
    base = dict(current_term=5, voted_for=None, last_log_index=7, last_log_term=3,
                candidate_id="b", candidate_term=5, candidate_last_log_index=7,
                candidate_last_log_term=3)
    cases = [
        ({}, True, "a fresh vote for an equally up-to-date log"),
        ({"voted_for": "b"}, True, "the same candidate asking again"),
        ({"voted_for": "c"}, False, "already voted for c in this term"),
        ({"candidate_term": 4}, False, "a request of an older term"),
        ({"candidate_last_log_index": 6}, False, "a shorter log, same last term"),
        ({"candidate_last_log_index": 2, "candidate_last_log_term": 4}, True,
         "a shorter log with a later last term"),
        ({"candidate_last_log_index": 20, "candidate_last_log_term": 2}, False,
         "a longer log with an earlier last term"),
        ({"voted_for": "c", "candidate_last_log_term": 9}, False,
         "already voted, however good the candidate's log"),
    ]
    for change, want, what in cases:
        got = ex.grant_vote(**{**base, **change})
        if got is not want:
            raise AssertionError(f"grant_vote for {what} ({change or 'base case'}) "
                                 f"should be {want}, got {got!r}")


@check("ex06_vote_rule", points=2,
       name="Raft with your rule: 30 seeds of faults, linearizable and live")
def _(ex):
    variant = RaftVariant("ex06", True, "linearizable",
                          RaftOptions(rules=Rules(grant_vote=ex.grant_vote)))
    failures, done, total = _campaign("ex06-student", variant, VOTE_SEEDS,
                                      VOTE_WORKLOAD, VOTE_FAULTS)
    if failures:
        raise AssertionError(_explain(failures, VOTE_SEEDS,
                                      "Which rule lets two servers lead in one term, "
                                      "or a leader miss committed entries?"))
    # with Raft's rule about 96 % of operations complete under these faults
    if done < 0.85 * total:
        raise AssertionError(
            f"only {done} of {total} operations completed: elections rarely "
            "succeed. Does an equally up-to-date candidate get the vote, and does "
            "a candidate asking again get the same answer?")


# ---- ex07_commit_rule ------------------------------------------------------------

FIG8 = TARGETED["raft-figure8"]
FIG8_FAULTS = FaultPlan(nemesis=raft_nemesis(FIG8.nemesis))
FIG8_SEEDS = range(30)


@check("ex07_commit_rule", points=3, name="advance_commit_index on worked cases")
def _(ex):
    terms = [0, 1, 1, 2, 3, 3]  # index 0 is the empty prefix; entries 1..5
    cases = [
        # 3 voters, majority 2: index 5 is on 2 of them and of term 3
        ((0, 3, [5, 5, 0], terms), 5),
        # index 3 is on a majority but of term 2: nothing of term 3 is
        ((0, 3, [5, 3, 3], terms), 0),
        # index 4 (term 3) on 2 of 3: commits 4 and everything before it
        ((2, 3, [5, 4, 1], terms), 4),
        # 5 voters, majority 3: index 4 on 3 of them
        ((0, 3, [5, 5, 4, 1, 0], terms), 4),
        ((0, 3, [5, 5, 1, 1, 0], terms), 0),
        # the commit index never decreases
        ((5, 3, [0, 0, 0], terms), 5),
        # leader of term 4 with nothing of its own yet: must wait
        ((1, 4, [5, 5, 5], terms), 1),
        # 4 voters, majority 3 (not 2)
        ((0, 3, [5, 5, 0, 0], terms), 0),
    ]
    for args, want in cases:
        got = ex.advance_commit_index(*args)
        assert_equal(got, want, f"advance_commit_index{args}")


@check("ex07_commit_rule", points=2,
       name="Raft with your rule survives the Figure 8 adversary")
def _(ex):
    def variant(rule, name):
        opts = RaftOptions(eager_noop=False, rules=Rules(advance_commit_index=rule))
        return RaftVariant(name, True, "linearizable", opts)

    def student_rule(commit_index, current_term, match_indexes, log_terms):
        # the server passes a lazy view of its log; the student gets plain
        # lists (entries below the commit index may be compacted: None)
        terms = [log_terms[i] if i >= commit_index else None
                 for i in range(len(log_terms))]
        return ex.advance_commit_index(commit_index, current_term,
                                       list(match_indexes), terms)

    failures, done, total = _campaign("ex07-student", variant(
        student_rule, "ex07"), FIG8_SEEDS, FIG8.workload, FIG8_FAULTS)
    if failures:
        raise AssertionError(_explain(failures, FIG8_SEEDS,
                                      "Does your rule count entries of earlier terms?"))
    if done < 0.6 * total:  # Raft's rule: about 80 % under this adversary
        raise AssertionError(f"only {done} of {total} operations completed: does "
                             "the commit index advance when it should?")
    caught, _, _ = _campaign("ex07-counting", variant(commit_by_counting, "ex07c"),
                             range(150), FIG8.workload, FIG8_FAULTS,
                             stop_at_first=True)
    if not caught:
        raise AssertionError("grader self-test failed: the campaign should catch "
                             "the rule that commits old-term entries by counting")


# ---- ex08_split_votes ------------------------------------------------------------


@check("ex08_split_votes", points=2, name="split_vote_probability")
def _(ex):
    # n=2, W=10, delta=1: 1 - 0.9**2 = 0.19
    assert_close(ex.split_vote_probability(2, 10.0, 1.0), 0.19,
                 "split_vote_probability(2, 10.0, 1.0)")
    # n=3, W=4, delta=1: 1 - 0.75**3 = 1 - 0.421875 = 0.578125
    assert_close(ex.split_vote_probability(3, 4.0, 1.0), 0.578125,
                 "split_vote_probability(3, 4.0, 1.0)")
    # n=4, W=50, delta=0.5: 1 - 0.99**4 = 0.03940399
    assert_close(ex.split_vote_probability(4, 50.0, 0.5), 0.03940399,
                 "split_vote_probability(4, 50.0, 0.5)")
    assert_close(ex.split_vote_probability(1, 10.0, 1.0), 0.0,
                 "split_vote_probability(1, 10.0, 1.0) (one follower)")
    assert_close(ex.split_vote_probability(2, 2.0, 3.0), 1.0,
                 "split_vote_probability(2, 2.0, 3.0) (delay beyond the spread)")
    assert_close(ex.split_vote_probability(2, 2.0, 0.0), 0.0,
                 "split_vote_probability(2, 2.0, 0.0) (no delay)")
    assert_raises(ValueError, ex.split_vote_probability, 0, 10.0, 1.0,
                  what="split_vote_probability(0, ...)", mentions="num_followers")
    assert_raises(ValueError, ex.split_vote_probability, 2, 0.0, 1.0,
                  what="split_vote_probability(2, 0.0, ...)", mentions="timeout_spread")
    assert_raises(ValueError, ex.split_vote_probability, 2, 10.0, -1.0,
                  what="split_vote_probability(2, 10.0, -1.0)", mentions="delay")


@check("ex08_split_votes", points=1, name="timeout_spread_for inverts it")
def _(ex):
    # 0.19 for n=2, delta=1 came from W=10 (above); 0.578125 for n=3 from W=4
    assert_close(ex.timeout_spread_for(0.19, 2, 1.0), 10.0,
                 "timeout_spread_for(0.19, 2, 1.0)", rtol=1e-9)
    assert_close(ex.timeout_spread_for(0.578125, 3, 1.0), 4.0,
                 "timeout_spread_for(0.578125, 3, 1.0)", rtol=1e-9)
    assert_raises(ValueError, ex.timeout_spread_for, 1.0, 2, 1.0,
                  what="timeout_spread_for(1.0, ...)", mentions="target")
    assert_raises(ValueError, ex.timeout_spread_for, 0.1, 1, 1.0,
                  what="timeout_spread_for(0.1, 1, ...)", mentions="num_followers")
    assert_raises(ValueError, ex.timeout_spread_for, 0.1, 2, 0.0,
                  what="timeout_spread_for(0.1, 2, 0.0)", mentions="delay")


@check("ex08_split_votes", points=1, name="spread_for_one_percent (question 3)")
def _(ex):
    # n = 2 followers: W = 1.5 / (1 - sqrt(0.99)) = 1.5 / 0.00501256 = 299.25
    assert_close(ex.spread_for_one_percent(), 299.248, "spread_for_one_percent()",
                 rtol=1e-3)


@check("ex08_split_votes", points=2,
       name="Raft servers with your spread split as often as targeted")
def _(ex):
    target, trials = 0.25, 400
    spread = ex.timeout_spread_for(target, 2, 1.0)
    # W = 1 / (1 - sqrt(0.75)) = 7.46; refuse what cannot be simulated sensibly
    if not isinstance(spread, (int, float)) or not 1.0 < spread < 1000.0:
        raise AssertionError(f"timeout_spread_for({target}, 2, 1.0) should be a "
                             f"spread larger than the delay, got {spread!r}")
    measured = measure_split_votes(3, (20.0, 20.0 + float(spread)), 1.0, trials, rng=7)
    # four binomial standard errors: 4 * sqrt(0.25 * 0.75 / 400) = 0.087
    tolerance = 4 * (target * (1 - target) / trials) ** 0.5
    if abs(measured - target) > tolerance:
        raise AssertionError(
            f"with the spread {spread:.3g} your function chose for a target of "
            f"{target}, {measured:.3f} of {trials} elections of three Raft servers "
            f"(one-way delay 1) split; expected {target} +- {tolerance:.3f}")


# ---- ex09_lost_writes ------------------------------------------------------------

MERGE_SEEDS = range(40)
MERGE_WORKLOAD = Workload(keys=("x", "y", "z"))
MERGE_FAULTS = FaultPlan(nemesis=raft_nemesis("crash-voter"))


def _merge_case(ex, log_terms, prev_index, new_terms, want_terms, want_match, what):
    log = [E(t, f"old{i}") for i, t in enumerate(log_terms)]
    new = tuple(E(t, f"new{i}") for i, t in enumerate(new_terms))
    got, (log, _, _) = ex.merge_entries.and_args(log, prev_index, new)
    assert_equal(got, want_match, f"merge_entries {what}: the returned match index")
    assert_equal([e.term for e in log], want_terms,
                 f"merge_entries {what}: the terms of the log afterwards")
    return log


@check("ex09_lost_writes", points=2, name="merge_entries follows Raft's rule")
def _(ex):
    _merge_case(ex, [1, 1], 2, [1, 2], [1, 1, 1, 2], 4, "appending at the end")
    _merge_case(ex, [1, 1, 2, 2], 1, [1], [1, 1, 2, 2], 2,
                "with an old, shorter message (nothing may be lost)")
    log = _merge_case(ex, [1, 1, 2], 1, [1, 2], [1, 1, 2], 3,
                      "with entries it already has")
    if log[2].value != "old2":
        raise AssertionError("merge_entries replaced an entry it already had (same "
                             "index and term): keep it")
    _merge_case(ex, [1, 1, 2, 2], 2, [3], [1, 1, 3], 3,
                "with a conflict at index 3 (entries after it must go)")
    _merge_case(ex, [1, 2, 2], 1, [1, 3, 3, 3], [1, 1, 3, 3, 3], 5,
                "with a conflict inside the message")
    _merge_case(ex, [], 0, [], [], 0, "with nothing at all")


@check("ex09_lost_writes", points=3,
       name="Raft with your merge: 40 seeds of faults keep every write")
def _(ex):
    def variant(merge, name):
        class Log(RaftLog):
            def merge(self, prev_index, entries):
                return merge(self.entries, prev_index, tuple(entries))

        class Server(RaftServer):
            def init_state(self):
                super().init_state()
                log = Log()
                log.entries = self.log.entries
                self.log = log

        return RaftVariant(name, True, "linearizable",
                           RaftOptions(snapshot_threshold=10**9), Server)

    def student_merge(log, prev_index, entries):
        # the student's function changes the log in place, in the child: bring
        # the changed log back into the server's list
        got, (after, _, _) = ex.merge_entries.and_args(list(log), prev_index,
                                                       tuple(entries))
        log[:] = after
        return got

    failures, done, total = _campaign("ex09-student", variant(student_merge, "e9"),
                                      MERGE_SEEDS, MERGE_WORKLOAD, MERGE_FAULTS)
    if failures:
        raise AssertionError(_explain(failures, MERGE_SEEDS,
                                      "Can an old message still delete entries?"))
    if done < 0.85 * total:  # a correct merge: about 95 %
        raise AssertionError(f"only {done} of {total} operations completed")

    def eager(log, prev_index, entries):
        del log[prev_index:]
        log.extend(entries)
        return prev_index + len(entries)

    caught, _, _ = _campaign("ex09-eager", variant(eager, "e9b"), range(100),
                             MERGE_WORKLOAD, MERGE_FAULTS, stop_at_first=True)
    if not caught:
        raise AssertionError("grader self-test failed: the campaign should catch the "
                             "team's original handler")
