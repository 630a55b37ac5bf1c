# Output formats: GoogleTest unit suite (fixed name table, no DNS).
add_test(unit-format "${BUILD}/tests/unit/format_test")
set_tests_properties(unit-format PROPERTIES LABELS "unit")
