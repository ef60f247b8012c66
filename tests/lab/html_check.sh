#!/bin/sh
# Check a dnsvolley HTML report as a browser sees it (headless Chromium, Debian
# package "chromium"):
#   - the DOM after loading has the page's <title> as its <h1>, and one inline
#     <svg> per <figure> (at least one);
#   - nothing in it refers outside the page (no script, no src=, no href
#     except to "#ids");
#   - Chromium's console log has no error about the page;
#   - a screenshot at 1200x3000 is a valid PNG of that size, not a blank page.
# Usage: html_check.sh HTML [SCREENSHOT.png]   (the screenshot is kept if named)
# Exit 0 when all holds; else 1 with one line "html_check: ..." on stderr
# (2 for a usage error). Each Chromium run is limited to 60 s.
set -u

prog=html_check
fail() {
	echo "$prog: $*" >&2
	exit 1
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 HTML [SCREENSHOT.png]" >&2
	exit 2
fi
html=$1
shot=${2:-}
[ -r "$html" ] || fail "cannot read '$html'"
command -v chromium >/dev/null 2>&1 || fail "chromium not found (Debian package chromium)"
case $html in
/*) abs=$html ;;
*) abs=$(pwd)/$html ;;
esac
url="file://$abs"

work=$(mktemp -d) || fail "mktemp failed"
profile=$(mktemp -d) || { rm -rf "$work"; fail "mktemp failed"; }
trap 'rm -rf "$work" "$profile"' EXIT
trap 'exit 1' INT TERM HUP
[ -n "$shot" ] || shot=$work/screenshot.png

# Quiet, offline, throw-away profile: the run must not depend on the network or on ~.
chrome() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

# Console messages about the page: Chromium logs them as "...:CONSOLE:N] "text", source: URL".
# Its own noise (D-Bus, GPU, sandbox warnings) never has CONSOLE in it.
console_errors() {
	grep -a 'CONSOLE' "$1" | grep -a -F -i -e 'Uncaught' -e 'ERROR' -e 'Failed' -e "$url" | head -n 1
}

chrome --dump-dom "$url" >"$work/dom.html" 2>"$work/dom.err"
rc=$?
[ $rc -eq 124 ] && fail "chromium --dump-dom timed out after 60 s"
[ $rc -eq 0 ] || fail "chromium --dump-dom exited $rc: $(grep -a -v -e dbus -e bluez -e UPower "$work/dom.err" | tail -n 1)"
err=$(console_errors "$work/dom.err")
[ -z "$err" ] || fail "console message while loading the page: $err"
[ -s "$work/dom.html" ] || fail "empty DOM dump of $html"

# The title as the file has it (already escaped), and the DOM's h1 (serialized the same way).
# The page's own title is the first one (the SVGs have <title>s of their own).
title=$(tr '\n' ' ' <"$html" | grep -a -o '<title>[^<]*</title>' | head -n 1 |
	sed -e 's:^<title>::' -e 's:</title>$::')
[ -n "$title" ] || fail "no <title> in $html"
# Serialized text nodes keep &amp; &lt; &gt; escaped but not quotes.
h1=$(printf '%s' "$title" | sed -e 's/&quot;/"/g' -e "s/&#39;/'/g" -e "s/&#34;/\"/g")
grep -a -F -q "<h1>$h1</h1>" "$work/dom.html" || fail "the DOM has no <h1> with the title '$title'"

figures=$(grep -a -o '<figure' "$work/dom.html" | wc -l)
svgs=$(grep -a -o '<svg' "$work/dom.html" | wc -l)
[ "$figures" -ge 1 ] || fail "no <figure> (plot) in the page"
[ "$svgs" -eq "$figures" ] || fail "$svgs inline <svg> for $figures figures"

grep -a -q -i '<script' "$work/dom.html" && fail "the page has a script"
grep -a -q -i -E '(^|[^a-z-])src=' "$work/dom.html" && fail "the page loads something (src=)"
ext=$(grep -a -o -i -E "href=[\"'][^#\"'][^\"']*" "$work/dom.html" | head -n 1)
[ -z "$ext" ] || fail "the page links outside itself: $ext"

chrome --screenshot="$shot" --window-size=1200,3000 "$url" >/dev/null 2>"$work/shot.err"
rc=$?
[ $rc -eq 124 ] && fail "chromium --screenshot timed out after 60 s"
[ $rc -eq 0 ] || fail "chromium --screenshot exited $rc: $(grep -a -v -e dbus -e bluez -e UPower "$work/shot.err" | tail -n 1)"
err=$(console_errors "$work/shot.err")
[ -z "$err" ] || fail "console message while rendering the page: $err"
[ -s "$shot" ] || fail "no screenshot written to $shot"

# PNG signature, then IHDR width and height (big-endian) at bytes 16..23.
sig=$(od -A n -t x1 -N 8 "$shot" | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || fail "screenshot $shot is not a PNG"
dims=$(od -A n -t u1 -j 16 -N 8 "$shot" | awk '{ printf "%d %d", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }')
[ "$dims" = "1200 3000" ] || fail "screenshot is $dims pixels, not 1200 3000"
# A blank 1200x3000 page compresses to a few KB; text and plots make far more.
size=$(wc -c <"$shot")
[ "$size" -gt 20000 ] || fail "screenshot is only $size bytes: the page looks blank"

echo "$prog: ok: '$title', $figures plots, screenshot $shot ($size bytes)"
exit 0
