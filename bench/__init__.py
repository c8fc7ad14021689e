"""Benchmarks: ``python -m bench.run --quick|--full`` (see bench/run.py). Not part of the tests."""
