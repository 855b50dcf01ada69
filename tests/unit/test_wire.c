/* test_wire.c — the distribution wire format (dist/wire.h): round trips of
 * every kind of value, pid qualification, refusal of functions, and the
 * decoder's validation of hostile bytes. */
#include "harness.h"
#include "rt_test.h"

#include "wire.h"

/* Pids: this node is "a@h" creation 7; node id 3 is "b@h" creation 9. */
static bool out_pid(void *ud, uint64_t pid, const char **node, size_t *len, uint32_t *cr, uint64_t *serial) {
    (void)ud;
    if (pid_node(pid) == 0) *node = "a@h", *cr = 7;
    else if (pid_node(pid) == 3) *node = "b@h", *cr = 9;
    else return false;
    *len = 3;
    *serial = pid_serial(pid);
    return true;
}
static bool in_pid(void *ud, const char *node, size_t len, uint32_t cr, uint64_t serial, uint64_t *pid) {
    (void)ud;
    if (len == 3 && !memcmp(node, "a@h", 3) && cr == 7) *pid = pid_make(0, 0, serial);
    else if (len == 3 && !memcmp(node, "b@h", 3)) *pid = pid_make(3, cr, serial);
    else return false;
    return true;
}
/* The receiving side of the same cluster: "b@h" sees "a@h" as node 5. */
static bool in_pid_b(void *ud, const char *node, size_t len, uint32_t cr, uint64_t serial, uint64_t *pid) {
    (void)ud;
    if (len == 3 && !memcmp(node, "b@h", 3) && cr == 9) *pid = pid_make(0, 0, serial);
    else if (len == 3 && !memcmp(node, "a@h", 3)) *pid = pid_make(5, cr, serial);
    else return false;
    return true;
}
static const WirePids PIDS = {NULL, out_pid, in_pid};
static const WirePids PIDS_B = {NULL, out_pid, in_pid_b};

static char err[256];

static const char *RTRIP(Value v) {
    WBuf b = {0};
    if (!wire_encode(&b, v, &PIDS, err, sizeof err)) return "ENCODE FAILED";
    Value out;
    bool ok = wire_decode(b.p, b.len, &PIDS, &out, err, sizeof err);
    wbuf_free(&b);
    if (!ok) return err;
    CHECK(val_eq(v, out));
    return DBG(out);
}

static const char *DEC(const uint8_t *p, size_t n) {
    Value out;
    if (!wire_decode(p, n, &PIDS, &out, err, sizeof err)) return err;
    return DBG(out);
}

TEST(roundtrip_scalars) {
    CHECK_EQ_STR(RTRIP(v_unit()), "()");
    CHECK_EQ_STR(RTRIP(v_bool(true)), "true");
    CHECK_EQ_STR(RTRIP(v_int(-1)), "-1");
    CHECK_EQ_STR(RTRIP(v_int(INT64_MIN)), "-9223372036854775808");
    CHECK_EQ_STR(RTRIP(v_int(INT64_MAX)), "9223372036854775807");
    CHECK_EQ_STR(RTRIP(v_float(2.5)), "2.5");
    CHECK_EQ_STR(RTRIP(S("héllo")), "\"héllo\"");
    CHECK_EQ_STR(RTRIP(S("")), "\"\"");
    CHECK_EQ_STR(RTRIP(val_range(1, 5)), DBG(val_range(1, 5)));
}

TEST(roundtrip_containers) {
    Value xs[3] = {v_int(1), S("two"), v_float(3.0)};
    Value t = val_tuple(3, xs);
    CHECK_EQ_STR(RTRIP(t), DBG(t));
    Value ints[3] = {v_int(1), v_int(2), v_int(3)};
    Value l = list_from_array(ints, 3);
    CHECK_EQ_STR(RTRIP(l), "[1, 2, 3]");
    CHECK_EQ_STR(RTRIP(list_empty()), "[]");
    Value m = map_put(map_put(map_new(), S("a"), v_int(1)), S("b"), l);
    CHECK_EQ_STR(RTRIP(m), DBG(m));
    Value s = set_add(set_add(set_new(), v_int(4)), v_int(2));
    CHECK_EQ_STR(RTRIP(s), DBG(s));
    Value q = queue_push(queue_push(queue_new(), v_int(1)), v_int(2));
    CHECK_EQ_STR(RTRIP(q), DBG(q));
    CHECK_EQ_STR(RTRIP(val_some(val_ok(S("x")))), "Some(Ok(x))");
    CHECK_EQ_STR(RTRIP(val_none()), "None");
    /* a long list goes through the heap-backed buffer */
    ListBuilder lb;
    lb_init(&lb, 0);
    for (int i = 0; i < 5000; i++) lb_push(&lb, v_int(i * 7));
    Value big = lb_finish(&lb);
    WBuf b = {0};
    CHECK(wire_encode(&b, big, &PIDS, err, sizeof err));
    Value out;
    CHECK(wire_decode(b.p, b.len, &PIDS, &out, err, sizeof err));
    CHECK(val_eq(big, out));
    wbuf_free(&b);
}

TEST(pids_and_reasons) {
    Value local = v_pid(pid_make(0, 0, 42));
    CHECK_EQ_STR(RTRIP(local), "<0.42>");
    Value remote = v_pid(pid_make(3, 9, 5));
    CHECK_EQ_STR(RTRIP(remote), "<3.5.9>");
    /* sent from a to b: a's local pid becomes b's node-5 pid, b's pid local */
    Value both = val_tuple2(local, remote);
    WBuf b = {0};
    CHECK(wire_encode(&b, both, &PIDS, err, sizeof err));
    Value out;
    CHECK(wire_decode(b.p, b.len, &PIDS_B, &out, err, sizeof err));
    CHECK_EQ_STR(DBG(out), "(<5.42.7>, <0.5>)");
    wbuf_free(&b);
    Value r = val_exit_linked(pid_make(0, 0, 3), val_exit_error(S("boom")));
    CHECK_EQ_STR(RTRIP(r), DBG(r));
    CHECK_EQ_STR(RTRIP(val_sig_down(4, pid_make(0, 0, 1), val_exit_reason(XR_NOCONNECTION))),
                 DBG(val_sig_down(4, pid_make(0, 0, 1), val_exit_reason(XR_NOCONNECTION))));
}

static FuncInfo fi_add = {"add", 2, NULL, NULL};

TEST(functions_refused) {
    Value f = val_func_static(&fi_add);
    WBuf b = {0};
    CHECK(!wire_encode(&b, val_tuple2(v_int(1), f), &PIDS, err, sizeof err));
    CHECK(strstr(err, "a function (Fun `add`) cannot be sent to another node") != NULL);
    CHECK_EQ_INT(b.len, 0);
    CHECK(!wire_encode(&b, val_some(f), &PIDS, err, sizeof err));
    CHECK(strstr(err, "inside `Some`") != NULL);
    wbuf_free(&b);
}

TEST(depth_limit) {
    Value v = v_int(0);
    for (int i = 0; i < WIRE_MAX_DEPTH + 5; i++) v = val_some(v);
    WBuf b = {0};
    CHECK(!wire_encode(&b, v, &PIDS, err, sizeof err));
    CHECK(strstr(err, "nested") != NULL);
    /* the same nesting written by hand is refused by the decoder */
    wbuf_u8(&b, WIRE_VERSION);
    for (int i = 0; i < 100000; i++) {
        wbuf_u8(&b, 13);
        wbuf_name(&b, "Option", 6);
        wbuf_name(&b, "Some", 4);
        wbuf_u8(&b, 1);
    }
    wbuf_u8(&b, 0);
    Value out;
    CHECK(!wire_decode(b.p, b.len, &PIDS, &out, err, sizeof err));
    CHECK(strstr(err, "nested") != NULL);
    wbuf_free(&b);
}

TEST(hostile_bytes) {
    static const uint8_t empty[] = {0};
    CHECK(strstr(DEC(empty, 0), "empty") != NULL);
    static const uint8_t badver[] = {2, 0};
    CHECK(strstr(DEC(badver, 2), "version") != NULL);
    static const uint8_t trailing[] = {1, 0, 0};
    CHECK(strstr(DEC(trailing, 3), "after the value") != NULL);
    static const uint8_t hugelist[] = {1, 6, 0xff, 0xff, 0xff, 0xff, 0x0f};
    CHECK(strstr(DEC(hugelist, sizeof hugelist), "limit") != NULL);
    static const uint8_t lyinglist[] = {1, 6, 100, 0, 0};
    CHECK(strstr(DEC(lyinglist, sizeof lyinglist), "bytes left") != NULL);
    static const uint8_t hugestr[] = {1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a'};
    CHECK(strstr(DEC(hugestr, sizeof hugestr), "string") != NULL);
    static const uint8_t badutf8[] = {1, 5, 2, 0xc3, 0x28};
    CHECK(strstr(DEC(badutf8, sizeof badutf8), "UTF-8") != NULL);
    static const uint8_t badtag[] = {1, 99};
    CHECK(strstr(DEC(badtag, sizeof badtag), "unknown value tag") != NULL);
    static const uint8_t longvarint[] = {1, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    CHECK(strstr(DEC(longvarint, sizeof longvarint), "bad Int") != NULL);
    static const uint8_t unknownnode[] = {1, 14, 3, 'z', '@', 'h', 1, 5};
    CHECK(strstr(DEC(unknownnode, sizeof unknownnode), "unknown node") != NULL);
    static const uint8_t unknowntype[] = {1, 12, 3, 'F', 'o', 'o', 0};
    CHECK(strstr(DEC(unknowntype, sizeof unknowntype), "unknown struct") != NULL);
    static const uint8_t badvariant[] = {1, 13, 6, 'O', 'p', 't', 'i', 'o', 'n', 3, 'B', 'a', 'd', 0};
    CHECK(strstr(DEC(badvariant, sizeof badvariant), "no variant") != NULL);
    static const uint8_t badarity[] = {1, 13, 6, 'O', 'p', 't', 'i', 'o', 'n', 4, 'N', 'o', 'n', 'e', 1, 0};
    CHECK(strstr(DEC(badarity, sizeof badarity), "fields") != NULL);
    static const uint8_t tuple1[] = {1, 7, 1, 0};
    CHECK(strstr(DEC(tuple1, sizeof tuple1), "tuple") != NULL);
    /* every prefix of a good encoding is refused cleanly */
    Value xs[3] = {S("abc"), v_pid(pid_make(0, 0, 9)), val_some(v_float(1.5))};
    WBuf b = {0};
    CHECK(wire_encode(&b, list_from_array(xs, 3), &PIDS, err, sizeof err));
    for (size_t n = 0; n < b.len; n++) {
        Value out;
        CHECK(!wire_decode(b.p, n, &PIDS, &out, err, sizeof err));
    }
    wbuf_free(&b);
}

int main(void) {
    RT_TEST_INIT();
    RUN(roundtrip_scalars);
    RUN(roundtrip_containers);
    RUN(pids_and_reasons);
    RUN(functions_refused);
    RUN(depth_limit);
    RUN(hostile_bytes);
    return harness_report();
}
