" Vim indent file for Snow: a block opens at a line ending in `do` or `->`
" (a multi-line case arm or fn body) or at an unclosed bracket, and closes at
" `end`; `else` and `after` line up with the line that opened their block.

if exists("b:did_indent")
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetSnowIndent(v:lnum)
setlocal indentkeys=0{,0},0),0],!^F,o,O,e,=end,=else,=after
setlocal autoindent

let b:undo_indent = "setlocal indentexpr< indentkeys< autoindent<"

if exists("*GetSnowIndent")
  finish
endif

" Openers, middles and closers of do/fn...end blocks, for searchpair():
" a line ending in `do` (or `do |params|`), or an fn whose `->` ends the
" line, but not `else if ... do`, which continues its if; `end` that starts
" a line, or ends an else/after line (`after 30 -> "late" end`); a one-line
" `if a do b else c end` opens and closes nothing.
let s:open = '^\%(\s*else\>\)\@!.*\%(\<do\%(\s*|[^|]*|\)\=\|\<fn\>[^#]*->\)\s*\%(#.*\)\=$'
let s:middle = '^\s*\zs\%(else\|after\)\>'
let s:close = '^\s*\zsend\>\|^\s*\%(else\|after\)\>.*\<\zsend[)\]}]*\s*\%(#.*\)\=$'
let s:skip = 'synIDattr(synID(line("."), col("."), 1), "name") =~? "string\\|comment"'

" The line without strings, comments and trailing blanks (a `#` in a
" string is not a comment; strings spanning lines are not seen).
function! s:Code(lnum) abort
  let line = substitute(getline(a:lnum), '"\%([^"\\]\|\\.\)*"', '""', 'g')
  " block comments, innermost first (they nest), then an unclosed one
  let last = ''
  while line !=# last
    let last = line
    let line = substitute(line, '#=\%(\%(#=\|=#\)\@!.\)*=#', ' ', 'g')
  endwhile
  let line = substitute(line, '\s*#.*$', '', '')
  return substitute(line, '\s\+$', '', '')
endfunction

" Line lnum starts inside a string or block comment that began on an earlier
" line: its first column and the end of the line above are in one.
function! s:Inside(lnum) abort
  let here = s:Stack(a:lnum, 1)
  let p = prevnonblank(a:lnum - 1)
  if p == 0 || here !~# 'String\|BlockComment'
    return 0
  endif
  let above = s:Stack(p, max([1, col([p, '$']) - 1]))
  return (here =~# 'String' && above =~# 'String') || (here =~# 'BlockComment' && above =~# 'BlockComment')
endfunction

" The names of the syntax items at a position (an interpolation inside a
" string is still in the string).
function! s:Stack(lnum, col) abort
  return join(map(synstack(a:lnum, a:col), 'synIDattr(v:val, "name")'))
endfunction

" The nearest line of code above lnum (not blank, not the inside of a
" string or comment), 0 if none.
function! s:PrevCode(lnum) abort
  let p = prevnonblank(a:lnum - 1)
  while p > 0 && s:Inside(p)
    let p = prevnonblank(p - 1)
  endwhile
  return p
endfunction

" A line continued on the next one: it ends in a binary operator (not `|`,
" which ends `do |state|`, nor `<`/`>`, which end `List<String>`).
let s:continued = '\%(|>\|||\|&&\|<>\|++\|[-+*/%=]\|\<and\|\<or\|\<not\)$'
function! s:Continued(code) abort
  return a:code =~# s:continued && a:code !~# '->$' && a:code !~# '\<import\s*\*$'
endfunction

" The first line of the statement that line lnum belongs to, across
" continuation lines (`|> f` lines and lines after a trailing operator).
function! s:StmtStart(lnum) abort
  let lnum = a:lnum
  while lnum > 1
    let p = s:PrevCode(lnum)
    if p == 0
      break
    endif
    let pcode = s:Code(p)
    if !(getline(lnum) =~# '^\s*|>' || s:Continued(pcode))
      break
    endif
    let lnum = p
  endwhile
  return lnum
endfunction

function! GetSnowIndent(lnum) abort
  " inside a multi-line string or block comment: leave the line alone
  if s:Inside(a:lnum)
    return -1
  endif
  " the previous line of code (not the inside of a string or comment)
  let prev = s:PrevCode(a:lnum)
  if prev == 0
    return 0
  endif
  let cline = getline(a:lnum)
  " end / else / after line up with the line that opened their block
  if cline =~# '^\s*\%(end\|else\|after\)\>'
    call cursor(a:lnum, 1)
    let open = searchpair(s:open, s:middle, s:close, 'bW', s:skip)
    if open > 0
      return indent(s:StmtStart(open))
    endif
  endif
  let pline = s:Code(prev)
  " a pipeline's `|> step` lines line up with the line they continue
  if cline =~# '^\s*|>'
    return indent(prev)
  endif
  " after a trailing operator: one step in from the statement's first line
  if s:Continued(pline)
    return indent(s:StmtStart(prev)) + shiftwidth()
  endif
  let ind = indent(s:StmtStart(prev))
  " the previous line closes a bracket opened above: back to the statement
  " that opened it
  let opens = len(substitute(pline, '[^([{]', '', 'g'))
  let closes = len(substitute(pline, '[^)\]}]', '', 'g'))
  if closes > opens && pline !~# '^\s*end\>'
    call cursor(prev, 1)
    let open = searchpair('[([{]', '', '[)\]}]', 'bW', s:skip)
    if open > 0
      let ind = indent(s:StmtStart(open))
    endif
  endif
  " the previous line opens a block: do, a multi-line arm or fn (->),
  " else / after (unless it ends the block too), or a bracket it leaves open
  if pline =~# '\<do\%(\s*|[^|]*|\)\=$' || pline =~# '->$' || opens > closes
        \ || (pline =~# '^\s*\%(else\|after\)\>' && pline !~# '\<end[)\]}]*$')
    let ind += shiftwidth()
  endif
  " the current line closes a bracket (or an unmatched end)
  if cline =~# '^\s*[)\]}]' || cline =~# '^\s*\%(end\|else\|after\)\>'
    let ind -= shiftwidth()
  endif
  return ind < 0 ? 0 : ind
endfunction
