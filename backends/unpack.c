/* unpack.c: libarchive extraction with path, link, type and size checks; opam's top-dir strip. */
#define _XOPEN_SOURCE 700
#include "unpack.h"
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT ? -1 : 0;
}

int bk_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

static struct archive *open_reader(const char *path)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_format_zip(a);
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
        return a;   /* the caller reads archive_error_string */
    return a;
}

/* Checks a relative path: not absolute, no ".." component, not empty. Normalises "./" parts
 * away into out. 0 when safe. */
static int clean_path(const char *p, char *out, size_t size)
{
    if (!p || p[0] == '/' || strlen(p) >= size)
        return -1;
    size_t n = 0;
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 2 && s[0] == '.' && s[1] == '.')
            return -1;
        if (len > 0 && !(len == 1 && s[0] == '.')) {
            if (n)
                out[n++] = '/';
            memcpy(out + n, s, len);
            n += len;
        }
        s += len;
        if (*s == '/')
            s++;
    }
    out[n] = '\0';
    return 0;
}

/* The first component of a clean path (into out); returns 1 when the path has more after it. */
static int first_component(const char *p, char *out, size_t size)
{
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len >= size)
        len = size - 1;
    memcpy(out, p, len);
    out[len] = '\0';
    return e && e[1];
}

/* Whether a symlink at clean path `at` with target `target` stays inside the tree. */
static int link_inside(const char *at, const char *target)
{
    if (!target || !*target || target[0] == '/')
        return 0;
    long depth = 0;   /* depth of the link's directory */
    for (const char *p = at; *p; p++)
        if (*p == '/')
            depth++;
    const char *s = target;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (--depth < 0)
                return 0;
        } else if (len > 0 && !(len == 1 && s[0] == '.'))
            depth++;
        s += len;
        if (*s == '/')
            s++;
    }
    return 1;
}

/* An entry name from an archive, made safe to print: control bytes, DEL, quotes and backslashes
 * become \xHH (names come from the network and must not reach a terminal raw). */
static void printable(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (; in && *in && n + 5 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            out[n++] = '\\', out[n++] = 'x', out[n++] = hex[c >> 4], out[n++] = hex[c & 15];
        } else
            out[n++] = (char)c;
    }
    out[n] = '\0';
}

/* First pass: the common top directory, if every entry lies under one ("" otherwise). */
static int find_top(const char *archive, char *top, size_t size, vs_error *err)
{
    struct archive *a = open_reader(archive);
    if (!a)
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    struct archive_entry *e;
    int r, first = 1, single = 1;
    char clean[4096], comp[4096];
    top[0] = '\0';
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        if (clean_path(archive_entry_pathname(e), clean, sizeof clean) != 0 || !clean[0])
            continue;   /* refused or skipped by the second pass */
        int deeper = first_component(clean, comp, sizeof comp);
        int is_dir_entry = archive_entry_filetype(e) == AE_IFDIR;
        if (!deeper && !is_dir_entry)
            single = 0;   /* a file at the top level */
        if (first)
            snprintf(top, size, "%s", comp), first = 0;
        else if (strcmp(top, comp) != 0)
            single = 0;
    }
    if (r != ARCHIVE_EOF) {
        vs_error_set(err, VSOLVE_EBADINPUT, "%s: not a readable archive (truncated or corrupt?): %s", archive,
                     archive_error_string(a) ? archive_error_string(a) : "unknown error");
        archive_read_free(a);
        return err->code;
    }
    archive_read_free(a);
    if (!single || first)
        top[0] = '\0';
    return VSOLVE_OK;
}

/* The path of clean inside the tree after stripping top; NULL for the top directory itself. */
static const char *strip(const char *clean, const char *top)
{
    size_t n = strlen(top);
    if (!n)
        return clean;
    if (strncmp(clean, top, n) != 0 || (clean[n] != '/' && clean[n] != '\0'))
        return clean;   /* cannot happen when top is common */
    return clean[n] ? clean + n + 1 : NULL;
}

int bk_unpack(const char *archive, const char *dest, const bk_limits *lim, vs_error *err)
{
    char top[4096];
    int rc = find_top(archive, top, sizeof top, err);
    if (rc != VSOLVE_OK)
        return rc;
    if (mkdir(dest, 0755) != 0)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot create: %s", dest, strerror(errno));
    struct archive *a = open_reader(archive);
    struct archive *w = archive_write_disk_new();
    if (!a || !w) {
        archive_read_free(a);
        archive_write_free(w);
        return vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
    }
    /* Entries are checked above and written under dest's (possibly absolute) path, so libarchive's
     * own absolute-path guard cannot apply; its symlink and ".." guards stay on as a second line. */
    archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                          ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_NO_OVERWRITE);
    archive_write_disk_set_standard_lookup(w);
    struct archive_entry *e;
    unsigned long entries = 0;
    unsigned long long bytes = 0;
    int r;
    rc = VSOLVE_OK;
    char clean[4096], full[8192], lclean[4096], lfull[8192];
    while (rc == VSOLVE_OK && ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)) {
        char name[1024], shown[1024];   /* the entry's own name, printable, for messages */
        const char *orig = archive_entry_pathname(e);
        printable(orig, name, sizeof name);
        if (clean_path(orig, clean, sizeof clean) != 0) {
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: unsafe entry \"%.300s\": absolute or with a \"..\" component",
                              archive, name);
            break;
        }
        const char *rel = clean[0] ? strip(clean, top) : NULL;
        if (!rel)
            continue;   /* "." or the stripped top directory */
        if (++entries > lim->max_entries) {
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: more than %lu entries (the entry-count limit)", archive,
                              lim->max_entries);
            break;
        }
        mode_t type = archive_entry_filetype(e);
        const char *hl = archive_entry_hardlink(e);
        if (hl) {
            const char *hrel = clean_path(hl, lclean, sizeof lclean) == 0 && lclean[0] ? strip(lclean, top) : NULL;
            if (!hrel) {
                printable(hl, shown, sizeof shown);
                rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: entry \"%.300s\" is a hard link to \"%.300s\", outside the tree",
                                  archive, name, shown);
                break;
            }
            snprintf(lfull, sizeof lfull, "%s/%s", dest, hrel);
            archive_entry_set_hardlink(e, lfull);
        } else if (type == AE_IFLNK) {
            const char *target = archive_entry_symlink(e);
            if (!link_inside(rel, target)) {
                printable(target, shown, sizeof shown);
                rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: entry \"%.300s\" is a symbolic link to \"%.300s\", "
                                  "outside the tree", archive, name, shown);
                break;
            }
        } else if (type != AE_IFREG && type != AE_IFDIR) {
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: entry \"%.300s\" is a device, FIFO or socket: refused",
                              archive, name);
            break;
        }
        long long size = archive_entry_size(e);
        if (size > 0 && (unsigned long long)size > lim->max_bytes - bytes) {
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: more than %llu bytes unpacked (the size limit)", archive,
                              lim->max_bytes);
            break;
        }
        snprintf(full, sizeof full, "%s/%s", dest, rel);
        archive_entry_set_pathname(e, full);
        archive_entry_set_mode(e, (archive_entry_mode(e) & 0755) | (type == AE_IFDIR ? 0700 : 0600) | type);
        if (archive_write_header(w, e) < ARCHIVE_WARN) {
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: cannot extract \"%.300s\": %s", archive, name,
                              archive_error_string(w));
            break;
        }
        const void *buf;
        size_t len;
        la_int64_t off;
        while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
            bytes += len;
            if (bytes > lim->max_bytes) {
                rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: more than %llu bytes unpacked (the size limit)", archive,
                                  lim->max_bytes);
                break;
            }
            if (archive_write_data_block(w, buf, len, off) < ARCHIVE_WARN) {
                rc = vs_error_set(err, VSOLVE_EIO, "%s: writing \"%.300s\": %s", archive, name, archive_error_string(w));
                break;
            }
        }
        if (rc == VSOLVE_OK && r != ARCHIVE_EOF)
            rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: entry \"%.300s\" is truncated or corrupt: %s", archive, name,
                              archive_error_string(a) ? archive_error_string(a) : "read error");
        if (rc == VSOLVE_OK && archive_write_finish_entry(w) < ARCHIVE_WARN)
            rc = vs_error_set(err, VSOLVE_EIO, "%s: finishing \"%.300s\": %s", archive, name, archive_error_string(w));
    }
    if (rc == VSOLVE_OK && r != ARCHIVE_EOF)
        rc = vs_error_set(err, VSOLVE_EBADINPUT, "%s: truncated or corrupt archive: %s", archive,
                          archive_error_string(a) ? archive_error_string(a) : "read error");
    if (archive_write_close(w) != ARCHIVE_OK && rc == VSOLVE_OK)
        rc = vs_error_set(err, VSOLVE_EIO, "%s: %s", dest, archive_error_string(w));
    archive_write_free(w);
    archive_read_free(a);
    return rc;
}
