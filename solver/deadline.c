/* deadline.c: the time limit of one solve call (vsolve_set_timeout) outside the SAT search. */
#include "deadline.h"
#include <stdio.h>
#include "sat.h"

double deadline_after(double seconds) { return seconds > 0 ? sat_now() + seconds : 0; }

int deadline_passed(double deadline) { return deadline > 0 && sat_now() >= deadline; }

void deadline_text(char *buf, size_t size, double seconds)
{
    snprintf(buf, size, "the solve stopped at its time limit of %g s (raise it with --timeout SECONDS, "
             "or vsolve_set_timeout)", seconds);
}

int deadline_error(vs_error *err, double seconds)
{
    char msg[200];
    deadline_text(msg, sizeof msg, seconds);
    return vs_error_set(err, VSOLVE_ETIMEOUT, "%s", msg);
}
