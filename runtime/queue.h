/* queue.h — persistent FIFO queues (T_QUEUE).
 *
 * A queue is a list view (same layout as ListObj, kind OK_QUEUE): push is
 * the list append-in-place trick (amortised O(1); copying into a new buffer
 * of twice the live size when the view is not at the buffer's end or the
 * buffer is full, which also drops popped slots), pop is an O(1) view of the
 * rest.  The empty queue is T_QUEUE with o == NULL. */
#ifndef SNOW_QUEUE_H
#define SNOW_QUEUE_H

#include "list.h"

static inline Value queue_new(void) { Value v = {.tag = T_QUEUE}; v.o = NULL; return v; }
static inline size_t queue_size(Value q) { return q.o ? ((ListObj *)q.o)->len : 0; }
static inline bool queue_is_empty(Value q) { return q.o == NULL; }
Value queue_push(Value q, Value x);
/* Queue.pop: the tuple (front, rest); panics `Queue.pop: empty queue`. */
Value queue_pop(Value q);
/* Same without the tuple. */
void queue_pop2(Value q, Value *front, Value *rest);
Value queue_peek(Value q); /* panics `Queue.peek: empty queue` */
Value queue_to_list(Value q);
Value queue_from_list(Value l);

#endif
