# libdivert: unit suites (no kernel) and the divert-socket kernel suites
# (tests/kernel/divert_*.sh, legacy-style programs from tests/kernel/divert/). Kernel suites
# are root only and build private network namespaces; 77 = this kernel lacks NFQUEUE.
add_test(unit-divert "${BUILD}/tests/unit/divert_test")
set_tests_properties(unit-divert PROPERTIES LABELS "unit")
add_test(unit-divert-exports sh "${SRC}/tests/unit/divert_exports.sh" "${BUILD}")
set_tests_properties(unit-divert-exports PROPERTIES LABELS "unit")
add_test(unit-divert-rule-position "${BUILD}/tests/unit/divert_rule_position_test")
set_tests_properties(unit-divert-rule-position PROPERTIES LABELS "unit")
set(DIVERT_KERNEL_SUITES reinject rewrite drop inject select process socket batch loops sinport
    fork lifetime)
foreach(t ${DIVERT_KERNEL_SUITES} freebsd freebsd6)
  add_test(kernel-divert-${t} bash "${SRC}/tests/kernel/divert_${t}.sh")
  set_tests_properties(kernel-divert-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}"
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    LABELS "kernel")
endforeach()
# The same suites on the legacy backend: their DIVERT rules resume from other hooks there
# (docs/backends.md "Where legacy differs from nft"), and a program must not notice.
# divert_freebsd6 is not among them: IPv6 rules need the nft backend.
foreach(t ${DIVERT_KERNEL_SUITES})
  add_test(kernel-legacy-divert-${t} bash "${SRC}/tests/kernel/divert_${t}.sh")
  set_tests_properties(kernel-legacy-divert-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC};IPCHAINS_DIVERT_BACKEND=legacy"
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    LABELS "kernel;legacy")
endforeach()
# The FreeBSD suite again with its ipfw rules on the legacy backend.
add_test(kernel-divert-freebsd-legacy bash "${SRC}/tests/kernel/divert_freebsd.sh")
set_tests_properties(kernel-divert-freebsd-legacy PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC};IPCHAINS_DIVERT_BACKEND=legacy"
  SKIP_RETURN_CODE 77
  TIMEOUT 120
  LABELS "kernel")
