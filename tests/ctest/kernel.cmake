# End-to-end kernel suites of the ipchains commands (tests/kernel/ipchains_*.sh): each builds
# private network namespaces, sends real packets and checks what users observe. Root only;
# exit 77 = this kernel lacks a feature (the test says which).
# The suite list is shared with tests/ctest/iptc.cmake, which runs the same suites on the
# legacy backend.
set(IPCHAINS_KERNEL_SUITES
    listing
    verdicts
    policies
    userchains
    interface
    address
    ports
    icmp
    syn
    counters
    edit
    masq
    fragments
    redirect
    mark
    tos
    log
    logd
    divert
    save_restore
    errors
    status
    proc
    environment)
foreach(t ${IPCHAINS_KERNEL_SUITES})
  add_test(kernel-ipchains-${t} bash "${SRC}/tests/kernel/ipchains_${t}.sh")
  set_tests_properties(kernel-ipchains-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}"
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    LABELS "kernel")
endforeach()
