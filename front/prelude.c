/* prelude.c — the prelude source and its loading (see prelude.h). */
#include "prelude.h"

#include <string.h>

#include "project.h"

const char prelude_source[] =
    "pub type Option<T> do\n  Some(T)\n  None\nend deriving()\n"
    "pub type Result<T, E> do\n  Ok(T)\n  Err(E)\nend deriving()\n"
    "pub type Ordering do\n  Less\n  Equal\n  Greater\nend deriving()\n"
    "pub type ExitReason do\n  Normal\n  Shutdown\n  Killed\n  Error(String)\n"
    "  Linked(Pid, ExitReason)\n  NoProc\n  NoConnection\nend deriving()\n"
    "pub type Signal do\n  Down(Ref, Pid, ExitReason)\n  Exit(Pid, ExitReason)\n"
    "  NodeUp(String)\n  NodeDown(String)\nend deriving()\n"
    "pub interface Display do\n  fn to_string(self) -> String\nend\n"
    "pub interface Debug do\n  fn inspect(self) -> String\nend\n"
    "pub interface Eq do\n  fn eq(self, other) -> Bool\nend\n"
    "pub interface Ord do\n  fn lt(self, other) -> Bool\nend\n"
    "pub interface Hash do\n  fn hash(self) -> Int\nend\n"
    "pub interface Add do\n  fn add(self, other)\nend\n"
    "pub interface Sub do\n  fn sub(self, other)\nend\n"
    "pub interface Mul do\n  fn mul(self, other)\nend\n"
    "pub interface Div do\n  fn div(self, other)\nend\n"
    "pub interface Mod do\n  fn mod(self, other)\nend\n"
    "pub interface Default do\n  fn default()\nend\n";

static Module *prelude_mod;

void prelude_reset(void) { prelude_mod = NULL; }

Module *prelude_module(void) {
    if (prelude_mod) return prelude_mod;
    uint32_t id = src_add("<prelude>", prelude_source, strlen(prelude_source));
    prelude_mod = project_parse_module(id, "Prelude");
    return prelude_mod;
}
