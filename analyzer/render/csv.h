/*
 * csv.h - a snapshot as CSV tables for data tools (pandas, DuckDB,
 * Spark): objects.csv, edges.csv and roots.csv, described in
 * spec/exports.md.  Each function streams one table, one row per object,
 * edge or root record, to an outfile (RFC 4180: a header row, commas,
 * fields quoted when needed, text in UTF-8).
 */
#ifndef AN_RENDER_CSV_H
#define AN_RENDER_CSV_H

#include <stdint.h>

#include "lib/snap.h"
#include "render/outfile.h"

/* The tables, in the order an_export_csv() writes them. */
#define AN_CSV_TABLES 3
extern const char *const an_csv_tables[AN_CSV_TABLES];

/*
 * an_export_csv() - the three tables of s into out[0..AN_CSV_TABLES) (the
 * files named by an_csv_tables, opened by the caller): the columns of
 * all three loaded; retained (may be NULL) as for objects.csv.
 */
void an_export_csv(an_outfile *out, const an_snap *s,
                   const uint64_t *retained);

/*
 * an_export_csv_objects() - "index,address,module,type,size,retained,
 * flags,length,external": one row per object (address, type, size, flags
 * and length columns loaded); retained (may be NULL: the column is then
 * empty) per object; length empty when the object has none; external 1
 * for an external node (an_snap_is_external()), else 0.
 */
void an_export_csv_objects(an_outfile *o, const an_snap *s,
                           const uint64_t *retained);

/*
 * an_export_csv_edges() - "from,to,kind,label,weak": one row per edge
 * that points inside the snapshot (edges, edge kinds and labels loaded);
 * from and to are object indices, kind a name (spec/exports.md), label
 * the key, attribute or index (empty for unlabeled kinds), weak 0 or 1.
 */
void an_export_csv_edges(an_outfile *o, const an_snap *s);

/* an_export_csv_roots() - "object,kind,label": the dumper's root
 * records, in file order. */
void an_export_csv_roots(an_outfile *o, const an_snap *s);

/* The name of an edge kind in edges.csv ("attr", "index", ...), without
 * the weak bit; "kind_0xNN" for kinds this reader does not know
 * (written into buf). */
const char *an_csv_edge_kind(uint8_t kind, char *buf, size_t cap);

#endif /* AN_RENDER_CSV_H */
