#!/bin/sh
# The nightly-style property run: every Hypothesis test (pytest marker "hypothesis", which
# Hypothesis puts on each @given test) with the "nightly" profile of tests/conftest.py,
# 10,000 examples each, with per-test statistics. CI runs the same tests with 200.
#
#   scripts/nightly.sh                 # all property tests
#   scripts/nightly.sh -k links        # extra pytest arguments are passed on
#   PYTHON=.venv/bin/python scripts/nightly.sh
#
# The per-test time limit of pyproject.toml (120 s) is lifted: 10,000 examples of a
# parser fed nested JSON take longer than that on a slow machine.
set -eu
cd "$(dirname "$0")/.."
export HYPOTHESIS_PROFILE=nightly
exec "${PYTHON:-python3}" -m pytest tests -m hypothesis -q -p no:cacheprovider \
    --timeout=0 --hypothesis-show-statistics "$@"
