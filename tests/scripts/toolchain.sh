#!/bin/bash
# The command table (cmd/commands.c) and what is rendered from it:
#   - every man page renders with `man -l` without warnings and says what
#     `snow help` says (tests/toolchain/help_vs_man.py);
#   - every option `snow help CMD` lists is accepted by CMD;
#   - every environment variable the sources read (getenv) is documented;
#   - bash completion through the generated function (compgen), and the zsh
#     script parses.
# Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL toolchain: $*"; }

commands=$("$SNOW" help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1; next} on {exit}')
[ "$(echo "$commands" | wc -w)" -ge 6 ] && ok || bad "snow help lists the commands: '$commands'"

# ---- man pages: render, no warnings, same words as `snow help`
export MANWIDTH=200 LC_ALL=C.UTF-8
for c in "" $commands; do
    page=snow${c:+-$c}
    "$SNOW" help --man $c > "$tmp/$page.1" || bad "snow help --man $c"
    warn=$(groff -man -ww -z -Tutf8 "$tmp/$page.1" 2>&1)
    [ -z "$warn" ] && ok || bad "$page.1: groff warnings: $warn"
    man -l "$tmp/$page.1" 2>"$tmp/err" | col -b > "$tmp/$page.txt"
    if grep -q "^NAME" "$tmp/$page.txt" && ! [ -s "$tmp/err" ]; then ok; else bad "man -l $page.1: $(head -3 "$tmp/err")"; fi
    "$SNOW" help $c > "$tmp/help.txt"
    if out=$(python3 tests/toolchain/help_vs_man.py "$tmp/help.txt" "$tmp/$page.txt"); then ok; else
        bad "snow help $c vs $page(1):"; echo "$out"; fi
    # snow(1) alone covers every command and option
    if [ -n "$c" ]; then
        if out=$(python3 tests/toolchain/help_vs_man.py "$tmp/help.txt" "$tmp/snow.txt"); then ok; else
            bad "snow help $c vs snow(1):"; echo "$out"; fi
    fi
done
unset LC_ALL

# ---- every listed option is accepted (no "unknown option") by its command
for c in $commands; do
    usage=$("$SNOW" help "$c" | head -1)
    opts=$("$SNOW" help "$c" | awk '/^options:/ {on=1; next} on && /^  -/ {print $1; next} on && /^[^ ]/ {exit}')
    for o in $opts; do
        case $o in
        *=*) args=("${o%%=*}=auto") ;;
        *) args=("$o")
           "$SNOW" help "$c" | grep -qE "^  $o [A-Z]" && args+=(1) ;;
        esac
        [[ $usage == *PATH* ]] && args+=("$tmp/none.snow")
        err=$("$SNOW" "$c" "${args[@]}" </dev/null 2>&1 >/dev/null)
        if [[ $err == *"unknown option"* ]]; then bad "snow $c ${args[*]}: $err"; else ok; fi
    done
done

# ---- every getenv("NAME") in the sources is in `snow help`'s environment list
envhelp=$("$SNOW" help | awk '/^environment:/ {on=1; next} on && /^  [A-Z]/ {print $1}')
for v in $(grep -rhoE 'getenv\("[A-Z_]+"\)' runtime net dist front typecheck interp debugger cmd 2>/dev/null | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u); do
    if echo "$envhelp" | grep -qx "$v"; then ok; else bad "environment variable $v is read but not documented in commands_env"; fi
done

# ---- bash completion through the generated function
"$SNOW" help --completion bash > "$tmp/snow.bash"
mkdir -p "$tmp/cwd/proj" && touch "$tmp/cwd/app.snow" "$tmp/cwd/notes.txt"
complete_bash() { # prints COMPREPLY for the words given (the last one is completed)
    (cd "$tmp/cwd" && bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
        _snow; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$tmp/snow.bash" "$@")
}
expect_completion() { # WANT WORDS...
    local want=$1
    shift
    got=$(complete_bash "$@")
    [ "$got" = "$want" ] && ok || bad "bash completion of '$*': got '$got', want '$want'"
}
expect_completion "repl run " snow r
expect_completion "--threads " snow run --th
expect_completion "--color= " snow check --col
expect_completion "always " snow run --color = al
expect_completion "--color=never " snow repl --color=ne
expect_completion "app.snow proj " snow run ""
expect_completion "app.snow notes.txt proj " snow run app.snow -- ""
expect_completion "0 1 2 3 4 5 6 7 8 9 " snow trace --seed ""
expect_completion "trace " snow help tr
expect_completion "bash zsh " snow help --completion ""
if command -v zsh >/dev/null; then
    "$SNOW" help --completion zsh > "$tmp/_snow"
    zsh -n "$tmp/_snow" && ok || bad "the zsh completion script does not parse"
fi

# ---- snow new: a project that runs and checks clean; refusals exit 2
abs_snow=$(cd "$(dirname "$SNOW")" && pwd)/$(basename "$SNOW")
mkdir -p "$tmp/new" && cd "$tmp/new" || exit 2
out=$("$abs_snow" new demo 2>&1) && [ -f demo/main.snow ] && [ -f demo/greeting.snow ] && [ -f demo/.gitignore ] &&
    [ -f demo/README.md ] && ok || bad "snow new demo: $out"
[ "$("$abs_snow" run demo 2>&1)" = "Hello from demo!" ] && ok || bad "snow run demo: $("$abs_snow" run demo 2>&1)"
out=$("$abs_snow" check demo 2>&1) && [ -z "$out" ] && ok || bad "snow check demo is not clean: $out"
for w in "snow run" "snow check" "snow trace" "snow fmt"; do
    grep -q "$w" demo/README.md && ok || bad "demo/README.md does not say \`$w\`"
done
if "$abs_snow" help | grep -q "^  fmt "; then
    out=$("$abs_snow" fmt --check demo 2>&1) && ok || bad "the scaffold is not formatted: $out"
fi
expect_new() { # STATUS MESSAGE ARGS...
    local want=$1 msg=$2
    shift 2
    out=$("$abs_snow" new "$@" 2>&1)
    rc=$?
    [ "$rc" -eq "$want" ] && [[ $out == *"$msg"* ]] && ok || bad "snow new $*: exit $rc, $out"
}
expect_new 2 "already exists and is not empty" demo
echo x > afile
expect_new 2 "already exists and is not a directory" afile
expect_new 2 "is not a project name" 9lives
expect_new 2 "is not a project name" "two words"
expect_new 2 "is not a project name" .
expect_new 2 "missing NAME"
expect_new 2 "unknown option" --force demo
mkdir empty && expect_new 0 "created empty/" empty
[ "$(ls demo | wc -l)" -eq 3 ] && ok || bad "a refused snow new changed demo/"
cd - >/dev/null || exit 2

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
