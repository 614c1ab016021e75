// The header from C++17: it compiles with the extern "C" guards, the enum is usable as
// constants, and the API fits RAII. Run by tests/c_programs.rs with the fixture HOME.
//
// Usage: header_cpp    (exit status 0 when every check passes)

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "codecommit_auth.h"

static_assert(CODECOMMIT_AUTH_RESULT_OK == 0, "success is 0");
static_assert(CODECOMMIT_AUTH_RESULT_PANIC == 102, "codes are stable");
static_assert(CODECOMMIT_AUTH_RESULT_INVALID_SIGNING_TIME == 600, "codes are stable");
static_assert(CODECOMMIT_AUTH_VERSION_NUMBER ==
                  ((CODECOMMIT_AUTH_VERSION_MAJOR << 16) | (CODECOMMIT_AUTH_VERSION_MINOR << 8) |
                   CODECOMMIT_AUTH_VERSION_PATCH),
              "the composed version number");
static_assert(CODECOMMIT_SIGNING_TIME_NOW == INT64_MIN, "the now sentinel");

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const char *what) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        std::fprintf(stderr, "check failed: %s\n", what);
    }
}

// Owners for what the library hands out.
struct StringFree {
    void operator()(char *s) const { codecommit_string_free(s); }
};
using String = std::unique_ptr<char, StringFree>;

struct ResolverFree {
    void operator()(const codecommit_resolver *r) const { codecommit_resolver_free(r); }
};
using Resolver = std::unique_ptr<const codecommit_resolver, ResolverFree>;

const char kVector[] =
    "https://access:20171224T115320Zb6df2d758a8023b2f000a546417007b65494f3ce8ad0300fd45fcfa17"
    "3f1959a@git-codecommit.us-west-2.amazonaws.com/v1/repos/test_repo";

}  // namespace

int main() {
    {
        char *url = nullptr;
        char *error = nullptr;
        int code = codecommit_sign_url("access", "secret", nullptr, "us-west-2", "test_repo",
                                       nullptr, 1514116400, &url, &error);
        String owned_url(url), owned_error(error);
        check(code == CODECOMMIT_AUTH_RESULT_OK, "sign_url succeeds");
        check(owned_url && std::string(owned_url.get()) == kVector, "the published vector");
        check(!owned_error, "no error on success");
    }
    {
        char *error = nullptr;
        int code = codecommit_sign_url(nullptr, "secret", nullptr, "us-west-2", "test_repo",
                                       nullptr, 0, nullptr, &error);
        String owned(error);
        check(code == CODECOMMIT_AUTH_RESULT_NULL_PARAMETER, "NULL is refused");
        check(owned && std::strcmp(owned.get(), "access_key_id is NULL") == 0, "named");
        check(std::strcmp(codecommit_error_name(code), "null_parameter") == 0, "its name");
    }
    {
        // A captureless lambda is a C function pointer.
        codecommit_credentials_callback supply = [](void *userdata, const char *profile,
                                                    codecommit_credentials *creds) -> int {
            ++*static_cast<int *>(userdata);
            if (std::strcmp(profile, "default") != 0) {
                return 1;
            }
            return codecommit_credentials_set(creds, "access", "secret", nullptr);
        };
        int calls = 0;
        const codecommit_resolver *raw = nullptr;
        check(codecommit_resolver_new_with_credentials_callback(supply, &calls, &raw) == 0,
              "a callback resolver");
        Resolver resolver(raw);
        char *url = nullptr;
        int code = codecommit_resolver_signed_url(
            resolver.get(), "codecommit::us-west-2://test_repo", 1514116400, &url, nullptr);
        String owned(url);
        check(code == CODECOMMIT_AUTH_RESULT_OK, "signed with the callback's keys");
        check(owned && std::string(owned.get()) == kVector, "the vector, from the callback");
        check(calls == 1, "the callback ran once");
    }
    check(std::string(codecommit_version()) == CODECOMMIT_AUTH_VERSION, "the version");
    std::printf("header_cpp: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
