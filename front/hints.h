/* hints.h — help for names a learner brings from other languages
 * (`len`, `puts`, `IO.puts`, `Enum.map`, `null`, ...): the resolver asks
 * here before falling back on edit-distance suggestions.  Pure lookup in a
 * static table; no state. */
#ifndef SNOW_HINTS_H
#define SNOW_HINTS_H

/* The help text for `name` (module NULL) or `module.name` that is not
 * defined, or NULL when the name is not a familiar one.  The text is a
 * complete sentence for a `= help:` line. */
const char *hint_familiar(const char *module, const char *name);

/* The help text for an unknown module name used as `module.name`
 * (`Enum`, `Integer`, `console`, `fmt`, ...), or NULL. */
const char *hint_familiar_module(const char *module, const char *name);

#endif
