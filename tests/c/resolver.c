/*
 * codecommit_signed_url and the codecommit_resolver functions, against the header only.
 * The Rust driver (tests/c_programs.rs) runs it with a fixture HOME and compares the
 * "RESULT" lines with the Rust API.
 *
 * Usage:
 *   resolver misuse                every NULL, bad string and early failure
 *   resolver sign REMOTE UNIX      the resolver at UNIX, and codecommit_signed_url (now)
 *   resolver explain REMOTE        codecommit_resolver_explain
 *   resolver reload FILE           sign, rewrite FILE (the credentials file), reload, sign
 *   resolver callback KIND         a resolver whose credentials callback behaves as KIND
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>

#include "common.h"

#define VECTOR_TIME 1514116400
static const char VECTOR_URL[] =
    "https://access:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa17"
    "3f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo";

static const codecommit_resolver *new_resolver(void) {
    const codecommit_resolver *r = (const codecommit_resolver *)GARBAGE;
    CHECK_CODE(codecommit_resolver_new(&r), CODECOMMIT_AUTH_RESULT_OK);
    CHECK(r != NULL && r != (const codecommit_resolver *)GARBAGE);
    return r;
}

static struct call resolver_sign(const codecommit_resolver *r, const char *remote, int64_t t) {
    struct call c;
    c.value = GARBAGE;
    c.error = GARBAGE;
    c.code = codecommit_resolver_signed_url(r, remote, t, &c.value, &c.error);
    check_outputs(&c);
    return c;
}

static struct call resolver_explain(const codecommit_resolver *r, const char *remote) {
    struct call c;
    c.value = GARBAGE;
    c.error = GARBAGE;
    c.code = codecommit_resolver_explain(r, remote, &c.value, &c.error);
    check_outputs(&c);
    return c;
}

static struct call one_call(const char *remote) {
    struct call c;
    c.value = GARBAGE;
    c.error = GARBAGE;
    c.code = codecommit_signed_url(remote, &c.value, &c.error);
    check_outputs(&c);
    return c;
}

static void report_call(const char *code_key, const char *text_key, struct call *c) {
    report(code_key, codecommit_error_name(c->code));
    report(text_key, call_text(c));
    call_free(c);
}

/* ---- misuse ------------------------------------------------------------------------ */

static int never_called(void *userdata, const char *profile, codecommit_credentials *creds) {
    (void)userdata;
    (void)profile;
    (void)creds;
    return 1;
}

static void misuse(void) {
    const codecommit_resolver *r = new_resolver();
    const codecommit_resolver *out = (const codecommit_resolver *)GARBAGE;
    char *over = long_string(CODECOMMIT_MAX_INPUT_LEN + 1);
    char *absurd = long_string((size_t)1 << 20);
    const char *remotes[6];
    int codes[6];
    size_t i;
    struct call c;

    /* Handles. */
    CHECK_CODE(codecommit_resolver_new(NULL), CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    CHECK_CODE(codecommit_resolver_new_with_credentials_callback(NULL, NULL, &out),
               CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    CHECK(out == NULL); /* cleared on failure */
    CHECK_CODE(codecommit_resolver_new_with_credentials_callback(never_called, NULL, NULL),
               CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    CHECK_CODE(codecommit_resolver_reload(NULL), CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    CHECK_CODE(codecommit_resolver_reload(r), CODECOMMIT_AUTH_RESULT_OK);
    codecommit_resolver_free(NULL);
    c = resolver_sign(NULL, "codecommit://vector@test_repo", VECTOR_TIME);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    CHECK(c.error != NULL && strcmp(c.error, "resolver is NULL") == 0);
    call_free(&c);
    c = resolver_explain(NULL, "codecommit://vector@test_repo");
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    call_free(&c);

    /* Remotes: NULL, bad strings, and the failures found before any file is read. */
    remotes[0] = NULL;
    codes[0] = CODECOMMIT_AUTH_RESULT_NULL_PARAMETER;
    remotes[1] = "";
    codes[1] = CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT;
    remotes[2] = "codecommit://re\xffpo";
    codes[2] = CODECOMMIT_AUTH_RESULT_INVALID_UTF8;
    remotes[3] = over;
    codes[3] = CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT;
    remotes[4] = absurd;
    codes[4] = CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT;
    remotes[5] = "codecommit:/no-slashes";
    codes[5] = CODECOMMIT_AUTH_RESULT_MALFORMED_REMOTE;
    for (i = 0; i < sizeof remotes / sizeof remotes[0]; i++) {
        c = one_call(remotes[i]);
        CHECK_CODE(c.code, codes[i]);
        call_free(&c);
        c = resolver_sign(r, remotes[i], VECTOR_TIME);
        CHECK_CODE(c.code, codes[i]);
        call_free(&c);
        c = resolver_sign(r, remotes[i], CODECOMMIT_SIGNING_TIME_NOW);
        CHECK_CODE(c.code, codes[i]);
        call_free(&c);
        c = resolver_explain(r, remotes[i]);
        CHECK_CODE(c.code, codes[i]);
        if (i < 5) {
            CHECK(c.error != NULL && strncmp(c.error, "remote ", 7) == 0);
        }
        call_free(&c);
    }

    /* A bad signing time is refused before the remote is looked at. */
    c = resolver_sign(r, "codecommit://vector@test_repo", -1);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_INVALID_SIGNING_TIME);
    call_free(&c);

    /* Unwanted outputs. */
    CHECK_CODE(codecommit_signed_url("", NULL, NULL), CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT);
    CHECK_CODE(codecommit_resolver_signed_url(r, "", 0, NULL, NULL),
               CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT);
    CHECK_CODE(codecommit_resolver_explain(r, "", NULL, NULL),
               CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT);

    /* The setters, outside a callback, with no object. */
    CHECK_CODE(codecommit_credentials_set(NULL, "a", "b", NULL),
               CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    CHECK_CODE(codecommit_credentials_set_expiry(NULL, 0), CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);

    codecommit_resolver_free(r);
    free(over);
    free(absurd);
}

/* ---- callbacks --------------------------------------------------------------------- */

struct behaviour {
    const char *kind;
    char profiles[256];
    char setters[256];
};

static void note(char *list, size_t size, const char *item) {
    if (list[0] != '\0') {
        strncat(list, ",", size - strlen(list) - 1);
    }
    strncat(list, item, size - strlen(list) - 1);
}

static void note_code(struct behaviour *b, int code) {
    char text[16];
    snprintf(text, sizeof text, "%d", code);
    note(b->setters, sizeof b->setters, text);
}

static int behave(void *userdata, const char *profile, codecommit_credentials *creds) {
    struct behaviour *b = userdata;
    const char *k = b->kind;
    note(b->profiles, sizeof b->profiles, profile);
    if (strcmp(k, "vector") == 0 || strcmp(k, "named-profile") == 0) {
        note_code(b, codecommit_credentials_set(creds, "access", "secret", NULL));
    } else if (strcmp(k, "token") == 0) {
        note_code(b, codecommit_credentials_set(creds, "access", "secret", "token"));
    } else if (strcmp(k, "decline") == 0) {
        /* Let the files decide. */
    } else if (strcmp(k, "fail") == 0) {
        return 7;
    } else if (strcmp(k, "null-secret") == 0) {
        note_code(b, codecommit_credentials_set(creds, "access", NULL, NULL));
    } else if (strcmp(k, "empty-key") == 0) {
        note_code(b, codecommit_credentials_set(creds, "", "secret", NULL));
    } else if (strcmp(k, "bad-token") == 0) {
        note_code(b, codecommit_credentials_set(creds, "access", "secret", "\xff"));
    } else if (strcmp(k, "expiry") == 0) {
        note_code(b, codecommit_credentials_set(creds, "access", "secret", "token"));
        note_code(b, codecommit_credentials_set_expiry(creds, INT64_C(2000000000)));
    } else if (strcmp(k, "bad-expiry") == 0) {
        note_code(b, codecommit_credentials_set(creds, "access", "secret", NULL));
        note_code(b, codecommit_credentials_set_expiry(creds, -1));
    } else if (strcmp(k, "reentrant") == 0) {
        /* The library may be called from inside the callback. */
        char *url = NULL;
        int code = codecommit_sign_url("access", "secret", NULL, "us-west-2", "test_repo", NULL,
                                       VECTOR_TIME, &url, NULL);
        int same = code == 0 && strcmp(url, VECTOR_URL) == 0;
        codecommit_string_free(url);
        if (!same) {
            return 99;
        }
        note_code(b, codecommit_credentials_set(creds, "access", "secret", NULL));
    } else {
        return 98;
    }
    return 0;
}

static void callback(const char *kind) {
    struct behaviour b;
    const codecommit_resolver *r = NULL;
    const char *remote = "codecommit::us-west-2://test_repo";
    int64_t t = VECTOR_TIME;
    struct call c;

    memset(&b, 0, sizeof b);
    b.kind = kind;
    if (strcmp(kind, "decline") == 0) {
        remote = "codecommit://demo@MyRepositoryName";
        t = 1717243200;
    } else if (strcmp(kind, "named-profile") == 0) {
        remote = "codecommit::us-west-2://vector@test_repo";
    }
    CHECK_CODE(codecommit_resolver_new_with_credentials_callback(behave, &b, &r),
               CODECOMMIT_AUTH_RESULT_OK);
    c = resolver_sign(r, remote, t);
    report_call("code", "text", &c);
    if (strcmp(kind, "expiry") == 0) {
        c = resolver_explain(r, remote);
        report("explain", call_text(&c));
        call_free(&c);
    }
    codecommit_resolver_free(r); /* before the behaviour it points at goes */
    report("profiles", b.profiles);
    report("setters", b.setters);
}

/* ---- reload ------------------------------------------------------------------------ */

static void write_keys(const char *path, const char *key) {
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fprintf(f, "[vector]\naws_access_key_id = %s\naws_secret_access_key = secret\n", key);
        fclose(f);
    }
}

static void reload(const char *file) {
    const codecommit_resolver *r;
    struct call c;
    char code[8];

    write_keys(file, "access");
    r = new_resolver();
    c = resolver_sign(r, "codecommit://vector@test_repo", VECTOR_TIME);
    report_call("first_code", "first", &c);
    write_keys(file, "rotated");
    c = resolver_sign(r, "codecommit://vector@test_repo", VECTOR_TIME);
    report_call("cached_code", "cached", &c);
    snprintf(code, sizeof code, "%d", codecommit_resolver_reload(r));
    report("reload_code", code);
    c = resolver_sign(r, "codecommit://vector@test_repo", VECTOR_TIME);
    report_call("reloaded_code", "reloaded", &c);
    codecommit_resolver_free(r);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "misuse") == 0 && argc == 2) {
        misuse();
    } else if (strcmp(mode, "sign") == 0 && argc == 4) {
        const codecommit_resolver *r = new_resolver();
        struct call c = resolver_sign(r, argv[2], strtoll(argv[3], NULL, 10));
        report_call("code", "text", &c);
        c = one_call(argv[2]);
        report_call("now_code", "now_text", &c);
        codecommit_resolver_free(r);
    } else if (strcmp(mode, "explain") == 0 && argc == 3) {
        const codecommit_resolver *r = new_resolver();
        struct call c = resolver_explain(r, argv[2]);
        report_call("code", "text", &c);
        codecommit_resolver_free(r);
    } else if (strcmp(mode, "reload") == 0 && argc == 3) {
        reload(argv[2]);
    } else if (strcmp(mode, "callback") == 0 && argc == 3) {
        callback(argv[2]);
    } else {
        fprintf(stderr, "usage: resolver misuse | sign REMOTE UNIX | explain REMOTE | "
                        "reload FILE | callback KIND\n");
        return 2;
    }
    return finish("resolver");
}
