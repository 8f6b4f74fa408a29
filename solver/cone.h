/* cone.h: a request's cone: the available packages reachable from the request through the
 * providers of dependency clauses, numbered breadth-first. Encoding, pruning, explaining and
 * the test-case dumper all work on it. */
#ifndef VSOLVE_CONE_H
#define VSOLVE_CONE_H
#include "request.h"
#include "universe.h"

/* The cone is a vector of its packages (items/len/cap, so that vec.h's macros apply) with the
 * index back from package ids. */
typedef struct vs_cone {
    uint32_t *items;            /* packages in the cone, breadth-first from the request */
    size_t len, cap;
    uint32_t *var_of_pkg;       /* package -> its index in items, VS_NONE outside the cone */
    unsigned char *root_name;   /* name -> requested (its packages' root clauses apply) */
    const vs_universe *u;
    const vs_request *req;
} vs_cone;

/* An empty cone of req in u, ready for cone_build. VSOLVE_OK or VSOLVE_ENOMEM; c can be freed
 * with cone_free either way. */
int cone_init(vs_cone *c, const vs_universe *u, const vs_request *req);
/* (Re)builds the cone breadth-first from the request (its non-forbidding atoms' packages, then
 * the packages it keeps), through the providers of each package's clauses, leaving out
 * unavailable packages and those marked in dead (NULL: none). A run of more than a few
 * providers shared by several clauses is scanned once. VSOLVE_OK or VSOLVE_ENOMEM. */
int cone_build(vs_cone *c, const unsigned char *dead);
/* cone_init and cone_build with nothing left out. */
int cone_whole(vs_cone *c, const vs_universe *u, const vs_request *req);
void cone_free(vs_cone *c);

static inline int cone_has(const vs_cone *c, uint32_t pkg)
{
    return c->var_of_pkg[pkg] != VS_NONE;
}
/* The dependency clauses of pkg in this request: [*first, *first + *count) of u->clauses. */
static inline void cone_clauses(const vs_cone *c, uint32_t pkg, uint32_t *first, uint32_t *count)
{
    universe_clauses(c->u, pkg, c->root_name[c->u->pkgs.items[pkg].name], first, count);
}

#endif
