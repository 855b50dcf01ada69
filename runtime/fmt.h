/* fmt.h — the text of values: the Display rule (interpolation, to_string)
 * and Debug (inspect), language.md §6.2–6.5 with spec/README.md decisions.
 *
 *  - Strings are unquoted everywhere except a top-level fmt_debug/inspect.
 *  - Float: §6.3 (shortest round-trip digits, positional, no ".0").
 *  - List [1, 2]; Map %{k => v}; Set #{1, 2}; tuple (1, hi); () ; <fn>.
 *  - struct: user to_string_fn, else derived Display `Point(1, 2)`, else
 *    Debug `Point { x: 1, y: 2 }`; `Empty()` / `Empty {}`.
 *  - sum: user to_string_fn, else derived Display `Circle(1.5)`, else Debug
 *    `Circle(...)`; nullary `Red`.  Built-in sums (Option, Result, Ordering,
 *    ExitReason, Signal) always print like derived Display, also in Debug.
 *  - Pid <0.N> (<node.N.creation> when remote); Ref #Ref<N>.
 *  - Range a..b (the literal syntax); Queue Queue[1, 2] (front first);
 *    Json as its compact JSON text; handles #Handle<name>.
 * Formatting is iterative (explicit task stack): any depth works. */
#ifndef SNOW_FMT_H
#define SNOW_FMT_H

#include "sb.h"
#include "value.h"

void fmt_display(SB *b, Value v);
void fmt_debug(SB *b, Value v);
void fmt_float(SB *b, double d);
void fmt_int(SB *b, int64_t i);
Value fmt_to_string(Value v); /* Display -> heap String */
Value fmt_inspect(Value v);   /* Debug -> heap String */

/* The tools' text of a value (REPL results, `snow trace` views): like Debug,
 * but strings are quoted at every depth, a struct shows its fields and a
 * variant its payload (`Circle(2)`, `Named("a", 1)`), a named function its
 * name (`<fn double>`); exit reasons and signals keep their strings bare as
 * Display does (decision 9).  It never runs Snow code (no user to_string),
 * stops after `max` bytes with "..." (0: no limit) and shows values nested
 * deeper than 24 levels as "...". */
void fmt_show(SB *b, Value v, size_t max);

/* Shortest round-trip decimal digits of a finite, non-zero |d|:
 * writes 1..17 digits (no dot, NUL-terminated) and returns the count;
 * *exp10 is the decimal exponent of the first digit (d = 0.d1d2.. * 10^(exp10+1)). */
int fmt_float_digits(double d, char digits[24], int *exp10);

#endif
