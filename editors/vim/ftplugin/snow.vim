" Vim filetype plugin for Snow: comments, two-space indentation, `%` jumps
" between do/else/end (matchit), gf finds modules (geo/point.snow).

if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

setlocal comments=:#
setlocal commentstring=#\ %s
setlocal expandtab shiftwidth=2 softtabstop=2
setlocal suffixesadd=.snow
setlocal iskeyword=@,48-57,_,?,!

if exists("loaded_matchit") || exists(":MatchDebug")
  let b:match_ignorecase = 0
  let b:match_words = '\<\%(do\|fn\)\>:\<else\>\|\<after\>:\<end\>'
  let b:match_skip = 'synIDattr(synID(line("."), col("."), 1), "name") =~? "string\\|comment"'
endif

let b:undo_ftplugin = "setlocal comments< commentstring< expandtab< shiftwidth< softtabstop<"
      \ . " suffixesadd< iskeyword< | unlet! b:match_ignorecase b:match_words b:match_skip"

let &cpo = s:cpo_save
unlet s:cpo_save
