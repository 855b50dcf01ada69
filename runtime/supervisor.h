/* supervisor.h — `supervisor` blocks at run time (concurrency.md §10 and
 * decisions 18, 20, 24): a supervisor process traps exits, starts its
 * children in order (each `start` closure runs inside the supervisor under a
 * paused-spawn scope and the returned pid is linked before anything it
 * spawned can run), restarts them per strategy and restart type within the
 * restart intensity, and stops them in reverse order. */
#ifndef SNOW_SUPERVISOR_H
#define SNOW_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include "value.h"

enum { SUP_ONE_FOR_ONE, SUP_ONE_FOR_ALL, SUP_REST_FOR_ONE, SUP_SIMPLE_ONE_FOR_ONE };
enum { SUP_PERMANENT, SUP_TRANSIENT, SUP_TEMPORARY };

typedef struct SupChild {
    const char *name;     /* child id as written */
    Value start;          /* zero-argument function returning a Pid */
    int restart;          /* SUP_PERMANENT / ... */
    bool brutal_kill;     /* shutdown: brutal_kill */
    int64_t shutdown_ms;  /* otherwise: milliseconds before a kill (default 5000) */
} SupChild;

typedef struct SupDesc {
    const char *name;     /* "WorkerSup" */
    int strategy;
    int max_restarts;     /* default 3 */
    int max_seconds;      /* default 5 */
    uint32_t nchildren;
    SupChild *children;
} SupDesc;

/* spawn(SupName): start a supervisor process; returns its pid. */
uint64_t sup_spawn(const SupDesc *sd);

#endif
