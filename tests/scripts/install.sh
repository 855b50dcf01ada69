#!/bin/bash
# `make install` into a temporary DESTDIR with PREFIX=/usr, then, with the
# checkout hidden (an empty directory mounted over it in a private mount
# namespace, when unshare allows it), the installed snow runs an example and
# a `snow new` project, man finds and renders every page, the installed bash
# completion completes, Vim loads the installed syntax.  `make uninstall`
# then removes every file `make install-manifest` lists, and nothing is left.
# Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
SNOW=${SNOW:-$ROOT/snow}
MODE=$(basename "${BUILD:-build/release}")
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL install: $*"; }
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -s MODE="$MODE" "$@"; }

dest=$tmp/dest
if mk install DESTDIR="$dest" PREFIX=/usr > "$tmp/install.log" 2>&1; then ok; else
    bad "make install failed:"; tail -20 "$tmp/install.log"; echo "$pass passed, $((fail)) failed"; exit 1; fi
mk install-manifest PREFIX=/usr | sed "s|^|$dest|" | sort > "$tmp/manifest"
(cd / && find "$dest" -type f -o -type l) | sort > "$tmp/files"
if diff "$tmp/manifest" "$tmp/files" > "$tmp/diff"; then ok; else bad "installed files != install-manifest:"; cat "$tmp/diff"; fi
[ "$(wc -l < "$tmp/manifest")" -ge 15 ] && ok || bad "install-manifest lists $(wc -l < "$tmp/manifest") files"
[ -x "$dest/usr/bin/snow" ] && ok || bad "no executable $dest/usr/bin/snow"
# a man page for every command snow help lists
for c in $("$SNOW" help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1; next} on {exit}'); do
    [ -f "$dest/usr/share/man/man1/snow-$c.1" ] && ok || bad "no man page snow-$c.1 for the command $c"
done

# ---- what a user does with the installed files, away from the checkout
mkdir -p "$tmp/work" "$tmp/empty"
cp examples/demo.snow tests/toolchain/indent.snow "$tmp/work/"
cat > "$tmp/user.sh" <<'USER'
# runs with the checkout hidden; prints one line per check: "ok ..." or "bad ..."
dest=$1 root=$2
cd "$(dirname "$0")/work" || exit 1
PATH=$dest/usr/bin:/usr/bin:/bin
check() { if eval "$2"; then echo "ok $1"; else echo "bad $1"; fi; }
if [ -e "$root/Makefile" ]; then echo "checkout visible"; else echo "checkout hidden"; fi
check "installed snow runs an example" '[[ $(snow run demo.snow 2>&1) == *"counter is 15"* ]]'
check "snow new demo && snow run demo" 'snow new demo >/dev/null && [ "$(snow run demo)" = "Hello from demo!" ]'
check "snow check demo is clean" '[ -z "$(snow check demo 2>&1)" ]'
export MANPATH=$dest/usr/share/man MANWIDTH=100
for page in $(cd "$dest/usr/share/man/man1" && ls); do
    p=${page%.1}
    check "man $p renders" '[[ $(man "$p" 2>&1 | col -b) == *NAME*"${p%%-*}"* ]] && man -l "$dest/usr/share/man/man1/$page" 2>&1 | col -b | grep -q "^SYNOPSIS"'
done
check "bash completion (installed) completes snow r" \
    '[ "$(bash -c "source $dest/usr/share/bash-completion/completions/snow; COMP_WORDS=(snow r); COMP_CWORD=1; _snow; echo \${COMPREPLY[*]}")" = "run repl" ]'
if command -v vim >/dev/null; then
    check "vim loads the installed syntax file" \
        'vim -es --cmd "set rtp^=$dest/usr/share/vim/vimfiles" -c "syntax on" -c "set ft=snow" indent.snow -c q </dev/null'
fi
USER
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
    unshare -m bash -c 'mount --bind "$1" "$2" && exec bash "$3" "$4" "$2"' _ "$tmp/empty" "$ROOT" "$tmp/user.sh" "$dest" \
        > "$tmp/user.out" 2>&1
else
    echo "(no private mount namespace here: the checkout stays visible, snow runs from $tmp)" 
    bash "$tmp/user.sh" "$dest" "$ROOT" > "$tmp/user.out" 2>&1
fi
grep -q "^checkout hidden" "$tmp/user.out" && echo "  (checkout hidden from the installed snow)"
while read -r status what; do
    case $status in
    ok) ok ;;
    bad) bad "$what" ;;
    esac
done < "$tmp/user.out"
[ "$(grep -c '^ok' "$tmp/user.out")" -ge 10 ] && ok || { bad "too few checks ran:"; cat "$tmp/user.out"; }

# ---- uninstall removes every installed file, and the directories only snow used
if mk uninstall DESTDIR="$dest" PREFIX=/usr > "$tmp/uninstall.log" 2>&1; then ok; else bad "make uninstall failed"; cat "$tmp/uninstall.log"; fi
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] && ok || bad "left after make uninstall: $left"
[ ! -d "$dest/usr/share/snow" ] && [ ! -d "$dest/usr/share/doc/snow" ] && ok || bad "snow's own directories are left"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
