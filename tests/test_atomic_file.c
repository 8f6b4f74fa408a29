/* test_atomic_file.c: a file is replaced whole or not at all, and only a regular file is replaced. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atomic_file.h"

static void read_all(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

START_TEST(replaces_whole_or_not_at_all)
{
    char dir[] = "/tmp/vsolve-atomic-XXXXXX", path[256], buf[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/lock", dir);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(atomic_file_write(path, "old\n", 4, &err), VSOLVE_OK);
    chmod(path, 0600);

    vs_atomic_file af;
    ck_assert_int_eq(atomic_file_open(&af, path, &err), VSOLVE_OK);
    fputs("half of a new", af.f);
    fflush(af.f);
    read_all(path, buf, sizeof buf);
    ck_assert_str_eq(buf, "old\n");            /* untouched while being written */
    atomic_file_abort(&af);
    read_all(path, buf, sizeof buf);
    ck_assert_str_eq(buf, "old\n");            /* and after an abort */
    ck_assert_uint_eq(entries(dir), 1);        /* no temporary file left */

    ck_assert_int_eq(atomic_file_write(path, "new\n", 4, &err), VSOLVE_OK);
    read_all(path, buf, sizeof buf);
    ck_assert_str_eq(buf, "new\n");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600); /* the target's permissions are kept */
    ck_assert_uint_eq(entries(dir), 1);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(refuses_what_is_not_a_regular_file)
{
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(atomic_file_write("/dev/null", "x", 1, &err), VSOLVE_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    ck_assert_int_eq(atomic_file_write("/tmp", "x", 1, &err), VSOLVE_EIO);
    ck_assert_int_eq(atomic_file_write("/nonexistent-dir/lock", "x", 1, &err), VSOLVE_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent-dir/lock"));
}
END_TEST

Suite *atomic_file_suite(void)
{
    Suite *s = suite_create("atomic_file");
    TCase *tc = tcase_create("atomic_file");
    tcase_add_test(tc, replaces_whole_or_not_at_all);
    tcase_add_test(tc, refuses_what_is_not_a_regular_file);
    suite_add_tcase(s, tc);
    return s;
}
