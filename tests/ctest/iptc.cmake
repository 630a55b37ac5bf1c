# Legacy iptables backend (backend/iptc): kernel-free unit tests, the ipchains kernel suites
# run again with IPCHAINS_DIVERT_BACKEND=legacy, living beside other firewalls, and both backends
# fed the same rules and packets.
add_test(unit-iptc "${BUILD}/tests/unit/iptc_test")

foreach(t ${IPCHAINS_KERNEL_SUITES})  # defined in kernel.cmake
  add_test(kernel-legacy-ipchains-${t} bash "${SRC}/tests/kernel/ipchains_${t}.sh")
  set_tests_properties(kernel-legacy-ipchains-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC};IPCHAINS_DIVERT_BACKEND=legacy"
    SKIP_RETURN_CODE 77
    TIMEOUT 180
    LABELS "kernel;legacy")
endforeach()

foreach(t coexist_legacy coexist_nft differential_backends)
  add_test(kernel-${t} bash "${SRC}/tests/kernel/${t}.sh")
  set_tests_properties(kernel-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}"
    SKIP_RETURN_CODE 77
    TIMEOUT 180
    LABELS "kernel;legacy")
endforeach()
# Seeded random edits of chains (jumps, -N/-X/-F, policies) with packets both ways: the same
# transcript on both backends.
add_test(kernel-differential_chains bash "${SRC}/tests/kernel/differential_chains.sh")
set_tests_properties(kernel-differential_chains PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}"
  SKIP_RETURN_CODE 77
  TIMEOUT 600
  LABELS "kernel;legacy")
# The same on a router: input, forward and output with MASQ and REDIRECT, datagrams through
# it both ways, to it and from it, and what arrived at each end.
add_test(kernel-differential_forward bash "${SRC}/tests/kernel/differential_forward.sh")
set_tests_properties(kernel-differential_forward PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}"
  SKIP_RETURN_CODE 77
  TIMEOUT 600
  LABELS "kernel;legacy")
