/* dbg_tui.c — placeholder */
#include "dbg.h"
void dbg_tui_pause(Dbg *d) { d->action = ACT_QUIT; }
void dbg_tui_end(Dbg *d) { (void)d; }
