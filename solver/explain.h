/* explain.h: plain-words explanations of an unsatisfiable request. */
#ifndef VSOLVE_EXPLAIN_H
#define VSOLVE_EXPLAIN_H
#include "encode.h"

/* Builds the explanation for an encoding whose request has no model. Returns a malloc'd
 * string, or NULL with err set (out of memory, or the clause descriptions a sentence shows
 * could not be read: they are read from u's source when first needed). Costs a few SAT calls
 * on the request atoms only (a deletion-based minimal set of atoms that cannot hold together),
 * never an exponential search. e must be the encoding of the whole cone of u
 * (encode_request_whole, or an unpruned encode_request). clash receives the indexes of the atoms
 * the explanation names (the minimal clash, or the atoms nothing can meet); unavailable the
 * unavailable packages whose available formula it shows (attribute "unavailable-because"),
 * each once, in the order shown. */
char *explain_unsat(vs_encoding *e, vs_universe *u, u32_vec *clash, u32_vec *unavailable, vs_error *err);

/* The same for an encoding of u that propagation pruned (e->pruned). Its solver's answers for a
 * subset of the atoms can be trusted only when they find a model (a model of the pruned cone
 * is one of the whole cone; a refusal may rest on what the other atoms ruled out). So the
 * minimal clash found with it is minimal, and it is reported only when its reason, drawn on
 * the whole cone, proves that its atoms cannot hold together. Otherwise NULL with
 * *unproven = 1: explain with the whole cone's encoding instead (explain_unsat). NULL with
 * *unproven = 0 and err set on failure. */
char *explain_unsat_pruned(vs_encoding *pruned, vs_universe *u, int *unproven, u32_vec *clash, u32_vec *unavailable,
                           vs_error *err);

#endif
