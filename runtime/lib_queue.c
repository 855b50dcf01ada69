/* lib_queue.c — the Queue module (stdlib.md §6, generic as in the table):
 * persistent FIFO queues of queue.h.  Queue.pop returns the tuple
 * (front, rest) (the recommended typing of §6). */
#include "lib_util.h"
#include "queue.h"
#include "stdlib_table.h"

#define NEED_QUEUE(v, fn, i) lib_need((v), T_QUEUE, (fn), (i))

static Value bi_queue_new(Value *a, int n) { return queue_new(); }

static Value bi_queue_push(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.push", 1);
    return queue_push(a[0], a[1]);
}

static Value bi_queue_pop(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.pop", 1);
    return queue_pop(a[0]);
}

static Value bi_queue_peek(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.peek", 1);
    return queue_peek(a[0]);
}

static Value bi_queue_size(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.size", 1);
    return v_int((int64_t)queue_size(a[0]));
}

static Value bi_queue_is_empty(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.is_empty", 1);
    return v_bool(queue_is_empty(a[0]));
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn queue_lib[] = {
    {"Queue", "new", "Fun() -> Queue<T>", bi_queue_new, 0, SF_PREFIXED, "an empty queue"},
    {"Queue", "push", "Fun(Queue<T>, T) -> Queue<T>", bi_queue_push, 2, SF_PREFIXED, "add at the back"},
    {"Queue", "pop", "Fun(Queue<T>) -> (T, Queue<T>)", bi_queue_pop, 1, SF_PREFIXED, "the front element and the rest (panics when empty)"},
    {"Queue", "peek", "Fun(Queue<T>) -> T", bi_queue_peek, 1, SF_PREFIXED, "the front element (panics when empty)"},
    {"Queue", "size", "Fun(Queue<T>) -> Int", bi_queue_size, 1, SF_PREFIXED, "number of elements"},
    {"Queue", "is_empty", "Fun(Queue<T>) -> Bool", bi_queue_is_empty, 1, SF_PREFIXED, "is the queue empty?"},
};
STDLIB_REGISTER(queue_lib)
