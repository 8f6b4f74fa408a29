/* stub 1.0: the C half. Same global names in every version, different behaviour. */
#include <caml/mlvalues.h>
#include <caml/alloc.h>

int stub_counter = 1;

static int helper(void) { return stub_counter * 21; }

value stub_answer(value unit)
{
    (void)unit;
    return Val_int(helper());
}

value stub_tag(value unit)
{
    (void)unit;
    return caml_copy_string("C side 1.0");
}
