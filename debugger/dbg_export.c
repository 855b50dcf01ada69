/* dbg_export.c — placeholder */
#include "dbg.h"
bool dbg_export(Dbg *d, const char *file, char *err, size_t cap) { (void)d; (void)file; snprintf(err, cap, "todo"); return false; }
