#!/usr/bin/env bash
# Install test (registered in tests/meson.build as 'install_consumer'):
#  1. `meson install --destdir` stages this build's install set in a temp dir;
#  2. pkg-config, pointed at the staged hypervec.pc (PKG_CONFIG_PATH) with
#     PKG_CONFIG_SYSROOT_DIR = the stage, must name the staged headers, a
#     link line with libhypervec and a --static one that adds Highway, FFTW
#     (double and float), OpenBLAS and pthread; the stage must hold
#     libhypervec.a and libhypervec.so with soname libhypervec.so.0;
#  3. consumer.cpp is compiled from a directory outside the project with only
#     `pkg-config --cflags --libs hypervec` and run against the staged shared
#     library (LD_LIBRARY_PATH; it must need libhypervec.so.0, the soname);
#  4. it is linked again statically, with `pkg-config --static --libs
#     hypervec` and libhypervec.a forced (-Wl,-Bstatic), and must then run
#     without libhypervec.so at all.
# When the build is sanitized (b_sanitize), the consumer gets the same
# -fsanitize flags: an instrumented static library needs the sanitizer
# runtimes at link time.
#
# Usage: run.sh MESON BUILD_ROOT CONSUMER_CPP B_SANITIZE CXX [CXX_ARGS...]
set -euo pipefail

if [ $# -lt 5 ]; then
  echo "usage: $0 MESON BUILD_ROOT CONSUMER_CPP B_SANITIZE CXX [CXX_ARGS...]" >&2
  exit 2
fi
meson_cmd="$1"
build_root="$2"
consumer="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
sanitize="$4"
shift 4
cxx=("$@")

fail() {
  echo "install_consumer: $*" >&2
  exit 1
}

if ! command -v pkg-config >/dev/null; then
  echo "install_consumer: pkg-config not found (Debian package pkg-config); skipping" >&2
  exit 77
fi

stage="$(mktemp -d "${TMPDIR:-/tmp}/hypervec-install.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

echo "== meson install --destdir $root"
"$meson_cmd" install -C "$build_root" --no-rebuild --quiet --destdir "$root"

mapfile -t pcs < <(find "$root" -name hypervec.pc)
[ ${#pcs[@]} -eq 1 ] || fail "expected one installed hypervec.pc under $root, found ${#pcs[@]}"
echo "== ${pcs[0]}:"; sed 's/^/   /' "${pcs[0]}"
PKG_CONFIG_PATH="$(dirname "${pcs[0]}")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
export PKG_CONFIG_SYSROOT_DIR="$root"

cflags="$(pkg-config --cflags hypervec)" || fail "pkg-config --cflags hypervec failed"
libs="$(pkg-config --libs hypervec)" || fail "pkg-config --libs hypervec failed"
echo "== pkg-config --cflags --libs hypervec: $cflags $libs"
includedir="$(pkg-config --variable=includedir hypervec)"
case "$includedir" in  # pkgconf prefixes the sysroot to variables too
  "$root"/*) ;;
  *) includedir="$root$includedir" ;;
esac
[ -f "$includedir/hypervec/hypervec.hpp" ] ||
  fail "hypervec/hypervec.hpp is not installed in the pc file's includedir $includedir"
case " $cflags " in
  *" -I$root/"*) ;;
  *) fail "--cflags does not point into the staged prefix: $cflags" ;;
esac
case " $libs " in
  *" -lhypervec "*) ;;
  *) fail "the link line from hypervec.pc lacks -lhypervec: $libs" ;;
esac
# A static link needs every dependency (Requires.private, Libs.private).
static_libs="$(pkg-config --static --libs hypervec)" || fail "pkg-config --static --libs hypervec failed"
# OpenBLAS only when the library was built with it (feature `blas`).
needs=(-lhypervec -lhwy -lfftw3 -lfftw3f -pthread)
if pkg-config --print-requires-private hypervec | grep -q openblas; then needs+=(-lopenblas); fi
for need in "${needs[@]}"; do
  case " $static_libs " in
    *" $need "*) ;;
    *) fail "the static link line from hypervec.pc lacks $need: $static_libs" ;;
  esac
done

san_flags=()
if [ -n "$sanitize" ] && [ "$sanitize" != none ]; then
  san_flags=("-fsanitize=$sanitize" -fno-omit-frame-pointer)
fi

libdir="$(pkg-config --variable=libdir hypervec)"
case "$libdir" in
  "$root"/*) ;;
  *) libdir="$root$libdir" ;;
esac
[ -f "$libdir/libhypervec.a" ] || fail "libhypervec.a is not installed in $libdir"
[ -L "$libdir/libhypervec.so" ] || fail "libhypervec.so (the link-time symlink) is not installed in $libdir"
soname="$(readelf -d "$libdir/libhypervec.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
[ "$soname" = libhypervec.so.0 ] || fail "libhypervec.so has soname '$soname', expected libhypervec.so.0"
[ -f "$libdir/$soname" ] || fail "the soname $soname is not installed in $libdir"

cd "$stage"  # nothing of the source or build tree is on the include path
echo "== shared: c++ \$(pkg-config --cflags --libs hypervec)"
# shellcheck disable=SC2086  # pkg-config output is a word list
"${cxx[@]}" -std=c++20 -Wall -Wextra "${san_flags[@]}" $cflags "$consumer" -o consumer_shared $libs ||
  fail "compiling the consumer against the installed shared library failed"
readelf -d consumer_shared | grep -q "NEEDED.*\[libhypervec.so.0\]" ||
  fail "consumer_shared does not link libhypervec.so.0: $(readelf -d consumer_shared | grep NEEDED)"
echo "== LD_LIBRARY_PATH=$libdir ./consumer_shared"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ./consumer_shared

# -lhypervec would still pick the .so next to the .a; -Bstatic just for it.
static_libs=" $static_libs "
static_libs="${static_libs/ -lhypervec / -Wl,-Bstatic -lhypervec -Wl,-Bdynamic }"
echo "== static: c++ \$(pkg-config --cflags --static --libs hypervec) (libhypervec.a forced):$static_libs"
# shellcheck disable=SC2086
"${cxx[@]}" -std=c++20 -Wall -Wextra "${san_flags[@]}" $cflags "$consumer" -o consumer_static $static_libs ||
  fail "linking the consumer statically (pkg-config --static) failed"
if readelf -d consumer_static | grep -q "NEEDED.*libhypervec"; then
  fail "consumer_static still needs libhypervec.so"
fi
echo "== ./consumer_static (no LD_LIBRARY_PATH)"
./consumer_static
