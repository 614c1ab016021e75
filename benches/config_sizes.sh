#!/usr/bin/env bash
# Cost of the config file's size on `git-remote-codecommit --print-url`: the same
# static-key profile (examples/demo) looked up in generated configs of 1, 2,000 and
# 20,000 profiles (one per account and role, as IAM Identity Center setups produce;
# 2,000 profiles ≈ 280 KB), timed in one hyperfine run so the ratios are comparable on
# a loaded machine, then peak RSS with GNU time.
#
# usage: benches/config_sizes.sh [BINARY...]
#   BINARY: git-remote-codecommit builds to compare (default target/release/…, built
#   first). Needs hyperfine and GNU time (apt install hyperfine time).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
    cargo build --release --quiet --bin git-remote-codecommit
    set -- target/release/git-remote-codecommit
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# N generated sso profiles around the demo profile, which comes last.
big_config() {
    awk -v n="$1" 'BEGIN {
        print "[default]\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
        for (i = 0; i < n; i++)
            printf "[profile acct-%012d-Deploy]\nsso_session = corp\nsso_account_id = %012d\nsso_role_name = Deploy\nregion = eu-west-%d\noutput = json\n\n", i, i, i % 3 + 1
        print "[profile demo]\nregion = us-east-2\n"
    }'
}
for n in 0 2000 20000; do big_config "$n" >"$work/config-$n"; done

export HOME="$work"
export AWS_SHARED_CREDENTIALS_FILE="$PWD/examples/demo/credentials"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
    AWS_SESSION_TOKEN CODE_COMMIT_ENDPOINT
export AWS_EC2_METADATA_DISABLED=true
remote=codecommit://demo@MyDemoRepo

commands=()
for bin in "$@"; do
    for n in 0 2000 20000; do
        AWS_CONFIG_FILE="$work/config-$n" "$bin" --print-url "$remote" >/dev/null
        # `env` (no shell, -N) costs the same in every command.
        commands+=(-n "$(basename "$bin") $n" "env AWS_CONFIG_FILE=$work/config-$n $bin --print-url $remote")
    done
done
# Medians and all runs: set CONFIG_SIZES_JSON=FILE.
hyperfine -N --warmup 20 --min-runs 100 ${CONFIG_SIZES_JSON:+--export-json "$CONFIG_SIZES_JSON"} "${commands[@]}"

for bin in "$@"; do
    for n in 0 2000 20000; do
        rss=$(AWS_CONFIG_FILE="$work/config-$n" /usr/bin/time -f %M "$bin" --print-url "$remote" 2>&1 >/dev/null)
        echo "peak RSS $(basename "$bin"), $n generated profiles: $rss KiB"
    done
done
