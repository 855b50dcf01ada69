/* modname.h — the one mapping between module names and file paths
 * (language.md §8): "math_ops.snow" is MathOps, "math/vector.snow" is
 * Math.Vector.  Pure string functions, used by the project loader, the
 * parser and the resolver (for hints that name a module's file). */
#ifndef SNOW_MODNAME_H
#define SNOW_MODNAME_H

/* Module name for a path relative to the project root: "math_ops.snow" ->
 * "MathOps", "math/vector.snow" -> "Math.Vector" (malloc'd). */
char *modname_of_path(const char *relpath);
/* The inverse, as the file a module would be: "MathOps" -> "math_ops.snow",
 * "Math.Vector" -> "math/vector.snow", "HTTPServer" -> "http_server.snow"
 * (malloc'd). */
char *modname_file(const char *name);

#endif
