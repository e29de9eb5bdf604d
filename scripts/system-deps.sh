#!/usr/bin/env bash
# Debian packages the tests and PDF reports need: Chromium for browser tests, Pango and a font
# for WeasyPrint, poppler for pdftoppm/pdftotext, Node.js for the sign-in tests' OpenID Connect
# provider (whose npm packages come from tests/fixtures/oidc/package-lock.json, by `npm ci`).
# Installs only what is missing, only as root.
set -euo pipefail
needed=()
oidc_fixture="$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures/oidc"
node_deps() {
  # Again whenever the lock file is newer than the installed tree.
  if [ ! -f "$oidc_fixture/node_modules/.package-lock.json" ] \
    || [ "$oidc_fixture/package-lock.json" -nt "$oidc_fixture/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$oidc_fixture" --no-audit --no-fund --loglevel=error
  fi
}
command -v node >/dev/null 2>&1 || needed+=(nodejs)
command -v npm >/dev/null 2>&1 || needed+=(npm)
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v pdftotext >/dev/null 2>&1 || needed+=(poppler-utils)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || needed+=("$pkg")
done
if [ ${#needed[@]} -eq 0 ]; then
  node_deps
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${needed[*]}" >&2
  echo "Install them as root: apt-get install -y ${needed[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${needed[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
node_deps
