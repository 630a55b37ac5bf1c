# nft backend. unit-nft needs no kernel; the kernel suites run as root in private network
# namespaces (exit 77 only when this kernel lacks a feature).
add_test(unit-nft "${BUILD}/tests/unit/nft_test")
set_tests_properties(unit-nft PROPERTIES LABELS "unit")
