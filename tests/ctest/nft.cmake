# nft backend. unit-nft needs no kernel; the kernel suites run as root in private network
# namespaces (exit 77 only when this kernel lacks a feature).
add_test(unit-nft "${BUILD}/tests/unit/nft_test")
set_tests_properties(unit-nft PROPERTIES LABELS "unit")
add_test(kernel-nft "${BUILD}/tests/unit/nft_kernel_test")
set_tests_properties(kernel-nft PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "kernel")
add_test(kernel-nft-traffic bash "${SRC}/tests/kernel/nft_backend.sh")
set_tests_properties(kernel-nft-traffic PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS "kernel")
# Rule runs (set lookups) against the legacy backend's linear rules: same listings and counters.
add_test(kernel-nft-runs bash "${SRC}/tests/kernel/nft_runs.sh")
set_tests_properties(kernel-nft-runs PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" SKIP_RETURN_CODE 77 TIMEOUT 180 LABELS "kernel")
# The same under seeded random edits (-A/-I/-D/-R/-C/-Z/-P/-F) with packets between them.
add_test(kernel-nft-runs-random bash "${SRC}/tests/kernel/nft_runs_random.sh")
set_tests_properties(kernel-nft-runs-random PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS "kernel")
# `empty-chains = unhooked`: only the built-in chains that filter are hooked, with traffic.
add_test(kernel-nft-empty-chains bash "${SRC}/tests/kernel/nft_empty_chains.sh")
set_tests_properties(kernel-nft-empty-chains PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS "kernel")
