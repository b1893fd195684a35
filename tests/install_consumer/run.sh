#!/usr/bin/env bash
# Install test (registered in tests/meson.build as 'install_consumer'):
#  1. `meson install --destdir` stages this build's install set in a temp dir;
#  2. pkg-config, pointed at the staged hypervec.pc (PKG_CONFIG_PATH) with
#     PKG_CONFIG_SYSROOT_DIR = the stage, must name the staged headers and a
#     link line with libhypervec, Highway, FFTW (double and float), OpenBLAS
#     and pthread;
#  3. consumer.cpp is compiled from a directory outside the project with only
#     `pkg-config --cflags --libs hypervec`, then run (it checks a bind).
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
for need in -lhypervec -lhwy -lfftw3 -lfftw3f -lopenblas -pthread; do
  case " $libs " in
    *" $need "*) ;;
    *) fail "the link line from hypervec.pc lacks $need: $libs" ;;
  esac
done

san_flags=()
if [ -n "$sanitize" ] && [ "$sanitize" != none ]; then
  san_flags=("-fsanitize=$sanitize" -fno-omit-frame-pointer)
fi

cd "$stage"  # nothing of the source or build tree is on the include path
# shellcheck disable=SC2086  # pkg-config output is a word list
"${cxx[@]}" -std=c++20 -Wall -Wextra "${san_flags[@]}" $cflags "$consumer" -o consumer $libs ||
  fail "compiling the consumer against the installed library failed"
echo "== ./consumer"
./consumer
