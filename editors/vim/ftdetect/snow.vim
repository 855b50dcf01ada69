" Vim filetype detection for Snow (.snow files)
autocmd BufNewFile,BufRead *.snow setfiletype snow
