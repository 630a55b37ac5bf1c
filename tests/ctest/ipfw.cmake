# ipfw front-end (docs/ipfw.md): unit suite, then the kernel suites on both backends.
add_test(unit-ipfw "${BUILD}/tests/unit/ipfw_test")
set_tests_properties(unit-ipfw PROPERTIES LABELS "unit")
foreach(backend nft legacy)
  add_test(kernel-ipfw-rules-${backend} bash "${SRC}/tests/kernel/ipfw_rules.sh")
  set_tests_properties(kernel-ipfw-rules-${backend} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC};IPCHAINS_DIVERT_BACKEND=${backend}"
    SKIP_RETURN_CODE 77
    TIMEOUT 180
    LABELS "kernel")
endforeach()
