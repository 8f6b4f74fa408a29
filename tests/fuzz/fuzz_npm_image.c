/* fuzz_npm_image.c: libFuzzer harness for the npm registry image: the image of a small packument
 * directory, damaged as the input says, read through npm_registry (every packument, version,
 * meta and manifest). Whatever the bytes, every answer must be the one without the image (a
 * damaged part is detected and the JSON read instead) or an error with a message: never a
 * crash, and never another answer. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "npm_image.h"
#include "npm_registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "a", "@s/b", "bad", "none" };

static const char *const docs[][2] = {
    { "a", "{\"name\":\"a\",\"dist-tags\":{\"latest\":\"1.1.0\",\"next\":\"2.0.0-rc.1\"},\"versions\":{"
           "\"1.0.0\":{\"name\":\"a\",\"version\":\"1.0.0\",\"dependencies\":{\"@s/b\":\"^1\"},\"deprecated\":\"old\","
           "\"dist\":{\"integrity\":\"sha512-AA==\",\"tarball\":\"@REGISTRY@/a/-/a-1.0.0.tgz\",\"fileCount\":2}},"
           "\"1.1.0\":{\"name\":\"a\",\"version\":\"1.1.0\",\"engines\":{\"node\":\">=14\"},\"bin\":\"x.js\","
           "\"peerDependencies\":{\"c\":\"*\"},\"peerDependenciesMeta\":{\"c\":{\"optional\":true}},"
           "\"scripts\":{\"test\":\"t\",\"install\":\"i\"},\"license\":{\"type\":\"MIT\"},\"n\":[1.5e3,null,true]},"
           "\"2.0.0-rc.1+b\":{\"name\":\"a\",\"version\":\"2.0.0-rc.1\",\"os\":[\"linux\"]},\"v1\":{}}}" },
    { "@s%2fb", "{\"name\":\"@s/b\",\"versions\":{\"1.2.3\":{\"optionalDependencies\":{\"z\":\"1\"},"
                "\"funding\":\"https://f\",\"_hasShrinkwrap\":false}}}" },
    { "bad", "{\"name\":\"bad\",\"versions\":{\"1.0.0\":[]}}" },
};

static const char *const read_keys[] = { "name", "version", "dependencies", "optionalDependencies", "peerDependencies",
                                         "peerDependenciesMeta", "bundleDependencies", "bundledDependencies", "funding",
                                         "engines", "os", "cpu", "license", "bin", "deprecated", "scripts", "_hasShrinkwrap",
                                         NULL };

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

/* The registry directory and its image, written once; the image's bytes in base. */
static void setup(void)
{
    if (base)
        return;
    snprintf(dir, sizeof dir, "/tmp/vsolve-fuzz-npm-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    char path[256];
    snprintf(path, sizeof path, "%s/packuments", dir);
    if (mkdir(path, 0755) != 0)
        abort();
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        snprintf(path, sizeof path, "%s/packuments/%s.json", dir, docs[i][0]);
        FILE *f = fopen(path, "wb");
        if (!f || fputs(docs[i][1], f) < 0 || fclose(f) != 0)
            abort();
    }
    snprintf(image, sizeof image, "%s/image.vsc", dir);
    snprintf(damaged_path, sizeof damaged_path, "%s/damaged.vsc", dir);
    vs_error err;
    vs_error_clear(&err);
    if (npm_image_build(dir, image, NULL, &err) != VSOLVE_OK)
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

/* Everything a solve can ask of the registry, written out (NULL: an error, with a message). */
static char *answers(const char *image_path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    vs_error err;
    vs_error_clear(&err);
    npm_registry *r = npm_registry_open_image(dir, image_path, 0, &err);
    if (!out || !r)
        abort();
    int rc = VSOLVE_OK;
    for (size_t k = 0; k < sizeof names / sizeof names[0] && rc == VSOLVE_OK; k++) {
        npm_packument *p = NULL;
        rc = npm_registry_get(r, names[k], &p, &err);
        fprintf(out, "%s rc %d %s\n", names[k], rc, rc == VSOLVE_OK ? "" : err.message);
        if (rc != VSOLVE_OK) {
            rc = VSOLVE_OK;   /* "bad": the reader's error, the same either way */
            vs_error_clear(&err);
            continue;
        }
        if (!p)
            continue;
        const json_value *tags = npm_packument_tags(p);
        fprintf(out, "tags %zu latest %s\n", tags ? tags->n : 0, tags && json_get(tags, "latest") ? "yes" : "no");
        for (size_t i = 0; i < npm_packument_count(p) && rc == VSOLVE_OK; i++) {
            const npm_version *v = NULL;
            npm_version_meta meta;
            const json_value *m = NULL;
            if ((rc = npm_packument_semver(p, i, &v)) == VSOLVE_OK && (rc = npm_packument_meta(p, i, &meta, &err)) == VSOLVE_OK)
                rc = npm_packument_manifest(p, i, &m, &err);
            if (rc != VSOLVE_OK)
                break;
            fprintf(out, "%s %ld semver %s %llu.%llu.%llu-%s+%s engines %d deprecated %d",
                    npm_packument_version(p, i), npm_packument_find(p, npm_packument_version(p, i)), v ? "yes" : "no",
                    v ? (unsigned long long)v->major : 0ull, v ? (unsigned long long)v->minor : 0ull,
                    v ? (unsigned long long)v->patch : 0ull, v && v->pre ? v->pre : "", v && v->build ? v->build : "",
                    meta.engines ? (int)meta.engines->col : 0, meta.deprecated ? (int)meta.deprecated->col : 0);
            for (size_t j = 0; read_keys[j]; j++) {   /* what resolution and the lock read (the image keeps no more) */
                const json_value *x = json_get(m, read_keys[j]);
                if (x)   /* of "scripts" and "dist", only the members read below */
                    fprintf(out, " %s@%u:%u kind %d n %zu", read_keys[j], x->line, x->col, (int)x->kind,
                            strcmp(read_keys[j], "scripts") ? x->n : 0);
            }
            const json_value *sc = json_get(m, "scripts");
            fprintf(out, " install %d", json_truthy(json_get(sc, "install")) + 2 * json_truthy(json_get(sc, "postinstall")));
            const json_value *dist = json_get(m, "dist"), *tb = json_get(dist, "tarball"), *in = json_get(dist, "integrity");
            fprintf(out, " tarball %s integrity %s\n", tb && tb->kind == JSON_STRING ? tb->str : "-",
                    in && in->kind == JSON_STRING ? in->str : "-");
        }
    }
    npm_registry_close(r);
    fclose(out);
    if (rc != VSOLVE_OK) {
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
