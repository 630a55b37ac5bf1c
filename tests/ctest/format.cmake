# Output formats: GoogleTest unit suite (fixed name table, no DNS).
add_test(unit-format "${BUILD}/tests/unit/format_test")
set_tests_properties(unit-format PROPERTIES LABELS "unit")
# ipchains --dump-proc: the 2.2 /proc/net/ip_fwnames and ip_fwchains lines, byte for byte.
add_test(unit-format-proc "${BUILD}/tests/unit/format_proc_test")
set_tests_properties(unit-format-proc PROPERTIES LABELS "unit")
