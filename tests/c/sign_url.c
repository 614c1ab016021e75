/*
 * codecommit_sign_url and the helpers (codecommit_string_free, codecommit_error_name,
 * codecommit_version, the version macros), written against the header only. Reads no
 * file and no environment variable.
 *
 * Usage: sign_url    (exit status 0 when every check passes)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <time.h>

#include "common.h"

#define VECTOR_TIME 1514116400
static const char VECTOR_URL[] =
    "https://access:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa17"
    "3f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo";
static const char VECTOR_TOKEN_URL[] =
    "https://access%25token:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd"
    "45fcfa173f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo";

/* The six string arguments of codecommit_sign_url, in order. */
enum { ACCESS_KEY, SECRET, TOKEN, REGION, REPOSITORY, HOST, NARGS };
static const char *const PARAM_NAMES[NARGS] = {
    "access_key_id", "secret_access_key", "session_token", "region", "repository", "host",
};

struct args {
    const char *s[NARGS];
    int64_t unix_seconds;
};

static struct args vector(void) {
    struct args a;
    a.s[ACCESS_KEY] = "access";
    a.s[SECRET] = "secret";
    a.s[TOKEN] = NULL;
    a.s[REGION] = "us-west-2";
    a.s[REPOSITORY] = "test_repo";
    a.s[HOST] = NULL;
    a.unix_seconds = VECTOR_TIME;
    return a;
}

static struct call sign(struct args a) {
    struct call c;
    c.value = GARBAGE;
    c.error = GARBAGE;
    c.code = codecommit_sign_url(a.s[ACCESS_KEY], a.s[SECRET], a.s[TOKEN], a.s[REGION],
                                 a.s[REPOSITORY], a.s[HOST], a.unix_seconds, &c.value, &c.error);
    check_outputs(&c);
    return c;
}

/* Signs `a`, checks the code and, on success, the URL; frees everything. */
static void expect(struct args a, int code, const char *url) {
    struct call c = sign(a);
    CHECK_CODE(c.code, code);
    if (url != NULL && c.value != NULL) {
        if (strcmp(c.value, url) != 0) {
            fprintf(stderr, "got  %s\nwant %s\n", c.value, url);
        }
        CHECK(strcmp(c.value, url) == 0);
    }
    call_free(&c);
}

static void test_vectors(void) {
    struct args a = vector();
    expect(a, CODECOMMIT_AUTH_RESULT_OK, VECTOR_URL);
    a.s[TOKEN] = "token";
    expect(a, CODECOMMIT_AUTH_RESULT_OK, VECTOR_TOKEN_URL);
    /* The region's standard host, spelled out, signs the same URL. */
    a = vector();
    a.s[HOST] = "git-codecommit.us-west-2.amazonaws.com";
    expect(a, CODECOMMIT_AUTH_RESULT_OK, VECTOR_URL);
}

static void test_hosts(void) {
    struct args a = vector();
    struct call c;
    const char *suffix = "@git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/test_repo";

    a.s[REGION] = "cn-north-1";
    c = sign(a);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_OK);
    CHECK(c.value != NULL && strlen(c.value) > strlen(suffix) &&
          strcmp(c.value + strlen(c.value) - strlen(suffix), suffix) == 0);
    call_free(&c);

    a = vector();
    a.s[HOST] = "vpce.example:8443";
    c = sign(a);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_OK);
    CHECK(c.value != NULL && strstr(c.value, "@vpce.example:8443/v1/repos/test_repo") != NULL);
    /* The host is signed: the password differs from the vector's. */
    CHECK(c.value != NULL && strncmp(c.value, VECTOR_URL, 95) != 0);
    call_free(&c);
}

static void test_now(void) {
    struct args a = vector();
    struct call c;
    char before[9], after[9];
    time_t t;
    struct tm tm;

    t = time(NULL);
    strftime(before, sizeof before, "%Y%m%d", gmtime_r(&t, &tm));
    a.unix_seconds = CODECOMMIT_SIGNING_TIME_NOW;
    c = sign(a);
    t = time(NULL);
    strftime(after, sizeof after, "%Y%m%d", gmtime_r(&t, &tm));
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_OK);
    /* https://access:YYYYMMDD... */
    CHECK(c.value != NULL && (strncmp(c.value + 15, before, 8) == 0 ||
                              strncmp(c.value + 15, after, 8) == 0));
    call_free(&c);
}

static void test_library_errors(void) {
    struct args a = vector();
    struct call c;
    int64_t bad_times[4];
    size_t i;

    a.s[REGION] = "mars-1";
    c = sign(a);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_REGION_NOT_AVAILABLE);
    CHECK(c.error != NULL && strstr(c.error, "mars-1") != NULL);
    call_free(&c);

    a = vector();
    a.s[REPOSITORY] = "../etc";
    c = sign(a);
    CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_INVALID_REPOSITORY_NAME);
    call_free(&c);

    bad_times[0] = -1;
    bad_times[1] = INT64_C(253402300800); /* 10000-01-01 */
    bad_times[2] = INT64_MAX;
    bad_times[3] = CODECOMMIT_SIGNING_TIME_NOW + 1;
    for (i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++) {
        a = vector();
        a.unix_seconds = bad_times[i];
        expect(a, CODECOMMIT_AUTH_RESULT_INVALID_SIGNING_TIME, NULL);
    }
    /* The edges of time are fine. */
    a = vector();
    a.unix_seconds = 0;
    expect(a, CODECOMMIT_AUTH_RESULT_OK, NULL);
    a.unix_seconds = INT64_C(253402300799);
    expect(a, CODECOMMIT_AUTH_RESULT_OK, NULL);
}

/* NULL, invalid UTF-8, empty, too long and absurdly long, in every parameter. */
static void test_misuse(void) {
    char *over = long_string(CODECOMMIT_MAX_INPUT_LEN + 1);
    char *absurd = long_string((size_t)1 << 20);
    char *at_limit = long_string(CODECOMMIT_MAX_INPUT_LEN);
    const char *bad[5];
    int bad_codes[5];
    size_t p, b;

    bad[0] = "";
    bad_codes[0] = CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT;
    bad[1] = "us-\xff-1";
    bad_codes[1] = CODECOMMIT_AUTH_RESULT_INVALID_UTF8;
    bad[2] = "caf\xc3";
    bad_codes[2] = CODECOMMIT_AUTH_RESULT_INVALID_UTF8;
    bad[3] = over;
    bad_codes[3] = CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT;
    bad[4] = absurd;
    bad_codes[4] = CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT;

    for (p = 0; p < NARGS; p++) {
        struct args a = vector();
        struct call c;
        /* NULL: refused where required, absent where optional. */
        a.s[p] = NULL;
        c = sign(a);
        if (p == TOKEN || p == HOST) {
            CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_OK);
        } else {
            char want[64];
            CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_NULL_PARAMETER);
            snprintf(want, sizeof want, "%s is NULL", PARAM_NAMES[p]);
            CHECK(c.error != NULL && strcmp(c.error, want) == 0);
        }
        call_free(&c);

        for (b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            a = vector();
            a.s[p] = bad[b];
            c = sign(a);
            CHECK_CODE(c.code, bad_codes[b]);
            /* The message names the parameter. */
            CHECK(c.error != NULL &&
                  strncmp(c.error, PARAM_NAMES[p], strlen(PARAM_NAMES[p])) == 0);
            call_free(&c);
        }
    }

    /* Exactly the limit is fine. */
    {
        struct args a = vector();
        struct call c;
        a.s[ACCESS_KEY] = at_limit;
        c = sign(a);
        CHECK_CODE(c.code, CODECOMMIT_AUTH_RESULT_OK);
        CHECK(c.value != NULL && strlen(c.value) > CODECOMMIT_MAX_INPUT_LEN);
        call_free(&c);
    }

    free(over);
    free(absurd);
    free(at_limit);
}

static void test_outputs(void) {
    struct args ok = vector(), bad = vector();
    char *url = GARBAGE, *error = GARBAGE;
    const struct args *cases[2];
    size_t i;

    bad.s[REGION] = NULL;
    cases[0] = &ok;
    cases[1] = &bad;
    for (i = 0; i < 2; i++) {
        const struct args *a = cases[i];
        int want = i == 0 ? CODECOMMIT_AUTH_RESULT_OK : CODECOMMIT_AUTH_RESULT_NULL_PARAMETER;
        /* Either output may be NULL. */
        CHECK_CODE(codecommit_sign_url(a->s[0], a->s[1], a->s[2], a->s[3], a->s[4], a->s[5],
                                       a->unix_seconds, NULL, NULL),
                   want);
        url = GARBAGE;
        CHECK_CODE(codecommit_sign_url(a->s[0], a->s[1], a->s[2], a->s[3], a->s[4], a->s[5],
                                       a->unix_seconds, &url, NULL),
                   want);
        CHECK(url != GARBAGE && (url == NULL) == (want != 0));
        codecommit_string_free(url);
        error = GARBAGE;
        CHECK_CODE(codecommit_sign_url(a->s[0], a->s[1], a->s[2], a->s[3], a->s[4], a->s[5],
                                       a->unix_seconds, NULL, &error),
                   want);
        CHECK(error != GARBAGE && (error == NULL) == (want == 0));
        codecommit_string_free(error);
    }
}

static void test_strings(void) {
    struct call c = sign(vector());
    char *save = NULL;
    /* A caller may cut a returned string up (here at ':' and '@') and still free it. */
    CHECK(c.value != NULL && strtok_r(c.value, ":@", &save) != NULL);
    CHECK(strtok_r(NULL, ":@", &save) != NULL);
    call_free(&c);
    codecommit_string_free(NULL);
    checks_passed++;
}

static void test_names_and_version(void) {
    static const struct {
        int code;
        const char *name;
    } codes[] = {
        {CODECOMMIT_AUTH_RESULT_OK, "ok"},
        {CODECOMMIT_AUTH_RESULT_NULL_PARAMETER, "null_parameter"},
        {CODECOMMIT_AUTH_RESULT_INVALID_UTF8, "invalid_utf8"},
        {CODECOMMIT_AUTH_RESULT_PANIC, "panic"},
        {CODECOMMIT_AUTH_RESULT_INVALID_ARGUMENT, "invalid_argument"},
        {CODECOMMIT_AUTH_RESULT_MALFORMED_REMOTE, "malformed_remote"},
        {CODECOMMIT_AUTH_RESULT_INVALID_REPOSITORY_NAME, "invalid_repository_name"},
        {CODECOMMIT_AUTH_RESULT_CONFIG_READ, "config_read"},
        {CODECOMMIT_AUTH_RESULT_CONFIG_PARSE, "config_parse"},
        {CODECOMMIT_AUTH_RESULT_PROFILE_NOT_FOUND, "profile_not_found"},
        {CODECOMMIT_AUTH_RESULT_INVALID_CONFIG, "invalid_config"},
        {CODECOMMIT_AUTH_RESULT_UNSUPPORTED, "unsupported"},
        {CODECOMMIT_AUTH_RESULT_CREDENTIALS_NOT_FOUND, "credentials_not_found"},
        {CODECOMMIT_AUTH_RESULT_PARTIAL_CREDENTIALS, "partial_credentials"},
        {CODECOMMIT_AUTH_RESULT_CREDENTIALS_EXPIRED, "credentials_expired"},
        {CODECOMMIT_AUTH_RESULT_MALFORMED_CREDENTIALS, "malformed_credentials"},
        {CODECOMMIT_AUTH_RESULT_SSO_LOGIN_REQUIRED, "sso_login_required"},
        {CODECOMMIT_AUTH_RESULT_MFA_REQUIRED, "mfa_required"},
        {CODECOMMIT_AUTH_RESULT_PROCESS_FAILED, "process_failed"},
        {CODECOMMIT_AUTH_RESULT_LOGIN_REQUIRED, "login_required"},
        {CODECOMMIT_AUTH_RESULT_REGION_NOT_FOUND, "region_not_found"},
        {CODECOMMIT_AUTH_RESULT_REGION_NOT_AVAILABLE, "region_not_available"},
        {CODECOMMIT_AUTH_RESULT_FIPS_NOT_AVAILABLE, "fips_not_available"},
        {CODECOMMIT_AUTH_RESULT_INVALID_SIGNING_TIME, "invalid_signing_time"},
        {CODECOMMIT_AUTH_RESULT_SERVICE_ERROR, "service_error"},
        {CODECOMMIT_AUTH_RESULT_NETWORK, "network"},
    };
    static const int unknown[] = {-1, 1, 99, 104, 199, 799, 800, 1000000};
    char composed[32];
    size_t i, j;

    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *name = codecommit_error_name(codes[i].code);
        CHECK(name != NULL && strcmp(name, codes[i].name) == 0);
        /* The same static string every time. */
        CHECK(name == codecommit_error_name(codes[i].code));
        for (j = 0; j < i; j++) {
            CHECK(codes[j].code != codes[i].code);
        }
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK(strcmp(codecommit_error_name(unknown[i]), "unknown") == 0);
    }

    /* The linked library is the header's, and the composed number is each part in its
     * own byte. */
    CHECK(strcmp(codecommit_version(), CODECOMMIT_AUTH_VERSION) == 0);
    snprintf(composed, sizeof composed, "%d.%d.%d", CODECOMMIT_AUTH_VERSION_MAJOR,
             CODECOMMIT_AUTH_VERSION_MINOR, CODECOMMIT_AUTH_VERSION_PATCH);
    CHECK(strcmp(composed, CODECOMMIT_AUTH_VERSION) == 0);
    CHECK(CODECOMMIT_AUTH_VERSION_NUMBER ==
          (CODECOMMIT_AUTH_VERSION_MAJOR * 65536 + CODECOMMIT_AUTH_VERSION_MINOR * 256 +
           CODECOMMIT_AUTH_VERSION_PATCH));
#if CODECOMMIT_AUTH_VERSION_NUMBER < 0x000100
#error "the version number is usable in #if, and this is 0.1.0 or later"
#endif
    CHECK(CODECOMMIT_MAX_INPUT_LEN == 65536);
}

int main(void) {
    test_vectors();
    test_hosts();
    test_now();
    test_library_errors();
    test_misuse();
    test_outputs();
    test_strings();
    test_names_and_version();
    return finish("sign_url");
}
