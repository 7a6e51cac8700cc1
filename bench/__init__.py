"""Benchmarks: `python -m bench` (see BENCHMARKS.md). Never part of `make test`."""
