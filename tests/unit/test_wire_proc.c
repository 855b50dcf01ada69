/* test_wire_proc.c — the wire format (dist/wire.h) inside Snow processes,
 * where a node encodes and decodes its messages: a value nested
 * WIRE_MAX_DEPTH levels deep takes more C stack than a process's first
 * stack holds, so both walks must continue on stack segments (they crashed
 * the node with "C code ran past the stack check into the guard page"
 * before: the hostile-peer case "a deeply nested value" under ASan, and any
 * send of such a value in a release build).  Also from a process that is
 * already deep in its stack, where only STACK_MARGIN is left. */
#include "list.h"
#include "proc_testlib.h"
#include "wire.h"

static bool out_pid(void *ud, uint64_t pid, const char **node, size_t *len, uint32_t *cr, uint64_t *serial) {
    (void)ud, (void)pid, (void)node, (void)len, (void)cr, (void)serial;
    return false;
}
static bool in_pid(void *ud, const char *node, size_t len, uint32_t cr, uint64_t serial, uint64_t *pid) {
    (void)ud, (void)node, (void)len, (void)cr, (void)serial, (void)pid;
    return false;
}
static const WirePids PIDS = {NULL, out_pid, in_pid};

/* Encode and decode v; the decoded value must equal it. */
static void roundtrip(Value v) {
    char err[256] = "";
    WBuf b = {0};
    bool enc = wire_encode(&b, v, &PIDS, err, sizeof err);
    Value out = v_unit();
    bool dec = enc && wire_decode(b.p, b.len, &PIDS, &out, err, sizeof err);
    say("encoded %d decoded %d equal %d %s", enc, dec, dec && val_eq(v, out), err);
    wbuf_free(&b);
}

static Value nested(int depth) {
    Value v = v_int(7);
    for (int i = 0; i < depth; i++) v = val_some(v);
    return v;
}

DEFPROC(deepest, 0) {
    roundtrip(nested(WIRE_MAX_DEPTH));
    /* lists and tuples nest through dec_seq */
    Value v = v_int(1);
    for (int i = 0; i < WIRE_MAX_DEPTH; i++) v = i % 2 ? val_tuple2(v, v_int(i)) : list_from_array(&v, 1);
    roundtrip(v);
    return v_unit();
}

/* Recurse until the stack counts as deep (proc_stack_low), then round-trip
 * from there: the walk starts with only STACK_MARGIN under it. */
static void *at_the_limit(void *arg) {
    (void)arg;
    roundtrip(nested(WIRE_MAX_DEPTH));
    return NULL;
}
static void descend(int n) {
    volatile char frame[256];
    frame[0] = (char)n;
    if (proc_stack_low(proc_self_hot())) {
        roundtrip(nested(WIRE_MAX_DEPTH));
        (void)stack_grow_call(at_the_limit, NULL);
    } else {
        descend(n + 1);
    }
    frame[1] = frame[0];
}

DEFPROC(deep_caller, 0) {
    descend(0);
    return v_unit();
}

TEST(nested_to_the_limit_in_a_process) {
    CHECK_EQ_INT(t_run(FN(deepest)), 0);
    CHECK_EQ_STR(t_out, "encoded 1 decoded 1 equal 1 \nencoded 1 decoded 1 equal 1 \n");
}

TEST(nested_to_the_limit_from_a_deep_process) {
    CHECK_EQ_INT(t_run(FN(deep_caller)), 0);
    CHECK_EQ_STR(t_out, "encoded 1 decoded 1 equal 1 \nencoded 1 decoded 1 equal 1 \n");
}

int main(void) {
    RUN(nested_to_the_limit_in_a_process);
    RUN(nested_to_the_limit_from_a_deep_process);
    return harness_report();
}
