/* prepare.h — turns the resolved, type-checked project into prepared code
 * (eval_internal.h) and returns the `main` function value. */
#ifndef SNOW_PREPARE_H
#define SNOW_PREPARE_H

#include <stdbool.h>
#include "project.h"
#include "value.h"

bool prepare_program(Project *proj, Value *main_fn);

#endif
