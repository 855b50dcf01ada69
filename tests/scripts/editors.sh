#!/bin/bash
# Editor support in editors/: the keyword lists against the lexer
# (tests/toolchain/keywords.py), the TextMate grammar's scopes
# (tests/toolchain/textmate.py), Vim loading the syntax, ftplugin and indent
# files without an error, and the indent script leaving a formatted file
# (tests/toolchain/indent.snow) as it is.  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL editors: $*"; }
count() { # adds a script's `N passed, N failed`
    local line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$1" | tail -1)
    p=${line%% passed*} f=${line#*, }
    f=${f%% failed}
    if [ -z "$line" ]; then bad "no result line: $1"; return; fi
    pass=$((pass + p)) fail=$((fail + f))
    [ "$f" -eq 0 ] || echo "$1"
}
count "$(python3 tests/toolchain/keywords.py)"
count "$(python3 tests/toolchain/textmate.py)"

if command -v vim >/dev/null; then
    vimfiles=$PWD/editors/vim
    cp tests/toolchain/indent.snow "$tmp/file.snow"
    # the command of issue 23, with the editor files on the runtimepath
    vim -es --cmd "set rtp^=$vimfiles" -c 'syntax on' -c 'set ft=snow' "$tmp/file.snow" -c q </dev/null
    [ $? -eq 0 ] && ok || bad "vim -es -c 'syntax on' -c 'set ft=snow' file.snow -c q failed"
    # loaded, with no error message, by filetype detection: syntax, ftplugin, indent
    vim -u NONE -N -es --cmd "set rtp^=$vimfiles" -c 'filetype plugin indent on' -c 'syntax on' \
        -c "e $tmp/file.snow" -c "redir! > $tmp/vim.out" \
        -c 'echo "ft=" . &ft . " syntax=" . b:current_syntax . " indentexpr=" . &indentexpr . " cms=" . &commentstring' \
        -c 'echo "fn=" . synIDattr(synID(search("^fn area"), 1, 1), "name")' \
        -c 'messages' -c 'redir END' -c 'q!' </dev/null
    out=$(cat "$tmp/vim.out")
    [[ $out == *"ft=snow syntax=snow indentexpr=GetSnowIndent(v:lnum) cms=# %s"* ]] && ok || bad "vim filetype files: $out"
    [[ $out == *"fn=snowStructure"* ]] && ok || bad "vim highlights fn as snowStructure: $out"
    grep -qE 'E[0-9]+:' "$tmp/vim.out" && bad "vim reported errors: $out" || ok
    # gg=G keeps a formatted file as it is
    vim -u NONE -N -es --cmd "set rtp^=$vimfiles" -c 'filetype plugin indent on' -c 'syntax on' \
        -c "e $tmp/file.snow" -c 'normal gg=G' -c 'wq' </dev/null
    if diff -u tests/toolchain/indent.snow "$tmp/file.snow" > "$tmp/diff"; then ok; else
        bad "the Vim indent script re-indents tests/toolchain/indent.snow:"; head -30 "$tmp/diff"; fi
    # and re-indents a file whose indentation was removed
    # (lines inside the block comment stay where the flattening put them)
    sed 's/^ *//' tests/toolchain/indent.snow > "$tmp/flat.snow"
    sed -E 's/^ *(#= nested|keeps its)/\1/' tests/toolchain/indent.snow > "$tmp/want.snow"
    vim -u NONE -N -es --cmd "set rtp^=$vimfiles" -c 'filetype plugin indent on' -c 'syntax on' \
        -c "e $tmp/flat.snow" -c 'normal gg=G' -c 'wq' </dev/null
    if diff -u "$tmp/want.snow" "$tmp/flat.snow" > "$tmp/diff"; then ok; else
        bad "the Vim indent script does not restore the indentation:"; head -30 "$tmp/diff"; fi
else
    bad "vim is not installed (scripts/install-deps installs it)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
