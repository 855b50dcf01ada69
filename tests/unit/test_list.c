/* test_list.c — persistent lists and queues. */
#include "harness.h"
#include "rt_test.h"

static Value ints(int n) {
    ListBuilder b;
    lb_init(&b, 0);
    for (int i = 0; i < n; i++) lb_push(&b, v_int(i));
    return lb_finish(&b);
}

TEST(basics) {
    Value e = list_empty();
    CHECK_EQ_INT(list_len(e), 0);
    CHECK_EQ_STR(DISP(e), "[]");
    Value l = list_from_array((Value[]){v_int(10), v_int(20), v_int(30)}, 3);
    CHECK_EQ_STR(DISP(l), "[10, 20, 30]");
    CHECK_EQ_INT(list_head(l).i, 10);
    CHECK_EQ_INT(list_last(l).i, 30);
    CHECK_EQ_STR(DISP(list_tail(l)), "[20, 30]");
    CHECK_EQ_STR(DISP(list_tail(list_tail(list_tail(l)))), "[]");
    CHECK_EQ_INT(list_get_checked(l, 1, "List.get").i, 20);
    CHECK_EQ_STR(DISP(list_reverse(l)), "[30, 20, 10]");
    CHECK_EQ_STR(DISP(list_take(l, 2)), "[10, 20]");
    CHECK_EQ_STR(DISP(list_take(l, 100)), "[10, 20, 30]");
    CHECK_EQ_STR(DISP(list_take(l, -1)), "[]");
    CHECK_EQ_STR(DISP(list_drop(l, 1)), "[20, 30]");
    CHECK_EQ_STR(DISP(list_drop(l, 100)), "[]");
    CHECK_EQ_STR(DISP(list_concat(l, list_tail(l))), "[10, 20, 30, 20, 30]");
    CHECK_EQ_STR(DISP(list_concat(e, l)), "[10, 20, 30]");
}

TEST(panics) {
    int p;
    Value l = list_from_array((Value[]){v_int(1), v_int(2), v_int(3)}, 3);
    RT_EXPECT_PANIC(list_get_checked(l, 5, "List.nth"), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.nth: index 5 out of bounds (length 3)");
    RT_EXPECT_PANIC(list_get_checked(l, -1, NULL), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "list index -1 out of bounds (length 3)");
    RT_EXPECT_PANIC(list_head(list_empty()), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.head: empty list");
    RT_EXPECT_PANIC(list_tail(list_empty()), p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.tail: empty list");
    RT_EXPECT_PANIC(list_last(list_empty()), p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.last: empty list");
    RT_EXPECT_PANIC(queue_pop(queue_new()), p);
    CHECK_EQ_STR(rt_test_panic_msg, "Queue.pop: empty queue");
    RT_EXPECT_PANIC(queue_peek(queue_new()), p);
    CHECK_EQ_STR(rt_test_panic_msg, "Queue.peek: empty queue");
}

TEST(append_persistence) {
    Value a = list_from_array((Value[]){v_int(1), v_int(2)}, 2);
    Value b = list_append(a, v_int(3));   /* copies (exact-size buffer) */
    Value c = list_append(b, v_int(4));   /* in place */
    Value d = list_append(b, v_int(40));  /* b no longer at the end: copy */
    Value e = list_append(c, v_int(5));
    CHECK_EQ_STR(DISP(a), "[1, 2]");
    CHECK_EQ_STR(DISP(b), "[1, 2, 3]");
    CHECK_EQ_STR(DISP(c), "[1, 2, 3, 4]");
    CHECK_EQ_STR(DISP(d), "[1, 2, 3, 40]");
    CHECK_EQ_STR(DISP(e), "[1, 2, 3, 4, 5]");
    CHECK(AS_LIST(c)->buf == AS_LIST(b)->buf);
    CHECK(AS_LIST(d)->buf != AS_LIST(b)->buf);
    /* tail shares, and appending to a tail that ends at the buffer end works */
    Value t = list_tail(e);
    Value t2 = list_append(t, v_int(6));
    CHECK_EQ_STR(DISP(t2), "[2, 3, 4, 5, 6]");
    CHECK_EQ_STR(DISP(e), "[1, 2, 3, 4, 5]");
}

TEST(prepend_and_concat) {
    Value l = list_empty();
    for (int i = 0; i < 5; i++) l = list_prepend(v_int(i), l);
    CHECK_EQ_STR(DISP(l), "[4, 3, 2, 1, 0]");
    Value old = l;
    Value p1 = list_prepend(v_int(100), old);
    Value p2 = list_prepend(v_int(200), old); /* old no longer at lo: copy */
    CHECK_EQ_STR(DISP(p1), "[100, 4, 3, 2, 1, 0]");
    CHECK_EQ_STR(DISP(p2), "[200, 4, 3, 2, 1, 0]");
    CHECK_EQ_STR(DISP(old), "[4, 3, 2, 1, 0]");
    /* [x] ++ xs uses the front room */
    Value q = list_concat(list_from_array((Value[]){v_int(-1)}, 1), p1);
    CHECK_EQ_STR(DISP(q), "[-1, 100, 4, 3, 2, 1, 0]");
    CHECK(AS_LIST(q)->buf == AS_LIST(p1)->buf);
    /* xs ++ [x] uses the back room */
    Value r = list_concat(q, list_from_array((Value[]){v_int(9)}, 1));
    Value r2 = list_concat(r, list_from_array((Value[]){v_int(10)}, 1));
    CHECK_EQ_STR(DISP(r2), "[-1, 100, 4, 3, 2, 1, 0, 9, 10]");
    CHECK_EQ_STR(DISP(r), "[-1, 100, 4, 3, 2, 1, 0, 9]");
}

TEST(million) {
    double t0 = now_sec();
    Value l = list_empty();
    for (int i = 0; i < 1000000; i++) l = list_append(l, v_int(i));
    double t1 = now_sec();
    CHECK_EQ_INT(list_len(l), 1000000);
    CHECK_EQ_INT(list_get(l, 654321).i, 654321);
    Value p = list_empty();
    for (int i = 0; i < 1000000; i++) p = list_prepend(v_int(i), p);
    double t2 = now_sec();
    CHECK_EQ_INT(list_get(p, 0).i, 999999);
    CHECK_EQ_INT(list_get(p, 999999).i, 0);
    Value c = list_empty();
    for (int i = 0; i < 100000; i++) c = list_concat(c, list_from_array((Value[]){v_int(i)}, 1));
    CHECK_EQ_INT(list_len(c), 100000);
    /* walking with tail is O(1) per step */
    long sum = 0;
    for (Value x = l; !list_is_empty(x); x = list_tail(x)) sum += list_head(x).i;
    double t3 = now_sec();
    CHECK_EQ_INT(sum, 499999500000L);
    fprintf(stderr, "  1M appends %.3fs, 1M prepends %.3fs, 1M tails %.3fs\n", t1 - t0, t2 - t1, t3 - t2);
    CHECK(list_len(ints(10)) == 10);
}

TEST(queue) {
    Value q = queue_new();
    CHECK(queue_is_empty(q));
    q = queue_push(q, v_int(10));
    q = queue_push(q, v_int(20));
    CHECK_EQ_INT(queue_size(q), 2);
    CHECK_EQ_INT(queue_peek(q).i, 10);
    Value pr = queue_pop(q);
    CHECK_EQ_INT(AS_TUPLE(pr)->items[0].i, 10);
    Value rest = AS_TUPLE(pr)->items[1];
    CHECK_EQ_INT(queue_size(rest), 1);
    CHECK_EQ_STR(DISP(q), "Queue[10, 20]");
    /* steady-state FIFO: bounded buffer, amortised O(1) */
    Value f, r;
    for (int i = 0; i < 1000000; i++) {
        q = queue_push(q, v_int(i));
        queue_pop2(q, &f, &r);
        q = r;
    }
    CHECK_EQ_INT(queue_size(q), 2);
    CHECK(((ListObj *)q.o)->buf->cap < 64);
    Value s = queue_push(queue_new(), S("a"));
    Value s1 = queue_push(s, S("b"));
    Value s2 = queue_push(s, S("c"));
    CHECK_EQ_STR(DISP(s1), "Queue[a, b]");
    CHECK_EQ_STR(DISP(s2), "Queue[a, c]");
    CHECK_EQ_STR(DISP(queue_to_list(s2)), "[a, c]");
}

int main(void) {
    RT_TEST_INIT();
    RUN(basics);
    RUN(panics);
    RUN(append_persistence);
    RUN(prepend_and_concat);
    RUN(million);
    RUN(queue);
    return harness_report();
}
