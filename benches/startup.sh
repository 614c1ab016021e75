#!/usr/bin/env bash
# Startup cost of one helper run, ours against the Python reference (git-remote-codecommit
# 1.17 on botocore 1.44.8), with the same files on the same machine: median wall time
# (hyperfine), mean CPU time (user + system: steadier than wall time on a busy machine)
# and peak RSS (/usr/bin/time), for
#
#   print-url  resolve + sign + print: `git-remote-codecommit --print-url REMOTE` against
#              benches/grc_print_url.py (Context.from_url + git_url + print);
#   helper     the whole helper as git runs it, `git-remote-codecommit origin REMOTE`,
#              with a `git` on PATH that is /bin/true, so the run ends at the hand-over.
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

echo "== wall time (hyperfine, median of the runs)"
hyperfine -N --warmup 5 --runs "${RUNS:-100}" --style basic \
    --export-json "$work/print-url.json" \
    -n "rust   --print-url" "$bin --print-url $remote" \
    -n "python print-url" "$py benches/grc_print_url.py $remote"
PATH="$work/fakegit:$PATH" hyperfine -N --warmup 5 --runs "${RUNS:-100}" --style basic \
    --export-json "$work/helper.json" \
    -n "rust   helper" "$bin origin $remote" \
    -n "python helper" "$py -c '$grc_main' origin $remote"

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

echo
echo "== medians"
for f in print-url helper; do
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
