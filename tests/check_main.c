/* check_main.c: runs every suite of the test suite (the list is generated from tests/test_*.c).
 * Usage: vsolve_tests [SUITE]   -- only the named suite when given. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.inc"
#undef SUITE

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    SRunner *runner = srunner_create(NULL);
#define SUITE(name) \
    if (!only || strcmp(only, #name) == 0) srunner_add_suite(runner, name##_suite());
#include "suites.inc"
#undef SUITE
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
