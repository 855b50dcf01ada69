/* queue.c — persistent FIFO queues over list slices (see queue.h). */
#include "queue.h"

#include "rt.h"
#include "vals.h"

Value queue_push(Value q, Value x) {
    if (!q.o) return listslice_append(OK_QUEUE, T_QUEUE, NULL, 0, 0, x);
    ListObj *o = (ListObj *)q.o;
    return listslice_append(OK_QUEUE, T_QUEUE, o->buf, o->off, o->len, x);
}

void queue_pop2(Value q, Value *front, Value *rest) {
    if (!q.o) rt_panic("Queue.pop: empty queue");
    ListObj *o = (ListObj *)q.o;
    *front = o->buf->items[o->off];
    *rest = listslice_view(OK_QUEUE, T_QUEUE, o->buf, o->off + 1, o->len - 1);
}

Value queue_pop(Value q) {
    Value f, r;
    queue_pop2(q, &f, &r);
    return val_tuple2(f, r);
}

Value queue_peek(Value q) {
    if (!q.o) rt_panic("Queue.peek: empty queue");
    ListObj *o = (ListObj *)q.o;
    return o->buf->items[o->off];
}

Value queue_to_list(Value q) {
    if (!q.o) return list_empty();
    ListObj *o = (ListObj *)q.o;
    return listslice_view(OK_LIST, T_LIST, o->buf, o->off, o->len);
}

Value queue_from_list(Value l) {
    if (!l.o) return queue_new();
    ListObj *o = AS_LIST(l);
    return listslice_view(OK_QUEUE, T_QUEUE, o->buf, o->off, o->len);
}
