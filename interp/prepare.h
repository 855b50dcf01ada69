/* prepare.h — turns the resolved, type-checked project into prepared code
 * (eval_internal.h) and returns the `main` function value. */
#ifndef SNOW_PREPARE_H
#define SNOW_PREPARE_H

#include <stdbool.h>
#include "project.h"
#include "value.h"

bool prepare_program(Project *proj, Value *main_fn);
/* Same with another entry function of the Main module (the REPL's wrapper). */
bool prepare_entry(Project *proj, const char *entry, Value *fn);
/* REPL: keep the runtime type of a struct/sum type whose definition text is
 * unchanged from one compilation to the next. */
void prepare_keep_types(bool on);

#endif
