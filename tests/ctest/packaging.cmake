# libdivert's 2.2 firewall API (fwapi), its compat headers, the interceptor and divert-run.
# Unit and layout tests need nothing; install_* stage `make install` in a temp directory
# (no root); fwapi_* are kernel suites (root, private namespaces; 77 = kernel lacks a feature).
add_test(fwapi-unit "${BUILD}/libdivert/fwapi/tests/fwapi_test")
add_test(fwapi-layout-c "${BUILD}/libdivert/fwapi/tests/layout_test_c")
add_test(fwapi-layout-cxx "${BUILD}/libdivert/fwapi/tests/layout_test_cxx")
set_tests_properties(fwapi-unit fwapi-layout-c fwapi-layout-cxx PROPERTIES LABELS "packaging")

foreach(suite install_headers install_howto)
  add_test(packaging-${suite} bash "${SRC}/tests/kernel/${suite}.sh")
  set_tests_properties(packaging-${suite} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" LABELS "packaging" RUN_SERIAL TRUE)
endforeach()

foreach(suite fwapi_errno fwapi_iptc fwapi_howto)
  add_test(kernel-${suite} bash "${SRC}/tests/kernel/${suite}.sh")
  set_tests_properties(kernel-${suite} PROPERTIES
    ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" LABELS "kernel;packaging"
    SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()

# Saved rules at boot (boot/): the unit's ExecStart, the init script and the
# netfilter-persistent plugin from a staged install, in private network and mount namespaces
# (root). rpm-build: rpmbuild -tb of the dist tarball with a private topdir, no root; minutes
# of compiling; 77 only without rpmbuild.
add_test(kernel-boot-paths bash "${SRC}/tests/kernel/boot_paths.sh")
set_tests_properties(kernel-boot-paths PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" LABELS "kernel;packaging"
  SKIP_RETURN_CODE 77 TIMEOUT 300 RUN_SERIAL TRUE)
add_test(packaging-rpm-build bash "${SRC}/tests/kernel/rpm_build.sh")
set_tests_properties(packaging-rpm-build PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" LABELS "packaging;rpm"
  SKIP_RETURN_CODE 77 TIMEOUT 1800 RUN_SERIAL TRUE)
