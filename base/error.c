/* error.c: filling vs_error values. */
#include "error.h"
#include <stdarg.h>
#include <stdio.h>

void vs_error_clear(vs_error *e)
{
    e->code = VSOLVE_OK;
    e->message[0] = '\0';
}

int vs_error_set(vs_error *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

int vs_error_at(vs_error *e, const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
    int n = snprintf(e->message, sizeof e->message, "%s:%u:%u: ", file ? file : "<input>", line, col);
    if (n < 0 || (size_t)n >= sizeof e->message)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message + n, sizeof e->message - (size_t)n, fmt, ap);
    va_end(ap);
    e->code = VSOLVE_EBADINPUT;
    return VSOLVE_EBADINPUT;
}
