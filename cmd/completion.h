/* completion.h — shell completion scripts rendered from the command table
 * (commands.h): commands, each command's options, the values of options
 * that have a fixed set (--color=WHEN, seeds), .snow files and project
 * directories for PATH, and command names for `snow help`. */
#ifndef SNOW_COMPLETION_H
#define SNOW_COMPLETION_H

#include <stdbool.h>
#include <stdio.h>

/* Writes the script for `shell` ("bash" or "zsh"); false for another shell. */
bool completion_script(FILE *f, const char *shell);

#endif
