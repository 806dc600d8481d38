#!/usr/bin/env bash
# Benchmarks of the question bank (issue 3 item 8, issue 4 item 6); figures, not tests.
# Builds the benchmark with --release and runs every step, each in its own child process:
# import of a 20,000-item xlsx and Moodle XML file, sealing 20,000 items, and papers for
# 10,000 candidates from a 20,000-item seal. Results are recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "rustc: $(rustc -V)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
cargo build --release -p question-bank --example bench
cargo run --release -p question-bank --example bench -- all
