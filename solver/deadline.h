/* deadline.h: the time limit of one solve call (vsolve_set_timeout) outside the SAT search. */
#ifndef VSOLVE_DEADLINE_H
#define VSOLVE_DEADLINE_H
#include <stddef.h>
#include "error.h"

/* The monotonic time (sat_now() seconds) by which a call starting now and limited to `seconds`
 * must end; 0 when seconds is 0 (no limit). */
double deadline_after(double seconds);

/* Is `deadline` (0: none) past? */
int deadline_passed(double deadline);

/* The message of a call stopped at its time limit of `seconds`. */
void deadline_text(char *buf, size_t size, double seconds);

/* Sets err to VSOLVE_ETIMEOUT with deadline_text; returns VSOLVE_ETIMEOUT. */
int deadline_error(vs_error *err, double seconds);

#endif
