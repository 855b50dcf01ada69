/* test_gc.c — heaps, the collector, conservative roots, fragments. */
#include "harness.h"
#include "rt_test.h"

#include <stdlib.h>

static size_t in_use(void) {
    HeapStats s;
    heap_stats(heap_current(), &s);
    return s.bytes_in_use;
}

TEST(idle_heap_is_small) {
    Heap *h = heap_new();
    HeapStats s;
    heap_stats(h, &s);
    CHECK_EQ_INT(s.bytes_reserved, 0); /* lazy first chunk */
    Heap *old = heap_current();
    heap_set_current(h);
    Value v = str_from_cstr("hello");
    CHECK_EQ_STR(CSTR(v), "hello");
    heap_stats(h, &s);
    CHECK(s.bytes_reserved > 0 && s.bytes_reserved <= 1200);
    CHECK(s.heap_struct < 600);
    fprintf(stderr, "  idle heap: %zu bytes reserved + %zu bytes bookkeeping\n", s.bytes_reserved, s.heap_struct);
    heap_set_current(old);
    heap_free(h);
}

TEST(many_heaps) {
    enum { N = 100000 };
    Heap **hs = malloc(N * sizeof(Heap *));
    Heap *old = heap_current();
    for (int i = 0; i < N; i++) {
        hs[i] = heap_new();
        heap_set_current(hs[i]);
        Value t[2] = {v_int(i), str_from_cstr("x")};
        (void)val_tuple(2, t);
    }
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        HeapStats s;
        heap_stats(hs[i], &s);
        total += s.bytes_reserved + s.heap_struct;
    }
    fprintf(stderr, "  100000 heaps: %.0f bytes each\n", (double)total / N);
    CHECK(total / N < 2000);
    heap_set_current(old);
    for (int i = 0; i < N; i++) heap_free(hs[i]);
    free(hs);
}

__attribute__((noinline)) static void make_garbage(int n) {
    for (int i = 0; i < n; i++) (void)val_tuple2(v_int(i), v_int(i));
}

TEST(garbage_is_collected) {
    Heap *h = heap_current();
    gc_collect(h);
    size_t base = in_use();
    make_garbage(10000);
    CHECK(in_use() >= base); /* may have collected in between */
    gc_collect(h);
    CHECK(in_use() < base + 4096);
}

__attribute__((noinline)) static uintptr_t make_interior(void) {
    Value l = list_from_array((Value[]){v_int(1), v_int(2), v_int(3), v_int(4)}, 4);
    /* a pointer into the middle of the buffer, disguised as an integer */
    return (uintptr_t)&list_items(l)[2] ^ 0;
}

TEST(conservative_interior_pointer) {
    Heap *h = heap_current();
    volatile uintptr_t p = make_interior();
    make_garbage(5000);
    gc_collect(h);
    make_garbage(5000); /* would reuse the buffer if it had been freed */
    const Value *v = (const Value *)p;
    CHECK_EQ_INT(v[0].i, 3);
    CHECK_EQ_INT(v[1].i, 4);
    CHECK_EQ_INT(v[-2].i, 1);
}

TEST(precise_roots) {
    Heap *h = heap_new();
    Heap *old = heap_current();
    heap_set_current(h); /* no scanner: only registered roots */
    static Value root;
    root = list_from_array((Value[]){S("a"), S("b")}, 2);
    heap_add_root(h, &root);
    for (int i = 0; i < 20000; i++) (void)val_tuple2(v_int(i), S("garbage"));
    gc_collect(h);
    for (int i = 0; i < 20000; i++) (void)val_tuple2(v_int(i), S("zzzzzzz"));
    CHECK_EQ_STR(DISP(root), "[a, b]");
    HeapStats s;
    heap_stats(h, &s);
    CHECK(s.collections >= 1);
    heap_remove_root(h, &root);
    gc_collect(h);
    heap_stats(h, &s);
    CHECK(s.live_after_gc == 0);
    heap_set_current(old);
    heap_free(h);
}

TEST(bounded_memory_10gb) {
    Heap *h = heap_current();
    /* a small live set that changes over time */
    Value keep = list_empty();
    size_t total = 0, max_reserved = 0;
    unsigned seed = 1;
    double t0 = now_sec();
    while (total < 10ull * 1000 * 1000 * 1000) {
        seed = seed * 1103515245 + 12345;
        size_t n = 16 + (seed >> 8) % 4000;
        Obj *o = gc_alloc(n, OK_RAW);
        (void)o;
        total += n;
        if ((seed >> 4) % 1024 == 0) {
            keep = list_append(list_len(keep) > 200 ? list_drop(keep, 100) : keep, str_new("kept", 4));
        }
        if ((total & 0xfffff) < 4000) {
            HeapStats s;
            heap_stats(h, &s);
            if (s.bytes_reserved > max_reserved) max_reserved = s.bytes_reserved;
        }
    }
    HeapStats s;
    heap_stats(h, &s);
    fprintf(stderr, "  10 GB allocated in %.2fs: %zu collections, max reserved %zu KB\n", now_sec() - t0,
            s.collections, max_reserved / 1024);
    CHECK(max_reserved < 16u * 1024 * 1024);
    CHECK(s.collections > 1000);
    CHECK(list_len(keep) > 0);
}

TEST(deep_structures) {
    Heap *h = heap_current();
    /* 100 000-deep Some(Some(...)) */
    Value v = v_int(7);
    for (int i = 0; i < 100000; i++) v = val_some(v);
    /* 1 000 000-element list of strings */
    ListBuilder b;
    lb_init(&b, 0);
    for (int i = 0; i < 1000000; i++) lb_push(&b, i % 1000 == 0 ? str_from_cstr("s") : v_int(i));
    Value big = lb_finish(&b);
    gc_collect(h);
    make_garbage(100000);
    gc_collect(h);
    Value x = v;
    int depth = 0;
    while (x.tag == T_VARIANT) { x = val_payload(x, 0); depth++; }
    CHECK_EQ_INT(depth, 100000);
    CHECK_EQ_INT(x.i, 7);
    CHECK_EQ_INT(list_len(big), 1000000);
    CHECK_EQ_INT(list_get(big, 999999).i, 999999);
    CHECK_EQ_STR(CSTR(list_get(big, 5000)), "s");
    /* copying a deep value does not recurse either */
    Value c = val_copy_into_current(v);
    CHECK(val_eq(c, v));
}

static Value add_cap(Value *args, int n) { return v_int(args[0].i + 1); }

TEST(fragments_copy_and_adopt) {
    Heap *a = heap_current();
    Heap *b = heap_new();
    heap_set_roots(b, rt_test_scan, NULL);
    static const FuncInfo fi = {"f", 1, add_cap, NULL};
    Value m = map_put(map_put(map_new(), S("k1"), S("v1")), S("k2"), list_from_array((Value[]){v_int(1), v_float(2.5)}, 2));
    Value caps[2] = {S("captured"), m};
    Value clo = val_closure(&fi, 2, caps);
    Value items[5] = {S("hello"), m, clo, val_some(val_tuple2(v_int(1), S("x"))), val_range(1, 4)};
    Value v = val_tuple(5, items);
    Value copy;
    Frag *f = frag_copy(v, &copy);
    CHECK(f != NULL);
    CHECK(!heap_contains(a, copy.o));
    CHECK(val_eq(copy, v) == false || true); /* closures compare by identity */
    CHECK_EQ_STR(DISP(copy), DISP(v));
    heap_set_current(b);
    heap_adopt(b, f);
    CHECK(heap_contains(b, copy.o));
    /* the sender's garbage does not matter */
    heap_set_current(a);
    make_garbage(10000);
    gc_collect(a);
    heap_set_current(b);
    make_garbage(10000);
    gc_collect(b);
    make_garbage(10000);
    CHECK_EQ_STR(DISP(copy), "(hello, %{k1 => v1, k2 => [1, 2.5]}, <fn>, Some((1, x)), 1..4)");
    FuncObj *fo = AS_FUNC(AS_TUPLE(copy)->items[2]);
    CHECK_EQ_INT(fo->ncap, 2);
    CHECK_EQ_STR(CSTR(fo->caps[0]), "captured");
    CHECK(heap_contains(b, fo->caps[0].o));
    heap_set_current(a);
    heap_free(b);
}

TEST(fragment_copies_only_the_slice) {
    ListBuilder lb;
    lb_init(&lb, 0);
    for (int i = 0; i < 100000; i++) lb_push(&lb, v_int(i));
    Value big = lb_finish(&lb);
    Value tail = list_drop(big, 99998);
    Value out;
    Frag *f = frag_copy(tail, &out);
    CHECK(frag_bytes(f) < 200);
    CHECK_EQ_STR(DISP(out), "[99998, 99999]");
    frag_free(f);
    /* an old map version is copied as that version */
    Value m1 = map_put(map_new(), v_int(1), v_int(10));
    Value m2 = map_put(m1, v_int(2), v_int(20));
    Value m3 = map_put(m2, v_int(1), v_int(11));
    (void)m3;
    f = frag_copy(m1, &out);
    CHECK_EQ_STR(DISP(out), "%{1 => 10}");
    frag_free(f);
    /* a string view of a big buffer */
    Value s = S("");
    for (int i = 0; i < 1000; i++) s = str_concat(s, S("abcdefghijklmnopqrstuvwxyz"));
    f = frag_copy(str_append_raw(S("x"), "y", 1), &out);
    CHECK(frag_bytes(f) <= 48);
    frag_free(f);
    /* immediates and statics need no fragment */
    CHECK(frag_copy(v_int(3), &out) == NULL);
    CHECK(frag_copy(val_none(), &out) == NULL);
    CHECK(frag_copy(str_static("lit", 3), &out) == NULL);
}

TEST(unadopted_fragment_as_root) {
    Heap *h = heap_current();
    Value v = list_from_array((Value[]){S("in"), S("flight")}, 2);
    static Value msg;
    Frag *f = frag_copy(v, &msg);
    heap_add_root(h, &msg); /* like a mailbox entry */
    Value holder = val_tuple2(msg, v_int(1)); /* heap object pointing into the fragment */
    gc_collect(h);
    gc_collect(h); /* marks on fragment objects must not stick */
    CHECK_EQ_STR(DISP(holder), "([in, flight], 1)");
    heap_adopt(h, f);
    heap_remove_root(h, &msg);
    gc_collect(h);
    CHECK_EQ_STR(DISP(holder), "([in, flight], 1)");
    CHECK(heap_contains(h, AS_TUPLE(holder)->items[0].o));
}

TEST(large_objects) {
    /* a heap without a stack scanner: only registered roots, so the result
     * does not depend on stale words on the C stack */
    Heap *h = heap_new(), *old = heap_current();
    heap_set_current(h);
    static Value root;
    char *data;
    root = str_alloc(1 << 20, &data);
    memset(data, 'z', 1 << 20);
    str_seal(root);
    heap_add_root(h, &root);
    HeapStats s;
    heap_stats(h, &s);
    CHECK(s.bytes_reserved >= (1 << 20));
    gc_collect(h);
    CHECK_EQ_INT(str_cplen(root), 1 << 20);
    CHECK_EQ_INT(str_data(root)[12345], 'z');
    heap_remove_root(h, &root);
    gc_collect(h);
    heap_stats(h, &s);
    CHECK(s.bytes_reserved < 4096);
    heap_set_current(old);
    heap_free(h);
}

TEST(static_objects) {
    Value s = str_static("static", 6);
    CHECK(gc_is_static(s.o));
    gc_collect(heap_current());
    CHECK_EQ_STR(CSTR(s), "static");
    Value none = val_none();
    CHECK(gc_is_static(none.o));
}

int main(void) {
    RT_TEST_INIT();
    RUN(idle_heap_is_small);
    RUN(many_heaps);
    RUN(garbage_is_collected);
    RUN(conservative_interior_pointer);
    RUN(precise_roots);
    RUN(deep_structures);
    RUN(fragments_copy_and_adopt);
    RUN(fragment_copies_only_the_slice);
    RUN(unadopted_fragment_as_root);
    RUN(large_objects);
    RUN(static_objects);
    RUN(bounded_memory_10gb);
    return harness_report();
}
