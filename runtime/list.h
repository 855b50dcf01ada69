/* list.h — persistent lists (T_LIST) as slices of shared buffers.
 *
 * A ListObj is a view (buf, off, len) of a ListBuf whose slots [lo, hi) have
 * been written.  Slots are written once and never change, so views can share
 * a buffer freely:
 *  - tail/drop/take are O(1) (a new view);
 *  - get is O(1) (items are contiguous: list_items(l)[i]);
 *  - append is amortised O(1): a view ending exactly at buf->hi with spare
 *    capacity writes the new element into slot hi (never observed by any
 *    existing view) and returns a longer view; otherwise the elements are
 *    copied into a new buffer of doubled capacity;
 *  - prepend ([x] ++ xs) is amortised O(1) symmetrically at the front: a
 *    view starting at buf->lo with room before it writes slot lo-1; a buffer
 *    grown because of a prepend leaves its spare room at the front.
 * `[]` is T_LIST with o == NULL.  Static buffers are never extended in
 * place (they are shared between threads).
 */
#ifndef SNOW_LIST_H
#define SNOW_LIST_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include "value.h"

typedef struct ListBuf {
    Obj h;        /* OK_LISTBUF */
    uint32_t cap; /* slots */
    uint32_t lo;  /* lowest written slot */
    uint32_t hi;  /* one past the highest written slot */
    uint32_t pad_;
    Value items[];
} ListBuf;

typedef struct ListObj {
    Obj h;        /* OK_LIST (also OK_QUEUE, see queue.h) */
    ListBuf *buf;
    uint32_t off; /* first slot of this view */
    uint32_t len; /* > 0 */
} ListObj;

#define AS_LIST(v) ((ListObj *)(v).o)

static inline Value list_empty(void) { Value v = {.tag = T_LIST}; v.o = NULL; return v; }
static inline size_t list_len(Value l) { return l.o ? AS_LIST(l)->len : 0; }
static inline bool list_is_empty(Value l) { return l.o == NULL; }
/* Pointer to the first of list_len(l) contiguous elements (NULL for []). */
static inline Value *list_items(Value l) {
    return l.o ? AS_LIST(l)->buf->items + AS_LIST(l)->off : NULL;
}
/* Unchecked: 0 <= i < list_len(l). */
static inline Value list_get(Value l, size_t i) {
    assert(i < list_len(l));
    return AS_LIST(l)->buf->items[AS_LIST(l)->off + i];
}
/* List.get/nth: panics `FN: index I out of bounds (length N)`, FN being the
 * Snow function called ("List.nth"): messages use Snow's names, not C's.
 * FN NULL (`xs[i]`): `list index I out of bounds (length N)`. */
Value list_get_checked(Value l, int64_t i, const char *fn);

Value list_from_array(const Value *xs, size_t n);
Value list_append(Value l, Value x);       /* List.append(l, x) */
Value list_prepend(Value x, Value l);      /* [x] ++ l */
Value list_concat(Value a, Value b);       /* a ++ b */
Value list_head(Value l);                  /* panics `List.head: empty list` */
Value list_tail(Value l);                  /* panics `List.tail: empty list` */
Value list_last(Value l);                  /* panics `List.last: empty list` */
Value list_slice(Value l, size_t from, size_t to); /* [from, to), clamped */
Value list_take(Value l, int64_t n);
Value list_drop(Value l, int64_t n);
Value list_reverse(Value l);

/* Builder for comprehensions, List.map, literals: push in order, then
 * finish.  GC-safe while the ListBuilder lives on the C stack. */
typedef struct ListBuilder {
    ListBuf *buf;
} ListBuilder;
void lb_init(ListBuilder *b, size_t size_hint);
void lb_push(ListBuilder *b, Value x);
static inline size_t lb_len(const ListBuilder *b) { return b->buf ? b->buf->hi : 0; }
Value lb_finish(ListBuilder *b);

/* Internal (shared with queue.c): buffers and views of (buf, off, len)
 * with object kind OK_LIST/OK_QUEUE and tag T_LIST/T_QUEUE; len 0 gives
 * the NULL-object empty value. */
ListBuf *listbuf_alloc(size_t cap);
Value listslice_view(uint8_t kind, VTag tag, ListBuf *b, uint32_t off, size_t len);
Value listslice_append(uint8_t kind, VTag tag, ListBuf *b, uint32_t off, uint32_t len, Value x);

#endif
