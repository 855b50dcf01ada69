#!/usr/bin/env python3
"""Replays the event log of tree.snow (snow run --events FILE) against the
supervision rules of concurrency.md §10 and decision 24, and checks that no
process leaked.

usage: check.py EVENTS.jsonl [MIN_RESTARTS]

For every supervisor (recognised by the actor name of its spawn event) the
checker keeps a model: its children's current pids, the child exits it has
not acted upon yet (in arrival order), its own restart timestamps, and what
it must do next.  It verifies:
  - children start in declaration order, and every start is a fresh pid;
  - a `restart` event answers the oldest pending restart-worthy exit of that
    child (permanent: any reason; transient: not Normal/Shutdown), names the
    supervisor's strategy, and is allowed by the intensity (fewer than
    max_restarts restarts in the last max_seconds) with the right count;
  - after it the supervisor stops exactly the children the strategy says,
    one at a time in reverse start order, then starts the ones it says, in
    order (one_for_one / one_for_all / rest_for_one);
  - a supervisor exits with `restart limit exceeded` only when the intensity
    is really exceeded, and before exiting (give-up or stopped by its
    parent) stops its running children in reverse order;
  - non-worthy exits (temporary, transient Normal/Shutdown) restart nothing;
  - at the end every pending exit was handled and the processes still alive
    (discarded at quiescence) are exactly the supervision tree the model
    predicts: no leaked or missing process.
"""
import json
import sys

SPEC = {
    "Top": ("rest_for_one", 1000, 1, [("mid_a", "permanent"), ("mid_b", "permanent"), ("mid_c", "permanent")]),
    "MidA": ("one_for_all", 5, 1, [("a1", "permanent"), ("a2", "transient"), ("a3", "permanent")]),
    "MidB": ("rest_for_one", 5, 1, [("b1", "permanent"), ("b2", "transient"), ("b3", "permanent")]),
    "MidC": ("one_for_one", 5, 1, [("c1", "permanent"), ("c2", "transient"), ("c3", "permanent")]),
}

errors = []


def fail(step, msg):
    errors.append(f"step {step}: {msg}")
    if len(errors) > 20:
        report()


class Sup:
    def __init__(self, pid, name):
        self.pid = pid
        self.name = name
        self.strategy, self.max, self.secs, children = SPEC[name]
        self.order = [c for c, _ in children]
        self.rtype = dict(children)
        self.kids = {c: None for c in self.order}   # child id -> pid (may be dead, not yet handled)
        self.gone = set()                            # temporary children removed (none here)
        self.stamps = []                             # restart times in the window
        self.exitq = []                              # (pid, child id, reason) not yet acted upon
        self.stops = []                              # child ids the strategy says to stop, in order
        self.starts = list(self.order)               # child ids to start, in order (first the initial starts)
        self.unplanned = []                          # stops outside a restart (give-up / shutdown)
        self.unplanned_t = 0                         # time of the first of them
        self.restarts = 0


def worthy(rtype, reason):
    if rtype == "temporary":
        return False
    if rtype == "transient":
        return reason not in ("Normal", "Shutdown")
    return True


def main():
    path = sys.argv[1]
    min_restarts = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    sups = {}           # pid -> Sup (alive)
    alive = set()       # live pids
    child_of = {}       # pid -> (sup pid, child id) for current children
    stopped_by = {}     # pid -> sup pid that sent it a stop
    seen_children = set()
    main_pid = None
    discarded = set()
    total_restarts = 0
    giveups = {}
    last_t = 0
    max_alive = 0

    def drop_dead_stops(s):
        while s.stops and (s.kids[s.stops[0]] is None or s.kids[s.stops[0]] not in alive):
            s.kids[s.stops[0]] = None
            s.stops.pop(0)

    with open(path) as f:
        for line in f:
            e = json.loads(line)
            ev, step, t = e["ev"], e["step"], e["t"]
            last_t = t
            if ev == "spawn":
                c = e["child"]
                alive.add(c)
                max_alive = max(max_alive, len(alive))
                if main_pid is None:
                    main_pid = c
                if e.get("name") in SPEC:
                    sups[c] = Sup(c, e["name"])
            elif ev == "child_start":
                s = sups.get(e["pid"])
                if not s:
                    fail(step, f"child_start by unknown supervisor {e['pid']}")
                    continue
                drop_dead_stops(s)
                if s.stops:
                    fail(step, f"{s.name}: started {e['name']} before stopping {s.stops}")
                    s.stops = []
                want = s.starts.pop(0) if s.starts else None
                if want != e["name"]:
                    fail(step, f"{s.name}: started {e['name']}, expected {want}")
                c = e["child"]
                if c in seen_children:
                    fail(step, f"{s.name}: child {e['name']} restarted with an old pid {c}")
                seen_children.add(c)
                if s.kids[e["name"]] is not None and s.kids[e["name"]] in alive:
                    fail(step, f"{s.name}: {e['name']} started while its old pid still runs")
                s.kids[e["name"]] = c
                child_of[c] = (s.pid, e["name"])
            elif ev == "exit_signal":
                target, frm, reason = e["pid"], e.get("from"), e.get("reason")
                s = sups.get(frm)
                if not s or child_of.get(target, (None,))[0] != frm or reason not in ("Shutdown", "Killed"):
                    continue
                if stopped_by.get(target) == frm:
                    if reason != "Killed":
                        fail(step, f"{s.name}: second stop of {target} is not a kill")
                    continue  # the kill after the shutdown timeout
                stopped_by[target] = frm
                name = child_of[target][1]
                drop_dead_stops(s)
                if s.stops:
                    want = s.stops.pop(0)
                    if want != name:
                        fail(step, f"{s.name}: stopped {name}, expected {want}")
                    s.kids[name] = None
                else:
                    if not s.unplanned:
                        s.unplanned_t = t  # the give-up decision was taken just before
                    s.unplanned.append(name)
            elif ev == "exit":
                p, reason = e["pid"], e["reason"]
                alive.discard(p)
                if p in child_of:
                    sp, name = child_of.pop(p)
                    s = sups.get(sp)
                    # a child the supervisor is about to stop: the stop absorbs its exit
                    # (a stopped child that traps exits may end otherwise than by the stop)
                    if s and stopped_by.get(p) != sp and name not in s.stops:
                        s.exitq.append((p, name, reason))
                stopped_by.pop(p, None)
                s = sups.pop(p, None)
                if not s:
                    continue
                # a supervisor ends: after stopping its running children in reverse order
                running = [n for n in reversed(s.order) if s.kids[n] is not None]
                it = iter(running)
                if not all(n in it for n in s.unplanned):
                    fail(step, f"{s.name}: final stops {s.unplanned} not in reverse order of {running}")
                for n in running:
                    if s.kids[n] in alive:
                        fail(step, f"{s.name} exited leaving child {n} ({s.kids[n]}) running")
                if reason.startswith("Error(restart limit exceeded"):
                    want = f"Error(restart limit exceeded: {s.max} restarts in {s.secs} seconds)"
                    if reason != want:
                        fail(step, f"{s.name}: exit reason {reason}, expected {want}")
                    window = s.secs * 1000
                    decided = s.unplanned_t if s.unplanned else t
                    recent = [x for x in s.stamps if decided - x <= window]
                    if len(recent) < s.max:
                        fail(step, f"{s.name} gave up with only {len(recent)} restarts in the window")
                    trig = [q for q in s.exitq if worthy(s.rtype[q[1]], q[2])]
                    if not trig:
                        fail(step, f"{s.name} gave up without a restart-worthy exit")
                    giveups[s.name] = giveups.get(s.name, 0) + 1
                elif reason != "Shutdown":
                    fail(step, f"supervisor {s.name} exited with {reason}")
                for n in s.order:
                    if s.kids[n] is not None:
                        child_of.pop(s.kids[n], None)
            elif ev == "restart":
                s = sups.get(e["pid"])
                if not s:
                    fail(step, f"restart by unknown supervisor {e['pid']}")
                    continue
                name, old, reason = e["name"], e.get("child"), e["reason"]
                total_restarts += 1
                s.restarts += 1
                if e["strategy"] != s.strategy:
                    fail(step, f"{s.name}: strategy {e['strategy']}, declared {s.strategy}")
                if s.starts or s.stops:
                    fail(step, f"{s.name}: restart while still stopping {s.stops} / starting {s.starts}")
                # the oldest restart-worthy pending exit must be this one
                while s.exitq and not worthy(s.rtype[s.exitq[0][1]], s.exitq[0][2]):
                    p, n, _ = s.exitq.pop(0)
                    if s.kids[n] == p:
                        s.kids[n] = None
                if not s.exitq:
                    fail(step, f"{s.name}: restart of {name} without a pending exit")
                else:
                    p, n, r = s.exitq.pop(0)
                    if (p, n, r) != (old, name, reason):
                        fail(step, f"{s.name}: restart of {name} {old} {reason}, pending was {n} {p} {r}")
                s.kids[name] = None
                # intensity (decision 24: the scheduler clock)
                window = s.secs * 1000
                s.stamps = [x for x in s.stamps if t - x <= window]
                if len(s.stamps) >= s.max:
                    fail(step, f"{s.name}: restart beyond the intensity ({len(s.stamps)} in {s.secs}s)")
                s.stamps.append(t)
                if e["count"] != len(s.stamps):
                    fail(step, f"{s.name}: count {e['count']}, expected {len(s.stamps)}")
                i = s.order.index(name)
                if s.strategy == "one_for_one":
                    stops, starts = [], [name]
                elif s.strategy == "one_for_all":
                    stops = [n for n in reversed(s.order) if n != name and s.kids[n] is not None]
                    starts = [n for n in s.order if n not in s.gone]
                else:
                    stops = [n for n in reversed(s.order[i + 1:]) if s.kids[n] is not None]
                    starts = [n for n in s.order[i:] if n not in s.gone]
                # exits of children about to be stopped are absorbed by the stop
                stopping = {s.kids[n] for n in stops}
                s.exitq = [q for q in s.exitq if q[0] not in stopping]
                s.stops, s.starts = stops, starts
            elif ev == "discard":
                discarded.add(e["pid"])

    # ---- the end: every exit handled, and exactly the tree is left ----
    expected = set()
    for s in sups.values():
        if s.stops or s.starts:
            fail("end", f"{s.name} unfinished: stops {s.stops}, starts {s.starts}")
        for p, n, r in s.exitq:
            if worthy(s.rtype[n], r):
                fail("end", f"{s.name}: exit of {n} ({p}, {r}) never acted upon")
            elif s.kids[n] == p:
                s.kids[n] = None
        expected.add(s.pid)
        for n in s.order:
            if s.kids[n] is not None:
                expected.add(s.kids[n])
    tops = [s for s in sups.values() if s.name == "Top"]
    if len(tops) != 1:
        fail("end", f"{len(tops)} Top supervisors alive")
    mids = sorted(s.name for s in sups.values() if s.name != "Top")
    if mids != ["MidA", "MidB", "MidC"]:
        fail("end", f"mid supervisors alive: {mids}")
    for s in sups.values():
        for n in s.order:
            if s.rtype[n] == "permanent" and s.kids[n] is None:
                fail("end", f"{s.name}: permanent child {n} is not running")
    left = alive - {main_pid}
    if left != expected:
        fail("end", f"leaked {sorted(left - expected)}, missing {sorted(expected - left)}")
    if discarded != left:
        fail("end", f"discarded {len(discarded)} processes, {len(left)} were alive")
    if total_restarts < min_restarts:
        fail("end", f"only {total_restarts} restarts (wanted {min_restarts})")
    print(f"restarts {total_restarts}, give-ups {dict(sorted(giveups.items()))}, "
          f"tree at the end {len(left)} processes (expected {len(expected)}), "
          f"peak {max_alive} live, virtual time {last_t} ms")
    report()


def report():
    if errors:
        print("\n".join(errors[:20]))
        print(f"{len(errors)} violations")
        print("0 passed, 1 failed")
        sys.exit(1)
    print("1 passed, 0 failed")
    sys.exit(0)


if __name__ == "__main__":
    main()
