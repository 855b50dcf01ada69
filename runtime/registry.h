/* registry.h — the node-local name registry (concurrency.md §14, decision 9):
 * a name maps to one live pid; a pid has at most one name; a process's name
 * is removed when it exits (before its links are signalled, decision 23).
 *
 * Invariants: name -> entry -> pid and Proc.reg -> entry agree; every
 * entry's pid is alive (reg_remove_proc runs in the exit sequence).
 */
#ifndef SNOW_REGISTRY_H
#define SNOW_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Proc Proc;

typedef struct RegEntry {
    struct RegEntry *next; /* hash chain */
    uint64_t pid;
    uint64_t hash;
    size_t len;
    char name[];           /* len bytes + NUL */
} RegEntry;

enum { REG_OK = 0, REG_TAKEN, REG_NOPROC, REG_HASNAME, REG_UNKNOWN };

int reg_register(const char *name, size_t len, uint64_t pid);
int reg_unregister(const char *name, size_t len);
bool reg_whereis(const char *name, size_t len, uint64_t *pid);
/* Error text for Process.register/unregister's Err (the name is quoted in). */
void reg_error_text(int code, const char *name, size_t len, char *buf, size_t cap);
void reg_remove_proc(Proc *p);
size_t reg_count(void);
void reg_reset(void);

#endif
