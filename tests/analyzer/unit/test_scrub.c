/*
 * test_scrub.c - the scrubbed copy (lib/scrub.h) against what
 * spec/format.md ("Scrubbing") promises, on random heaps with names,
 * str values and classes defined in Python: every object, edge and root
 * kept; the words dropped gone, each replacement consistent (the same
 * text, key or address always gets the same replacement, different ones
 * different ones, int keys keep their order); the snapshots of one
 * process permuted alike, another process's not; what is not dropped
 * left as it was.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scrub.h"
#include "lib/snap.h"
#include "theap.h"
#include "unit.h"

static const char *const names[] = {"main", "handler", "Config"};
static const char *const values[] = {"secret", "password=hunter2", ""};

/* A random heap whose app.* classes are defined in Python, with named
 * objects and str values. */
static void
scrub_heap(theap *h, uint32_t n, int64_t pid)
{
    th_random(h, n, 2, pid);
    for (uint32_t t = 0; t < h->n_types; t++) {
        if (strcmp(h->types[t].module, "app") == 0
            || strcmp(h->types[t].module, "a") == 0) {
            h->types[t].flags = MF_TYPE_HEAP;
        }
    }
    for (uint32_t i = 0; i < h->n; i++) {
        if (th_randn(5) == 0) {
            h->objs[i].name = names[th_randn(3)];
        }
        else if (th_randn(5) == 0) {
            h->objs[i].value = values[th_randn(3)];
        }
    }
}

typedef struct copy {
    an_snap in, out;
    an_scrub_stats st;
} copy;

/* Write h, scrub it into a second file, open both with every column. */
static void
scrub_copy(const theap *h, unsigned drop, copy *c)
{
    char out_path[512];
    mf_error err;

    snprintf(out_path, sizeof(out_path), "%s", th_path("scrubbed"));
    CU_ASSERT_EQUAL_FATAL(th_open(h, &c->in, MF_COL_ALL), 0);
    memset(&err, 0, sizeof(err));
    CU_ASSERT_EQUAL_FATAL(an_scrub(c->in.reader, &c->in.cols, drop, out_path,
                                   &c->st, &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_open(&c->out, out_path, 0, NULL, NULL,
                                       &err), MF_OK);
    CU_ASSERT_EQUAL_FATAL(an_snap_load(&c->out, MF_COL_ALL, &err), MF_OK);
}

static void
copy_close(copy *c)
{
    an_snap_close(&c->in);
    an_snap_close(&c->out);
}

static const char *
label_text(const an_snap *s, uint64_t e)
{
    return mf_reader_string(s->reader, (uint32_t)s->cols.edge_label[e], NULL);
}

/* f is one-to-one on the pairs given: equal inputs, equal outputs, and
 * different inputs, different outputs. */
static int
consistent(const char *a1, const char *b1, const char *a2, const char *b2)
{
    return (strcmp(a1, a2) == 0) == (strcmp(b1, b2) == 0);
}

static void
check_copy(const theap *h, unsigned drop, copy *c)
{
    const mf_graph *a = &c->in.cols, *b = &c->out.cols;
    uint32_t na = 0, nb = 0;
    const mf_root *ra = mf_reader_roots(c->in.reader, &na);
    const mf_root *rb = mf_reader_roots(c->out.reader, &nb);
    uint64_t moved = 0, strings = 0;

    /* every object, edge and root kept */
    CU_ASSERT_EQUAL_FATAL(b->n_objects, h->n);
    CU_ASSERT_EQUAL_FATAL(b->n_edges, a->n_edges);
    CU_ASSERT_EQUAL(c->st.objects, h->n);
    for (uint32_t i = 0; i < h->n; i++) {
        CU_ASSERT_EQUAL(b->size[i], a->size[i]);
        CU_ASSERT_EQUAL(b->edge_start[i], a->edge_start[i]);
        CU_ASSERT_EQUAL(an_snap_key_of(&c->out, i) == c->out.n_keys,
                        an_snap_key_of(&c->in, i) == c->in.n_keys);
        if (drop & AN_SCRUB_NAMES) {
            CU_ASSERT_FALSE(b->flags[i] & MF_OBJ_HAS_NAME);
        }
        else {
            CU_ASSERT_EQUAL(b->name[i] == MF_NONE, h->objs[i].name == NULL);
        }
        if (drop & AN_SCRUB_STRINGS) {
            CU_ASSERT_FALSE(b->flags[i] & MF_OBJ_HAS_VALUE);
        }
        else if (h->objs[i].value != NULL) {
            CU_ASSERT_STRING_EQUAL(mf_reader_string(c->out.reader,
                                                    b->value[i], NULL),
                                   h->objs[i].value);
        }
        strings += h->objs[i].value != NULL;
        moved += b->address[i] != a->address[i];
        if (!(drop & AN_SCRUB_ADDRESSES)) {
            CU_ASSERT_EQUAL(b->address[i], a->address[i]);
        }
    }
    if (drop & AN_SCRUB_STRINGS) {
        CU_ASSERT_EQUAL(c->st.strings, strings);
    }
    if (drop & AN_SCRUB_ADDRESSES) {
        CU_ASSERT(moved > h->n / 2);
    }
    CU_ASSERT_EQUAL_FATAL(nb, na);
    for (uint32_t r = 0; r < na && r < nb; r++) {
        CU_ASSERT_EQUAL(rb[r].object, ra[r].object);
        CU_ASSERT_EQUAL(rb[r].kind, ra[r].kind);
    }

    /* types: static ones keep their names, classes defined in Python lose
     * theirs (when names go), one-to-one */
    for (uint32_t i = 0; i < h->n; i++) {
        const an_key *ka = &c->in.keys[an_snap_key_of(&c->in, i)];
        const an_key *kb = &c->out.keys[an_snap_key_of(&c->out, i)];
        int heap = h->types[h->objs[i].type].flags & MF_TYPE_HEAP;

        /* (the display names may change: b.Node is plain Node once
         * a.Node is C1) */
        if (heap && (drop & AN_SCRUB_NAMES)) {
            CU_ASSERT(strcmp(ka->module, kb->module) != 0
                      && strcmp(ka->qualname, kb->qualname) != 0);
        }
        else {
            CU_ASSERT_STRING_EQUAL(ka->module, kb->module);
            CU_ASSERT_STRING_EQUAL(ka->qualname, kb->qualname);
        }
        for (uint32_t j = 0; j < i; j += 1 + th_randn(7)) {
            const an_key *ja = &c->in.keys[an_snap_key_of(&c->in, j)];
            const an_key *jb = &c->out.keys[an_snap_key_of(&c->out, j)];

            CU_ASSERT(consistent(ka->display, kb->display, ja->display,
                                 jb->display));
        }
    }

    /* edges: kinds kept; labels replaced consistently, int keys ranked */
    for (uint64_t e = 0; e < a->n_edges; e++) {
        uint8_t k = a->edge_kind[e];

        CU_ASSERT_EQUAL(b->edge_kind[e], k);
        CU_ASSERT_EQUAL(b->edge_target[e], a->edge_target[e]);
        if (MF_EDGE_CLASS(k) == MF_LABEL_STRING
            && (k & MF_EDGE_KIND_MASK) != MF_EDGE_FIELD) {
            /* dunder names stay: they say what CPython keeps there */
            if ((drop & AN_SCRUB_LABELS)
                && strncmp(label_text(&c->in, e), "__", 2) != 0) {
                CU_ASSERT(strcmp(label_text(&c->in, e),
                                 label_text(&c->out, e)) != 0);
            }
            else if (!(drop & AN_SCRUB_LABELS)) {
                CU_ASSERT_STRING_EQUAL(label_text(&c->in, e),
                                       label_text(&c->out, e));
            }
        }
        for (uint64_t f = 0; f < e; f += 1 + th_randn(5)) {
            uint8_t kf = a->edge_kind[f];

            if ((k & MF_EDGE_KIND_MASK) != (kf & MF_EDGE_KIND_MASK)) {
                continue;
            }
            if (MF_EDGE_CLASS(k) == MF_LABEL_STRING) {
                CU_ASSERT(consistent(label_text(&c->in, e),
                                     label_text(&c->out, e),
                                     label_text(&c->in, f),
                                     label_text(&c->out, f)));
            }
            else if ((k & MF_EDGE_KIND_MASK) == MF_EDGE_KEY_INT) {
                int64_t x = (int64_t)a->edge_label[e];
                int64_t y = (int64_t)a->edge_label[f];
                int64_t u = (int64_t)b->edge_label[e];
                int64_t v = (int64_t)b->edge_label[f];

                CU_ASSERT_EQUAL(x < y, u < v);
                CU_ASSERT_EQUAL(x == y, u == v);
            }
        }
    }

    /* the process's identity */
    {
        char text[128];
        int had_pid = an_snap_meta_text(&c->out, "pid", text,
                                        sizeof(text)) == 0;

        if (drop & AN_SCRUB_METADATA) {
            CU_ASSERT_FALSE(had_pid);
            CU_ASSERT_EQUAL(an_snap_meta_text(&c->out, "boot_id", text,
                                              sizeof(text)), -1);
            CU_ASSERT_EQUAL_FATAL(an_snap_meta_text(&c->out,
                                                    "scrub.process", text,
                                                    sizeof(text)), 0);
            CU_ASSERT_EQUAL(strncmp(text, "scrubbed-", 9), 0);
            CU_ASSERT_EQUAL(strlen(text), 9 + 16);
        }
        else {
            CU_ASSERT_TRUE(had_pid);
        }
    }
}

static void
test_scrub_all(void)
{
    for (int round = 0; round < 10; round++) {
        theap h;
        copy c;

        scrub_heap(&h, 30 + th_randn(300), 77);
        scrub_copy(&h, AN_SCRUB_ALL, &c);
        check_copy(&h, AN_SCRUB_ALL, &c);
        copy_close(&c);
        th_free(&h);
    }
}

static void
test_scrub_each(void)
{
    for (unsigned drop = 1; drop <= AN_SCRUB_ALL; drop++) {
        theap h;
        copy c;

        scrub_heap(&h, 30 + th_randn(100), 78);
        scrub_copy(&h, drop, &c);
        check_copy(&h, drop, &c);
        copy_close(&c);
        th_free(&h);
    }
}

/* Two snapshots of one process: the same permutation and identity; a
 * third process: another. */
static void
test_scrub_process(void)
{
    theap h1, h2, h3;
    copy c1, c2, c3;
    char p1[64], p2[64], p3[64];
    uint32_t same = 0;

    scrub_heap(&h1, 200, 90);
    th_evolve(&h2, &h1, 20, 50);
    memcpy(h2.types, h1.types, sizeof(h2.types));
    th_evolve(&h3, &h1, 0, 0);
    h3.pid = 91;
    scrub_copy(&h1, AN_SCRUB_ALL, &c1);
    scrub_copy(&h2, AN_SCRUB_ALL, &c2);
    scrub_copy(&h3, AN_SCRUB_ALL, &c3);
    CU_ASSERT_EQUAL(an_snap_meta_text(&c1.out, "scrub.process", p1,
                                      sizeof(p1)), 0);
    CU_ASSERT_EQUAL(an_snap_meta_text(&c2.out, "scrub.process", p2,
                                      sizeof(p2)), 0);
    CU_ASSERT_EQUAL(an_snap_meta_text(&c3.out, "scrub.process", p3,
                                      sizeof(p3)), 0);
    CU_ASSERT_STRING_EQUAL(p1, p2);
    CU_ASSERT(strcmp(p1, p3) != 0);
    /* an object at one address in both gets one new address in both */
    for (uint32_t i = 0; i < h2.n; i++) {
        for (uint32_t j = 0; j < h1.n; j++) {
            if (h1.objs[j].address == h2.objs[i].address) {
                CU_ASSERT_EQUAL(c2.out.cols.address[i],
                                c1.out.cols.address[j]);
                same++;
            }
        }
    }
    CU_ASSERT(same > 100);
    /* another process: h3 holds h1's objects at h1's addresses */
    for (uint32_t i = 0; i < h3.n && i < h1.n; i++) {
        CU_ASSERT_EQUAL(h3.objs[i].address, h1.objs[i].address);
        CU_ASSERT(c3.out.cols.address[i] != c1.out.cols.address[i]);
    }
    copy_close(&c1);
    copy_close(&c2);
    copy_close(&c3);
    th_free(&h1);
    th_free(&h2);
    th_free(&h3);
}

static void
test_scrub_words(void)
{
    char buf[128];
    unsigned drop;

    for (unsigned bits = 1; bits <= AN_SCRUB_ALL; bits++) {
        CU_ASSERT_EQUAL(an_scrub_parse(an_scrub_words(bits, buf,
                                                      sizeof(buf)),
                                       &drop), 0);
        CU_ASSERT_EQUAL(drop, bits);
    }
    CU_ASSERT_EQUAL(an_scrub_parse("all", &drop), 0);
    CU_ASSERT_EQUAL(drop, AN_SCRUB_ALL);
    CU_ASSERT_EQUAL(an_scrub_parse("labels,strings", &drop), 0);
    CU_ASSERT_EQUAL(drop, AN_SCRUB_LABELS | AN_SCRUB_STRINGS);
    CU_ASSERT_EQUAL(an_scrub_parse("labels,nope", &drop), -1);
    CU_ASSERT_EQUAL(an_scrub_parse("", &drop), -1);
    CU_ASSERT_EQUAL(an_scrub_parse("label", &drop), -1);
}

int
main(void)
{
    static const unit_test tests[] = {
        {"the words of --drop", test_scrub_words},
        {"everything dropped, consistently", test_scrub_all},
        {"each subset of the words", test_scrub_each},
        {"one process, one permutation", test_scrub_process},
        {NULL, NULL},
    };

    return unit_run("scrub", tests);
}
