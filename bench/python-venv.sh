#!/usr/bin/env bash
# Makes bench/.venv from bench/requirements.txt if needed; the run-*.sh scripts source it
# from the repository root.
if [[ ! -x bench/.venv/bin/python ]]; then
    python3 -m venv bench/.venv
fi
bench/.venv/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
