# libdivert: unit suites (no kernel) and the divert-socket kernel suites
# (tests/kernel/divert_*.sh, legacy-style programs from tests/kernel/divert/). Kernel suites
# are root only and build private network namespaces; 77 = this kernel lacks NFQUEUE.
add_test(unit-divert "${BUILD}/tests/unit/divert_test")
set_tests_properties(unit-divert PROPERTIES LABELS "unit")
add_test(unit-divert-exports sh "${SRC}/tests/unit/divert_exports.sh" "${BUILD}")
set_tests_properties(unit-divert-exports PROPERTIES LABELS "unit")
add_test(unit-divert-rule-position "${BUILD}/tests/unit/divert_rule_position_test")
set_tests_properties(unit-divert-rule-position PROPERTIES LABELS "unit")
foreach(t reinject rewrite drop inject select process socket batch loops sinport fork lifetime
    freebsd freebsd6)
  add_test(kernel-divert-${t} bash "${SRC}/tests/kernel/divert_${t}.sh")
  set_tests_properties(kernel-divert-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}"
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    LABELS "kernel")
endforeach()
# The FreeBSD suite again with its ipfw rules on the legacy backend.
add_test(kernel-divert-freebsd-legacy bash "${SRC}/tests/kernel/divert_freebsd.sh")
set_tests_properties(kernel-divert-freebsd-legacy PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC};IPCHAINS_DIVERT_BACKEND=legacy"
  SKIP_RETURN_CODE 77
  TIMEOUT 120
  LABELS "kernel")
