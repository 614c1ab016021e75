/*
 * Helpers shared by the C test programs in tests/c/ (run by tests/c_programs.rs).
 *
 * Every check counts; a program ends with finish(), which prints
 * "NAME: N passed, M failed" and returns the exit status (0 only if nothing failed).
 * Results the Rust driver compares with the Rust API are printed as
 * "RESULT key=value" lines, newlines in the value written as \n.
 */
#ifndef CODECOMMIT_TEST_COMMON_H
#define CODECOMMIT_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecommit_auth.h"

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            checks_passed++;                                                        \
        } else {                                                                    \
            checks_failed++;                                                        \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

/* Checks that `code` is `want`, naming both on failure. */
#define CHECK_CODE(code, want)                                                      \
    do {                                                                            \
        int got_ = (code), want_ = (want);                                          \
        if (got_ == want_) {                                                        \
            checks_passed++;                                                        \
        } else {                                                                    \
            checks_failed++;                                                        \
            fprintf(stderr, "%s:%d: got %s (%d), want %s (%d)\n", __FILE__, __LINE__, \
                    codecommit_error_name(got_), got_, codecommit_error_name(want_), \
                    want_);                                                         \
        }                                                                           \
    } while (0)

/* A value no output of the library ever holds: outputs start as this, so a test can
 * tell that the library wrote them. */
static char garbage_byte;
#define GARBAGE (&garbage_byte)

/* The result of a call with a value output and an error output. */
struct call {
    int code;
    char *value;
    char *error;
};

/* Checks the output contract of a call: both outputs written; on success the value and
 * no error, on failure an error and no value. */
static inline void check_outputs(const struct call *c) {
    CHECK(c->value != GARBAGE);
    CHECK(c->error != GARBAGE);
    if (c->code == CODECOMMIT_AUTH_RESULT_OK) {
        CHECK(c->value != NULL);
        CHECK(c->error == NULL);
    } else {
        CHECK(c->value == NULL);
        CHECK(c->error != NULL);
    }
}

/* The value or the message of a call ("" if neither). */
static inline const char *call_text(const struct call *c) {
    if (c->value != NULL && c->value != GARBAGE) {
        return c->value;
    }
    if (c->error != NULL && c->error != GARBAGE) {
        return c->error;
    }
    return "";
}

/* Frees both outputs (NULL is fine). */
static inline void call_free(struct call *c) {
    if (c->value != GARBAGE) {
        codecommit_string_free(c->value);
    }
    if (c->error != GARBAGE) {
        codecommit_string_free(c->error);
    }
    c->value = NULL;
    c->error = NULL;
}

/* Prints "RESULT key=value" with newlines escaped, for the Rust driver. */
static inline void report(const char *key, const char *value) {
    const char *p;
    printf("RESULT %s=", key);
    for (p = value; *p != '\0'; p++) {
        if (*p == '\n') {
            fputs("\\n", stdout);
        } else {
            putchar(*p);
        }
    }
    putchar('\n');
}

/* A NUL-terminated string of `len` copies of 'a' (free it with free()). */
static inline char *long_string(size_t len) {
    char *s = malloc(len + 1);
    if (s == NULL) {
        abort();
    }
    memset(s, 'a', len);
    s[len] = '\0';
    return s;
}

static inline int finish(const char *program) {
    printf("%s: %d passed, %d failed\n", program, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif /* CODECOMMIT_TEST_COMMON_H */
