#!/usr/bin/env bash
# Makes target/login-venv: the reference for `aws login` profiles (botocore with the
# AWS CRT) and the Sign-In stand-in's verifier, pinned in requirements-login.txt.
# The tests that need it skip without it, and fail under CI=true (.ci/run calls this).
# Needs Python 3.11, as the recorded oracle does.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
"$python" -m venv target/login-venv
target/login-venv/bin/pip install --quiet --disable-pip-version-check -r tests/oracle/requirements-login.txt
target/login-venv/bin/python -c 'import awscrt, botocore, cryptography, git_remote_codecommit'
