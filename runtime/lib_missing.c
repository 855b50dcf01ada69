/* lib_missing.c — DEVELOPMENT ONLY: weak fallbacks for library functions
 * not yet implemented, so the binary links while runtime/lib_*.c are being
 * written.  Every real implementation overrides its fallback.  This file
 * is deleted once every row of stdlib_table.c has an implementation. */
#include "lib.h"
#include "rt.h"

__attribute__((weak)) Value bi_println(Value *args, int nargs) { rt_panic("internal: println is not implemented yet"); }
__attribute__((weak)) Value bi_print(Value *args, int nargs) { rt_panic("internal: print is not implemented yet"); }
__attribute__((weak)) Value bi_compare(Value *args, int nargs) { rt_panic("internal: compare is not implemented yet"); }
__attribute__((weak)) Value bi_default(Value *args, int nargs) { rt_panic("internal: default is not implemented yet"); }
__attribute__((weak)) Value bi_panic(Value *args, int nargs) { rt_panic("internal: panic is not implemented yet"); }
__attribute__((weak)) Value bi_io_eprintln(Value *args, int nargs) { rt_panic("internal: io_eprintln is not implemented yet"); }
__attribute__((weak)) Value bi_io_read_line(Value *args, int nargs) { rt_panic("internal: io_read_line is not implemented yet"); }
__attribute__((weak)) Value bi_env_get(Value *args, int nargs) { rt_panic("internal: env_get is not implemented yet"); }
__attribute__((weak)) Value bi_env_args(Value *args, int nargs) { rt_panic("internal: env_args is not implemented yet"); }
__attribute__((weak)) Value bi_string_length(Value *args, int nargs) { rt_panic("internal: string_length is not implemented yet"); }
__attribute__((weak)) Value bi_string_slice(Value *args, int nargs) { rt_panic("internal: string_slice is not implemented yet"); }
__attribute__((weak)) Value bi_string_contains(Value *args, int nargs) { rt_panic("internal: string_contains is not implemented yet"); }
__attribute__((weak)) Value bi_string_starts_with(Value *args, int nargs) { rt_panic("internal: string_starts_with is not implemented yet"); }
__attribute__((weak)) Value bi_string_ends_with(Value *args, int nargs) { rt_panic("internal: string_ends_with is not implemented yet"); }
__attribute__((weak)) Value bi_string_trim(Value *args, int nargs) { rt_panic("internal: string_trim is not implemented yet"); }
__attribute__((weak)) Value bi_string_to_upper(Value *args, int nargs) { rt_panic("internal: string_to_upper is not implemented yet"); }
__attribute__((weak)) Value bi_string_to_lower(Value *args, int nargs) { rt_panic("internal: string_to_lower is not implemented yet"); }
__attribute__((weak)) Value bi_string_replace(Value *args, int nargs) { rt_panic("internal: string_replace is not implemented yet"); }
__attribute__((weak)) Value bi_string_split(Value *args, int nargs) { rt_panic("internal: string_split is not implemented yet"); }
__attribute__((weak)) Value bi_string_join(Value *args, int nargs) { rt_panic("internal: string_join is not implemented yet"); }
__attribute__((weak)) Value bi_string_to_int(Value *args, int nargs) { rt_panic("internal: string_to_int is not implemented yet"); }
__attribute__((weak)) Value bi_string_to_float(Value *args, int nargs) { rt_panic("internal: string_to_float is not implemented yet"); }
__attribute__((weak)) Value bi_list_new(Value *args, int nargs) { rt_panic("internal: list_new is not implemented yet"); }
__attribute__((weak)) Value bi_list_length(Value *args, int nargs) { rt_panic("internal: list_length is not implemented yet"); }
__attribute__((weak)) Value bi_list_append(Value *args, int nargs) { rt_panic("internal: list_append is not implemented yet"); }
__attribute__((weak)) Value bi_list_head(Value *args, int nargs) { rt_panic("internal: list_head is not implemented yet"); }
__attribute__((weak)) Value bi_list_tail(Value *args, int nargs) { rt_panic("internal: list_tail is not implemented yet"); }
__attribute__((weak)) Value bi_list_last(Value *args, int nargs) { rt_panic("internal: list_last is not implemented yet"); }
__attribute__((weak)) Value bi_list_get(Value *args, int nargs) { rt_panic("internal: list_get is not implemented yet"); }
__attribute__((weak)) Value bi_list_nth(Value *args, int nargs) { rt_panic("internal: list_nth is not implemented yet"); }
__attribute__((weak)) Value bi_list_concat(Value *args, int nargs) { rt_panic("internal: list_concat is not implemented yet"); }
__attribute__((weak)) Value bi_list_reverse(Value *args, int nargs) { rt_panic("internal: list_reverse is not implemented yet"); }
__attribute__((weak)) Value bi_list_map(Value *args, int nargs) { rt_panic("internal: list_map is not implemented yet"); }
__attribute__((weak)) Value bi_list_filter(Value *args, int nargs) { rt_panic("internal: list_filter is not implemented yet"); }
__attribute__((weak)) Value bi_list_reduce(Value *args, int nargs) { rt_panic("internal: list_reduce is not implemented yet"); }
__attribute__((weak)) Value bi_list_sort(Value *args, int nargs) { rt_panic("internal: list_sort is not implemented yet"); }
__attribute__((weak)) Value bi_list_find(Value *args, int nargs) { rt_panic("internal: list_find is not implemented yet"); }
__attribute__((weak)) Value bi_list_any(Value *args, int nargs) { rt_panic("internal: list_any is not implemented yet"); }
__attribute__((weak)) Value bi_list_all(Value *args, int nargs) { rt_panic("internal: list_all is not implemented yet"); }
__attribute__((weak)) Value bi_list_contains(Value *args, int nargs) { rt_panic("internal: list_contains is not implemented yet"); }
__attribute__((weak)) Value bi_list_zip(Value *args, int nargs) { rt_panic("internal: list_zip is not implemented yet"); }
__attribute__((weak)) Value bi_list_flat_map(Value *args, int nargs) { rt_panic("internal: list_flat_map is not implemented yet"); }
__attribute__((weak)) Value bi_list_flatten(Value *args, int nargs) { rt_panic("internal: list_flatten is not implemented yet"); }
__attribute__((weak)) Value bi_list_enumerate(Value *args, int nargs) { rt_panic("internal: list_enumerate is not implemented yet"); }
__attribute__((weak)) Value bi_list_take(Value *args, int nargs) { rt_panic("internal: list_take is not implemented yet"); }
__attribute__((weak)) Value bi_list_drop(Value *args, int nargs) { rt_panic("internal: list_drop is not implemented yet"); }
__attribute__((weak)) Value bi_map_new(Value *args, int nargs) { rt_panic("internal: map_new is not implemented yet"); }
__attribute__((weak)) Value bi_map_put(Value *args, int nargs) { rt_panic("internal: map_put is not implemented yet"); }
__attribute__((weak)) Value bi_map_get(Value *args, int nargs) { rt_panic("internal: map_get is not implemented yet"); }
__attribute__((weak)) Value bi_map_has_key(Value *args, int nargs) { rt_panic("internal: map_has_key is not implemented yet"); }
__attribute__((weak)) Value bi_map_delete(Value *args, int nargs) { rt_panic("internal: map_delete is not implemented yet"); }
__attribute__((weak)) Value bi_map_size(Value *args, int nargs) { rt_panic("internal: map_size is not implemented yet"); }
__attribute__((weak)) Value bi_map_keys(Value *args, int nargs) { rt_panic("internal: map_keys is not implemented yet"); }
__attribute__((weak)) Value bi_map_values(Value *args, int nargs) { rt_panic("internal: map_values is not implemented yet"); }
__attribute__((weak)) Value bi_map_merge(Value *args, int nargs) { rt_panic("internal: map_merge is not implemented yet"); }
__attribute__((weak)) Value bi_map_to_list(Value *args, int nargs) { rt_panic("internal: map_to_list is not implemented yet"); }
__attribute__((weak)) Value bi_map_from_list(Value *args, int nargs) { rt_panic("internal: map_from_list is not implemented yet"); }
__attribute__((weak)) Value bi_set_new(Value *args, int nargs) { rt_panic("internal: set_new is not implemented yet"); }
__attribute__((weak)) Value bi_set_add(Value *args, int nargs) { rt_panic("internal: set_add is not implemented yet"); }
__attribute__((weak)) Value bi_set_remove(Value *args, int nargs) { rt_panic("internal: set_remove is not implemented yet"); }
__attribute__((weak)) Value bi_set_contains(Value *args, int nargs) { rt_panic("internal: set_contains is not implemented yet"); }
__attribute__((weak)) Value bi_set_size(Value *args, int nargs) { rt_panic("internal: set_size is not implemented yet"); }
__attribute__((weak)) Value bi_set_union(Value *args, int nargs) { rt_panic("internal: set_union is not implemented yet"); }
__attribute__((weak)) Value bi_set_intersection(Value *args, int nargs) { rt_panic("internal: set_intersection is not implemented yet"); }
__attribute__((weak)) Value bi_set_difference(Value *args, int nargs) { rt_panic("internal: set_difference is not implemented yet"); }
__attribute__((weak)) Value bi_set_to_list(Value *args, int nargs) { rt_panic("internal: set_to_list is not implemented yet"); }
__attribute__((weak)) Value bi_set_from_list(Value *args, int nargs) { rt_panic("internal: set_from_list is not implemented yet"); }
__attribute__((weak)) Value bi_tuple_nth(Value *args, int nargs) { rt_panic("internal: tuple_nth is not implemented yet"); }
__attribute__((weak)) Value bi_tuple_first(Value *args, int nargs) { rt_panic("internal: tuple_first is not implemented yet"); }
__attribute__((weak)) Value bi_tuple_second(Value *args, int nargs) { rt_panic("internal: tuple_second is not implemented yet"); }
__attribute__((weak)) Value bi_tuple_size(Value *args, int nargs) { rt_panic("internal: tuple_size is not implemented yet"); }
__attribute__((weak)) Value bi_range_new(Value *args, int nargs) { rt_panic("internal: range_new is not implemented yet"); }
__attribute__((weak)) Value bi_range_to_list(Value *args, int nargs) { rt_panic("internal: range_to_list is not implemented yet"); }
__attribute__((weak)) Value bi_range_map(Value *args, int nargs) { rt_panic("internal: range_map is not implemented yet"); }
__attribute__((weak)) Value bi_range_filter(Value *args, int nargs) { rt_panic("internal: range_filter is not implemented yet"); }
__attribute__((weak)) Value bi_range_length(Value *args, int nargs) { rt_panic("internal: range_length is not implemented yet"); }
__attribute__((weak)) Value bi_queue_new(Value *args, int nargs) { rt_panic("internal: queue_new is not implemented yet"); }
__attribute__((weak)) Value bi_queue_push(Value *args, int nargs) { rt_panic("internal: queue_push is not implemented yet"); }
__attribute__((weak)) Value bi_queue_pop(Value *args, int nargs) { rt_panic("internal: queue_pop is not implemented yet"); }
__attribute__((weak)) Value bi_queue_peek(Value *args, int nargs) { rt_panic("internal: queue_peek is not implemented yet"); }
__attribute__((weak)) Value bi_queue_size(Value *args, int nargs) { rt_panic("internal: queue_size is not implemented yet"); }
__attribute__((weak)) Value bi_queue_is_empty(Value *args, int nargs) { rt_panic("internal: queue_is_empty is not implemented yet"); }
__attribute__((weak)) Value bi_json_parse(Value *args, int nargs) { rt_panic("internal: json_parse is not implemented yet"); }
__attribute__((weak)) Value bi_json_encode(Value *args, int nargs) { rt_panic("internal: json_encode is not implemented yet"); }
__attribute__((weak)) Value bi_json_encode_string(Value *args, int nargs) { rt_panic("internal: json_encode_string is not implemented yet"); }
__attribute__((weak)) Value bi_json_encode_int(Value *args, int nargs) { rt_panic("internal: json_encode_int is not implemented yet"); }
__attribute__((weak)) Value bi_json_encode_bool(Value *args, int nargs) { rt_panic("internal: json_encode_bool is not implemented yet"); }
__attribute__((weak)) Value bi_json_encode_map(Value *args, int nargs) { rt_panic("internal: json_encode_map is not implemented yet"); }
__attribute__((weak)) Value bi_json_encode_list(Value *args, int nargs) { rt_panic("internal: json_encode_list is not implemented yet"); }
__attribute__((weak)) Value bi_json_encode_any(Value *args, int nargs) { rt_panic("internal: json_encode_any is not implemented yet"); }
__attribute__((weak)) Value bi_math_abs(Value *args, int nargs) { rt_panic("internal: math_abs is not implemented yet"); }
__attribute__((weak)) Value bi_math_min(Value *args, int nargs) { rt_panic("internal: math_min is not implemented yet"); }
__attribute__((weak)) Value bi_math_max(Value *args, int nargs) { rt_panic("internal: math_max is not implemented yet"); }
__attribute__((weak)) Value bi_math_pi(Value *args, int nargs) { rt_panic("internal: math_pi is not implemented yet"); }
__attribute__((weak)) Value bi_math_pow(Value *args, int nargs) { rt_panic("internal: math_pow is not implemented yet"); }
__attribute__((weak)) Value bi_math_sqrt(Value *args, int nargs) { rt_panic("internal: math_sqrt is not implemented yet"); }
__attribute__((weak)) Value bi_math_floor(Value *args, int nargs) { rt_panic("internal: math_floor is not implemented yet"); }
__attribute__((weak)) Value bi_math_ceil(Value *args, int nargs) { rt_panic("internal: math_ceil is not implemented yet"); }
__attribute__((weak)) Value bi_math_round(Value *args, int nargs) { rt_panic("internal: math_round is not implemented yet"); }
__attribute__((weak)) Value bi_int_to_float(Value *args, int nargs) { rt_panic("internal: int_to_float is not implemented yet"); }
__attribute__((weak)) Value bi_float_to_int(Value *args, int nargs) { rt_panic("internal: float_to_int is not implemented yet"); }
__attribute__((weak)) Value bi_file_read(Value *args, int nargs) { rt_panic("internal: file_read is not implemented yet"); }
__attribute__((weak)) Value bi_file_write(Value *args, int nargs) { rt_panic("internal: file_write is not implemented yet"); }
__attribute__((weak)) Value bi_file_append(Value *args, int nargs) { rt_panic("internal: file_append is not implemented yet"); }
__attribute__((weak)) Value bi_file_exists(Value *args, int nargs) { rt_panic("internal: file_exists is not implemented yet"); }
__attribute__((weak)) Value bi_file_delete(Value *args, int nargs) { rt_panic("internal: file_delete is not implemented yet"); }
__attribute__((weak)) Value bi_timer_sleep(Value *args, int nargs) { rt_panic("internal: timer_sleep is not implemented yet"); }
__attribute__((weak)) Value bi_timer_send_after(Value *args, int nargs) { rt_panic("internal: timer_send_after is not implemented yet"); }
__attribute__((weak)) Value bi_job_async(Value *args, int nargs) { rt_panic("internal: job_async is not implemented yet"); }
__attribute__((weak)) Value bi_job_await(Value *args, int nargs) { rt_panic("internal: job_await is not implemented yet"); }
__attribute__((weak)) Value bi_job_await_timeout(Value *args, int nargs) { rt_panic("internal: job_await_timeout is not implemented yet"); }
__attribute__((weak)) Value bi_job_map(Value *args, int nargs) { rt_panic("internal: job_map is not implemented yet"); }
__attribute__((weak)) Value bi_process_link(Value *args, int nargs) { rt_panic("internal: process_link is not implemented yet"); }
__attribute__((weak)) Value bi_process_unlink(Value *args, int nargs) { rt_panic("internal: process_unlink is not implemented yet"); }
__attribute__((weak)) Value bi_process_monitor(Value *args, int nargs) { rt_panic("internal: process_monitor is not implemented yet"); }
__attribute__((weak)) Value bi_process_demonitor(Value *args, int nargs) { rt_panic("internal: process_demonitor is not implemented yet"); }
__attribute__((weak)) Value bi_process_trap_exit(Value *args, int nargs) { rt_panic("internal: process_trap_exit is not implemented yet"); }
__attribute__((weak)) Value bi_process_exit(Value *args, int nargs) { rt_panic("internal: process_exit is not implemented yet"); }
__attribute__((weak)) Value bi_process_is_alive(Value *args, int nargs) { rt_panic("internal: process_is_alive is not implemented yet"); }
__attribute__((weak)) Value bi_process_register(Value *args, int nargs) { rt_panic("internal: process_register is not implemented yet"); }
__attribute__((weak)) Value bi_process_whereis(Value *args, int nargs) { rt_panic("internal: process_whereis is not implemented yet"); }
__attribute__((weak)) Value bi_process_unregister(Value *args, int nargs) { rt_panic("internal: process_unregister is not implemented yet"); }

/* services and supervisors (runtime/service.c, runtime/supervisor.c) */
#include "service.h"
#include "supervisor.h"
__attribute__((weak)) uint64_t svc_start(const ServiceDesc *sd, Value state) { (void)sd; (void)state; rt_panic("internal: services are not implemented yet"); }
__attribute__((weak)) Value svc_call(uint64_t pid, const ServiceDesc *sd, uint32_t h, int argc, const Value *argv) { (void)pid; (void)sd; (void)h; (void)argc; (void)argv; rt_panic("internal: services are not implemented yet"); }
__attribute__((weak)) void svc_cast(uint64_t pid, const ServiceDesc *sd, uint32_t h, int argc, const Value *argv) { (void)pid; (void)sd; (void)h; (void)argc; (void)argv; rt_panic("internal: services are not implemented yet"); }
__attribute__((weak)) uint64_t sup_spawn(const SupDesc *sd) { (void)sd; rt_panic("internal: supervisors are not implemented yet"); }
