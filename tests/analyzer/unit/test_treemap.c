/*
 * test_treemap.c - the squarified treemap (lib/treemap.h) on random
 * decreasing values: each rectangle's area proportional to its value,
 * inside the area, no two overlapping; zero values.
 */
#include <CUnit/Basic.h>

#include "lib/treemap.h"
#include "rgraph.h"
#include "unit.h"

static void
test_treemap(void)
{
    for (int round = 0; round < 50; round++) {
        double v[40], sum = 0;
        an_rect r[40], area = {10, 20, 300 + rg_rand() % 500,
                               100 + rg_rand() % 300};
        size_t n = 1 + rg_rand() % 40;

        for (size_t i = 0; i < n; i++) {
            v[i] = (double)(rg_rand() % 1000) + (i == 0);
        }
        /* decreasing, some zeros at the end */
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i + 1; j < n; j++) {
                if (v[j] > v[i]) {
                    double t = v[i];

                    v[i] = v[j];
                    v[j] = t;
                }
            }
        }
        for (size_t i = 0; i < n; i++) {
            sum += v[i];
        }
        CU_ASSERT_EQUAL_FATAL(an_treemap_squarify(v, n, area, r), 0);
        for (size_t i = 0; i < n; i++) {
            double want = v[i] / sum * area.w * area.h;

            CU_ASSERT(r[i].w * r[i].h > want - 1e-6 * area.w * area.h
                      && r[i].w * r[i].h < want + 1e-6 * area.w * area.h);
            CU_ASSERT(r[i].x >= area.x - 1e-9 && r[i].y >= area.y - 1e-9);
            CU_ASSERT(r[i].x + r[i].w <= area.x + area.w + 1e-6);
            CU_ASSERT(r[i].y + r[i].h <= area.y + area.h + 1e-6);
            for (size_t j = 0; j < i; j++) {
                double ox = (r[i].x + r[i].w < r[j].x + r[j].w
                             ? r[i].x + r[i].w : r[j].x + r[j].w)
                            - (r[i].x > r[j].x ? r[i].x : r[j].x);
                double oy = (r[i].y + r[i].h < r[j].y + r[j].h
                             ? r[i].y + r[i].h : r[j].y + r[j].h)
                            - (r[i].y > r[j].y ? r[i].y : r[j].y);

                CU_ASSERT(ox <= 1e-6 || oy <= 1e-6);  /* no overlap */
            }
        }
    }
    {
        double z[3] = {0, 0, 0};
        an_rect r[3];

        CU_ASSERT_EQUAL(an_treemap_squarify(z, 3, (an_rect){0, 0, 10, 10},
                                            r), 0);
        CU_ASSERT(r[0].w == 0 && r[2].h == 0);
    }
}

int
main(void)
{
    static const unit_test tests[] = {
        {"treemap layout", test_treemap},
        {NULL, NULL},
    };

    return unit_run("treemap", tests);
}
