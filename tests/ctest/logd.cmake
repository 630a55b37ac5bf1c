# ipchains-logd: 2.2 "Packet log:" lines, byte for byte, from packets built in the test. The
# kernel suite (tests/kernel/ipchains_logd.sh) is in IPCHAINS_KERNEL_SUITES (kernel.cmake).
add_test(unit-logd "${BUILD}/tests/unit/logd_test")
set_tests_properties(unit-logd PROPERTIES LABELS "unit")
