#!/usr/bin/env bash
# The shape of the source tree (scripts/check-layers): includes only go down
# the layers (runtime/ includes nothing above it), the process and mailbox
# records stay private to runtime/, and prototypes live only in headers.
#
# The tree must pass; then each rule must catch a deliberate violation in a
# scratch copy of the sources (a check that cannot fail is a defect), and a
# C file that includes both <openssl/ssl.h> and proc.h must stay in the build
# (issue 15: sched_yield once clashed with POSIX).  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "layers: $1"; }

out=$(scripts/check-layers 2>&1)
if [ $? -eq 0 ]; then ok; else bad "the tree breaks a rule:"; echo "$out" | head -40; fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_violation NAME FILE EXPECTED-TEXT: run the checker on the scratch
# copy (FILE already edited), expect exit 1 and the message, then restore.
expect_violation() {
    local name=$1 file=$2 want=$3
    local got
    got=$(scripts/check-layers --root "$tmp" 2>&1)
    local rc=$?
    if [ $rc -eq 1 ] && grep -qF -- "$want" <<<"$got"; then ok
    else bad "$name: not caught (exit $rc, wanted '$want'):"; echo "$got" | head -5; fi
    cp "$file.orig" "$file"
}
edit() { cp "$1" "$1.orig"; }

for d in runtime net dist front typecheck interp debugger cmd; do
    [ -d "$d" ] && mkdir -p "$tmp/$d" && cp "$d"/*.[ch] "$d"/*.inc "$tmp/$d/" 2>/dev/null
done
mkdir -p "$tmp/tests/unit" && cp tests/unit/*.[ch] "$tmp/tests/unit/"

# the copy itself is clean (or the cases below would prove nothing)
if scripts/check-layers --root "$tmp" >/dev/null; then ok; else bad "the scratch copy is not clean"; fi

# layers: runtime/ includes from interp/; the front end from typecheck/
f="$tmp/runtime/xalloc.c"; edit "$f"; printf '#include "eval.h"\n' >>"$f"
expect_violation "runtime including upward" "$f" "runtime/xalloc.c:$(wc -l <"$f"): #include \"eval.h\": runtime/ may not include from interp/"
f="$tmp/front/lex.c"; edit "$f"; printf '#include "ty.h"\n' >>"$f"
expect_violation "front end including typecheck" "$f" 'front/ may not include from typecheck/'
f="$tmp/debugger/dbg_run.c"; edit "$f"; printf '#include "cli.h"\n' >>"$f"
expect_violation "debugger including the commands" "$f" 'debugger/ may not include from cmd/'
f="$tmp/interp/eval.c"; edit "$f"; printf '#include "../runtime/proc.h"\n' >>"$f"
expect_violation "include by path" "$f" 'include headers by name'

# private: the debugger reading the process record
f="$tmp/debugger/dbg_view.c"; edit "$f"; printf '#include "proc_private.h"\n' >>"$f"
expect_violation "debugger including proc_private.h" "$f" 'runtime/proc_private.h is private to runtime/'
f="$tmp/cmd/repl.c"; edit "$f"; printf '#include "mbox_private.h"\n' >>"$f"
expect_violation "REPL including mbox_private.h" "$f" 'runtime/mbox_private.h is private to runtime/'

# prototypes: one line, several lines, block-scope extern, extern variable
f="$tmp/cmd/cli.c"; edit "$f"; printf 'int cmd_run(int argc, char **argv); /* cmd_run.c */\n' >>"$f"
expect_violation "a hand-written prototype" "$f" 'prototype of cmd_run() outside a header'
f="$tmp/interp/prepare.c"; edit "$f"
printf 'Value ev_std_fn(\n    const StdFn *s)\n    __attribute__((pure));\n' >>"$f"
expect_violation "a prototype over several lines" "$f" 'prototype of ev_std_fn() outside a header'
f="$tmp/cmd/repl.c"; edit "$f"
printf 'static void later(void) {\n    extern void eval_install_hooks(void);\n    eval_install_hooks();\n}\n' >>"$f"
expect_violation "a block-scope extern" "$f" '`extern` declaration outside a header'
f="$tmp/runtime/lib_io.c"; edit "$f"; printf 'extern int rt_argc;\n' >>"$f"
expect_violation "an extern variable" "$f" '`extern` declaration outside a header'
# and what must not be flagged: static prototypes, calls, definitions
f="$tmp/front/lex.c"; edit "$f"
printf 'static int helper(int x);\nint lex_extra(void) { return helper(1); }\nstatic int helper(int x) { return x; }\n' >>"$f"
if scripts/check-layers --root "$tmp" >/dev/null; then ok; else bad "a static prototype or a definition was flagged"; fi
cp "$f.orig" "$f"

# <openssl/ssl.h> and proc.h in one translation unit
if grep -l '<openssl/ssl.h>' runtime/*.c net/*.c tests/unit/*.c 2>/dev/null | xargs -r grep -l '"proc.h"' | grep -q .; then ok
else bad "no source file includes both <openssl/ssl.h> and proc.h"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
