/* bigstack.c — see bigstack.h. */
#include "bigstack.h"

#include <pthread.h>

typedef struct Job {
    void (*fn)(void *);
    void *arg;
} Job;

static void *trampoline(void *p) {
    Job *j = p;
    j->fn(j->arg);
    return NULL;
}

void run_on_big_stack(void (*fn)(void *), void *arg, size_t bytes) {
    Job j = {fn, arg};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, bytes);
    pthread_t th;
    if (pthread_create(&th, &attr, trampoline, &j) != 0) fn(arg);
    else pthread_join(th, NULL);
    pthread_attr_destroy(&attr);
}

static void *detached_trampoline(void *p) {
    Job *j = p;
    j->fn(j->arg);
    return NULL;
}

void run_detached(void (*fn)(void *), void *arg) {
    static Job job; /* one detached job at a time is all the REPL needs */
    job.fn = fn;
    job.arg = arg;
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &attr, detached_trampoline, &job) != 0) fn(arg);
    pthread_attr_destroy(&attr);
}
