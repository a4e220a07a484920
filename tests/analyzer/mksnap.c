/*
 * mksnap.c - write small, known snapshots for the analyzer's command tests
 * (no Python or dumper needed).
 *
 *   mksnap OUT [--leak K] [--pid P] [--start T] [--boot ID] [--scale N]
 *              [--rename QUALNAME]
 *
 * The heap mimics heapgen's listener leak: module "app" (a MODULE root)
 * -> its __dict__ ['EventBus'] -> class EventBus -> __dict__ ['_handlers']
 * -> list [i] -> method .__self__ -> LeakedSession (K of them), plus N
 * Customer instances in a dict, two types named Node in modules "a" and
 * "b", a weak reference, an object nothing refers to and an unreachable
 * cycle.  Objects keep their addresses across runs (same "process"),
 * except the leaked ones, so --objects sees exactly the leak as new.
 * --rename gives the type QUALNAME another name (QUALNAME + "2"): the
 * same addresses then hold objects of another type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "muppy_format.h"

#define CHECK(x)                                                        \
    do {                                                                \
        if ((x) != MF_OK) {                                             \
            fprintf(stderr, "mksnap: %s: %s\n", #x, err.message);       \
            exit(1);                                                    \
        }                                                               \
    } while (0)

static mf_writer *w;
static mf_error err;
static const char *rename_type;

static uint32_t
str(const char *s)
{
    uint32_t id;

    CHECK(mf_writer_string(w, s, strlen(s), &id, &err));
    return id;
}

static uint32_t
type(const char *module, const char *qualname, uint64_t address)
{
    /* the built-in types are static, as in a real dump; the program's
     * classes are heap types (scrub renames only those) */
    mf_type t = {address, str(module), str(qualname),
                 strcmp(module, "builtins") == 0 ? MF_TYPE_GC
                                                 : MF_TYPE_HEAP | MF_TYPE_GC};
    uint32_t id;

    if (rename_type != NULL && strcmp(qualname, rename_type) == 0) {
        char renamed[128];

        snprintf(renamed, sizeof(renamed), "%s2", qualname);
        t.qualname = str(renamed);
    }

    CHECK(mf_writer_type(w, &t, &id, &err));
    return id;
}

static void
obj(uint64_t address, uint32_t t, uint64_t size, const mf_edge *e, size_t n)
{
    mf_object o;

    memset(&o, 0, sizeof(o));
    o.address = address;
    o.type = t;
    o.size = size;
    o.flags = MF_OBJ_GC_TRACKED;
    o.name = MF_NONE;
    o.value = MF_NONE;
    CHECK(mf_writer_object(w, &o, e, n, &err));
}

int
main(int argc, char **argv)
{
    uint64_t leak = 0, scale = 50, pid = 4242;
    const char *start = "1700000000.25", *boot = "boot-0123";
    const char *out;
    mf_write_options wo;
    mf_root root;
    uint32_t t_module, t_dict, t_type, t_list, t_method, t_leaked, t_cust;
    uint32_t t_bytearray, t_str, t_node_a, t_node_b, t_weakref, t_int;

    if (argc < 2) {
        fprintf(stderr, "usage: mksnap OUT [--leak K] [--pid P] "
                        "[--start T] [--boot ID] [--scale N] "
                        "[--rename QUALNAME]\n");
        return 2;
    }
    out = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--leak") == 0) {
            leak = strtoull(argv[i + 1], NULL, 10);
        }
        else if (strcmp(argv[i], "--pid") == 0) {
            pid = strtoull(argv[i + 1], NULL, 10);
        }
        else if (strcmp(argv[i], "--start") == 0) {
            start = argv[i + 1];
        }
        else if (strcmp(argv[i], "--boot") == 0) {
            boot = argv[i + 1];
        }
        else if (strcmp(argv[i], "--scale") == 0) {
            scale = strtoull(argv[i + 1], NULL, 10);
        }
        else if (strcmp(argv[i], "--rename") == 0) {
            rename_type = argv[i + 1];
        }
    }
    memset(&wo, 0, sizeof(wo));
    wo.block_objects = 64;      /* several OBJS blocks even when small */
    CHECK(mf_writer_open(&w, out, &wo, &err));
    t_module = type("builtins", "module", 0x1000);
    t_dict = type("builtins", "dict", 0x1010);
    t_type = type("builtins", "type", 0x1020);
    t_list = type("builtins", "list", 0x1030);
    t_method = type("builtins", "method", 0x1040);
    t_leaked = type("app", "LeakedSession", 0x1050);
    t_cust = type("app", "Customer", 0x1060);
    t_bytearray = type("builtins", "bytearray", 0x1070);
    t_str = type("builtins", "str", 0x1080);
    t_node_a = type("a", "Node", 0x1090);
    t_node_b = type("b", "Node", 0x10a0);
    t_weakref = type("builtins", "weakref.ReferenceType", 0x10b0);
    t_int = type("builtins", "int", 0x10c0);

    /*
     * Object indices:
     *   0 module app        1 app.__dict__     2 class EventBus
     *   3 EventBus.__dict__ 4 _handlers list   5 customers dict
     *   6 Node(a)           7 Node(b)          8 weakref -> 6
     *   9 unreferenced str  10, 11 unreachable cycle of Node(a)
     *   12 int
     *   13 .. 13+scale-1           Customers
     *   then per leak: method, LeakedSession, bytearray
     */
    {
        uint64_t base = 0x7f0000000000ULL;
        uint32_t first_cust = 13, first_leak = 13 + (uint32_t)scale;
        mf_edge e[8];
        mf_edge *ce;

        e[0] = (mf_edge){1, MF_EDGE_FIELD, str("__dict__")};
        obj(base + 0x00, t_module, 72, e, 1);
        e[0] = (mf_edge){2, MF_EDGE_KEY_STR, str("EventBus")};
        e[1] = (mf_edge){5, MF_EDGE_KEY_STR, str("customers")};
        e[2] = (mf_edge){6, MF_EDGE_KEY_STR, str("node_a")};
        e[3] = (mf_edge){7, MF_EDGE_KEY_STR, str("node_b")};
        e[4] = (mf_edge){8, MF_EDGE_KEY_STR, str("ref")};
        e[5] = (mf_edge){12, MF_EDGE_KEY_STR, str("answer")};
        /* a key that CSV, JSON, DOT and HTML must all escape */
        e[6] = (mf_edge){12, MF_EDGE_KEY_STR, str("odd,\"key\"\n<&>")};
        obj(base + 0x100, t_dict, 1200, e, 7);
        e[0] = (mf_edge){3, MF_EDGE_FIELD, str("__dict__")};
        obj(base + 0x200, t_type, 1064, e, 1);
        e[0] = (mf_edge){4, MF_EDGE_KEY_STR, str("_handlers")};
        obj(base + 0x300, t_dict, 232, e, 1);
        /* the listener list */
        ce = malloc((leak ? leak : 1) * sizeof(mf_edge));
        for (uint64_t i = 0; i < leak; i++) {
            ce[i] = (mf_edge){first_leak + 3 * (uint32_t)i, MF_EDGE_INDEX,
                              i};
        }
        obj(base + 0x400, t_list, 56 + 8 * leak, ce, leak);
        free(ce);
        ce = malloc((scale ? scale : 1) * sizeof(mf_edge));
        for (uint64_t i = 0; i < scale; i++) {
            char k[32];

            snprintf(k, sizeof(k), "C%05llu", (unsigned long long)i);
            ce[i] = (mf_edge){first_cust + (uint32_t)i, MF_EDGE_KEY_STR,
                              str(k)};
        }
        obj(base + 0x500, t_dict, 64 + 40 * scale, ce, scale);
        free(ce);
        obj(base + 0x600, t_node_a, 48, NULL, 0);
        obj(base + 0x700, t_node_b, 48, NULL, 0);
        e[0] = (mf_edge){6, MF_EDGE_REF | MF_EDGE_WEAK, 0};
        obj(base + 0x800, t_weakref, 72, e, 1);
        obj(base + 0x900, t_str, 55, NULL, 0);
        e[0] = (mf_edge){11, MF_EDGE_ATTR, str("next")};
        obj(base + 0xa00, t_node_a, 48, e, 1);
        e[0] = (mf_edge){10, MF_EDGE_ATTR, str("next")};
        obj(base + 0xb00, t_node_a, 48, e, 1);
        obj(base + 0xc00, t_int, 28, NULL, 0);
        for (uint64_t i = 0; i < scale; i++) {
            e[0] = (mf_edge){12, MF_EDGE_ATTR, str("cid")};
            obj(base + 0x10000 + 0x40 * i, t_cust, 56, e, 1);
        }
        for (uint64_t i = 0; i < leak; i++) {
            uint32_t m = first_leak + 3 * (uint32_t)i;
            /* leaked objects live at addresses no base object uses */
            uint64_t a = base + 0x1000000 + 0x100 * i;

            e[0] = (mf_edge){m + 1, MF_EDGE_FIELD, str("__self__")};
            obj(a, t_method, 64, e, 1);
            e[0] = (mf_edge){m + 2, MF_EDGE_ATTR, str("buffer")};
            obj(a + 0x40, t_leaked, 56, e, 1);
            obj(a + 0x80, t_bytearray, 313, NULL, 0);
        }
    }
    root = (mf_root){0, MF_ROOT_MODULE, str("app")};
    CHECK(mf_writer_root(w, &root, &err));
    CHECK(mf_writer_meta_int(w, "pid", (int64_t)pid, &err));
    CHECK(mf_writer_meta_float(w, "process.start_time", atof(start), &err));
    CHECK(mf_writer_meta_str(w, "boot_id", boot, &err));
    CHECK(mf_writer_meta_str(w, "python", "3.11.7 (mksnap)", &err));
    CHECK(mf_writer_close(w, NULL, &err));
    return 0;
}
