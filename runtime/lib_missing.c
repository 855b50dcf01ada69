/* lib_missing.c — DEVELOPMENT ONLY: weak fallbacks for library functions
 * not yet implemented, so the binary links while they are being written.
 * Every real implementation overrides its fallback.  What remains: Job.*
 * (needs process-runtime support) and the service/supervisor entry
 * points; this file is deleted once those exist. */
#include "lib.h"
#include "rt.h"

__attribute__((weak)) Value bi_job_async(Value *args, int nargs) { rt_panic("internal: job_async is not implemented yet"); }
__attribute__((weak)) Value bi_job_await(Value *args, int nargs) { rt_panic("internal: job_await is not implemented yet"); }
__attribute__((weak)) Value bi_job_await_timeout(Value *args, int nargs) { rt_panic("internal: job_await_timeout is not implemented yet"); }
__attribute__((weak)) Value bi_job_map(Value *args, int nargs) { rt_panic("internal: job_map is not implemented yet"); }

/* services and supervisors (runtime/service.c, runtime/supervisor.c) */
#include "service.h"
#include "supervisor.h"
