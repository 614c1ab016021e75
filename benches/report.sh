#!/usr/bin/env bash
# Reproduces the performance table of README.md ("Performance"), measured side by side
# in one run on this machine: criterion medians for the signing shapes against their
# floor, the whole library call (Rust and C) against a warm signature, config parsing at
# 1/100/2,000/20,000 profiles, then benches/startup.sh (ours against the Python
# reference). Prints the table as Markdown at the end.
#
# usage: benches/report.sh [PYTHON]        (PYTHON as for benches/startup.sh)
#   QUICK=1 shortens criterion's warm-up and measurement (for a look, not for the README).
# Takes about 10 minutes on a quiet 2-core machine (the first release build aside).
set -euo pipefail
cd "$(dirname "$0")/.."

times=()
[ -n "${QUICK:-}" ] && times=(--warm-up-time 1 --measurement-time 2)
cargo bench --bench sign -- 'sign/(shape|sha256)' "${times[@]}"
cargo bench --bench resolver -- "${times[@]}"
cargo bench --bench config -- 'config/scale' "${times[@]}"
startup=$(mktemp)
sizes=$(mktemp)
trap 'rm -f "$startup" "$sizes"' EXIT
RUNS=${RUNS:-100} benches/startup.sh "$@" | tee "$startup"
# Issue 16's config goal, as benches/config_sizes.sh measures it: the three config sizes
# in one hyperfine run, so their ratio is not skewed by what ran between them.
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
CONFIG_SIZES_JSON="$sizes" benches/config_sizes.sh "$target/release/git-remote-codecommit"

criterion=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/criterion
python3 - "$criterion" "$startup" "$sizes" <<'PY'
import json, re, sys, platform

crit, startup = sys.argv[1], open(sys.argv[2]).read()
sizes = [r["median"] * 1000 for r in json.load(open(sys.argv[3]))["results"]]

def ns(path):
    with open(f"{crit}/{path}/new/estimates.json") as f:
        return json.load(f)["median"]["point_estimate"]

def fmt(t):
    if t >= 1e6:
        return f"{t / 1e6:.2f} ms"
    return f"{t / 1000:.2f} µs" if t >= 1000 else f"{t:.0f} ns"

def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()

print()
print(f"Machine: {cpu_model()}, {len([l for l in open('/proc/cpuinfo') if l.startswith('processor')])} CPUs, "
      f"load average {open('/proc/loadavg').read().split()[0]} at the end of the run.")
print()
print("| path | ours | floor or baseline | ratio |")
print("|---|---:|---:|---:|")
for shape, label in [("long-term", "long-term keys"), ("token-44", "44-character token"),
                     ("token-1000", "1,000-character session token")]:
    warm, floor = ns(f"sign_shape/{shape}_warm"), ns(f"sign_shape/{shape}_floor")
    print(f"| warm signature, {label} | {fmt(warm)} | {fmt(floor)} (floor) | {warm / floor:.2f}× |")
for shape, label in [("long-term", "static keys"), ("token-1000", "1,000-character token")]:
    sig = ns(f"resolver_{shape}/signature")
    for api, name in [("rust", "`Resolver::signed_url_at`"), ("c", "`codecommit_resolver_signed_url`")]:
        t = ns(f"resolver_{shape}/{api}")
        print(f"| {name}, {label}, resolved before | {fmt(t)} | {fmt(sig)} (warm signature) | {t / sig:.2f}× |")
one = ns("config_scale/1")
for n in ["100", "2000", "20000"]:
    t = ns(f"config_scale/{n}")
    print(f"| parse + look up, {int(n):,} profiles | {fmt(t)} | {fmt(one)} (1 profile) | {t / one:.1f}× |")
sha2, portable = ns("sign_sha256/sha2-64KiB"), ns("sign_sha256/portable-64KiB")
print(f"| SHA-256 of 64 KiB, `sha2` | {fmt(sha2)} | {fmt(portable)} (portable code) | {sha2 / portable:.2f}× (SHA-NI in use) |")

med = dict(re.findall(r"^(\S+(?: +\S+)*?) +median +([\d.]+) ms wall", startup, re.M))
rss = dict(re.findall(r"^(\S+(?: +\S+)*?) +(\d+) KiB$", startup, re.M))
print()
print("| one run of `--print-url` | ours | Python reference | reference / ours | peak RSS, ours / reference |")
print("|---|---:|---:|---:|---:|")
for ours, theirs, label in [
    ("rust --print-url", "python print-url", "static-key profile"),
    ("rust 2000 profiles", "python 2000 profiles", "static-key profile in a 2,000-profile config"),
    ("rust sso (cached)", "python sso (portal)", "SSO profile, role credentials cached (reference: portal on 127.0.0.1)"),
    ("rust helper", "python helper", "the whole helper, up to the hand-over to git"),
]:
    key = lambda k: next(v for n, v in med.items() if " ".join(n.split()) == k)
    rkey = lambda k: next(v for n, v in rss.items() if " ".join(n.split()) == k)
    a, b = float(key(ours)), float(key(theirs))
    print(f"| {label} | {a:.2f} ms | {b:.0f} ms | {b / a:.0f}× | "
          f"{int(rkey(ours)) / 1024:.1f} / {int(rkey(theirs)) / 1024:.1f} MiB |")
big, small = float(next(v for n, v in med.items() if " ".join(n.split()) == "rust 2000 profiles")), \
    float(next(v for n, v in med.items() if " ".join(n.split()) == "rust --print-url"))
print()
print(f"2,000-profile config / one-profile config, ours: {big / small:.2f}× wall (the two "
      f"rows above, separate hyperfine runs); peak RSS at 20,000 profiles: "
      f"{int(next(v for n, v in rss.items() if ' '.join(n.split()) == 'rust 20000 profiles')) / 1024:.1f} MiB.")
print()
print("| `--print-url`, one hyperfine run (`benches/config_sizes.sh`) | median | ratio to the small config |")
print("|---|---:|---:|")
for label, t in zip(["small config (the demo profile, one sso-session)", "2,000 profiles (278 KB)",
                     "20,000 profiles (2.8 MB)"], sizes):
    print(f"| {label} | {t:.2f} ms | {t / sizes[0]:.2f}× |")
PY
