" Vim syntax file
" Language:    Snow
" Maintainer:  the Snow project (editors/vim in the Snow sources)
"
" The `syn keyword` lines below list every keyword of the lexer (the kw_text
" table in front/lex.c) exactly once, and nothing else: tests/scripts/
" editors.sh fails when a keyword is added to the lexer and not here.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" ---- keywords (all of front/lex.c's kw_text, each in one group)
syn keyword snowStructure  actor alias def fn impl interface module service struct supervisor trait type
syn keyword snowKeyword    do end import in let pub return when where with
syn keyword snowConditional case cond else if match
syn keyword snowRepeat     for while break continue
syn keyword snowWordOp     and not or
syn keyword snowConcurrency after call cast link monitor receive send spawn terminate trap
syn keyword snowSelf       self
syn keyword snowBoolean    true false
syn keyword snowNil        nil

" ---- names
" Types, variants and modules: PascalCase (Int, Option, Some, Geo.Point)
syn match snowType "\<\u\w*\>"
" the name after fn / def
syn match snowFunction "\%(\<\%(fn\|def\)\s\+\)\@<=\l\w*[?!]\?"

" ---- literals
syn match snowNumber "\<\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d[0-9_]*\)\=\>"
syn match snowNumber "\<0[xX]\x[0-9a-fA-F_]*\>"
syn match snowNumber "\<0[bB][01][01_]*\>"
syn match snowNumber "\<0[oO]\o[0-7_]*\>"

syn match snowEscape contained "\\[ntr0\\\"${]"
syn match snowEscape contained "\\u{\x\{1,6}}"
syn region snowInterp matchgroup=snowInterpDelim start="\${" end="}" contained contains=TOP
syn region snowString start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=snowEscape,snowInterp,@Spell
syn region snowString start=+"""+ end=+"""+ contains=snowEscape,snowInterp,@Spell

" ---- comments: `# ...` to the end of the line, `#= ... =#` nest
syn keyword snowTodo contained TODO FIXME XXX NOTE
syn match snowComment "#\%(=\)\@!.*$" contains=snowTodo,@Spell
syn region snowBlockComment start="#=" end="=#" contains=snowBlockComment,snowTodo,@Spell

" ---- operators
syn match snowOperator "|>\|->\|=>\|::\|<>\|++\|\.\.\|[-+*/%<>=!|&?]"

" Multi-line strings and nested block comments: parse from the top (Snow
" files are small), so the indent script's view of them is exact.
syn sync fromstart

hi def link snowStructure    Structure
hi def link snowKeyword      Keyword
hi def link snowConditional  Conditional
hi def link snowRepeat       Repeat
hi def link snowWordOp       Operator
hi def link snowConcurrency  Statement
hi def link snowSelf         Identifier
hi def link snowBoolean      Boolean
hi def link snowNil          Constant
hi def link snowType         Type
hi def link snowFunction     Function
hi def link snowNumber       Number
hi def link snowString       String
hi def link snowEscape       SpecialChar
hi def link snowInterpDelim  Delimiter
hi def link snowTodo         Todo
hi def link snowComment      Comment
hi def link snowBlockComment Comment
hi def link snowOperator     Operator

let b:current_syntax = "snow"

let &cpo = s:cpo_save
unlet s:cpo_save
