/* service.h — `service` blocks at run time (concurrency.md §11): a service
 * process holds a state and handles call/cast requests one at a time in
 * mailbox order; callers of `call` block for the reply.
 *
 * The interpreter builds one ServiceDesc per `service` block; each handler is
 * a Snow function value taking (args..., state) and returning
 * (new_state, reply) for a call or new_state for a cast. */
#ifndef SNOW_SERVICE_H
#define SNOW_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include "value.h"

typedef struct ServiceDesc {
    const char *name;          /* "Counter" */
    uint32_t nhandlers;
    const char **names;        /* handler names as written ("GetCount") */
    Value *handlers;           /* static function values */
    bool *is_call;
    uint32_t *arity;           /* parameters, without the state */
} ServiceDesc;

/* Spawn the service process with its initial state (evaluated by the
 * caller, §11.3).  Returns its pid. */
uint64_t svc_start(const ServiceDesc *sd, Value state);
/* A synchronous call: send the request, block until the reply, return it.
 * A call to a service that is dead or dies before replying panics in the
 * caller with `service call failed: REASON`. */
Value svc_call(uint64_t pid, const ServiceDesc *sd, uint32_t handler, int argc, const Value *argv);
/* An asynchronous cast (dropped if the service is dead). */
void svc_cast(uint64_t pid, const ServiceDesc *sd, uint32_t handler, int argc, const Value *argv);

#endif
