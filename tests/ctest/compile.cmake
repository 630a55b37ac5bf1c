add_test(unit-compile "${BUILD}/tests/unit/compile_test")
