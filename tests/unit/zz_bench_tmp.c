#include "harness.h"
#include "rt_test.h"
int main(void) {
    RT_TEST_INIT();
    enum { N = 1000000 };
    char buf[32];
    ListBuilder kb; lb_init(&kb, N);
    for (int i = 0; i < N; i++) { int n = snprintf(buf, sizeof buf, "key%d", i); lb_push(&kb, str_new(buf, (size_t)n)); }
    Value klist = lb_finish(&kb); Value *keys = list_items(klist);
    double t0 = now_sec();
    Value m = map_new();
    for (int i = 0; i < N; i++) m = map_put(m, keys[i], v_int(i));
    double t1 = now_sec();
    HeapStats s; heap_stats(heap_current(), &s);
    fprintf(stderr, "puts %.3f  collections %zu reserved %zu MB\n", t1-t0, s.collections, s.bytes_reserved>>20);
    Value m2 = mapb_new(0, false);
    for (int i = 0; i < N; i++) mapb_put(m2, keys[i], v_int(i));
    fprintf(stderr, "builder puts %.3f\n", now_sec()-t1);
    return 0;
}
