/* The physical limit of PostgreSQL round trips here: blocking libpq,
 * `SELECT 1` through PQexecParams (the extended protocol, as Pg.query), one
 * connection per thread.
 *   pg_select1 URL N [THREADS]   N round trips in total, THREADS connections */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *url;
static long per;

static void *worker(void *arg) {
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(c));
        exit(1);
    }
    long ok = 0;
    for (long i = 0; i < per; i++) {
        PGresult *r = PQexecParams(c, "SELECT 1", 0, NULL, NULL, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(r, 0, 0), "1")) ok++;
        PQclear(r);
    }
    PQfinish(c);
    *(long *)arg = ok;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    url = argv[1];
    long n = atol(argv[2]);
    int t = argc > 3 ? atoi(argv[3]) : 1;
    per = n / t;
    pthread_t th[64];
    long ok[64] = {0}, total = 0;
    for (int i = 0; i < t; i++) pthread_create(&th[i], NULL, worker, &ok[i]);
    for (int i = 0; i < t; i++) {
        pthread_join(th[i], NULL);
        total += ok[i];
    }
    printf("%ld\n", total);
    return 0;
}
