#!/usr/bin/env bash
# deps.sh - installs the Debian packages a Make target needs.
#
# usage: scripts/deps.sh build|run|test|bench|fuzz
#
# As root it runs apt-get; otherwise it prints the exact command to run and fails, so
# that nothing is half-installed behind the user's back.
set -euo pipefail

# libpq-dev: the program links libpq (the PostgreSQL backend).  postgresql: the server
# the tests and benchmarks start for themselves (tests/pg/server.sh; pg_trgm is part of
# it), postgresql-client: psql.  libgnutls28-dev: HTTPS (src/http/tls.c checks the
# certificate with GnuTLS); openssl: tests/http/test_tls.py makes its certificate.
# cairo, pango, fontconfig, qrencode and the Noto CJK fonts: the credit report's PDF and
# QR codes (src/render); the fonts are needed at run time, not only to build.
# poppler-utils: the tests read the PDFs back (pdftotext, pdftoppm).
build_pkgs=(meson ninja-build pkg-config gcc python3 libsqlite3-dev libjansson-dev
            libutf8proc-dev libmicrohttpd-dev libsodium-dev libcsv-dev libpq-dev
            libgnutls28-dev libcairo2-dev libpango1.0-dev libfontconfig-dev
            libqrencode-dev fonts-noto-cjk)
test_pkgs=(libcriterion-dev sqlite3 chromium fonts-wqy-microhei nodejs npm
           postgresql postgresql-client openssl poppler-utils)
bench_pkgs=(sqlite3 time postgresql postgresql-client)
# The fuzz targets (fuzz/) need clang and its sanitizer and libFuzzer runtimes, which
# Debian ships apart from the compiler (libclang-rt-NN-dev, only recommended by clang,
# so --no-install-recommends leaves it out); libclang-rt-dev follows the default clang.
fuzz_pkgs=(clang libclang-rt-dev)

case "${1:-build}" in
  build|run) want=("${build_pkgs[@]}") ;;
  test) want=("${build_pkgs[@]}" "${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  fuzz) want=("${build_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  bench) want=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 build|run|test|bench|fuzz" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  # Node.js may come from elsewhere than Debian (it does on our machines): a working
  # node and npm on PATH are enough.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing packages: ${missing[*]}" >&2
  echo "Run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
