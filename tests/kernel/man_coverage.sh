#!/bin/sh
# Every man page source in the tree must be installed: a page nobody lists in dist_man_MANS
# would silently never reach users.
#   usage: man_coverage.sh BUILD_DIR SRC_DIR
set -u
build=${1:?usage: man_coverage.sh BUILD_DIR SRC_DIR}
src=${2:?usage: man_coverage.sh BUILD_DIR SRC_DIR}

pages=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -s --no-print-directory -C "$build" docs-print-man-pages) || {
    echo "FAIL: cannot ask $build/Makefile for the installed man pages"; exit 1; }

failed=0
# Man page sources: a .TH line in a file named like name.[1-8] (optionally .in).
for file in $(cd "$src" && find . \( -path ./.git -o -path ./autom4te.cache \) -prune -o -type f \
                  \( -name '*.[1-8]' -o -name '*.[1-8].in' \) -print | sed 's|^\./||' | sort); do
    grep -q '^\.TH' "$src/$file" || continue
    installed=${file%.in}
    case " $(echo $pages) " in
        *" $installed "*) echo "ok: $installed" ;;
        *) echo "FAIL: $installed is not in dist_man_MANS (or man_MANS)"; failed=1 ;;
    esac
done
exit $failed
