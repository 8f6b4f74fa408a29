/* fetch.c: download caches in opam's layout, fetching with libcurl, verifying before use. */
#include "fetch.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include "atomic_file.h"
#include "hash.h"

const char *bk_source_packages(const bk_source *s, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n_packages && n + 1 < size; i++) {
        int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", s->packages[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return buf;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

void bk_default_caches(bk_caches *c, const char **dirs, char bufs[][4096])
{
    memset(c, 0, sizeof *c);
    c->dirs = dirs;
    const char *opamroot = getenv("OPAMROOT"), *home = getenv("HOME");
    if (opamroot && *opamroot)
        snprintf(bufs[0], 4096, "%s/download-cache", opamroot);
    else if (home && *home)
        snprintf(bufs[0], 4096, "%s/.opam/download-cache", home);
    else
        bufs[0][0] = '\0';
    if (bufs[0][0] && is_dir(bufs[0]))
        dirs[c->n_dirs++] = bufs[0];
    const char *env = getenv("VSOLVE_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    if (env && *env)
        snprintf(bufs[1], 4096, "%s/download-cache", env);
    else if (xdg && *xdg)
        snprintf(bufs[1], 4096, "%s/vsolve/download-cache", xdg);
    else if (home && *home)
        snprintf(bufs[1], 4096, "%s/.cache/vsolve/download-cache", home);
    else
        return;
    dirs[c->n_dirs++] = bufs[1];
    c->store = bufs[1];
}

static void cache_path(char *out, size_t size, const char *dir, const bk_checksum *ck)
{
    snprintf(out, size, "%s/%s/%.2s/%s", dir, bk_hash_name(ck->kind), ck->hex, ck->hex);
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Verifies the file at path against every checksum of s. */
static int verify(const bk_source *s, const char *path, const char *origin, vs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vs_error_set(err, VSOLVE_EIO, "%s: %s", path, strerror(errno));
    bk_digests d;
    int rc = bk_hash_file(f, path, &d, err);
    fclose(f);
    if (rc != VSOLVE_OK)
        return rc;
    const bk_checksum *bad = bk_first_mismatch(s, &d);
    if (!bad)
        return VSOLVE_OK;
    char pk[512];
    return vs_error_set(err, VSOLVE_EBADINPUT,
                        "checksum mismatch for %s (dir %s): %s\n  archive: %s (%s, %llu bytes)\n"
                        "  expected %s=%s\n  actual   %s=%s\n  nothing was unpacked",
                        bk_source_packages(s, pk, sizeof pk), s->dir, s->url, path, origin, d.bytes,
                        bk_hash_name(bad->kind), bad->hex, bk_hash_name(bad->kind), d.hex[bad->kind]);
}

typedef struct sink {
    FILE *f;
    unsigned long long bytes;
} sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *user)
{
    sink *s = user;
    size_t n = size * nmemb;
    s->bytes += n;
    if (s->bytes > BK_MAX_ARCHIVE_BYTES)
        return 0;
    return fwrite(ptr, 1, n, s->f);
}

/* Fetches s->url into the store under its strongest checksum, verified; links the other kinds. */
static int fetch(const bk_caches *c, const bk_source *s, char **path, vs_error *err)
{
    char pk[512], target[4096], dir[4096];
    bk_source_packages(s, pk, sizeof pk);
    if (c->offline || !c->store)
        return vs_error_set(err, VSOLVE_EIO, "missing source for %s (dir %s): %s is in no download cache%s",
                            pk, s->dir, s->url, c->offline ? " and fetching is off" : " and there is no cache to fetch into");
    const bk_checksum *best = bk_strongest(s);
    cache_path(target, sizeof target, c->store, best);
    snprintf(dir, sizeof dir, "%s", target);
    *strrchr(dir, '/') = '\0';
    if (mkdir_p(dir) != 0)
        return vs_error_set(err, VSOLVE_EIO, "%s: cannot create: %s", dir, strerror(errno));
    vs_atomic_file af;
    int rc = atomic_file_open(&af, target, err);
    if (rc != VSOLVE_OK)
        return rc;
    CURL *h = curl_easy_init();
    if (!h) {
        atomic_file_abort(&af);
        return vs_error_set(err, VSOLVE_ENOMEM, "cannot start libcurl");
    }
    char curl_err[CURL_ERROR_SIZE] = "";
    sink sk = { af.f, 0 };
    curl_easy_setopt(h, CURLOPT_URL, s->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "file,http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)BK_MAX_ARCHIVE_BYTES);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vsolve-pull");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sk);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK) {
        atomic_file_abort(&af);
        if (sk.bytes > BK_MAX_ARCHIVE_BYTES)
            return vs_error_set(err, VSOLVE_EIO, "%s (dir %s): %s is larger than the limit of %llu bytes",
                                pk, s->dir, s->url, BK_MAX_ARCHIVE_BYTES);
        return vs_error_set(err, VSOLVE_EIO, "missing source for %s (dir %s): %s: not in the download caches, "
                            "and fetching failed: %s", pk, s->dir, s->url, curl_err[0] ? curl_err : curl_easy_strerror(cc));
    }
    if (fflush(af.f) != 0) {
        atomic_file_abort(&af);
        return vs_error_set(err, VSOLVE_EIO, "%s: write error", target);
    }
    rc = verify(s, af.tmp, "as fetched", err);
    if (rc != VSOLVE_OK) {
        atomic_file_abort(&af);
        return rc;
    }
    if ((rc = atomic_file_commit(&af, err)) != VSOLVE_OK)
        return rc;
    for (size_t i = 0; i < s->n_checksums; i++) {   /* as opam: findable by every checksum kind */
        char other[4096], odir[4096];
        if (&s->checksums[i] == best || s->checksums[i].kind == best->kind)
            continue;
        cache_path(other, sizeof other, c->store, &s->checksums[i]);
        snprintf(odir, sizeof odir, "%s", other);
        *strrchr(odir, '/') = '\0';
        if (mkdir_p(odir) == 0 && access(other, F_OK) != 0 && link(target, other) != 0)
            (void)0;   /* a missing alias only costs a later lookup by that kind */
    }
    *path = strdup(target);
    return *path ? VSOLVE_OK : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
}

int bk_obtain(const bk_caches *c, const bk_source *s, char **path, int *fetched, vs_error *err)
{
    *path = NULL;
    *fetched = 0;
    for (size_t d = 0; d < c->n_dirs; d++)
        for (size_t i = 0; i < s->n_checksums; i++) {
            char p[4096];
            cache_path(p, sizeof p, c->dirs[d], &s->checksums[i]);
            struct stat st;
            if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            int rc = verify(s, p, "from the download cache", err);
            if (rc != VSOLVE_OK)
                return rc;
            *path = strdup(p);
            return *path ? VSOLVE_OK : vs_error_set(err, VSOLVE_ENOMEM, "out of memory");
        }
    *fetched = 1;
    return fetch(c, s, path, err);
}
