/* cudf_doc.h: a CUDF document as read (stanzas, constraints, the request), between the reader
 * (cudf_parse.c) and the universe builder (cudf_build.c); private to formats/cudf. */
#ifndef VSOLVE_CUDF_DOC_H
#define VSOLVE_CUDF_DOC_H
#include <stdint.h>
#include "cudf.h"
#include "vec.h"

enum relop { OP_ANY, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum keep { KEEP_NONE, KEEP_VERSION, KEEP_PACKAGE, KEEP_FEATURE };
enum stanza_kind { IN_NOTHING, IN_PREAMBLE, IN_PACKAGE, IN_REQUEST };
enum req_kind { REQ_INSTALL, REQ_REMOVE, REQ_UPGRADE };
enum type { T_INT, T_POSINT, T_NAT, T_BOOL, T_STRING, T_PKGNAME, T_IDENT, T_ENUM, T_VPKG,
            T_VPKGFORMULA, T_VPKGLIST, T_VEQPKG, T_VEQPKGLIST, T_NONE };

#define MAX_DIGITS 18   /* numbers stay below 10^18: no overflow checks needed */

/* A package constraint: name, or name op version. */
typedef struct vpkg {
    uint64_t ver;
    uint32_t name;          /* string id */
    uint32_t op;            /* enum relop */
} vpkg;

/* One conjunct of a depends formula: vpkgs[first, first + count) or'ed; count 0 is false!. */
typedef struct dclause {
    uint32_t desc, first, count;
} dclause;

/* One package stanza. */
typedef struct stanza {
    uint64_t version;
    uint32_t name, version_str, line;
    uint32_t dep_first, dep_count;      /* into clauses */
    uint32_t conf_first, conf_count;    /* into vpkgs */
    uint32_t prov_first, prov_count;    /* into vpkgs (OP_ANY or OP_EQ) */
    uint32_t opam_name, opam_version;   /* string ids or VS_NONE */
    uint32_t seen;                      /* bit set of the core properties read */
    unsigned char installed, keep, avoid, has_version;
} stanza;

/* One vpkg of the request stanza. */
typedef struct req_item {
    uint32_t kind, vp, desc;
} req_item;

/* A property declared in the preamble. */
typedef struct decl {
    const char *name;
    size_t len;
    int type;
    const char *enum_vals;      /* T_ENUM: the text between the brackets */
    size_t enum_len;
} decl;

typedef struct cudf_doc {
    const char *file;
    const char *text, *end;
    vs_universe *u;
    vs_error *err;
    int want_opam;              /* keep opam-name / opam-version */
    /* the cursor: position, end of the current value, and the line it is on */
    const char *p, *vend, *line_start;
    unsigned line;
    int kind;                   /* enum stanza_kind of the stanza being read */
    uint32_t seen;              /* properties of the current preamble/request stanza */
    int seen_preamble, seen_package, seen_request;
    VEC(stanza) pkgs;
    VEC(vpkg) vpkgs;
    VEC(dclause) clauses;
    VEC(req_item) request;
    VEC(decl) decls;
    VEC(char) scratch;
} cudf_doc;

/* Reads the document ps->text..ps->end (ps->file, ->u, ->err, ->want_opam set) into ps: the
 * preamble's declarations, the package stanzas and the request. VSOLVE_OK or an error in
 * ps->err ("FILE:LINE:COL: expected ..."). */
int cudf_parse_document(cudf_doc *ps);
/* Builds u and req from the parsed document; fills *map when map is not NULL. */
int cudf_build(cudf_doc *ps, vs_universe *u, vs_request *req, cudf_opam_map *map);
/* Frees what cudf_parse_document allocated. */
void cudf_doc_free(cudf_doc *ps);

static inline int cudf_oom(cudf_doc *ps)
{
    return vs_error_set(ps->err, VSOLVE_ENOMEM, "out of memory while reading %s", ps->file);
}

#endif
