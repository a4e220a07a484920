/*
 * info.h - `muppy-analyze info` on stdout: the format version, the
 * counts and totals of the file's table of contents, the memory
 * breakdown (lib/memory.h), its metadata and the result of checking
 * every block (mf_reader_verify()), as a table or as JSON
 * (spec/json.md).
 */
#ifndef AN_RENDER_INFO_H
#define AN_RENDER_INFO_H

#include "lib/memory.h"
#include "lib/snap.h"
#include "muppy_format.h"
#include "render/format.h"

/* Print what s says of itself; `verified` is whether every block checked
 * out, else verr says where the damage is; mem is the breakdown
 * (recorded = 0: "not recorded"). */
void an_print_info(const an_snap *s, const mf_error *verr, int verified,
                   const an_memory *mem, an_format fmt);

#endif /* AN_RENDER_INFO_H */
