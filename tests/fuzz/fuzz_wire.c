/* fuzz_wire.c — libFuzzer target for the distribution wire decoder
 * (dist/wire.h): any bytes must decode or be refused cleanly; what decodes
 * must encode again and decode to an equal value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "vals.h"
#include "wire.h"

static const void *stack_top;

static void scan(Heap *h, void *ctx) {
    (void)ctx;
    gc_mark_current_stack(h, stack_top);
}

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
static const WirePids PIDS = {NULL, out_pid, in_pid};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    stack_top = __builtin_frame_address(0);
    Heap *h = heap_new();
    heap_set_roots(h, scan, NULL);
    Heap *old = heap_current();
    heap_set_current(h);
    char err[256];
    Value v;
    if (wire_decode(data, size, &PIDS, &v, err, sizeof err)) {
        WBuf b = {0};
        if (!wire_encode(&b, v, &PIDS, err, sizeof err)) abort();
        Value w;
        if (!wire_decode(b.p, b.len, &PIDS, &w, err, sizeof err)) abort();
        /* NaN != NaN: compare the encodings instead of the values */
        WBuf c = {0};
        if (!wire_encode(&c, w, &PIDS, err, sizeof err) || c.len != b.len || memcmp(c.p, b.p, b.len)) abort();
        wbuf_free(&b);
        wbuf_free(&c);
    }
    heap_set_current(old);
    heap_free(h);
    return 0;
}
