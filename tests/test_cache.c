/* test_cache.c: the universe cache: round trip, corruption, version and staleness detection,
 * and the library's use of it (a stale or corrupt cache is rebuilt, never trusted). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cache.h"
#include "opam_repo.h"
#include "opam_version.h"
#include "solve.h"
#include "testutil.h"
#include "universe_image.h"
#include "vsolve.h"

static void load_mini(vs_universe *u)
{
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    opam_vars vars;
    ck_assert_int_eq(opam_vars_init(&vars), VSOLVE_OK);
    vs_error err;
    vs_error_clear(&err);
    int rc = opam_load_repository(u, test_source_path("corpora/mirage-mini"), &vars, NULL, &err);
    ck_assert_msg(rc == VSOLVE_OK, "%s", err.message);
    opam_vars_free(&vars);
}

/* Two clauses are the same: equal providers and condition, equal description text (string ids
 * differ between a universe and its image: the image renumbers its strings). */
static void assert_same_clause(const vs_universe *a, const vs_universe *b, size_t i)
{
    const vs_clause *x = &a->clauses.items[i], *y = &b->clauses.items[i];
    ck_assert_msg(x->first == y->first && x->count == y->count && x->cond == y->cond, "clause %zu differs", i);
    ck_assert_str_eq(universe_str(a, x->desc), universe_str(b, y->desc));
}

/* The same attributes: equal triples, equal key names and value texts. */
static void assert_same_attrs(const vs_attrs *a, const vs_attrs *b)
{
    ck_assert(!attrs_pending(a) && !attrs_pending(b));
    ck_assert_uint_eq(a->items.len, b->items.len);
    for (size_t i = 0; i < a->items.len; i++) {
        const vs_attr *x = &a->items.items[i], *y = &b->items.items[i];
        ck_assert_uint_eq(x->pkg, y->pkg);
        ck_assert_str_eq(attrs_key_name(a, x->key), attrs_key_name(b, y->key));
        ck_assert_str_eq(attrs_str(a, x->value), attrs_str(b, y->value));
    }
}

/* Two universes are the same: every array equal, every string reference to an equal string. */
static void assert_same_universe(const vs_universe *a, const vs_universe *b)
{
    ck_assert_uint_eq(a->pkgs.len, b->pkgs.len);
    for (size_t i = 0; i < a->pkgs.len; i++) {
        vs_pkg x = a->pkgs.items[i], y = b->pkgs.items[i];
        ck_assert_str_eq(universe_str(a, x.version), universe_str(b, y.version));
        x.user = y.user = NULL;
        x.version = y.version = 0;
        ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "package %zu differs", i);
    }
    ck_assert_uint_eq(a->names.len, b->names.len);
    for (size_t i = 0; i < a->names.len; i++) {
        vs_name x = a->names.items[i], y = b->names.items[i];
        ck_assert_str_eq(universe_str(a, x.str), universe_str(b, y.str));
        x.str = y.str = 0;
        ck_assert_int_eq(memcmp(&x, &y, sizeof x), 0);
    }
    ck_assert_uint_eq(a->clauses.len, b->clauses.len);
    for (size_t i = 0; i < a->clauses.len; i++)
        assert_same_clause(a, b, i);
    ck_assert_uint_eq(a->groups.len, b->groups.len);
    for (size_t i = 0; i < a->groups.len; i++) {
        vs_group x = a->groups.items[i], y = b->groups.items[i];
        ck_assert_str_eq(universe_str(a, x.desc), universe_str(b, y.desc));
        ck_assert(x.first == y.first && x.count == y.count);
    }
    ck_assert_uint_eq(a->ids.len, b->ids.len);
    ck_assert_int_eq(memcmp(a->ids.items, b->ids.items, a->ids.len * sizeof *a->ids.items), 0);
    ck_assert_uint_eq(universe_find_name(a, "tcpip"), universe_find_name(b, "tcpip"));
}

static char *temp_dir(void)
{
    char *dir = strdup("/tmp/vsolve-cache-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

/* Removes a temp_dir with what is in it, and frees its name. */
static void remove_temp_dir(char *dir)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

/* Truncations and single-byte corruptions of one part of an image: an error or a consistent
 * universe, never a crash (ASan/UBSan build). Part 0 is the core, 1 the descriptions, c + 2
 * chunk c, n_chunks + 2 the attributes. */
static size_t *part_len(universe_image *img, uint32_t part)
{
    return part == 0 ? &img->core_len : part == 1 ? &img->descs_len
         : part == img->n_chunks + 2 ? &img->attrs_len : &img->chunk_lens[part - 2];
}

static void damage_part(universe_image *img, uint32_t part)
{
    unsigned char *bytes = part == 0 ? img->core : part == 1 ? img->descs
                         : part == img->n_chunks + 2 ? img->attrs : img->chunks[part - 2];
    size_t len = *part_len(img, part);
    vs_universe v;
    vs_error err;
    for (size_t cut = 0; cut < len; cut += 1 + cut / 16) {
        *part_len(img, part) = cut;
        universe_init(&v);
        ck_assert_int_eq(universe_image_read(&v, img, &err), VSOLVE_EBADINPUT);
        universe_free(&v);
    }
    *part_len(img, part) = len;
    for (size_t at = 0; at < len; at += 7) {
        unsigned char saved = bytes[at];
        bytes[at] ^= 0x5a;
        universe_init(&v);
        int rc = universe_image_read(&v, img, &err);
        ck_assert(rc == VSOLVE_OK || rc == VSOLVE_EBADINPUT);
        universe_free(&v);
        bytes[at] = saved;
    }
}

START_TEST(image_round_trip)
{
    vs_universe u, v;
    load_mini(&u);
    universe_image img;
    ck_assert_int_eq(universe_image_write(&u, &img), VSOLVE_OK);
    ck_assert_uint_ge(img.n_chunks, 1);
    universe_init(&v);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(universe_image_read(&v, &img, &err), VSOLVE_OK);
    ck_assert_ptr_null(v.pending);
    assert_same_universe(&u, &v);
    assert_same_attrs(&u.attrs, &v.attrs);
    universe_free(&v);
    damage_part(&img, 0);
    damage_part(&img, 1);
    damage_part(&img, img.n_chunks + 1);
    damage_part(&img, img.n_chunks + 2);
    universe_image_free(&img);
    universe_free(&u);
}
END_TEST

/* A universe of many names is cut into several chunks; the core alone leaves every clause
 * pending, and reading chunks by name fills in exactly those names' clauses. */
START_TEST(image_chunks_read_by_name)
{
    vs_universe u, v;
    ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
    char name[32];
    const uint32_t n_names = 3000;
    for (uint32_t i = 0; i < n_names; i++) {
        snprintf(name, sizeof name, "p%05u", i);
        uint32_t nm = universe_intern(&u, name, strlen(name));
        ck_assert_int_eq(universe_add_package(&u, nm, universe_intern(&u, "1", 1), 0, NULL), VSOLVE_OK);
        ck_assert_int_eq(universe_add_package(&u, nm, universe_intern(&u, "2", 1), 0, NULL), VSOLVE_OK);
    }
    ck_assert_int_eq(universe_sort(&u, strcmp), VSOLVE_OK);
    for (uint32_t p = 0; p < u.pkgs.len; p++) {   /* each version needs the next name, twice */
        uint32_t next = (p / 2 + 1) % n_names * 2;
        uint32_t providers[2] = { next, next + 1 };
        snprintf(name, sizeof name, "need %u", p);
        ck_assert_int_eq(universe_add_clause(&u, p, universe_intern(&u, name, strlen(name)), providers, 2), VSOLVE_OK);
        ck_assert_int_eq(universe_add_clause(&u, p, 0, providers + (p % 2), 1), VSOLVE_OK);
    }
    universe_image img;
    ck_assert_int_eq(universe_image_write(&u, &img), VSOLVE_OK);
    ck_assert_uint_gt(img.n_chunks, 2);
    universe_init(&v);
    vs_error err;
    vs_error_clear(&err);
    unsigned char *core = malloc(img.core_len);
    memcpy(core, img.core, img.core_len);
    ck_assert_int_eq(universe_image_read_core(&v, core, img.core_len, UINT32_MAX, &err), VSOLVE_OK);
    ck_assert_ptr_nonnull(v.pending);
    ck_assert_uint_eq(v.pending->n_chunks, img.n_chunks);
    /* the descriptions are not in the core: they read as "" until read */
    ck_assert_uint_lt(v.strings.unhashed_first, u.strings.count - 5000);
    ck_assert_str_eq(universe_str(&v, v.strings.unhashed_first), "");
    ck_assert_int_eq(universe_need_descs(&v, &err), VSOLVE_EBADINPUT);   /* no reader plugged in */
    unsigned char *descs = malloc(img.descs_len);
    memcpy(descs, img.descs, img.descs_len);
    ck_assert_int_eq(universe_image_read_descs(&v, descs, img.descs_len, &err), VSOLVE_OK);
    ck_assert_uint_eq(strpool_find(&v.strings, "need 7", 6), UINT32_MAX);   /* shown, not looked up */
    ck_assert_uint_eq(v.clauses.len, u.clauses.len);
    /* no reader plugged in: needing a clause is an error, not a silent empty clause */
    ck_assert_int_eq(universe_need_name(&v, 0, &err), VSOLVE_EBADINPUT);
    for (uint32_t c = 0; c < img.n_chunks; c++) {
        ck_assert_int_eq(universe_image_read_chunk(&v, c, img.chunks[c], img.chunk_lens[c], &err), VSOLVE_OK);
        uint32_t lo = c ? v.pending->clause_end[c - 1] : 0, hi = v.pending->clause_end[c];
        for (uint32_t i = lo; i < hi; i++)
            assert_same_clause(&u, &v, i);
        /* a chunk is not accepted in another chunk's place */
        if (c + 1 < img.n_chunks)
            ck_assert_int_eq(universe_image_read_chunk(&v, c + 1, img.chunks[c], img.chunk_lens[c], &err), VSOLVE_EBADINPUT);
    }
    universe_free(&v);
    universe_image_free(&img);
    universe_free(&u);
}
END_TEST

START_TEST(cache_file_round_trip_and_damage)
{
    vs_universe u, v;
    load_mini(&u);
    char *dir = temp_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/sub/dir/x.vsc", dir);
    cache_key key = { 11, 22 };
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(cache_write(path, &u, &key, &err), VSOLVE_OK);
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_OK);
    ck_assert_ptr_nonnull(v.pending);   /* the clauses are read on demand */
    ck_assert_int_eq(universe_need_all(&v, &err), VSOLVE_OK);
    ck_assert_ptr_null(v.pending);
    assert_same_universe(&u, &v);
    /* the attributes stay in the file until asked for, then equal the parsed ones */
    ck_assert_uint_gt(u.attrs.items.len, 100);
    ck_assert(attrs_pending(&v.attrs));
    ck_assert_uint_eq(v.attrs.items.len, 0);
    ck_assert_int_eq(universe_need_attrs(&v, &err), VSOLVE_OK);
    assert_same_attrs(&u.attrs, &v.attrs);
    ck_assert_int_eq(universe_need_attrs(&v, &err), VSOLVE_OK);   /* once */
    universe_free(&v);

    /* stale: another source, other settings */
    cache_key other_source = { 12, 22 }, other_settings = { 11, 23 };
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &other_source, opam_version_compare, &err), VSOLVE_EBADINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "stale"));
    universe_free(&v);
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &other_settings, opam_version_compare, &err), VSOLVE_EBADINPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "other settings"));
    universe_free(&v);

    /* read the file, damage copies of it */
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)n);
    ck_assert_uint_eq(fread(bytes, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    long attrs_z = (long)(bytes[52] | bytes[53] << 8 | bytes[54] << 16 | (unsigned long)bytes[55] << 24);
    ck_assert(attrs_z > 0 && attrs_z < n - 64);
    long body_end = n - attrs_z;
    struct { long at; unsigned char xor; const char *expect; } damage[] = {
        { 0, 0x01, "not a vsolve cache" },        /* magic */
        { 20, 0x10, "header checksum" },          /* fingerprint */
        { 52, 0x01, "header checksum" },          /* the attributes' size */
        { 70, 0x20, "damaged" },                  /* compressed payload */
        { body_end - 2, 0x40, "damaged" },        /* the last stream's adler32 */
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        bytes[damage[i].at] ^= damage[i].xor;
        f = fopen(path, "wb");
        fwrite(bytes, 1, (size_t)n, f);
        fclose(f);
        bytes[damage[i].at] ^= damage[i].xor;
        universe_init(&v);
        vs_error_clear(&err);
        ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, "corrupt") && strstr(err.message, damage[i].expect),
                      "damage at %ld: %s", damage[i].at, err.message);
        universe_free(&v);
    }
    /* damaged attributes: the universe reads (a solve never looks at them); asking for them fails */
    for (long at = body_end + 3; at < n; at += attrs_z / 2) {
        bytes[at] ^= 0x08;
        f = fopen(path, "wb");
        fwrite(bytes, 1, (size_t)n, f);
        fclose(f);
        bytes[at] ^= 0x08;
        universe_init(&v);
        vs_error_clear(&err);
        ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_OK);
        ck_assert_int_eq(universe_need_all(&v, &err), VSOLVE_OK);
        ck_assert_int_eq(universe_need_attrs(&v, &err), VSOLVE_EBADINPUT);
        ck_assert_msg(strstr(err.message, "corrupt") && strstr(err.message, "attributes"), "%s", err.message);
        ck_assert_uint_eq(v.attrs.items.len, 0);
        universe_free(&v);
    }
    /* the file replaced after reading: the attributes still come from the file that was read */
    f = fopen(path, "wb");
    fwrite(bytes, 1, (size_t)n, f);
    fclose(f);
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_OK);
    remove(path);
    f = fopen(path, "wb");
    fputs("something else", f);
    fclose(f);
    ck_assert_int_eq(universe_need_attrs(&v, &err), VSOLVE_OK);
    assert_same_attrs(&u.attrs, &v.attrs);
    universe_free(&v);
    /* truncated file */
    f = fopen(path, "wb");
    fwrite(bytes, 1, (size_t)n / 2, f);
    fclose(f);
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_EBADINPUT);
    universe_free(&v);
    /* another format version (an older or newer vsolve): stale, not read */
    ck_assert_int_eq(cache_write(path, &u, &key, &err), VSOLVE_OK);
    f = fopen(path, "r+b");
    fseek(f, 8, SEEK_SET);
    fputc((int)VSOLVE_CACHE_FORMAT + 1, f);
    fclose(f);
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_EBADINPUT);
    ck_assert_msg(strstr(err.message, "stale") && strstr(err.message, "cache format"), "%s", err.message);
    universe_free(&v);
    /* missing */
    remove(path);
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "missing"));
    universe_free(&v);
    free(bytes);
    universe_free(&u);
    remove_temp_dir(dir);
}
END_TEST

START_TEST(fingerprint_follows_the_source)
{
    char *dir = temp_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/a", dir);
    FILE *f = fopen(path, "w");
    fputs("one", f);
    fclose(f);
    uint64_t h1, h2, h3, d1, d2;
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(cache_source_fingerprint(path, &h1, &err), VSOLVE_OK);
    ck_assert_int_eq(cache_source_fingerprint(dir, &d1, &err), VSOLVE_OK);
    ck_assert_int_eq(cache_source_fingerprint(path, &h2, &err), VSOLVE_OK);
    ck_assert(h1 == h2);
    f = fopen(path, "w");
    fputs("two!", f);     /* other size */
    fclose(f);
    ck_assert_int_eq(cache_source_fingerprint(path, &h3, &err), VSOLVE_OK);
    ck_assert(h3 != h1);
    ck_assert_int_eq(cache_source_fingerprint(dir, &d2, &err), VSOLVE_OK);
    ck_assert(d2 != d1);
    ck_assert_int_eq(cache_source_fingerprint("/nonexistent/x", &h3, &err), VSOLVE_EIO);
    remove_temp_dir(dir);
}
END_TEST

/* Through the library: index writes, a solve reads, an edit makes it stale and rebuilt, damage
 * makes it corrupt and rebuilt; answers never change. */
START_TEST(library_rebuilds_stale_and_corrupt_caches)
{
    char *dir = temp_dir();
    char repo[4200], cache[4200], cmd[9000];
    snprintf(repo, sizeof repo, "%s/repo", dir);
    snprintf(cache, sizeof cache, "%s/u.vsc", dir);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s'", test_source_path("corpora/mirage-mini"), repo);
    ck_assert_int_eq(system(cmd), 0);
    const char *atoms[] = { "mirage-unikernel-hello" };
    const char *statuses[4];
    char first_answer[4096] = "";
    for (int step = 0; step < 4; step++) {
        if (step == 2) {   /* edit a package: the cache is stale */
            snprintf(cmd, sizeof cmd, "printf '\\n# edited\\n' >> '%s/packages/tcpip/tcpip.8.2.0/opam'", repo);
            ck_assert_int_eq(system(cmd), 0);
        }
        if (step == 3) {   /* damage the cache */
            FILE *f = fopen(cache, "r+b");
            ck_assert_ptr_nonnull(f);
            fseek(f, 100, SEEK_SET);
            fputc(0xff, f);
            fputc(0x00, f);
            fclose(f);
        }
        vsolve_ctx *ctx = vsolve_new();
        ck_assert_int_eq(vsolve_set_cache(ctx, cache, step == 0 ? VSOLVE_CACHE_REFRESH : VSOLVE_CACHE_USE), VSOLVE_OK);
        ck_assert_msg(vsolve_load_opam(ctx, repo) == VSOLVE_OK, "%s", vsolve_errmsg(ctx));
        static char saved[4][2048];
        snprintf(saved[step], sizeof saved[step], "%s", vsolve_cache_status(ctx));
        statuses[step] = saved[step];
        vsolve_result *r;
        ck_assert_int_eq(vsolve_solve(ctx, atoms, 1, &r), VSOLVE_OK);
        char answer[4096] = "";
        for (size_t i = 0; i < vsolve_result_count(r); i++) {
            strncat(answer, vsolve_result_name(r, i), sizeof answer - strlen(answer) - 1);
            strncat(answer, vsolve_result_version(r, i), sizeof answer - strlen(answer) - 1);
        }
        if (step == 0)
            snprintf(first_answer, sizeof first_answer, "%s", answer);
        else
            ck_assert_str_eq(answer, first_answer);
        vsolve_result_free(r);
        vsolve_free(ctx);
    }
    ck_assert_msg(strncmp(statuses[0], "wrote ", 6) == 0, "%s", statuses[0]);
    ck_assert_msg(strncmp(statuses[1], "read ", 5) == 0, "%s", statuses[1]);
    ck_assert_msg(strstr(statuses[2], "stale") && strstr(statuses[2], "rebuilt"), "%s", statuses[2]);
    ck_assert_msg(strstr(statuses[3], "corrupt") && strstr(statuses[3], "rebuilt"), "%s", statuses[3]);
    remove_temp_dir(dir);
}
END_TEST

/* The real snapshot: the universe read back from its cache gives the same answers. */
START_TEST(snapshot_cache_same_answers)
{
    const char *snap = test_corpus_path("opam-repository-2026-08-22.tar.gz");
    if (!snap)
        return;
    vs_universe u, v;
    ck_assert_int_eq(universe_init(&u), VSOLVE_OK);
    opam_vars vars;
    opam_vars_init(&vars);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(opam_load_repository(&u, snap, &vars, NULL, &err), VSOLVE_OK);
    opam_vars_free(&vars);
    char *dir = temp_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/s.vsc", dir);
    cache_key key = { 1, 2 };
    ck_assert_int_eq(cache_write(path, &u, &key, &err), VSOLVE_OK);
    universe_init(&v);
    ck_assert_int_eq(cache_read(path, &v, &key, opam_version_compare, &err), VSOLVE_OK);
    ck_assert_ptr_nonnull(v.pending);   /* the clauses are read on demand */
    ck_assert_int_eq(universe_need_all(&v, &err), VSOLVE_OK);
    ck_assert_ptr_null(v.pending);
    assert_same_universe(&u, &v);
    /* the attributes stay in the file until asked for, then equal the parsed ones */
    ck_assert_uint_gt(u.attrs.items.len, 100);
    ck_assert(attrs_pending(&v.attrs));
    ck_assert_uint_eq(v.attrs.items.len, 0);
    ck_assert_int_eq(universe_need_attrs(&v, &err), VSOLVE_OK);
    assert_same_attrs(&u.attrs, &v.attrs);
    ck_assert_int_eq(universe_need_attrs(&v, &err), VSOLVE_OK);   /* once */
    universe_free(&v);
    universe_free(&u);
    remove(path);
    rmdir(dir);
    free(dir);
}
END_TEST

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Solves `atom` on u, reading the clauses it reaches first; returns the explanation. */
static char *refusal_of(vs_universe *u, const char *atom)
{
    vs_request req;
    request_init(&req);
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(opam_add_request_atom(u, &req, atom, &err), VSOLVE_OK);
    ck_assert_int_eq(request_need_clauses(u, &req, &err), VSOLVE_OK);
    vs_solution s;
    solution_init(&s);
    ck_assert_int_eq(vs_solve(u, &req, &s), VSOLVE_UNSAT);
    char *text = strdup(s.explanation);
    solution_free(&s);
    request_free(&req);
    return text;
}

/* Writes files ({"NAME/NAME.VERSION", opam text}) as dir's packages/, loads them into u with
 * os = linux, and writes their cache (key {3, 4}) to dir/c.vsc, whose path goes to cache. */
static void load_and_cache(const char *dir, const char *files[][2], size_t n, vs_universe *u, char *cache,
                           size_t cache_size)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/packages", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    for (size_t i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(strchr(files[i][0], '/') - files[i][0]), files[i][0]);
        snprintf(path, sizeof path, "%s/packages/%s", dir, name);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/packages/%s", dir, files[i][0]);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/packages/%s/opam", dir, files[i][0]);
        write_text(path, files[i][1]);
    }
    ck_assert_int_eq(universe_init(u), VSOLVE_OK);
    opam_vars vars;
    ck_assert_int_eq(opam_vars_init(&vars), VSOLVE_OK);
    opam_vars_set(&vars, "os", "linux");
    vs_error err;
    vs_error_clear(&err);
    ck_assert_int_eq(opam_load_repository(u, dir, &vars, NULL, &err), VSOLVE_OK);
    opam_vars_free(&vars);
    snprintf(cache, cache_size, "%s/c.vsc", dir);
    cache_key key = { 3, 4 };
    ck_assert_int_eq(cache_write(cache, u, &key, &err), VSOLVE_OK);
}

/* The clause descriptions are read from the cache only when an explanation shows one: after
 * a refusal that shows none they are still unread, and one that does shows them as the parsed
 * universe does. */
START_TEST(descriptions_read_when_an_explanation_shows_one)
{
    char *dir = temp_dir();
    const char *files[][2] = {
        { "app/app.1.0", "opam-version: \"2.0\"\ndepends: [ \"helper\" {>= \"1.0\"} ]\n" },
        { "helper/helper.1.0", "opam-version: \"2.0\"\navailable: os = \"macos\"\n" },
        { "pin/pin.1.0", "opam-version: \"2.0\"\n" },
        { "pin/pin.2.0", "opam-version: \"2.0\"\n" },
    };
    vs_universe u, v;
    vs_error err;
    vs_error_clear(&err);
    char cache[4200];
    cache_key key = { 3, 4 };
    load_and_cache(dir, files, sizeof files / sizeof files[0], &u, cache, sizeof cache);
    universe_init(&v);
    ck_assert_int_eq(cache_read(cache, &v, &key, opam_version_compare, &err), VSOLVE_OK);
    ck_assert_ptr_nonnull(v.pending);

    char *no_desc = refusal_of(&v, "pin>=3");   /* no version matches: no description shown */
    ck_assert_ptr_nonnull(strstr(no_desc, "no version of pin matches"));
    ck_assert(!v.pending->descs_loaded);
    char *parsed = refusal_of(&u, "app"), *cached = refusal_of(&v, "app");
    ck_assert(v.pending->descs_loaded);
    ck_assert_msg(strstr(cached, "app.1.0 requires helper >= 1.0") != NULL, "%s", cached);
    ck_assert_str_eq(cached, parsed);
    free(no_desc);
    free(parsed);
    free(cached);
    universe_free(&v);
    universe_free(&u);
    remove_temp_dir(dir);
}
END_TEST

/* A universe read from a cache, with the version ids of name's two oldest packages swapped,
 * as a crafted file could have them: cache_read accepts it (it checks only the names' order
 * at load), and whatever first reads that name refuses it. */
static void read_swapped(vs_universe *v, const char *cache, const char *name)
{
    cache_key key = { 3, 4 };
    vs_error err;
    vs_error_clear(&err);
    universe_init(v);
    ck_assert_int_eq(cache_read(cache, v, &key, opam_version_compare, &err), VSOLVE_OK);
    uint32_t nm = universe_find_name(v, name), first, count;
    ck_assert_uint_ne(nm, VS_NONE);
    universe_name_pkgs(v, nm, &first, &count);
    ck_assert_uint_ge(count, 2);
    uint32_t t = v->pkgs.items[first].version;
    v->pkgs.items[first].version = v->pkgs.items[first + 1].version;
    v->pkgs.items[first + 1].version = t;
}

/* request_need_clauses of atom on v: its return code, the error in err. */
static int need_for(vs_universe *v, const char *atom, vs_error *err)
{
    vs_request req;
    request_init(&req);
    vs_error_clear(err);
    ck_assert_int_eq(opam_add_request_atom(v, &req, atom, err), VSOLVE_OK);
    int rc = request_need_clauses(v, &req, err);
    request_free(&req);
    return rc;
}

static void assert_out_of_order(int rc, const vs_error *err, const char *cache, const char *name)
{
    char want[4300];
    snprintf(want, sizeof want, "corrupt: %s: versions of %s out of order", cache, name);
    ck_assert_int_eq(rc, VSOLVE_EBADINPUT);
    ck_assert_str_eq(err->message, want);
}

/* The versions' order of a cached universe is checked name by name, when something first reads
 * a name: the chunk of a package the cone reaches, a name the cone reaches only through
 * unavailable packages, a requested name (an explanation lists its versions), everything for
 * universe_need_all. Names a request never reads are not checked for it. */
START_TEST(version_order_checked_when_a_name_is_read)
{
    char *dir = temp_dir();
    const char *files[][2] = {
        { "app/app.1.0", "opam-version: \"2.0\"\ndepends: [ \"helper\" {>= \"1.0\"} ]\n" },
        { "helper/helper.1.0", "opam-version: \"2.0\"\navailable: os = \"macos\"\n" },
        { "helper/helper.2.0", "opam-version: \"2.0\"\navailable: os = \"macos\"\n" },
        { "lone/lone.1.0", "opam-version: \"2.0\"\n" },
        { "lone/lone.2.0", "opam-version: \"2.0\"\n" },
        { "pin/pin.1.0", "opam-version: \"2.0\"\n" },
        { "pin/pin.2.0", "opam-version: \"2.0\"\n" },
    };
    vs_universe u, v;
    vs_error err;
    vs_error_clear(&err);
    char cache[4200];
    cache_key key = { 3, 4 };
    load_and_cache(dir, files, sizeof files / sizeof files[0], &u, cache, sizeof cache);

    /* as written: every name reads */
    universe_init(&v);
    ck_assert_int_eq(cache_read(cache, &v, &key, opam_version_compare, &err), VSOLVE_OK);
    ck_assert_int_eq(need_for(&v, "app", &err), VSOLVE_OK);
    ck_assert_int_eq(need_for(&v, "pin>=3", &err), VSOLVE_OK);
    ck_assert_int_eq(universe_need_all(&v, &err), VSOLVE_OK);
    universe_free(&v);

    /* lone is never read for app; universe_need_versions and universe_need_all read it */
    read_swapped(&v, cache, "lone");
    ck_assert_int_eq(need_for(&v, "app", &err), VSOLVE_OK);
    assert_out_of_order(universe_need_versions(&v, universe_find_name(&v, "lone"), &err), &err, cache, "lone");
    assert_out_of_order(universe_need_all(&v, &err), &err, cache, "lone");
    universe_free(&v);
    read_swapped(&v, cache, "lone");
    assert_out_of_order(universe_need_name(&v, universe_find_name(&v, "lone"), &err), &err, cache, "lone");
    universe_free(&v);
    /* helper: reached by app's cone only through its unavailable versions (clauses unread) */
    read_swapped(&v, cache, "helper");
    assert_out_of_order(need_for(&v, "app", &err), &err, cache, "helper");
    universe_free(&v);
    /* pin: requested, though no version matches (the refusal lists its versions) */
    read_swapped(&v, cache, "pin");
    ck_assert_int_eq(need_for(&v, "app", &err), VSOLVE_OK);
    assert_out_of_order(need_for(&v, "pin>=3", &err), &err, cache, "pin");
    universe_free(&v);
    read_swapped(&v, cache, "pin");
    assert_out_of_order(need_for(&v, "pin", &err), &err, cache, "pin");
    universe_free(&v);
    universe_free(&u);
    remove_temp_dir(dir);
}
END_TEST

Suite *cache_suite(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("cache");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, image_round_trip);
    tcase_add_test(tc, image_chunks_read_by_name);
    tcase_add_test(tc, cache_file_round_trip_and_damage);
    tcase_add_test(tc, fingerprint_follows_the_source);
    tcase_add_test(tc, library_rebuilds_stale_and_corrupt_caches);
    tcase_add_test(tc, snapshot_cache_same_answers);
    tcase_add_test(tc, descriptions_read_when_an_explanation_shows_one);
    tcase_add_test(tc, version_order_checked_when_a_name_is_read);
    suite_add_tcase(s, tc);
    return s;
}
