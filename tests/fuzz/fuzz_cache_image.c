/* fuzz_cache_image.c: libFuzzer harness for the universe image the cache holds: a valid image of
 * a small universe, damaged as the input says, read back (core, descriptions, every chunk),
 * then solved. A checksum is no proof of content (README, "What the cache trusts"): whatever the
 * bytes, reading must end in VSOLVE_OK or a "corrupt"-style VSOLVE_EBADINPUT, never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "solve.h"
#include "universe_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Ten names of two versions, each needing the next name, with conflicts and a group. */
static universe_image *base_image(void)
{
    static universe_image img;
    static int ready;
    if (ready)
        return &img;
    vs_universe u;
    universe_init(&u);
    char name[32];
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "p%d", i);
        uint32_t nm = universe_intern(&u, name, strlen(name));
        universe_add_package(&u, nm, universe_intern(&u, "1", 1), i == 3 ? VS_PKG_AVOID : 0, NULL);
        universe_add_package(&u, nm, universe_intern(&u, "2", 1), i == 5 ? VS_PKG_UNAVAILABLE : 0, NULL);
    }
    universe_sort(&u, strcmp);
    for (uint32_t p = 0; p < u.pkgs.len; p++) {
        uint32_t next = (p / 2 + 1) % 10 * 2, prov[2] = { next, next + 1 };
        snprintf(name, sizeof name, "need %u", p);
        universe_add_clause(&u, p, universe_intern(&u, name, strlen(name)), prov, 2);
        if (p % 4 == 0)
            universe_add_conflicts(&u, p, &prov[1], 1);
    }
    uint32_t members[2] = { 0, 2 }, g;
    universe_add_group(&u, universe_intern(&u, "group", 5), members, 2, &g);
    if (universe_image_write(&u, &img) != VSOLVE_OK)
        abort();
    universe_free(&u);
    ready = 1;
    return &img;
}

/* A copy of buf with the input's edits: each 3 bytes (offset low, offset high, xor) flip bits;
 * a last single byte, when odd, cuts the copy at that many bytes from the end. */
static unsigned char *damaged(const unsigned char *buf, size_t len, const uint8_t *data, size_t size, size_t *out_len)
{
    unsigned char *c = malloc(len ? len : 1);
    if (!c)
        abort();
    memcpy(c, buf, len);
    for (size_t i = 0; i + 3 <= size && len; i += 3)
        c[((size_t)data[i] | (size_t)data[i + 1] << 8) % len] ^= data[i + 2];
    *out_len = len;
    if (size % 3 == 1 && (data[size - 1] & 1) && data[size - 1] / 2 < len)
        *out_len = len - data[size - 1] / 2;
    return c;
}

static void check_error(int rc, const vs_error *err)
{
    if (rc != VSOLVE_OK && (rc != VSOLVE_EBADINPUT || !err->message[0]))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    universe_image *img = base_image();
    if (size < 1)
        return 0;
    /* the first byte says which part the edits go to: the core, the descriptions or a chunk */
    uint32_t part = data[0] % (img->n_chunks + 2);
    data++, size--;
    vs_universe u;
    universe_init(&u);
    vs_error err;
    vs_error_clear(&err);
    size_t len;
    unsigned char *core = part == 0 ? damaged(img->core, img->core_len, data, size, &len)
                                    : damaged(img->core, img->core_len, NULL, 0, &len);
    int rc = universe_image_read_core(&u, core, len, UINT32_MAX, &err);   /* keeps core */
    check_error(rc, &err);
    if (rc == VSOLVE_OK && u.pending->n_chunks != img->n_chunks)
        rc = VSOLVE_EBADINPUT;   /* the cache file checks this against its part count */
    if (rc == VSOLVE_OK) {
        unsigned char *descs = part == 1 ? damaged(img->descs, img->descs_len, data, size, &len)
                                         : damaged(img->descs, img->descs_len, NULL, 0, &len);
        rc = universe_image_read_descs(&u, descs, len, &err);   /* keeps descs */
        check_error(rc, &err);
    }
    for (uint32_t c = 0; rc == VSOLVE_OK && c < img->n_chunks; c++) {
        unsigned char *chunk = part == c + 2 ? damaged(img->chunks[c], img->chunk_lens[c], data, size, &len)
                                             : damaged(img->chunks[c], img->chunk_lens[c], NULL, 0, &len);
        rc = universe_image_read_chunk(&u, c, chunk, len, &err);
        free(chunk);
        check_error(rc, &err);
    }
    if (rc == VSOLVE_OK && u.pending) {
        universe_pending_free(u.pending);   /* every chunk is read: nothing is pending */
        u.pending = NULL;
    }
    if (rc == VSOLVE_OK && u.pkgs.len) {   /* what was accepted can be solved without a crash */
        vs_request req;
        request_init(&req);
        uint32_t one = 0;
        if (request_add_atom(&req, 0, u.pkgs.items[0].name, &one, 1) == VSOLVE_OK) {
            vs_solution s;
            solution_init(&s);
            vs_solve(&u, &req, &s);
            solution_free(&s);
        }
        request_free(&req);
    }
    universe_free(&u);
    return 0;
}
