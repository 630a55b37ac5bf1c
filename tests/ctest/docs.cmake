# Documentation: every installed man page renders without warnings (groff -ww, man -l,
# lexgrog), and every man page in the tree is installed.
add_test(docs-man-render sh "${SRC}/tests/kernel/man_render.sh" "${BUILD}" "${SRC}")
set_tests_properties(docs-man-render PROPERTIES SKIP_RETURN_CODE 77 LABELS "docs")
add_test(docs-man-coverage sh "${SRC}/tests/kernel/man_coverage.sh" "${BUILD}" "${SRC}")
set_tests_properties(docs-man-coverage PROPERTIES LABELS "docs")
