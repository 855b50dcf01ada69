/* lib_queue.c — the Queue module (stdlib.md §6, generic as in the table):
 * persistent FIFO queues of queue.h.  Queue.pop returns the tuple
 * (front, rest) (the recommended typing of §6). */
#include "lib.h"
#include "lib_util.h"
#include "queue.h"

#define NEED_QUEUE(v, fn, i) lib_need((v), T_QUEUE, (fn), (i))

Value bi_queue_new(Value *a, int n) { return queue_new(); }

Value bi_queue_push(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.push", 1);
    return queue_push(a[0], a[1]);
}

Value bi_queue_pop(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.pop", 1);
    return queue_pop(a[0]);
}

Value bi_queue_peek(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.peek", 1);
    return queue_peek(a[0]);
}

Value bi_queue_size(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.size", 1);
    return v_int((int64_t)queue_size(a[0]));
}

Value bi_queue_is_empty(Value *a, int n) {
    NEED_QUEUE(a[0], "Queue.is_empty", 1);
    return v_bool(queue_is_empty(a[0]));
}
