#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/.

Seeds come from the conformance data in tests/data/conformance (the cross-SDK
profile-parser suite, the botocore cfg fixtures, the smithy-rs provider directories:
their config, credentials and SSO cache files and recorded STS answers), from this repository's oracle vectors
(tests/data/oracle/*.json: remotes, configs, token and CLI cache files), and from a few
hand-made inputs that put `SENTINEL` secrets where secrets go, so the targets' leak
checks have something to find. Nothing is copied into the repository: the corpora are
written under fuzz/corpus/ (ignored by git) each time.

Usage: fuzz/seeds.py [CONFORMANCE_DIR]   (default: tests/data/conformance in the repo)
"""

import hashlib
import json
import os
import re
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(FUZZ)
CONFORMANCE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "tests", "data", "conformance")
SR = os.path.join(CONFORMANCE, "smithy-rs", "aws", "rust-runtime")
STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|UTC|[+-]\d\d(?::?\d\d)?)?")

corpora = {t: set() for t in ["config", "remote", "sso_token", "cli_cache", "process", "sts_xml", "timestamp", "ffi"]}


def add(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    corpora[target].add(bytes(data))
    for stamp in STAMP.findall(data.decode("utf-8", "replace")):
        corpora["timestamp"].add(stamp.encode())


def read(path):
    with open(path, "rb") as f:
        return f.read()


def with_controls(target, data, controls):
    for c in controls:
        add(target, bytes([c]) + (data if isinstance(data, bytes) else data.encode()))


# --- the profile-parser suite and the botocore fixtures ---------------------------------
suite = json.load(open(os.path.join(SR, "aws-runtime", "test-data", "profile-parser-tests.json")))
for case in suite["tests"]:
    config = case["input"].get("configFile")
    credentials = case["input"].get("credentialsFile")
    data = (config or "").encode()
    if credentials is not None:
        data += b"\xfe" + credentials.encode()
    add("config", data)
cfg_dir = os.path.join(CONFORMANCE, "botocore", "tests", "unit", "cfg")
for name in sorted(os.listdir(cfg_dir)):
    path = os.path.join(cfg_dir, name)
    if os.path.isfile(path):
        add("config", read(path))

# --- the smithy-rs provider directories -------------------------------------------------
test_data = os.path.join(SR, "aws-config", "test-data")
for root, _dirs, files in os.walk(test_data):
    for name in files:
        path = os.path.join(root, name)
        rel = path[len(test_data):]
        if rel.endswith("/fs/home/.aws/config"):
            creds = os.path.join(os.path.dirname(path), "credentials")
            data = read(path)
            if os.path.exists(creds):
                data += b"\xfe" + read(creds)
            add("config", data)
        elif "/.aws/sso/cache/" in rel:
            with_controls("sso_token", read(path), [0, 1, 2, 3])
        elif name == "http-traffic.json":
            traffic = json.load(open(path))
            for event in traffic.get("events", []):
                body = (((event.get("action") or {}).get("Data") or {}).get("data") or {}).get("Utf8")
                if body and "<" in body and "Credentials" in body:
                    with_controls("sts_xml", body, [0, 1, 2, 4])
                elif body and "roleCredentials" in body:
                    add("timestamp", body)

# --- this repository's oracle vectors ---------------------------------------------------
for vectors in ["sign", "pipeline", "sso"]:
    doc = json.load(open(os.path.join(REPO, "tests", "data", "oracle", vectors + ".json")))

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get("remote"), str):
                add("remote", x["remote"])
            files = x.get("files")
            if isinstance(files, dict):
                config = files.get(".aws/config")
                creds = files.get(".aws/credentials")
                if isinstance(config, str):
                    add("config", config)
                    if isinstance(creds, str):
                        add("config", config.encode() + b"\xfe" + creds.encode())
                for path, text in files.items():
                    if not isinstance(text, str):
                        continue
                    if "/sso/cache/" in path:
                        with_controls("sso_token", text, [0, 1, 2, 3])
                    elif "/cli/cache/" in path or "/boto/cache/" in path:
                        with_controls("cli_cache", text, [0, 1, 2, 3])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)

# --- hand-made seeds with SENTINEL secrets ----------------------------------------------
add("config", "[profile a]\naws_access_key_id = AKID\naws_secret_access_key = SENTINEL-SECRET-CFG-1\n"
              "aws_session_token = SENTINEL-TOKEN-CFG-1\nregion = us-east-1\n")
add("config", "[profile r]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = r\n"
              "aws_access_key_id = AKID\naws_secret_access_key = SENTINEL-SECRET-CFG-2\n"
              "\xfe[r]\naws_secret_access_key = SENTINEL-SECRET-CRED-3\n")
add("config", "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n"
              "[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n")
add("config", "[profile s]\nsso_session = x\nsso_account_id = 1\nsso_role_name = R\n"
              "[sso-session x]\nsso_start_url = https://x\nsso_region = us-east-1\n")
add("config", "[profile p]\ncredential_process = /bin/creds \"a b\" 'c' d\\ e\n")
add("config", "[default]\ns3 =\n  a = b\n  c = d\n[DEFAULT]\nk =\n  x\n")

for remote in ["codecommit://Repo", "codecommit://dev@Repo", "codecommit::eu-west-1://dev@Repo",
               "us-east-1://Repo", "codecommit://role@123456789012@Repo",
               "codecommit://[::1]@Repo", "codecommit://dev@Repo/x?y#z",
               "codecommit::cn-north-1://role@123456789012@My.Repo-1_x"]:
    add("remote", remote)

token = {"startUrl": "https://my-sso-portal.awsapps.com/start", "region": "us-east-1",
         "accessToken": "SENTINEL-ACCESS-1", "expiresAt": "2027-01-15T08:05:00Z",
         "clientId": "CLIENT", "clientSecret": "SENTINEL-CLIENT-SECRET-1",
         "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "SENTINEL-REFRESH-1",
         "extra": {"kept": [1, 2.5, None, True]}}
for expires in ["2027-01-15T08:05:00Z", "2027-01-15T09:00:00Z", "2020-01-01T00:00:00Z"]:
    token["expiresAt"] = expires
    with_controls("sso_token", json.dumps(token), [0, 1, 2, 3, 5, 9, 13, 17, 33, 49])

for expiration in ["2027-01-15T09:00:00Z", "2027-01-15T09:00:00UTC", "2027-01-15T08:10:00Z"]:
    entry = {"ProviderType": "sso", "Credentials": {
        "AccessKeyId": "ASIACACHE", "SecretAccessKey": "SENTINEL-CACHE-SECRET",
        "SessionToken": "SENTINEL-CACHE-TOKEN", "Expiration": expiration, "AccountId": "111122223333"}}
    with_controls("cli_cache", json.dumps(entry), [0, 1, 2, 3])

for out in [
    {"Version": 1, "AccessKeyId": "AKIDP", "SecretAccessKey": "SENTINEL-PROC-SECRET"},
    {"Version": 1, "AccessKeyId": "ASIAP", "SecretAccessKey": "SENTINEL-PROC-SECRET",
     "SessionToken": "SENTINEL-PROC-TOKEN", "Expiration": "2027-01-15T09:00:00Z", "AccountId": "1"},
    {"Version": 2, "AccessKeyId": "AKIDP"},
    {"Version": 1, "AccessKeyId": "AKIDP", "SecretAccessKey": 5},
    {"Version": 1, "AccessKeyId": "AKIDP", "SecretAccessKey": "S", "Expiration": "2000-01-01T00:00:00Z"},
]:
    add("process", b"\x00" + json.dumps(out).encode())
add("process", b"\x02SENTINEL-STDERR oops\n")
for command in ['/bin/creds "a b" \'c d\' e\\ f ~/x $HOME', 'C:\\tools\\get.exe "a b" c\\d "e\\"f" g\\\\"h i"',
                '"x\\"y\\\\z\\n"', "a\u00a0b", '"a\\$b"']:
    add("process", b"\x01" + command.encode())
    add("process", b"\x03" + command.encode())

sts = ('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
       "<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/R/s</Arn>"
       "</AssumedRoleUser><Credentials><AccessKeyId>ASIAX</AccessKeyId>"
       "<SecretAccessKey>SENTINEL-XML-SECRET&amp;x</SecretAccessKey><SessionToken>SENTINEL-XML-TOKEN</SessionToken>"
       "<Expiration>2027-01-15T09:00:00Z</Expiration></Credentials><PackedPolicySize>6</PackedPolicySize>"
       "</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>")
with_controls("sts_xml", sts, [0, 2])
with_controls("sts_xml", sts.replace("AssumeRole", "AssumeRoleWithWebIdentity"), [1, 3])
with_controls("sts_xml", '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
                         '<Message>not &lt;allowed&gt;</Message></Error></ErrorResponse>', [4, 6])
with_controls("sts_xml", "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>", [0])

for stamp in ["2099-01-01T00:00:00Z", "2099-01-01T00:00:00.123456789123Z", "1969-12-31T23:59:59Z",
              "9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59", "2024-02-29 23:59:60 utc"]:
    add("timestamp", stamp)

# The C ABI: control byte, little-endian signing time, NUL-separated fields (remote,
# access key id, secret, token, region, repository, host).
import struct
for control in [0, 1, 2, 4, 6, 8, 9, 17, 32, 33]:
    for t in [1_800_000_000, 0, 253402300799, 253402300800, -1, -(2**63)]:
        for fields in [
            ["codecommit://Repo", "AKIDFFI", "SENTINEL-FFI-SECRET", "SENTINEL-FFI-TOKEN", "eu-west-1", "Repo", "git-codecommit.eu-west-1.amazonaws.com"],
            ["codecommit::us-east-1://p@My.Repo", "AKID", "SENTINEL-FFI-SECRET", "", "cn-north-1", "../x", ""],
            ["\xff\xfe", "A\xffK", "SENTINEL-FFI-SECRET", "t", "xx-nowhere-1", "R", "h:443"],
        ]:
            data = bytes([control]) + struct.pack("<q", t) + b"\0".join(f.encode("latin-1") for f in fields)
            corpora["ffi"].add(data)

# Inputs that once failed a target (CI's or a by-hand run's artifacts), kept so every run
# replays them first: fuzz/regressions/<target>/<what it broke>.
REGRESSIONS = os.path.join(FUZZ, "regressions")
for target in sorted(os.listdir(REGRESSIONS)) if os.path.isdir(REGRESSIONS) else []:
    for name in sorted(os.listdir(os.path.join(REGRESSIONS, target))):
        corpora[target].add(read(os.path.join(REGRESSIONS, target, name)))

total = 0
for target, seeds in sorted(corpora.items()):
    out = os.path.join(FUZZ, "corpus", target)
    os.makedirs(out, exist_ok=True)
    for data in seeds:
        with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    total += len(seeds)
    print(f"{target:10} {len(seeds):4} seeds")
print(f"{'total':10} {total:4}")
