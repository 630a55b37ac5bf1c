# Parser: GoogleTest unit suite (no kernel, no DNS) and the fuzz corpus replay.
add_test(unit-parse "${BUILD}/tests/unit/parse_test")
set_tests_properties(unit-parse PROPERTIES LABELS "unit")
add_test(fuzz-corpus-replay "${BUILD}/tests/fuzz/parse_corpus_replay" "${SRC}/tests/fuzz/corpus")
set_tests_properties(fuzz-corpus-replay PROPERTIES LABELS "unit")
