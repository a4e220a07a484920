/*
 * unit.c - the run of a unit test program.
 */
#include "unit.h"

#include <CUnit/Basic.h>

#include "theap.h"

int
unit_run(const char *suite, const unit_test *tests)
{
    CU_pSuite s;
    unsigned failed;

    th_setup();
    if (CU_initialize_registry() != CUE_SUCCESS) {
        return 1;
    }
    s = CU_add_suite(suite, NULL, NULL);
    for (const unit_test *t = tests; t->name != NULL; t++) {
        CU_add_test(s, t->name, t->run);
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    th_cleanup();
    return failed ? 1 : 0;
}
