"""Harnesses that drive Conduit from outside, not unit tests (those are in tests/): benchmarks (bench/),
fault drills (drills/), the load test (load/), the RealWorld conformance suites (conformance/) and
fuzzing (fuzz/). Run through the Makefile; docs/ says what each measures."""
