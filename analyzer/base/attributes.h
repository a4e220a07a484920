/*
 * attributes.h - compiler attributes the analyzer's headers use.
 */
#ifndef AN_BASE_ATTRIBUTES_H
#define AN_BASE_ATTRIBUTES_H

/* Check printf-style arguments: format string at f, arguments from a. */
#if defined(__GNUC__)
#define AN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define AN_PRINTF(f, a)
#endif

#endif /* AN_BASE_ATTRIBUTES_H */
