/*
 * test_base.c - the analyzer's base (analyzer/base/): sizes, counts and
 * changes as people read them, the parsing of command-line numbers
 * against strtoull, growable strings, large arrays, the errors' texts.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/mem.h"
#include "base/number.h"
#include "base/sbuf.h"
#include "unit.h"

static void
test_sizes(void)
{
    uint64_t v;
    char b[32];

    CU_ASSERT_EQUAL(an_parse_size("10K", &v), 0);
    CU_ASSERT_EQUAL(v, 10240);
    CU_ASSERT_EQUAL(an_parse_size("1.5M", &v), 0);
    CU_ASSERT_EQUAL(v, 1572864);
    CU_ASSERT_EQUAL(an_parse_size("2GiB", &v), 0);
    CU_ASSERT_EQUAL(v, 2147483648ULL);
    CU_ASSERT_EQUAL(an_parse_size("12", &v), 0);
    CU_ASSERT_EQUAL(v, 12);
    CU_ASSERT_EQUAL(an_parse_size("-1", &v), -1);
    CU_ASSERT_EQUAL(an_parse_size("1X", &v), -1);
    CU_ASSERT_EQUAL(an_parse_address("0x7f00", &v), 0);
    CU_ASSERT_EQUAL(v, 0x7f00);
    CU_ASSERT_EQUAL(an_parse_address("0x", &v), -1);
    CU_ASSERT_STRING_EQUAL(an_format_size(512, b, sizeof(b)), "512 B");
    CU_ASSERT_STRING_EQUAL(an_format_size(1536, b, sizeof(b)), "1.50 KiB");
    CU_ASSERT_STRING_EQUAL(an_format_delta(-2048, b, sizeof(b)),
                           "-2.00 KiB");
    CU_ASSERT_STRING_EQUAL(an_format_count(1234567, b, sizeof(b)),
                           "1,234,567");
}

static void
test_formats(void)
{
    char b[32];

    CU_ASSERT_STRING_EQUAL(an_format_size(0, b, sizeof(b)), "0 B");
    CU_ASSERT_STRING_EQUAL(an_format_size(1023, b, sizeof(b)), "1023 B");
    CU_ASSERT_STRING_EQUAL(an_format_size(3 * 1048576ULL / 2, b, sizeof(b)),
                           "1.50 MiB");
    CU_ASSERT_STRING_EQUAL(an_format_count(0, b, sizeof(b)), "0");
    CU_ASSERT_STRING_EQUAL(an_format_count(999, b, sizeof(b)), "999");
    CU_ASSERT_STRING_EQUAL(an_format_count(1000, b, sizeof(b)), "1,000");
    CU_ASSERT_STRING_EQUAL(an_format_count(UINT64_MAX, b, sizeof(b)),
                           "18,446,744,073,709,551,615");
    CU_ASSERT_STRING_EQUAL(an_format_count_delta(2000, b, sizeof(b)),
                           "+2,000");
    CU_ASSERT_STRING_EQUAL(an_format_count_delta(-3, b, sizeof(b)), "-3");
    CU_ASSERT_STRING_EQUAL(an_format_count_delta(INT64_MIN, b, sizeof(b)),
                           "-9,223,372,036,854,775,808");
    CU_ASSERT_STRING_EQUAL(an_format_delta(0, b, sizeof(b)), "0 B");
    CU_ASSERT_STRING_EQUAL(an_format_delta(-12, b, sizeof(b)), "-12 B");
    CU_ASSERT_STRING_EQUAL(an_format_share(1, 8, b, sizeof(b)), "12.5%");
    CU_ASSERT_STRING_EQUAL(an_format_share(5, 0, b, sizeof(b)), "0.0%");
    CU_ASSERT_STRING_EQUAL(an_format_share(3, 3, b, sizeof(b)), "100.0%");
    CU_ASSERT_EQUAL(an_delta(10, 4), -6);
    CU_ASSERT_EQUAL(an_delta(4, 10), 6);
    CU_ASSERT_EQUAL(an_delta(0, UINT64_MAX), -1);
}

/* an_parse_u64() against strtoull on digits, signs, spaces, overflow. */
static void
test_parse_u64(void)
{
    static const char *const cases[] = {
        "0", "1", "42", "007", "18446744073709551615",
        "18446744073709551616", "99999999999999999999", "", "-1", "+1",
        " 1", "1 ", "1x", "0x10", "1e3",
    };

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const char *s = cases[c];
        uint64_t got = 12345;
        char *end;
        unsigned long long want;
        int ok;

        errno = 0;
        want = strtoull(s, &end, 10);
        ok = s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0;
        CU_ASSERT_EQUAL(an_parse_u64(s, &got), ok ? 0 : -1);
        if (ok) {
            CU_ASSERT_EQUAL(got, want);
        }
    }
}

static void
test_sbuf(void)
{
    an_sbuf b;
    char want[8192];
    size_t o = 0;

    memset(&b, 0, sizeof(b));
    CU_ASSERT_STRING_EQUAL(an_sbuf_str(&b), "");
    for (int i = 0; i < 1000; i++) {
        an_sbuf_printf(&b, "%d,", i);
        o += (size_t)snprintf(want + o, sizeof(want) - o, "%d,", i);
    }
    CU_ASSERT_FALSE(b.failed);
    CU_ASSERT_EQUAL(b.len, o);
    CU_ASSERT_STRING_EQUAL(an_sbuf_str(&b), want);
    an_sbuf_free(&b);
    an_sbuf_free(&b);       /* twice is fine: it is zeroed */
    CU_ASSERT_STRING_EQUAL(an_sbuf_str(&b), "");
}

static void
test_big_arrays(void)
{
    size_t n = (size_t)5 << 20;
    unsigned char *p = an_big_calloc(n, 1);
    unsigned char *q = an_big_malloc(0);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL(q);      /* at least one byte */
    for (size_t i = 0; i < n; i += 4093) {
        CU_ASSERT_EQUAL(p[i], 0);
    }
    CU_ASSERT_EQUAL(p[n - 1], 0);
    /* n x size overflows: NULL, not a short array */
    CU_ASSERT_PTR_NULL(an_big_calloc(SIZE_MAX / 2, 3));
    free(p);
    free(q);
}

static void
test_error_texts(void)
{
    const char *seen[AN_ERR_INPUT + 1];

    for (int e = AN_OK; e <= AN_ERR_INPUT; e++) {
        seen[e] = an_err_text((an_err)e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(seen[e]);
        for (int f = AN_OK; f < e; f++) {
            CU_ASSERT(strcmp(seen[e], seen[f]) != 0);
        }
    }
    CU_ASSERT_STRING_EQUAL(an_err_text(AN_ERR_NOMEM), "out of memory");
}

int
main(void)
{
    static const unit_test tests[] = {
        {"size parsing and formatting", test_sizes},
        {"counts, changes, shares", test_formats},
        {"integers against strtoull", test_parse_u64},
        {"growable strings", test_sbuf},
        {"large arrays", test_big_arrays},
        {"error texts", test_error_texts},
        {NULL, NULL},
    };

    return unit_run("base", tests);
}
