#!/bin/sh
# Every man page that `make install` installs must render with groff and man-db without a
# single warning, carry a .TH title matching its file name, and have a NAME line whatis can
# index. The list comes from the build tree's Makefile (docs-print-man-pages), so pages other
# areas add are checked too.
#   usage: man_render.sh BUILD_DIR SRC_DIR
# Needs no kernel feature; exits 77 only when groff itself is missing.
set -u
build=${1:?usage: man_render.sh BUILD_DIR SRC_DIR}
src=${2:?usage: man_render.sh BUILD_DIR SRC_DIR}

command -v groff >/dev/null 2>&1 || { echo "SKIP: groff is not installed"; exit 77; }

# A nested make must not try to join the jobserver of the `make check` that runs ctest.
pages=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
        make -s --no-print-directory -C "$build" docs-print-man-pages) || {
    echo "FAIL: cannot ask $build/Makefile for the installed man pages"; exit 1; }
[ -n "$pages" ] || { echo "FAIL: no man pages are installed"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $page: $*"; failed=1; page_ok=0; }

for rel in $pages; do
    page=$rel
    page_ok=1
    if [ -f "$build/$rel" ]; then file=$build/$rel
    elif [ -f "$src/$rel" ]; then file=$src/$rel
    else fail "not found in build or source tree"; continue; fi

    base=${rel##*/}
    name=${base%.*}
    section=${base##*.}

    # .TH NAME SECTION: the title is the file name in upper case, `-` written as `\-`.
    th=$(sed -n 's/^\.TH[ \t]\{1,\}\([^ \t]*\)[ \t]\{1,\}\([^ \t]*\).*/\1 \2/p' "$file" | head -n 1)
    th_name=$(printf '%s' "${th% *}" | sed 's/\\-/-/g; s/"//g' | tr 'A-Z' 'a-z')
    th_section=$(printf '%s' "${th#* }" | sed 's/"//g')
    [ -n "$th" ] || fail "no .TH line"
    [ "$th_name" = "$name" ] || fail ".TH title '$th_name' does not match the file name '$name'"
    [ "$th_section" = "$section" ] || fail ".TH section '$th_section' is not '$section'"

    # groff with every warning enabled: any output on stderr is a failure.
    if ! LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$file" 2>"$tmp/groff.err"; then
        fail "groff exited with an error"
    fi
    if [ -s "$tmp/groff.err" ]; then fail "groff warnings:"; sed 's/^/    /' "$tmp/groff.err"; fi

    if command -v man >/dev/null 2>&1; then
        # man-db may sandbox its helpers with seccomp, which some containers refuse.
        if ! MAN_DISABLE_SECCOMP=1 MANWIDTH=80 LC_ALL=C.UTF-8 MANPAGER=cat PAGER=cat \
             man --warnings -E UTF-8 -l "$file" >"$tmp/man.out" 2>"$tmp/man.err"; then
            fail "man -l exited with an error"
        fi
        if [ -s "$tmp/man.err" ]; then fail "man -l warnings:"; sed 's/^/    /' "$tmp/man.err"; fi
        grep -q '^NAME' "$tmp/man.out" || fail "rendered page has no NAME section"
    fi

    if command -v lexgrog >/dev/null 2>&1; then
        LC_ALL=C.UTF-8 lexgrog "$file" >"$tmp/lexgrog.out" 2>&1 || fail "lexgrog cannot parse the NAME section"
        grep -q ": \"$name " "$tmp/lexgrog.out" || grep -q ": \"$name," "$tmp/lexgrog.out" ||
            fail "NAME line does not start with '$name': $(cat "$tmp/lexgrog.out")"
    fi
    [ "$page_ok" = 1 ] && echo "ok: $rel"
done
exit $failed
