/*
 * codecommit_resolver_set_mfa_callback, against the header only. The Rust driver
 * (tests/c_programs.rs) runs it with the fixture's AWS files, a HOME of its own (the
 * AWS CLI cache is written there), GIT_TERMINAL_PROMPT=0 and no askpass program, and
 * AWS_ENDPOINT_URL_STS pointing at an STS stand-in that accepts only the code
 * "123456" for the fixture's profile `mfa`; it then checks what STS received.
 *
 * Usage: mfa
 */
#include <stdint.h>

#include "common.h"

static const char REMOTE[] = "codecommit://mfa@test_repo";
static const char SERIAL[] = "arn:aws:iam::123456789012:mfa/dev";

/* What a callback was asked, and how it answers. */
struct asker {
    int calls;
    int decline;     /* return non-zero */
    const char *code; /* written into the buffer */
    int profile_ok;
    int serial_ok;
    int size_ok;
};

static int ask(void *userdata, const char *profile, const char *serial, char *code,
               size_t code_size) {
    struct asker *a = (struct asker *)userdata;
    a->calls++;
    a->profile_ok = strcmp(profile, "mfa") == 0;
    a->serial_ok = strcmp(serial, SERIAL) == 0;
    a->size_ok = code_size == CODECOMMIT_MFA_CODE_SIZE && code[0] == '\0';
    if (a->decline) {
        return 1;
    }
    strncpy(code, a->code, code_size - 1);
    return 0;
}

static int never_asked(void *userdata, const char *profile, const char *serial, char *code,
                       size_t code_size) {
    (void)userdata;
    (void)profile;
    (void)serial;
    (void)code;
    (void)code_size;
    fprintf(stderr, "a cached session needs no code\n");
    abort();
}

static struct call sign(const codecommit_resolver *r) {
    struct call c;
    c.value = GARBAGE;
    c.error = GARBAGE;
    c.code = codecommit_resolver_signed_url(r, REMOTE, CODECOMMIT_SIGNING_TIME_NOW, &c.value,
                                            &c.error);
    check_outputs(&c);
    return c;
}

int main(void) {
    const codecommit_resolver *r = NULL;
    struct asker a = {0, 1, "", 0, 0, 0};
    struct call c;

    CHECK_CODE(codecommit_resolver_set_mfa_callback(NULL, ask, &a),
               CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
    CHECK_CODE(codecommit_resolver_new(&r), CODECOMMIT_AUTH_RESULT_OK);

    /* No callback, no terminal, no askpass: the error says how to give the code. */
    c = sign(r);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_MFA_REQUIRED);
    report("none_text", call_text(&c));
    call_free(&c);

    /* A callback that declines: MFA_REQUIRED, nothing sent. */
    CHECK_CODE(codecommit_resolver_set_mfa_callback(r, ask, &a), CODECOMMIT_AUTH_RESULT_OK);
    c = sign(r);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_MFA_REQUIRED);
    report("declined_text", call_text(&c));
    call_free(&c);
    CHECK(a.calls == 1 && a.profile_ok && a.serial_ok && a.size_ok);

    /* The right code: signed with the role's session. */
    a.decline = 0;
    a.code = "123456";
    c = sign(r);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_OK);
    CHECK(strncmp(call_text(&c), "https://ASIASTS", 15) == 0);
    report("url", call_text(&c));
    call_free(&c);
    CHECK(a.calls == 2 && a.profile_ok && a.serial_ok && a.size_ok);

    /* Removing the callback is allowed; the resolver keeps its resolution anyway. */
    CHECK_CODE(codecommit_resolver_set_mfa_callback(r, NULL, NULL), CODECOMMIT_AUTH_RESULT_OK);
    codecommit_resolver_free(r);

    /* A new resolver (a new process, say) finds the session in the AWS CLI cache. */
    r = NULL;
    CHECK_CODE(codecommit_resolver_new(&r), CODECOMMIT_AUTH_RESULT_OK);
    CHECK_CODE(codecommit_resolver_set_mfa_callback(r, never_asked, NULL),
               CODECOMMIT_AUTH_RESULT_OK);
    c = sign(r);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_OK);
    CHECK(strncmp(call_text(&c), "https://ASIASTS", 15) == 0);
    call_free(&c);
    codecommit_resolver_free(r);
    CHECK(a.calls == 2);

    return finish("mfa");
}
