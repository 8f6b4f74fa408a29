/* opam_version.c: opam's version order (OpamVersionCompare: Debian-like, '~' sorts first). */
#include "opam_version.h"
#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Order of two non-digit characters: '~' first, then letters, then everything else (by byte). */
static int compare_chars(char a, char b)
{
    int rank_a = a == '~' ? 0 : is_letter(a) ? 1 : 2;
    int rank_b = b == '~' ? 0 : is_letter(b) ? 1 : 2;
    if (rank_a != rank_b)
        return rank_a < rank_b ? -1 : 1;
    if (a == b)
        return 0;
    return (unsigned char)a < (unsigned char)b ? -1 : 1;
}

static size_t skip_zeros(const char *s, size_t i, size_t end)
{
    while (i < end && s[i] == '0')
        i++;
    return i;
}

static size_t skip_digits(const char *s, size_t i, size_t end)
{
    while (i < end && is_digit(s[i]))
        i++;
    return i;
}

/* Compares x[xi..xend) with y[yi..yend): character by character, except that where both
 * continue with digits the digit runs are compared as numbers (of any length). */
static int compare_part(const char *x, size_t xi, size_t xend, const char *y, size_t yi, size_t yend)
{
    for (;;) {
        if (xi == xend && yi == yend)
            return 0;
        if (xi == xend) {
            /* x is exhausted: it equals y if y has only zeros left; it is greater if y's next
             * significant character is '~', smaller otherwise. */
            size_t rest = skip_zeros(y, yi, yend);
            if (rest == yend)
                return 0;
            return y[rest] == '~' ? 1 : -1;
        }
        if (yi == yend) {
            size_t rest = skip_zeros(x, xi, xend);
            if (rest == xend)
                return 0;
            return x[rest] == '~' ? -1 : 1;
        }
        int x_digit = is_digit(x[xi]), y_digit = is_digit(y[yi]);
        if (x_digit && y_digit) {
            xi = skip_zeros(x, xi, xend);
            yi = skip_zeros(y, yi, yend);
            size_t x_run_end = skip_digits(x, xi, xend);
            size_t y_run_end = skip_digits(y, yi, yend);
            size_t x_len = x_run_end - xi, y_len = y_run_end - yi;
            if (x_len != y_len)
                return x_len < y_len ? -1 : 1;
            for (; xi < x_run_end; xi++, yi++)
                if (x[xi] != y[yi])
                    return x[xi] < y[yi] ? -1 : 1;
            continue;
        }
        /* A digit is smaller than any other character except '~'. */
        if (x_digit)
            return y[yi] == '~' ? 1 : -1;
        if (y_digit)
            return x[xi] == '~' ? -1 : 1;
        int c = compare_chars(x[xi], y[yi]);
        if (c != 0)
            return c;
        xi++;
        yi++;
    }
}

/* Index of the last '-' in s[0..len), or len when there is none. */
static size_t last_dash(const char *s, size_t len)
{
    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '-')
            return i - 1;
    return len;
}

int opam_version_compare(const char *a, const char *b)
{
    size_t a_len = strlen(a), b_len = strlen(b);
    size_t a_dash = last_dash(a, a_len), b_dash = last_dash(b, b_len);
    int c = compare_part(a, 0, a_dash, b, 0, b_dash);
    if (c != 0)
        return c;
    size_t a_rev = a_dash < a_len ? a_dash + 1 : a_len;
    size_t b_rev = b_dash < b_len ? b_dash + 1 : b_len;
    return compare_part(a, a_rev, a_len, b, b_rev, b_len);
}
