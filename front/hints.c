/* hints.c — familiar names from other languages (see hints.h). */
#include "hints.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct Hint {
    const char *module; /* NULL: a bare name; "*": any module */
    const char *name;   /* NULL: any name of the module */
    const char *help;
} Hint;

#define LENGTH_HELP "Snow writes `List.length(xs)` for a list and `String.length(s)` for a string (`Map.size(m)` for a map)"
#define PRINT_HELP "Snow prints a line with `println(\"...\")` (and `print` without the newline); interpolate values with `\"x = ${x}\"`"
#define TEXT_HELP "turn a value into text with interpolation, `\"${x}\"`, or `x.to_string()`"
#define TO_INT_HELP "`String.to_int(s)` parses text into an `Option<Int>`: `Some(42)`, or `None` when it is not a number"
#define READ_HELP "`IO.read_line()` reads one line of standard input as a `Result<String, String>`"

static const Hint hints[] = {
    {NULL, "len", LENGTH_HELP},
    {NULL, "length", LENGTH_HELP},
    {NULL, "size", LENGTH_HELP},
    {NULL, "count", LENGTH_HELP},
    {NULL, "puts", PRINT_HELP},
    {NULL, "printf", PRINT_HELP},
    {NULL, "echo", PRINT_HELP},
    {NULL, "say", PRINT_HELP},
    {NULL, "writeln", PRINT_HELP},
    {NULL, "print_line", PRINT_HELP},
    {NULL, "printline", PRINT_HELP},
    {NULL, "console", PRINT_HELP},
    {NULL, "fmt", PRINT_HELP},
    {NULL, "str", TEXT_HELP},
    {NULL, "to_s", TEXT_HELP},
    {NULL, "toString", TEXT_HELP},
    {NULL, "to_string", TEXT_HELP},
    {NULL, "inspect", "show a value as code with `x.inspect()` (strings quoted); `\"${x}\"` shows it as text"},
    {NULL, "format", "Snow formats text by interpolation: `\"${name} is ${age}\"`"},
    {NULL, "sprintf", "Snow formats text by interpolation: `\"${name} is ${age}\"`"},
    {NULL, "int", TO_INT_HELP},
    {NULL, "parseInt", TO_INT_HELP},
    {NULL, "parse_int", TO_INT_HELP},
    {NULL, "atoi", TO_INT_HELP},
    {NULL, "to_i", TO_INT_HELP},
    {NULL, "float", "`String.to_float(s)` parses text into an `Option<Float>`; `Int.to_float(n)` converts an Int"},
    {NULL, "null", "Snow has no null: a value that may be missing is an `Option` (`Some(x)` or `None`)"},
    {NULL, "undefined", "Snow has no undefined: a value that may be missing is an `Option` (`Some(x)` or `None`)"},
    {NULL, "raise", "`panic(\"message\")` crashes the current process; return `Err(reason)` for failures the caller should handle"},
    {NULL, "throw", "`panic(\"message\")` crashes the current process; return `Err(reason)` for failures the caller should handle"},
    {NULL, "append", "`List.append(xs, x)` returns a new list with `x` at the end (or `xs ++ [x]`)"},
    {NULL, "push", "`List.append(xs, x)` returns a new list with `x` at the end (or `xs ++ [x]`)"},
    {NULL, "range", "a range is written `1..10` (both ends included): `for i in 1..10 do ... end`"},
    {NULL, "sleep", "`Timer.sleep(milliseconds)` pauses the current process"},
    {NULL, "input", READ_HELP},
    {NULL, "gets", READ_HELP},
    {NULL, "readline", READ_HELP},
    {NULL, "read_line", READ_HELP},
    {NULL, "defmodule", "Snow has no `defmodule`: each file is a module (`math_ops.snow` is `MathOps`), used with `import MathOps`"},
    {"IO", "puts", PRINT_HELP},
    {"IO", "write", "Snow prints without a newline with `print(\"...\")`"},
    {"IO", "print", "Snow prints without a newline with `print(\"...\")`"},
    {"IO", "println", "`println` needs no module: write `println(\"...\")`"},
    {"IO", "inspect", "show a value as code with `x.inspect()`, e.g. `println(x.inspect())`"},
    {"IO", "gets", READ_HELP},
    {"IO", "readline", READ_HELP},
    {"IO", "getline", READ_HELP},
    {"String", "len", "`String.length(s)` is the number of characters"},
    {"List", "len", "`List.length(xs)` is the number of elements"},
    {"List", "count", "`List.length(xs)` is the number of elements"},
    {"Map", "len", "`Map.size(m)` is the number of entries"},
    {"Set", "len", "`Set.size(s)` is the number of elements"},
    {"*", "len", LENGTH_HELP},
    {"*", "count", LENGTH_HELP},
    {"String", "size", "`String.length(s)` is the number of characters"},
    {"List", "size", "`List.length(xs)` is the number of elements"},
    {"Map", "length", "`Map.size(m)` is the number of entries"},
    {"Set", "length", "`Set.size(s)` is the number of elements"},
    {"String", "to_integer", TO_INT_HELP},
    {"String", "parse", TO_INT_HELP},
    {"String", "upcase", "`String.to_upper(s)`"},
    {"String", "downcase", "`String.to_lower(s)`"},
    {"String", "concat", "join strings with `<>`: `a <> b`, or `String.join(parts, \"\")`"},
    {"List", "push", "`List.append(xs, x)` returns a new list with `x` at the end"},
    {"List", "first", "`List.head(xs)` is the first element (it panics on `[]`)"},
    {"List", "each", "loop with `for x in xs do ... end`"},
    {"List", "foldl", "`List.reduce(xs, initial, fn acc, x -> ... end)` folds from the left"},
    {"List", "fold", "`List.reduce(xs, initial, fn acc, x -> ... end)` folds from the left"},
    {"List", "at", "`List.get(xs, i)` (an `Option`) or `List.nth(xs, i)` (panics when out of range)"},
    {"Integer", "parse", TO_INT_HELP},
    {"Integer", "to_string", TEXT_HELP},
    {"Integer", NULL, "Snow's integer type is `Int`; parse text with `String.to_int(s)`, print with `\"${n}\"`"},
    {"Enum", NULL, "Snow's list functions are in the `List` module: `List.map`, `List.filter`, `List.reduce`, `List.length`, ..."},
    {"Kernel", NULL, "the basic functions need no module: `println`, `print`, `panic`, `compare`"},
    {"Str", NULL, "the string functions are in the `String` module"},
    {"Array", NULL, "Snow's sequences are lists: `[1, 2, 3]`, with functions in the `List` module"},
    {"Vec", NULL, "Snow's sequences are lists: `[1, 2, 3]`, with functions in the `List` module"},
    {"Dict", NULL, "Snow's dictionaries are maps: `%{\"a\" => 1}`, with functions in the `Map` module"},
    {"HashMap", NULL, "Snow's dictionaries are maps: `%{\"a\" => 1}`, with functions in the `Map` module"},
    {"System", NULL, "program arguments and environment variables are in `Env` (`Env.args()`, `Env.get(name)`)"},
    {"console", NULL, PRINT_HELP},
    {"fmt", NULL, PRINT_HELP},
    {"Console", NULL, PRINT_HELP},
};

static bool same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

const char *hint_familiar(const char *module, const char *name) {
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
        const Hint *h = &hints[i];
        if (!h->name || !same(h->name, name)) continue;
        if (!module ? h->module == NULL : (same(h->module, module) || same(h->module, "*"))) return h->help;
    }
    return NULL;
}

const char *hint_familiar_module(const char *module, const char *name) {
    const char *h = hint_familiar(module, name);
    if (h) return h;
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (same(hints[i].module, module) && !hints[i].name) return hints[i].help;
    return NULL;
}
