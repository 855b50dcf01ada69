/* lib_node.c — the Node and Global rows of the library table: the typed
 * distribution surface of decision 10 (net.md §8.1), over dist/node.h. */
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "node.h"
#include "proc.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"

static Value result(bool ok, const char *err) { return ok ? val_ok(v_unit()) : val_err_cstr(err); }

static Value node_start(Value *args, int nargs) {
    (void)nargs;
    char err[300];
    return result(dist_start(str_cstr(args[0]), str_cstr(args[1]), err, sizeof err), err);
}

static Value node_connect(Value *args, int nargs) {
    (void)nargs;
    char err[300];
    return result(dist_connect(str_cstr(args[0]), err, sizeof err), err);
}

static Value node_self(Value *args, int nargs) {
    (void)args, (void)nargs;
    return str_from_cstr(dist_self());
}

static Value node_list(Value *args, int nargs) {
    (void)args, (void)nargs;
    char **names;
    size_t n = dist_list(&names);
    ListBuilder b;
    lb_init(&b, n);
    for (size_t i = 0; i < n; i++) {
        lb_push(&b, str_from_cstr(names[i]));
        free(names[i]);
    }
    free(names);
    return lb_finish(&b);
}

static Value node_monitor(Value *args, int nargs) {
    (void)nargs;
    char err[300];
    return result(dist_node_monitor(proc_self_pid(), str_cstr(args[0]), err, sizeof err), err);
}

static Value spawn(Value *args, int nargs, bool link) {
    char err[400];
    uint64_t pid;
    if (!dist_spawn(str_cstr(args[0]), args[1], nargs - 2, args + 2, link, &pid, err, sizeof err))
        return val_err_cstr(err);
    return val_ok(v_pid(pid));
}
static Value node_spawn(Value *args, int nargs) { return spawn(args, nargs, false); }
static Value node_spawn_link(Value *args, int nargs) { return spawn(args, nargs, true); }

static Value global_register(Value *args, int nargs) {
    (void)nargs;
    const char *name = str_cstr(args[0]);
    if (dist_global_register(name, args[1].u) == 0) return val_ok(v_unit());
    char err[400];
    snprintf(err, sizeof err, "the global name `%s` is already taken", name);
    return val_err_cstr(err);
}

static Value global_whereis(Value *args, int nargs) {
    (void)nargs;
    uint64_t pid;
    return dist_global_whereis(str_cstr(args[0]), &pid) ? val_some(v_pid(pid)) : val_none();
}

static Value global_unregister(Value *args, int nargs) {
    (void)nargs;
    const char *name = str_cstr(args[0]);
    if (dist_global_unregister(name) == 0) return val_ok(v_unit());
    char err[400];
    snprintf(err, sizeof err, "no global name `%s`", name);
    return val_err_cstr(err);
}

static const StdFn node_lib[] = {
    {"Node", "start", "Fun(String, String) -> Result<(), String>", node_start, 2, 0,
     "start this program's node: Node.start(\"a@127.0.0.1:9001\", cookie)"},
    {"Node", "connect", "Fun(String) -> Result<(), String>", node_connect, 1, SF_BLOCKS,
     "connect to another node (the cluster then meshes)"},
    {"Node", "self", "Fun() -> String", node_self, 0, 0, "this node's name (\"\" before Node.start)"},
    {"Node", "list", "Fun() -> List<String>", node_list, 0, 0, "the names of the connected nodes"},
    {"Node", "monitor", "Fun(String) -> Result<(), String>", node_monitor, 1, 0,
     "receive NodeUp / NodeDown signals about a node"},
    {"Node", "spawn", "Fun(String, T) -> Result<Pid, String>", node_spawn, 2, SF_BLOCKS | SF_SPECIAL,
     "spawn an actor on another node: Node.spawn(node, actor, args...)"},
    {"Node", "spawn_link", "Fun(String, T) -> Result<Pid, String>", node_spawn_link, 2, SF_BLOCKS | SF_SPECIAL,
     "spawn an actor on another node, linked to the caller"},
    {"Global", "register", "Fun(String, Pid) -> Result<(), String>", global_register, 2, 0,
     "register a pid under a name every connected node sees"},
    {"Global", "whereis", "Fun(String) -> Option<Pid>", global_whereis, 1, 0, "look up a global name (no network)"},
    {"Global", "unregister", "Fun(String) -> Result<(), String>", global_unregister, 1, 0, "remove a global name"},
};
STDLIB_REGISTER(node_lib)
