add_test(unit-engine "${BUILD}/tests/unit/engine_test")
# 2.2 packet semantics across areas (compile layout + backends), in private namespaces:
# replies to masqueraded connections skip forward; concurrent commands lose no rule. The
# suites run on both backends.
foreach(t masq concurrency)
  add_test(kernel-semantics-${t} bash "${SRC}/tests/kernel/semantics_${t}.sh")
  set_tests_properties(kernel-semantics-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}"
    SKIP_RETURN_CODE 77
    TIMEOUT 300
    LABELS "kernel")
endforeach()
foreach(t masq concurrency)
  add_test(kernel-legacy-semantics-${t} bash "${SRC}/tests/kernel/semantics_${t}.sh")
  set_tests_properties(kernel-legacy-semantics-${t} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC};IPCHAINS_DIVERT_BACKEND=legacy"
    SKIP_RETURN_CODE 77
    TIMEOUT 300
    LABELS "kernel;legacy")
endforeach()
