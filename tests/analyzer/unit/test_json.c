/*
 * test_json.c - the streaming JSON writer (render/json.h): escapes,
 * invalid UTF-8 replaced, separators of nested values.
 */
#define _POSIX_C_SOURCE 200809L
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

#include "render/json.h"
#include "unit.h"

static void
test_json_escape(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    an_json j;

    an_json_init(&j, f);
    an_json_object(&j);
    an_json_key(&j, "a\"b");
    an_json_strn(&j, "x\\\n\x01\xff\xc3\xa9", 7);
    an_json_key(&j, "l");
    an_json_array(&j);
    an_json_u64(&j, 1);
    an_json_i64(&j, -2);
    an_json_null(&j);
    an_json_end_array(&j);
    an_json_end_object(&j);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(buf,
                           "{\"a\\\"b\":\"x\\\\\\n\\u0001\\ufffd\xc3\xa9\","
                           "\"l\":[1,-2,null]}");
    free(buf);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"json escaping", test_json_escape},
        {NULL, NULL},
    };

    return unit_run("json", tests);
}
