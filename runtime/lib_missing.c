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
__attribute__((weak)) uint64_t svc_start(const ServiceDesc *sd, Value state) { (void)sd; (void)state; rt_panic("internal: services are not implemented yet"); }
__attribute__((weak)) Value svc_call(uint64_t pid, const ServiceDesc *sd, uint32_t h, int argc, const Value *argv) { (void)pid; (void)sd; (void)h; (void)argc; (void)argv; rt_panic("internal: services are not implemented yet"); }
__attribute__((weak)) void svc_cast(uint64_t pid, const ServiceDesc *sd, uint32_t h, int argc, const Value *argv) { (void)pid; (void)sd; (void)h; (void)argc; (void)argv; rt_panic("internal: services are not implemented yet"); }
__attribute__((weak)) uint64_t sup_spawn(const SupDesc *sd) { (void)sd; rt_panic("internal: supervisors are not implemented yet"); }
