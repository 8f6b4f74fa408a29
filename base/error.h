/* error.h: errors as values: a status code plus a message, parse errors prefixed with file:line:col. */
#ifndef VSOLVE_ERROR_H
#define VSOLVE_ERROR_H
#include "vsolve.h"

typedef struct vs_error {
    int code;            /* a VSOLVE_* status; VSOLVE_OK when nothing went wrong */
    char message[1024];  /* human-readable, complete sentence(s); "" when code is VSOLVE_OK */
} vs_error;

void vs_error_clear(vs_error *e);
/* Sets code and a printf-style message; returns code so callers can `return vs_error_set(...)`. */
int vs_error_set(vs_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with the message prefixed by "file:line:col: " (VSOLVE_EBADINPUT). */
int vs_error_at(vs_error *e, const char *file, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
