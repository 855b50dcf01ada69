/* stdlib_table.c — the standard library table (see stdlib_table.h).  Each row: module,
 * name, type scheme, implementation, arity, flags, one-line doc.  The
 * implementations live in one file per module (runtime/lib_*.c). */
#include "stdlib_table.h"

#include <string.h>

#include "lib.h"

const StdFn stdlib_table[] = {
    {"", "println", "Fun(String) -> ()", bi_println, 1, SF_PRELUDE, "write a line to standard output"},
    {"", "print", "Fun(String) -> ()", bi_print, 1, SF_PRELUDE, "write to standard output without a newline"},
    {"", "compare", "Fun(T, T) -> Ordering where T: Ord", bi_compare, 2, SF_PRELUDE, "three-way comparison: Less, Equal or Greater"},
    {"", "default", "Fun() -> T where T: Default", bi_default, 0, SF_PRELUDE|SF_SPECIAL, "the Default value of the type the context requires"},
    {"", "panic", "Fun(String) -> T", bi_panic, 1, SF_PRELUDE, "crash the current process with reason Error(message)"},
    {"IO", "eprintln", "Fun(String) -> ()", bi_io_eprintln, 1, SF_PREFIXED, "write a line to standard error"},
    {"IO", "read_line", "Fun() -> Result<String, String>", bi_io_read_line, 0, SF_PREFIXED|SF_BLOCKS, "read one line from standard input (without the newline)"},
    {"Env", "get", "Fun(String) -> Option<String>", bi_env_get, 1, SF_PREFIXED, "the value of an environment variable"},
    {"Env", "args", "Fun() -> List<String>", bi_env_args, 0, 0, "the program name followed by the arguments after `--`"},
    {"String", "length", "Fun(String) -> Int", bi_string_length, 1, SF_PREFIXED, "number of characters (code points)"},
    {"String", "slice", "Fun(String, Int, Int) -> String", bi_string_slice, 3, SF_PREFIXED, "characters [start, end), bounds clamped"},
    {"String", "contains", "Fun(String, String) -> Bool", bi_string_contains, 2, SF_PREFIXED, "does the string contain the substring?"},
    {"String", "starts_with", "Fun(String, String) -> Bool", bi_string_starts_with, 2, SF_PREFIXED, "does the string start with the prefix?"},
    {"String", "ends_with", "Fun(String, String) -> Bool", bi_string_ends_with, 2, SF_PREFIXED, "does the string end with the suffix?"},
    {"String", "trim", "Fun(String) -> String", bi_string_trim, 1, SF_PREFIXED, "remove leading and trailing whitespace"},
    {"String", "to_upper", "Fun(String) -> String", bi_string_to_upper, 1, SF_PREFIXED, "Unicode upper case"},
    {"String", "to_lower", "Fun(String) -> String", bi_string_to_lower, 1, SF_PREFIXED, "Unicode lower case"},
    {"String", "replace", "Fun(String, String, String) -> String", bi_string_replace, 3, SF_PREFIXED, "replace every occurrence"},
    {"String", "split", "Fun(String, String) -> List<String>", bi_string_split, 2, SF_PREFIXED, "split at every occurrence of the delimiter"},
    {"String", "join", "Fun(List<String>, String) -> String", bi_string_join, 2, SF_PREFIXED, "concatenate with a separator"},
    {"String", "to_int", "Fun(String) -> Option<Int>", bi_string_to_int, 1, SF_PREFIXED, "parse a decimal integer"},
    {"String", "to_float", "Fun(String) -> Option<Float>", bi_string_to_float, 1, SF_PREFIXED, "parse a decimal float"},
    {"List", "new", "Fun() -> List<T>", bi_list_new, 0, SF_PREFIXED, "an empty list"},
    {"List", "length", "Fun(List<T>) -> Int", bi_list_length, 1, SF_PREFIXED, "number of elements"},
    {"List", "append", "Fun(List<T>, T) -> List<T>", bi_list_append, 2, SF_PREFIXED, "add an element at the end"},
    {"List", "head", "Fun(List<T>) -> T", bi_list_head, 1, SF_PREFIXED|SF_PRELUDE, "the first element (panics on [])"},
    {"List", "tail", "Fun(List<T>) -> List<T>", bi_list_tail, 1, SF_PREFIXED|SF_PRELUDE, "all but the first element (panics on [])"},
    {"List", "last", "Fun(List<T>) -> T", bi_list_last, 1, SF_PREFIXED, "the last element (panics on [])"},
    {"List", "get", "Fun(List<T>, Int) -> T", bi_list_get, 2, SF_PREFIXED, "the element at an index (panics when out of bounds)"},
    {"List", "nth", "Fun(List<T>, Int) -> T", bi_list_nth, 2, SF_PREFIXED, "same as List.get"},
    {"List", "concat", "Fun(List<T>, List<T>) -> List<T>", bi_list_concat, 2, SF_PREFIXED, "the elements of both lists"},
    {"List", "reverse", "Fun(List<T>) -> List<T>", bi_list_reverse, 1, SF_PREFIXED, "the elements in reverse order"},
    {"List", "map", "Fun(List<T>, Fun(T) -> U) -> List<U>", bi_list_map, 2, SF_PREFIXED|SF_PRELUDE, "apply a function to every element"},
    {"List", "filter", "Fun(List<T>, Fun(T) -> Bool) -> List<T>", bi_list_filter, 2, SF_PREFIXED|SF_PRELUDE, "keep the elements satisfying a predicate"},
    {"List", "reduce", "Fun(List<T>, U, Fun(U, T) -> U) -> U", bi_list_reduce, 3, SF_PREFIXED|SF_PRELUDE, "fold from the left"},
    {"List", "sort", "Fun(List<T>, Fun(T, T) -> Int) -> List<T>", bi_list_sort, 2, SF_PREFIXED, "stable sort with a comparator returning <0, 0, >0"},
    {"List", "find", "Fun(List<T>, Fun(T) -> Bool) -> Option<T>", bi_list_find, 2, SF_PREFIXED, "the first element satisfying a predicate"},
    {"List", "any", "Fun(List<T>, Fun(T) -> Bool) -> Bool", bi_list_any, 2, SF_PREFIXED, "does some element satisfy the predicate?"},
    {"List", "all", "Fun(List<T>, Fun(T) -> Bool) -> Bool", bi_list_all, 2, SF_PREFIXED, "do all elements satisfy the predicate?"},
    {"List", "contains", "Fun(List<T>, T) -> Bool where T: Eq", bi_list_contains, 2, SF_PREFIXED, "is the value an element (==)?"},
    {"List", "zip", "Fun(List<T>, List<U>) -> List<(T, U)>", bi_list_zip, 2, SF_PREFIXED, "pair elements by position"},
    {"List", "flat_map", "Fun(List<T>, Fun(T) -> List<U>) -> List<U>", bi_list_flat_map, 2, SF_PREFIXED, "map then flatten"},
    {"List", "flatten", "Fun(List<List<T>>) -> List<T>", bi_list_flatten, 1, SF_PREFIXED, "concatenate a list of lists"},
    {"List", "enumerate", "Fun(List<T>) -> List<(Int, T)>", bi_list_enumerate, 1, SF_PREFIXED, "pair each element with its index"},
    {"List", "take", "Fun(List<T>, Int) -> List<T>", bi_list_take, 2, SF_PREFIXED, "the first n elements"},
    {"List", "drop", "Fun(List<T>, Int) -> List<T>", bi_list_drop, 2, SF_PREFIXED, "all but the first n elements"},
    {"Map", "new", "Fun() -> Map<K, V>", bi_map_new, 0, SF_PREFIXED, "an empty map"},
    {"Map", "put", "Fun(Map<K, V>, K, V) -> Map<K, V>", bi_map_put, 3, SF_PREFIXED, "insert or replace a key"},
    {"Map", "get", "Fun(Map<K, V>, K) -> V", bi_map_get, 2, SF_PREFIXED|SF_SPECIAL, "the value of a key (0/false/0.0 or a panic when missing)"},
    {"Map", "has_key", "Fun(Map<K, V>, K) -> Bool", bi_map_has_key, 2, SF_PREFIXED, "is the key present?"},
    {"Map", "delete", "Fun(Map<K, V>, K) -> Map<K, V>", bi_map_delete, 2, SF_PREFIXED, "remove a key"},
    {"Map", "size", "Fun(Map<K, V>) -> Int", bi_map_size, 1, SF_PREFIXED, "number of entries"},
    {"Map", "keys", "Fun(Map<K, V>) -> List<K>", bi_map_keys, 1, SF_PREFIXED, "keys in insertion order"},
    {"Map", "values", "Fun(Map<K, V>) -> List<V>", bi_map_values, 1, SF_PREFIXED, "values in insertion order"},
    {"Map", "merge", "Fun(Map<K, V>, Map<K, V>) -> Map<K, V>", bi_map_merge, 2, SF_PREFIXED, "entries of both maps, the second winning"},
    {"Map", "to_list", "Fun(Map<K, V>) -> List<(K, V)>", bi_map_to_list, 1, SF_PREFIXED, "entries as pairs in insertion order"},
    {"Map", "from_list", "Fun(List<(K, V)>) -> Map<K, V>", bi_map_from_list, 1, SF_PREFIXED, "a map from pairs"},
    {"Set", "new", "Fun() -> Set<T>", bi_set_new, 0, SF_PREFIXED, "an empty set"},
    {"Set", "add", "Fun(Set<T>, T) -> Set<T>", bi_set_add, 2, SF_PREFIXED, "add an element"},
    {"Set", "remove", "Fun(Set<T>, T) -> Set<T>", bi_set_remove, 2, SF_PREFIXED, "remove an element"},
    {"Set", "contains", "Fun(Set<T>, T) -> Bool", bi_set_contains, 2, SF_PREFIXED, "is it an element?"},
    {"Set", "size", "Fun(Set<T>) -> Int", bi_set_size, 1, SF_PREFIXED, "number of elements"},
    {"Set", "union", "Fun(Set<T>, Set<T>) -> Set<T>", bi_set_union, 2, SF_PREFIXED, "elements of either set"},
    {"Set", "intersection", "Fun(Set<T>, Set<T>) -> Set<T>", bi_set_intersection, 2, SF_PREFIXED, "elements of both sets"},
    {"Set", "difference", "Fun(Set<T>, Set<T>) -> Set<T>", bi_set_difference, 2, SF_PREFIXED, "elements of the first set not in the second"},
    {"Set", "to_list", "Fun(Set<T>) -> List<T>", bi_set_to_list, 1, SF_PREFIXED, "elements in insertion order"},
    {"Set", "from_list", "Fun(List<T>) -> Set<T>", bi_set_from_list, 1, SF_PREFIXED, "a set from a list (first occurrences kept)"},
    {"Tuple", "nth", "Fun(Tuple, Int) -> Int", bi_tuple_nth, 2, SF_PREFIXED, "element i of a tuple (Int elements)"},
    {"Tuple", "first", "Fun(Tuple) -> Int", bi_tuple_first, 1, SF_PREFIXED, "element 0 of a tuple (Int elements)"},
    {"Tuple", "second", "Fun(Tuple) -> Int", bi_tuple_second, 1, SF_PREFIXED, "element 1 of a tuple (Int elements)"},
    {"Tuple", "size", "Fun(Tuple) -> Int", bi_tuple_size, 1, SF_PREFIXED, "number of elements"},
    {"Range", "new", "Fun(Int, Int) -> Range", bi_range_new, 2, SF_PREFIXED, "the half-open range [start, end)"},
    {"Range", "to_list", "Fun(Range) -> List<Int>", bi_range_to_list, 1, SF_PREFIXED, "the elements as a list"},
    {"Range", "map", "Fun(Range, Fun(Int) -> Int) -> List<Int>", bi_range_map, 2, SF_PREFIXED, "apply a function to every element"},
    {"Range", "filter", "Fun(Range, Fun(Int) -> Bool) -> List<Int>", bi_range_filter, 2, SF_PREFIXED, "keep the elements satisfying a predicate"},
    {"Range", "length", "Fun(Range) -> Int", bi_range_length, 1, SF_PREFIXED, "number of elements"},
    {"Queue", "new", "Fun() -> Queue<T>", bi_queue_new, 0, SF_PREFIXED, "an empty queue"},
    {"Queue", "push", "Fun(Queue<T>, T) -> Queue<T>", bi_queue_push, 2, SF_PREFIXED, "add at the back"},
    {"Queue", "pop", "Fun(Queue<T>) -> (T, Queue<T>)", bi_queue_pop, 1, SF_PREFIXED, "the front element and the rest (panics when empty)"},
    {"Queue", "peek", "Fun(Queue<T>) -> T", bi_queue_peek, 1, SF_PREFIXED, "the front element (panics when empty)"},
    {"Queue", "size", "Fun(Queue<T>) -> Int", bi_queue_size, 1, SF_PREFIXED, "number of elements"},
    {"Queue", "is_empty", "Fun(Queue<T>) -> Bool", bi_queue_is_empty, 1, SF_PREFIXED, "is the queue empty?"},
    {"JSON", "parse", "Fun(String) -> Result<Json, String>", bi_json_parse, 1, SF_PREFIXED, "parse JSON text"},
    {"JSON", "encode", "Fun(Json) -> String", bi_json_encode, 1, SF_PREFIXED, "encode as compact JSON text"},
    {"JSON", "encode_string", "Fun(String) -> String", bi_json_encode_string, 1, SF_PREFIXED, "a JSON string literal"},
    {"JSON", "encode_int", "Fun(Int) -> String", bi_json_encode_int, 1, SF_PREFIXED, "a JSON number"},
    {"JSON", "encode_bool", "Fun(Bool) -> String", bi_json_encode_bool, 1, SF_PREFIXED, "true or false"},
    {"JSON", "encode_map", "Fun(Map<String, String>) -> String", bi_json_encode_map, 1, SF_PREFIXED, "a JSON object of strings"},
    {"JSON", "encode_list", "Fun(List<String>) -> String", bi_json_encode_list, 1, SF_PREFIXED, "a JSON array of strings"},
    {"Json", "parse", "Fun(String) -> Result<Json, String>", bi_json_parse, 1, 0, "parse JSON text"},
    {"Json", "encode", "Fun(T) -> String", bi_json_encode_any, 1, SF_SPECIAL, "encode any serializable value as JSON"},
    {"Json", "encode_string", "Fun(String) -> String", bi_json_encode_string, 1, 0, "a JSON string literal"},
    {"Json", "encode_int", "Fun(Int) -> String", bi_json_encode_int, 1, 0, "a JSON number"},
    {"Json", "encode_bool", "Fun(Bool) -> String", bi_json_encode_bool, 1, 0, "true or false"},
    {"Json", "encode_map", "Fun(Map<String, String>) -> String", bi_json_encode_map, 1, 0, "a JSON object of strings"},
    {"Json", "encode_list", "Fun(List<String>) -> String", bi_json_encode_list, 1, 0, "a JSON array of strings"},
    {"Math", "abs", "Fun(T) -> T where T: Num", bi_math_abs, 1, 0, "absolute value"},
    {"Math", "min", "Fun(T, T) -> T where T: Num", bi_math_min, 2, 0, "the smaller value"},
    {"Math", "max", "Fun(T, T) -> T where T: Num", bi_math_max, 2, 0, "the larger value"},
    {"Math", "pi", "Float", bi_math_pi, -1, SF_CONST, "3.141592653589793"},
    {"Math", "pow", "Fun(Float, Float) -> Float", bi_math_pow, 2, 0, "b raised to the power e"},
    {"Math", "sqrt", "Fun(Float) -> Float", bi_math_sqrt, 1, 0, "square root"},
    {"Math", "floor", "Fun(Float) -> Int", bi_math_floor, 1, 0, "round down to an Int"},
    {"Math", "ceil", "Fun(Float) -> Int", bi_math_ceil, 1, 0, "round up to an Int"},
    {"Math", "round", "Fun(Float) -> Int", bi_math_round, 1, 0, "round half away from zero to an Int"},
    {"Int", "to_float", "Fun(Int) -> Float", bi_int_to_float, 1, 0, "convert to Float"},
    {"Float", "to_int", "Fun(Float) -> Int", bi_float_to_int, 1, 0, "truncate toward zero"},
    {"File", "read", "Fun(String) -> Result<String, String>", bi_file_read, 1, SF_PREFIXED, "the whole file as a string"},
    {"File", "write", "Fun(String, String) -> Result<(), String>", bi_file_write, 2, SF_PREFIXED, "create or truncate, then write"},
    {"File", "append", "Fun(String, String) -> Result<(), String>", bi_file_append, 2, SF_PREFIXED, "append, creating the file if needed"},
    {"File", "exists", "Fun(String) -> Bool", bi_file_exists, 1, SF_PREFIXED, "does the path exist?"},
    {"File", "delete", "Fun(String) -> Result<(), String>", bi_file_delete, 1, SF_PREFIXED, "remove a file"},
    {"Timer", "sleep", "Fun(Int) -> ()", bi_timer_sleep, 1, SF_BLOCKS, "suspend the current process for at least ms milliseconds"},
    {"Timer", "send_after", "Fun(Pid<T>, Int, T) -> ()", bi_timer_send_after, 3, 0, "send a message after ms milliseconds"},
    {"Job", "async", "Fun(Fun() -> T) -> Pid<T>", bi_job_async, 1, 0, "run a function in a new process"},
    {"Job", "await", "Fun(Pid<T>) -> Result<T, String>", bi_job_await, 1, SF_BLOCKS, "wait for a job's result"},
    {"Job", "await_timeout", "Fun(Pid<T>, Int) -> Result<T, String>", bi_job_await_timeout, 2, SF_BLOCKS, "wait at most ms milliseconds for a job's result"},
    {"Job", "map", "Fun(List<A>, Fun(A) -> B) -> List<Result<B, String>>", bi_job_map, 2, SF_BLOCKS, "run a function on every element concurrently; results in input order"},
    {"Process", "link", "Fun(Pid) -> ()", bi_process_link, 1, 0, "link the current process with another"},
    {"Process", "unlink", "Fun(Pid) -> ()", bi_process_unlink, 1, 0, "remove a link"},
    {"Process", "monitor", "Fun(Pid) -> Ref", bi_process_monitor, 1, 0, "monitor a process: a Down signal arrives when it exits"},
    {"Process", "demonitor", "Fun(Ref) -> Bool", bi_process_demonitor, 1, 0, "remove a monitor"},
    {"Process", "trap_exit", "Fun(Bool) -> Bool", bi_process_trap_exit, 1, 0, "receive exits of linked processes as Exit signals; returns the previous setting"},
    {"Process", "exit", "Fun(Pid, ExitReason) -> ()", bi_process_exit, 2, 0, "send an exit signal to a process"},
    {"Process", "is_alive", "Fun(Pid) -> Bool", bi_process_is_alive, 1, 0, "is the process still running?"},
    {"Process", "register", "Fun(String, Pid) -> Result<(), String>", bi_process_register, 2, 0, "give a process a name"},
    {"Process", "whereis", "Fun(String) -> Option<Pid>", bi_process_whereis, 1, 0, "look up a registered name"},
    {"Process", "unregister", "Fun(String) -> Result<(), String>", bi_process_unregister, 1, 0, "remove a registered name"},
};

const unsigned stdlib_count = sizeof stdlib_table / sizeof stdlib_table[0];

const StdFn *stdlib_lookup(const char *module, const char *name) {
    for (unsigned i = 0; i < stdlib_count; i++)
        if (strcmp(stdlib_table[i].module, module) == 0 && strcmp(stdlib_table[i].name, name) == 0)
            return &stdlib_table[i];
    return NULL;
}

const StdFn *stdlib_lookup_prefixed(const char *name) {
    for (unsigned i = 0; i < stdlib_count; i++) {
        const StdFn *f = &stdlib_table[i];
        if (!(f->flags & SF_PREFIXED)) continue;
        size_t m = strlen(f->module);
        if (strncasecmp(name, f->module, m) == 0 && name[m] == '_' && strcmp(name + m + 1, f->name) == 0)
            return f;
    }
    return NULL;
}

const StdFn *stdlib_lookup_prelude(const char *name) {
    for (unsigned i = 0; i < stdlib_count; i++) {
        const StdFn *f = &stdlib_table[i];
        if ((f->flags & SF_PRELUDE) && strcmp(f->name, name) == 0 &&
            (f->module[0] == 0 || strcmp(f->module, "List") == 0))
            return f;
    }
    return NULL;
}

bool stdlib_is_module(const char *name) {
    for (unsigned i = 0; i < stdlib_count; i++)
        if (stdlib_table[i].module[0] && strcmp(stdlib_table[i].module, name) == 0) return true;
    return false;
}

const StdFn *stdlib_next_in_module(const char *module, const StdFn *prev) {
    unsigned i = prev ? (unsigned)(prev - stdlib_table) + 1 : 0;
    for (; i < stdlib_count; i++)
        if (strcmp(stdlib_table[i].module, module) == 0) return &stdlib_table[i];
    return NULL;
}
