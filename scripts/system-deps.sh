#!/usr/bin/env bash
# System packages the reports and their tests use, beyond Python:
#   chromium         headless browser for the offline-rendering test of the HTML reports
#   fonts-wqy-microhei  a CJK font, so Chinese titles and labels render in PNG charts
# Installs them with apt-get when running as root on a Debian-like system; otherwise
# prints what is missing and how to install it, and exits 0 (the reports still build:
# PNGs then show boxes for Chinese text and the browser test is skipped).
set -u
want=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || want+=(chromium)
if ! ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1 \
   && ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1; then
  want+=(fonts-wqy-microhei)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: installing ${want[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null; then
    exit 0
  fi
  echo "system-deps: apt-get could not install ${want[*]}; continuing without them" >&2
  exit 0
fi
echo "system-deps: not installed: ${want[*]}." >&2
echo "  Install them with your system's package manager (Debian/Ubuntu: sudo apt-get install ${want[*]})." >&2
echo "  Without them the reports still build; Chinese text in PNG charts shows as boxes and" >&2
echo "  the headless-browser test of the HTML report is skipped." >&2
exit 0
