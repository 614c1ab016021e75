#!/usr/bin/env python3
"""Prints the Debian copyright file (machine-readable format 1.0) of the package.

    packaging/deb/copyright.py > usr/share/doc/codecommit-auth/copyright

Our code is Apache-2.0. The programs and the libraries also carry, compiled in, the Rust
crates they depend on (normal dependencies on this machine's target, without proc-macros:
what the compiler put into the output); each is listed with the licence its Cargo.toml declares, read
from `cargo metadata`, so the list follows Cargo.lock.
"""
import json
import subprocess
import sys

host = next(
    line.split(": ", 1)[1]
    for line in subprocess.run(
        ["rustc", "-vV"], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    if line.startswith("host: ")
)
meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", host],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]

def proc_macro(package_id):
    """A crate that runs in the compiler and leaves no code in the output."""
    return any("proc-macro" in t["kind"] for t in packages[package_id]["targets"])


bundled, todo = set(), [root]
while todo:
    for dep in nodes[todo.pop()]["deps"]:
        normal = any(k["kind"] is None for k in dep["dep_kinds"])
        if normal and not proc_macro(dep["pkg"]) and dep["pkg"] not in bundled:
            bundled.add(dep["pkg"])
            todo.append(dep["pkg"])

ours = packages[root]
crates = sorted(
    (packages[i]["name"], packages[i]["version"], packages[i].get("license") or "see the crate")
    for i in bundled
)
width = max(len(f"{n} {v}") for n, v, _ in crates)
listing = "\n".join(f" {n + ' ' + v:<{width}}  {lic}" for n, v, lic in crates)

sys.stdout.write(
    f"""Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: codecommit_auth
Upstream-Contact: the codecommit_auth maintainers
Source: https://crates.io/crates/{ours["name"]}

Files: *
Copyright: 2026 the codecommit_auth contributors
License: Apache-2.0
Comment: The programs and the libraries include, compiled in, these Rust crates
 (from crates.io), under the licences their authors declare:
 .
{listing}

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License"); you may not
 use this file except in compliance with the License. You may obtain a copy
 of the License at http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
 WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
 License for the specific language governing permissions and limitations
 under the License.
 .
 On Debian systems, the full text of the Apache License, Version 2.0 can be
 found in the file '/usr/share/common-licenses/Apache-2.0'.
"""
)
