/* static_dlopen_probe.c: can a static PIE program of this platform open CryptoMiniSat with
 * dlopen and solve with it? CMakeLists.txt builds and runs this once, and links the vsolve
 * program statically only when it exits 0. glibc's dlopen in a static program loads the
 * library with its own copy of libc.so, which must be of the glibc the program was linked with:
 * true where the build runs, and what this checks. */
#include <cryptominisat5/cryptominisat_c.h>
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
    void *lib = dlopen(VSOLVE_CMS_LIBRARY, RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    __typeof__(cmsat_new) *new_solver = (__typeof__(cmsat_new) *)dlsym(lib, "cmsat_new");
    __typeof__(cmsat_new_vars) *new_vars = (__typeof__(cmsat_new_vars) *)dlsym(lib, "cmsat_new_vars");
    __typeof__(cmsat_add_clause) *add_clause = (__typeof__(cmsat_add_clause) *)dlsym(lib, "cmsat_add_clause");
    __typeof__(cmsat_solve) *solve = (__typeof__(cmsat_solve) *)dlsym(lib, "cmsat_solve");
    __typeof__(cmsat_get_model) *get_model = (__typeof__(cmsat_get_model) *)dlsym(lib, "cmsat_get_model");
    __typeof__(cmsat_free) *free_solver = (__typeof__(cmsat_free) *)dlsym(lib, "cmsat_free");
    if (!new_solver || !new_vars || !add_clause || !solve || !get_model || !free_solver)
        return 2;
    /* x0, and not x0 or x1: the one model sets both */
    SATSolver *s = new_solver();
    new_vars(s, 2);
    c_Lit unit[1] = { { 0 } }, imp[2] = { { 1 }, { 2 } };
    add_clause(s, unit, 1);
    add_clause(s, imp, 2);
    c_lbool r = solve(s);
    slice_lbool m = get_model(s);
    int ok = r.x == L_TRUE && m.num_vals == 2 && m.vals[0].x == L_TRUE && m.vals[1].x == L_TRUE;
    free_solver(s);
    return ok ? 0 : 3;
}
