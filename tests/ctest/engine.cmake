add_test(unit-engine "${BUILD}/tests/unit/engine_test")
