/* npm_order.c: package-name order as npm sorts (ICU root collation, String.localeCompare(b, 'en')). */
#include "npm_tree_internal.h"

/* ---- string order: ICU root collation, as String.localeCompare(b, 'en') orders package names ---- */

static int primary_weight(unsigned char c)
{
    static const char punct[] = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
    if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z')
        return 200 + (c - 'a');
    if (c >= '0' && c <= '9')
        return 100 + (c - '0');
    const char *p = c ? strchr(punct, c) : NULL;
    if (p)
        return 10 + (int)(p - punct);
    return c < 128 ? 5 : 300 + c;
}

int npm_locale_compare(const char *a, const char *b)
{
    size_t i = 0;
    for (;; i++) {
        int wa = a[i] ? primary_weight((unsigned char)a[i]) : 0;
        int wb = b[i] ? primary_weight((unsigned char)b[i]) : 0;
        if (wa != wb)
            return wa < wb ? -1 : 1;
        if (!a[i])
            break;
    }
    for (i = 0; a[i] && b[i]; i++) {   /* tertiary: lower case first */
        int la = a[i] >= 'a' && a[i] <= 'z', lb = b[i] >= 'a' && b[i] <= 'z';
        int ua = a[i] >= 'A' && a[i] <= 'Z', ub = b[i] >= 'A' && b[i] <= 'Z';
        if (la && ub)
            return -1;
        if (ua && lb)
            return 1;
    }
    int c = strcmp(a, b);
    return c < 0 ? -1 : c > 0;
}
