#!/usr/bin/env bash
# Startup cost of one helper run, ours against the Python reference (git-remote-codecommit
# 1.17 on botocore 1.44.8), with the same files on the same machine: median wall time
# (hyperfine), mean CPU time (user + system: steadier than wall time on a busy machine)
# and peak RSS (/usr/bin/time), for
#
#   print-url  resolve + sign + print: `git-remote-codecommit --print-url REMOTE` against
#              benches/grc_print_url.py (Context.from_url + git_url + print);
#   helper     the whole helper as git runs it, `git-remote-codecommit origin REMOTE`,
#              with a `git` on PATH that is /bin/true, so the run ends at the hand-over;
#   big-config print-url with the same profile in a generated 2,000-profile config
#              (IAM Identity Center layout, 282 KB);
#   sso        print-url for an SSO profile (sso-session form) whose role credentials
#              are cached: ours reads them from ~/.aws/cli/cache (primed by one run);
#              the reference has no such cache and asks the portal every time, here a
#              stand-in on 127.0.0.1 (AWS_ENDPOINT_URL_SSO) answering at once — its
#              figure is a lower bound.
#
# usage: benches/startup.sh [PYTHON]
#   PYTHON: an interpreter with git-remote-codecommit==1.17 installed; default
#   $GRC_PYTHON, else target/oracle-venv/bin/python (made by .ci/run).
# Needs hyperfine (apt install hyperfine) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."

py=${1:-${GRC_PYTHON:-target/oracle-venv/bin/python}}
"$py" -c 'import git_remote_codecommit' 2>/dev/null || {
    echo "error: $py cannot import git_remote_codecommit (pip install -r tests/oracle/requirements.txt)" >&2
    exit 1
}
command -v hyperfine >/dev/null || { echo "error: hyperfine not found (apt install hyperfine)" >&2; exit 1; }

cargo build --release --quiet --bin git-remote-codecommit
bin=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/git-remote-codecommit

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home" "$work/fakegit"
ln -s "$(type -P true)" "$work/fakegit/git"

# The same static-key profile for both (examples/demo), nothing else from this machine.
export HOME="$work/home"
export AWS_CONFIG_FILE="$PWD/examples/demo/config"
export AWS_SHARED_CREDENTIALS_FILE="$PWD/examples/demo/credentials"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
    AWS_SESSION_TOKEN CODE_COMMIT_ENDPOINT
export AWS_EC2_METADATA_DISABLED=true
remote=codecommit://demo@MyDemoRepo

# Both must give a URL for the same host and repository before anything is timed.
ours=$("$bin" --print-url "$remote")
theirs=$("$py" benches/grc_print_url.py "$remote")
[ "${ours#*@}" = "${theirs#*@}" ] || { echo "error: different URLs: $ours vs $theirs" >&2; exit 1; }

grc_main='import sys; from git_remote_codecommit import main; sys.argv[0] = "git-remote-codecommit"; main()'

# A 2,000-profile config (one profile per account and role, as IAM Identity Center
# setups generate), with the demo profile last.
big_config() {
    awk -v n="$1" 'BEGIN {
        print "[default]\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
        for (i = 0; i < n; i++)
            printf "[profile acct-%012d-Deploy]\nsso_session = corp\nsso_account_id = %012d\nsso_role_name = Deploy\nregion = eu-west-%d\noutput = json\n\n", i, i, i % 3 + 1
        print "[profile demo]\nregion = us-east-2\n"
    }'
}
big_config 2000 >"$work/config-2000"

# The SSO profile: a login token in ~/.aws/sso/cache, a portal stand-in on 127.0.0.1
# that hands out role credentials with a 1,000-character session token.
mkdir -p "$HOME/.aws/sso/cache"
cat >"$work/config-sso" <<CFG
[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Deploy
region = us-east-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
CFG
printf '{"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1", "accessToken": "bench-access-token", "expiresAt": "2099-01-01T00:00:00Z"}' \
    >"$HOME/.aws/sso/cache/$(printf corp | sha1sum | cut -d' ' -f1).json"
"$py" - "$work/portal.port" <<'PY' &
import http.server, json, random, string, sys, time
token = "".join(random.Random(16).choice(string.ascii_letters + string.digits + "+/") for _ in range(998)) + "=="
body = json.dumps({"roleCredentials": {"accessKeyId": "ASIAIOSFODNN7EXAMPLE",
    "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "sessionToken": token,
    "expiration": int((time.time() + 12 * 3600) * 1000)}}).encode()
class Portal(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Portal)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
portal=$!
trap 'kill "$portal" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/portal.port" ] && break; sleep 0.1; done
sso_env=(AWS_CONFIG_FILE="$work/config-sso" AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$(cat "$work/portal.port")")
big_env=(AWS_CONFIG_FILE="$work/config-2000")
# The first run of ours asks the portal and fills ~/.aws/cli/cache; both agree on the URL.
ours=$(env "${sso_env[@]}" "$bin" --print-url codecommit://sso@MyDemoRepo)
theirs=$(env "${sso_env[@]}" "$py" benches/grc_print_url.py codecommit://sso@MyDemoRepo)
[ "${ours#*@}" = "${theirs#*@}" ] || { echo "error: different SSO URLs" >&2; exit 1; }
[ -n "$(ls "$HOME/.aws/cli/cache" 2>/dev/null)" ] || { echo "error: no cached SSO role credentials" >&2; exit 1; }
[ "$(env "${big_env[@]}" "$bin" --print-url "$remote")" != "" ]

echo "== wall time (hyperfine, median of the runs)"
hyperfine -N --warmup 5 --runs "${RUNS:-100}" --style basic \
    --export-json "$work/print-url.json" \
    -n "rust   --print-url" "$bin --print-url $remote" \
    -n "python print-url" "$py benches/grc_print_url.py $remote"
PATH="$work/fakegit:$PATH" hyperfine -N --warmup 5 --runs "${RUNS:-100}" --style basic \
    --export-json "$work/helper.json" \
    -n "rust   helper" "$bin origin $remote" \
    -n "python helper" "$py -c '$grc_main' origin $remote"
env "${big_env[@]}" hyperfine -N --warmup 5 --runs "${RUNS:-100}" --style basic \
    --export-json "$work/big-config.json" \
    -n "rust   2000 profiles" "$bin --print-url $remote" \
    -n "python 2000 profiles" "$py benches/grc_print_url.py $remote"
env "${sso_env[@]}" hyperfine -N --warmup 5 --runs "${RUNS:-100}" --style basic \
    --export-json "$work/sso.json" \
    -n "rust   sso (cached)" "$bin --print-url codecommit://sso@MyDemoRepo" \
    -n "python sso (portal)" "$py benches/grc_print_url.py codecommit://sso@MyDemoRepo"

# Peak RSS: the median of 21 runs of GNU time's maximum resident set size.
peak_rss() {
    for _ in $(seq 21); do
        /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1
    done | sort -n | sed -n 11p
}
echo
echo "== peak RSS (GNU time, median of 21 runs)"
printf '%-22s %8s KiB\n' "rust   --print-url" "$(peak_rss "$bin" --print-url "$remote")"
printf '%-22s %8s KiB\n' "python print-url" "$(peak_rss "$py" benches/grc_print_url.py "$remote")"
printf '%-22s %8s KiB\n' "rust   helper" "$(PATH="$work/fakegit:$PATH" peak_rss "$bin" origin "$remote")"
printf '%-22s %8s KiB\n' "python helper" "$(PATH="$work/fakegit:$PATH" peak_rss "$py" -c "$grc_main" origin "$remote")"
printf '%-22s %8s KiB\n' "rust   2000 profiles" "$(peak_rss env "${big_env[@]}" "$bin" --print-url "$remote")"
printf '%-22s %8s KiB\n' "python 2000 profiles" "$(peak_rss env "${big_env[@]}" "$py" benches/grc_print_url.py "$remote")"
big_config 20000 >"$work/config-20000"
printf '%-22s %8s KiB\n' "rust   20000 profiles" "$(peak_rss env AWS_CONFIG_FILE="$work/config-20000" "$bin" --print-url "$remote")"
printf '%-22s %8s KiB\n' "rust   sso (cached)" "$(peak_rss env "${sso_env[@]}" "$bin" --print-url codecommit://sso@MyDemoRepo)"
printf '%-22s %8s KiB\n' "python sso (portal)" "$(peak_rss env "${sso_env[@]}" "$py" benches/grc_print_url.py codecommit://sso@MyDemoRepo)"

echo
echo "== medians"
for f in print-url helper big-config sso; do
    "$py" - "$work/$f.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
for r in results:
    cpu = (r["user"] + r["system"]) * 1000
    print(f"{r['command']:<22} median {r['median'] * 1000:8.2f} ms wall, mean {cpu:8.2f} ms CPU")
a, b = results
print(f"{'':<22} python / rust = {b['median'] / a['median']:.0f}x wall, "
      f"{(b['user'] + b['system']) / (a['user'] + a['system']):.0f}x CPU")
PY
done
# Ours against itself: the 2,000-profile config over the one-profile one (issue 16: 1.5x).
"$py" - "$work/print-url.json" "$work/big-config.json" <<'PY'
import json, sys
small, big = (json.load(open(p))["results"][0] for p in sys.argv[1:])
print(f"{'rust 2000 / 1 profile':<22} {big['median'] / small['median']:.2f}x wall, "
      f"{(big['user'] + big['system']) / (small['user'] + small['system']):.2f}x CPU")
PY
