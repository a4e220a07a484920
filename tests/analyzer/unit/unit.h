/*
 * unit.h - what the analyzer's unit test programs share: one CUnit suite
 * a program, run verbosely, with theap's temporary folder (theap.h) made
 * before and removed after.
 */
#ifndef UNIT_H
#define UNIT_H

typedef struct unit_test {
    const char *name;
    void (*run)(void);
} unit_test;

/* Run `tests` (ended by {NULL, NULL}) as the suite `suite`; returns
 * main()'s exit status: 0 when every assertion held. */
int unit_run(const char *suite, const unit_test *tests);

#endif /* UNIT_H */
