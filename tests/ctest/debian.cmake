# Packaging (docs/packaging.md). install-layout stages `make install` / `make uninstall` in a
# temp directory (no root). deb-install builds the Debian packages from the dist tree,
# installs them with dpkg, diverts pings in a private network namespace and purges them
# again: root only, minutes of compiling, so it carries the "kernel" label too.
add_test(packaging-install-layout bash "${SRC}/tests/kernel/install_layout.sh")
set_tests_properties(packaging-install-layout PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" LABELS "debian" RUN_SERIAL TRUE)

add_test(kernel-deb-install bash "${SRC}/tests/kernel/deb_install.sh")
set_tests_properties(kernel-deb-install PROPERTIES
  ENVIRONMENT "BUILD=${BUILD};SRC=${SRC}" LABELS "kernel;debian"
  SKIP_RETURN_CODE 77 TIMEOUT 1800 RUN_SERIAL TRUE)
