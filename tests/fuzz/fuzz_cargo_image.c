/* fuzz_cargo_image.c: libFuzzer harness for the cargo registry image: the image of a small
 * directory index, damaged as the input says, read through cargo_index (every crate and every
 * version, decoded whole). Whatever the bytes, every answer must be the one without the image
 * (a damaged part is detected and the crate file read instead) or an error with a message:
 * never a crash, and never another answer. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cargo_image.h"
#include "cargo_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "a", "bb", "ccc", "dddd", "DDDD", "bad", "none", "ee" };

/* path, text */
static const char *const files[][2] = {
    { "1/a", "{\"name\":\"a\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"01\",\"features\":{},\"yanked\":false}\n"
             "{\"name\":\"a\",\"vers\":\"1.1.0-rc.1+build.5\",\"deps\":[{\"name\":\"bb\",\"req\":\">=0.1, <0.3\","
             "\"features\":[\"x\",\"\"],\"optional\":true,\"default_features\":false,\"target\":\"cfg(unix)\","
             "\"kind\":\"normal\"}],\"cksum\":\"02\",\"features\":{\"x\":[\"bb/x\",\"dep:bb\"]},\"yanked\":true,"
             "\"links\":\"z\",\"rust_version\":\"1.56\"}\n" },
    { "2/bb", "{\"name\":\"bb\",\"vers\":\"0.2.0\",\"deps\":[],\"cksum\":\"03\",\"features\":{}}\n"
              "{\"name\":\"bb\",\"vers\":\"0.2.0\",\"deps\":[{\"name\":\"c2\",\"package\":\"ccc\","
              "\"req\":\"~0.1.2-alpha\",\"kind\":\"build\"},{\"name\":\"ccc\",\"req\":\"*\",\"kind\":\"dev\"}],\"cksum\":\"04\","
              "\"features\":{\"x\":[]},\"features2\":{\"y\":[\"c2?/z\"]}}\n" },
    { "3/c/ccc", "{\"name\":\"ccc\",\"vers\":\"0.1.2\",\"deps\":[{\"name\":\"a\",\"req\":\"=1.0.0\"}],\"cksum\":\"05\","
                 "\"features\":{}}\n\n{\"name\":\"ccc\",\"vers\":\"0.1.3-beta.2\",\"deps\":[],\"cksum\":\"06\","
                 "\"features\":{}}\n" },
    { "dd/dd/dddd", "{\"name\":\"dddd\",\"vers\":\"2.0.0\",\"deps\":[],\"cksum\":\"07\",\"features\":{}}\n"
                    "{\"name\":\"DDDD\",\"vers\":\"3.0.0\",\"deps\":[{\"name\":\"a\",\"req\":\"^1\"}],\"cksum\":\"08\","
                    "\"features\":{}}\n" },
    { "3/b/bad", "{\"name\":\"bad\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"09\",\"features\":{}}\n"
                 "{\"name\":\"bad\",\"vers\":\"x.y\",\"deps\":[]}\n" },
};

static char dir[64], image[128], damaged_path[128];
static unsigned char *base;
static size_t base_len;

static void cleanup(void)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* The index directory and its image, written once; the image's bytes in base. */
static void setup(void)
{
    if (base)
        return;
    snprintf(dir, sizeof dir, "/tmp/vsolve-fuzz-cargo-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    static const char *const dirs[] = { "1", "2", "3", "3/c", "3/b", "dd", "dd/dd" };
    char path[256];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, dirs[i]);
        if (mkdir(path, 0755) != 0)
            abort();
    }
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i][0]);
        FILE *f = fopen(path, "wb");
        if (!f || fputs(files[i][1], f) < 0 || fclose(f) != 0)
            abort();
    }
    /* ee: 40 versions, whose bodies (about 4 KB) mostly lie past the window read with the
     * record's head: read on demand, each read holding the bodies around it */
    snprintf(path, sizeof path, "%s/2/ee", dir);
    FILE *ee = fopen(path, "wb");
    for (int i = 0; ee && i < 40; i++)
        fprintf(ee, "{\"name\":\"ee\",\"vers\":\"0.%d.%d\",\"deps\":[{\"name\":\"a\",\"req\":\"^1.%d\","
                    "\"features\":[\"f%d\"],\"optional\":%s}],\"cksum\":\"%02d\",\"features\":{\"g\":[\"a/f%d\"]}}\n",
                i / 8, i % 8, i % 3, i, i % 2 ? "true" : "false", i, i);
    if (!ee || fclose(ee) != 0)
        abort();
    snprintf(image, sizeof image, "%s/image.vsc", dir);
    snprintf(damaged_path, sizeof damaged_path, "%s/damaged.vsc", dir);
    vs_error err;
    vs_error_clear(&err);
    if (cargo_image_build(dir, 0, image, 0, NULL, &err) != VSOLVE_OK)
        abort();
    FILE *f = fopen(image, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        abort();
    base_len = (size_t)ftell(f);
    rewind(f);
    if (!(base = malloc(base_len)) || fread(base, 1, base_len, f) != base_len)
        abort();
    fclose(f);
}

static void put_str(FILE *out, const char *s) { fprintf(out, " [%s]", s ? s : "-"); }

static void put_version(FILE *out, const cargo_version *v)
{
    fprintf(out, "%s %s %llu.%llu.%llu pre %.*s build %.*s yanked %d", v->name, v->vers,
            (unsigned long long)v->v.major, (unsigned long long)v->v.minor, (unsigned long long)v->v.patch,
            (int)v->v.pre_len, v->v.pre ? v->v.pre : "", (int)v->v.build_len, v->v.build ? v->v.build : "", v->yanked);
    put_str(out, v->cksum);
    put_str(out, v->links);
    put_str(out, v->rust_version);
    for (size_t i = 0; i < v->n_deps; i++) {
        const cargo_dep *d = &v->deps[i];
        fprintf(out, "\n  dep %s %s %s opt %d def %d kind %d", d->name, d->package, d->req_text, d->optional,
                d->default_features, (int)d->kind);
        put_str(out, d->target);
        for (size_t k = 0; k < d->req.n; k++) {
            const semver_comparator *c = &d->req.items[k];
            fprintf(out, " (%d %llu %d %llu %d %llu %.*s)", (int)c->op, (unsigned long long)c->major, c->has_minor,
                    (unsigned long long)c->minor, c->has_patch, (unsigned long long)c->patch, (int)c->pre_len,
                    c->pre ? c->pre : "");
        }
        for (size_t k = 0; k < d->n_features; k++)
            put_str(out, d->features[k]);
    }
    for (size_t i = 0; i < v->n_features; i++) {
        fprintf(out, "\n  feature %s:", v->features[i].name);
        for (size_t k = 0; k < v->features[i].n_items; k++)
            put_str(out, v->features[i].items[k]);
    }
    fputc('\n', out);
}

/* Everything a solve can ask of the index, written out (NULL: an error, with a message). */
static char *answers(const char *image_path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    vs_error err;
    vs_error_clear(&err);
    cargo_index *ix = cargo_index_open_image(dir, image_path, 0, &err);
    if (!out || !ix)
        abort();
    int failed = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0] && !failed; k++) {
        const cargo_crate *c = cargo_index_crate(ix, names[k], &err);
        if (!c) {   /* none, or the reader's error ("bad"), the same either way */
            fprintf(out, "%s: %s\n", names[k], err.code ? err.message : "no such crate");
            vs_error_clear(&err);
            continue;
        }
        fprintf(out, "%s: %zu versions in %s\n", c->name, c->n_versions, c->file);
        for (size_t i = 0; i < c->n_versions && !failed; i++) {
            const cargo_version *v = cargo_index_version(ix, c, i, &err);
            if (!v)
                failed = 1;
            else
                put_version(out, v);
        }
    }
    cargo_index_close(ix);
    fclose(out);
    if (failed) {
        if (!err.message[0])
            abort();
        free(text);
        return NULL;
    }
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    static char *want;
    if (!want && !(want = answers(NULL)))
        abort();
    /* each 3 bytes (offset low, offset high, xor) flip bits of a copy of the image; a last
     * single byte, when odd, cuts the copy that many bytes short */
    unsigned char *c = malloc(base_len);
    if (!c)
        abort();
    memcpy(c, base, base_len);
    size_t len = base_len;
    for (size_t i = 0; i + 3 <= size; i += 3)
        c[((size_t)data[i] | (size_t)data[i + 1] << 8) % base_len] ^= data[i + 2];
    if (size % 3 == 1 && (data[size - 1] & 1) && data[size - 1] / 2u < len)
        len -= data[size - 1] / 2u;
    FILE *f = fopen(damaged_path, "wb");
    if (!f || fwrite(c, 1, len, f) != len || fclose(f) != 0)
        abort();
    free(c);
    char *got = answers(damaged_path);
    if (got && strcmp(got, want) != 0) {
        fprintf(stderr, "the image answered otherwise:\n%s\n----\n%s\n", want, got);
        abort();
    }
    free(got);
    return 0;
}
