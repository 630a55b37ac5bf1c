add_test(unit-text "${BUILD}/tests/unit/text_test")
# nft -c in a private network namespace: needs root and nft; 77 = not possible here.
add_test(unit-text-nftcheck "${BUILD}/tests/unit/text_nftcheck")
set_tests_properties(unit-text-nftcheck PROPERTIES SKIP_RETURN_CODE 77 LABELS "kernel")
