#!/usr/bin/env bash
# Installs what the tests need beyond cargo, idempotently: clang and libclang (RocksDB's
# bindings), xmllint and Graphviz (export checks), Debian's Chromium and its WebDriver (the
# page's browser test), Debian's default Java runtime (Spark reading the Parquet exports),
# GDAL's command-line tools (ogrinfo reads the GeoJSON export; without the recommended
# packages, which would pull in a database server), and a Python venv with the cross-check tools (networkx, rdflib, SPARQLWrapper,
# schemathesis, geojson, shapely, pyproj, Selenium, pyarrow, duckdb, pyspark) at
# $AUTOKG_VENV, by default /var/tmp/autokg-venv, where the tests look for it.
set -euo pipefail
cd "$(dirname "$0")/../.."

export DEBIAN_FRONTEND=noninteractive
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_packages=(clang libclang-dev libxml2-utils graphviz chromium chromium-driver default-jre-headless)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! dpkg -s gdal-bin >/dev/null 2>&1; then
  echo "installing: gdal-bin"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends gdal-bin >/dev/null
fi

venv="${AUTOKG_VENV:-/var/tmp/autokg-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/python/requirements.txt
