/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of format v1 blocks.
 *
 * Reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF;
 * mf_crc32c(0, "123456789", 9) == 0xE3069283.  Pass the previous result as
 * `crc` to continue a checksum over several pieces (0 to start).
 * Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
 * run time), slicing-by-8 tables otherwise.  Thread-safe.
 */
#ifndef MF_CRC32C_H
#define MF_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t mf_crc32c(uint32_t crc, const void *data, size_t len);

/* The portable implementation alone (for tests comparing both). */
uint32_t mf_crc32c_sw(uint32_t crc, const void *data, size_t len);

#endif /* MF_CRC32C_H */
