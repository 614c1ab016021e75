#!/usr/bin/env bash
# The git end-to-end tests (tests/git_e2e.rs) with what they need installed: git >= 2.37
# (http.curloptResolve) with `git http-backend` and HTTPS support (`git remote-http`),
# and tmux (the MFA prompt is typed into a real terminal).
# Installs git with apt when it is missing or too old, then runs the tests with
# CODECOMMIT_E2E_REQUIRE_GIT=1, so a test that would skip fails instead.
#
# STARTUP=1 also runs benches/startup.sh (installs hyperfine; needs the reference's
# venv, target/oracle-venv, which .ci/run creates first).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

git_ok() {
    command -v git >/dev/null || return 1
    local v major minor
    v=$(git --version | awk '{print $3}')
    major=${v%%.*}
    minor=${v#*.}; minor=${minor%%.*}
    [ "$major" -gt 2 ] || { [ "$major" -eq 2 ] && [ "$minor" -ge 37 ]; } || return 1
    local exec
    exec=$(git --exec-path)
    [ -x "$exec/git-http-backend" ] && [ -x "$exec/git-remote-http" ]
}

apt_install() {
    command -v apt-get >/dev/null || return 1
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

step "git for the end-to-end tests"
if ! git_ok; then
    apt_install git ca-certificates || true
fi
if ! git_ok && [ -r /etc/os-release ] && grep -qi '^ID=ubuntu' /etc/os-release; then
    # Older Ubuntu releases ship git < 2.37; the git maintainers' PPA has a current one.
    apt_install software-properties-common
    $sudo add-apt-repository -y ppa:git-core/ppa >/dev/null
    apt_install git
fi
if ! git_ok; then
    echo "error: need git >= 2.37 with git-http-backend and git-remote-http; have: $(git --version 2>&1)" >&2
    exit 1
fi
git --version
echo "exec path: $(git --exec-path)"

step "tmux for the MFA prompt test (a real terminal)"
command -v tmux >/dev/null || apt_install tmux
tmux -V

step "end-to-end tests with real git"
CODECOMMIT_E2E_REQUIRE_GIT=1 cargo test --test git_e2e

if [ "${STARTUP:-0}" = 1 ]; then
    step "startup cost against the Python reference"
    command -v hyperfine >/dev/null || apt_install hyperfine
    benches/startup.sh
fi
