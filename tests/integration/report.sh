#!/usr/bin/env bash
# make report's page (scripts/report.sh -> out/index.html), as a browser
# sees it: Debian's headless Chromium loads it under a policy that refuses
# any load from outside the page, and a small inline script in a copy of
# it measures what only layout can tell (clipped boxes, SVG sizes).
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
OUT=$ROOT/out
PAGE=$OUT/index.html

# chromium ARGS...: headless, with a profile of its own (removed with $T),
# ended by timeout if it hangs.
chromium_run() {
  timeout --foreground -k 5 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$T/chromium-profile" "$@"
}

# checked_copy PAGE COPY [EXTRA_JS]: PAGE with a policy that lets nothing
# load from outside it, and the measuring script before </body>.
checked_copy() {
  local csp="<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
  awk -v csp="$csp" -v js="$T/check-page.js" -v extra="${3:-}" '
    /<head>/ { print; print csp; next }
    /<\/body>/ { print "<script>"; while ((getline line <js) > 0) print line; print extra; print "</script>" }
    { print }' "$1" >"$2"
}

cat >"$T/check-page.js" <<'JS'
// The page check (this test only): writes its findings into the page, one
// "NAME VALUE..." line each, where chromium --dump-dom shows them.
(function () {
  var lines = [], broken = [], clipped = [], svgs = [];
  var links = document.querySelectorAll('a[href^="#"]');
  links.forEach(function (a) {
    var id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (!document.getElementById(id)) broken.push(id);
  });
  lines.push('links ' + links.length + ' broken ' + broken.length + ' ' + broken.join(' '));
  // a box whose content is wider than the box is cut or scrolls: either
  // way, a call on the projector is not whole
  var boxes = document.querySelectorAll('.sbs table, .sbs td, pre, .takeaway div');
  boxes.forEach(function (e) {
    if (e.scrollWidth > e.clientWidth + 1) clipped.push(e.tagName + ' "' + e.textContent.slice(0, 60) + '"');
  });
  lines.push('boxes ' + boxes.length + ' clipped ' + clipped.length + ' ' + clipped.join(' | '));
  var page = document.documentElement;
  lines.push('page-width ' + page.scrollWidth + ' window ' + page.clientWidth);
  lines.push('page-height ' + page.scrollHeight);
  document.querySelectorAll('svg').forEach(function (s) {
    var box = s.getBBox();
    svgs.push(s.getAttribute('class') + ':' + s.querySelectorAll('rect, circle').length + ':' +
      s.querySelectorAll('text').length + ':' + Math.round(box.width) + 'x' + Math.round(box.height));
  });
  lines.push('svgs ' + svgs.length + ' ' + svgs.join(' '));
  var out = document.createElement('pre');
  out.id = 'page-check';
  out.textContent = lines.join('\n');
  document.body.appendChild(out);
})();
JS

LABS=$(scripts/lab.sh --list | cut -f 1)
start=$(date +%s%N)
timeout --foreground -k 5 120 scripts/report.sh >"$T/report.out" 2>&1 </dev/null
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "scripts/report.sh writes out/index.html in under 60 s (${ms} ms)" "exit $rc: $(tail -n 3 "$T/report.out")" \
  bash -c "[ $rc -eq 0 ] && [ $ms -lt 60000 ] && grep -q '^<!DOCTYPE html>' '$PAGE'"

# Which labs ran, by report.sh's own account; their summaries are saved.
ran=$(sed -n 's/^report: lab \([0-9]*\) ran$/\1/p' "$T/report.out" | tr '\n' ' ')
missing=$(for n in $LABS; do grep -q "<section id=\"lab-$n\">" "$PAGE" || echo "$n"; done | tr '\n' ' ')
check "one section per lab that lab.sh --list names ($(echo $LABS))" "no section for: $missing" \
  bash -c "[ -z '$missing' ]"

# esc_html: the text as HTML shows it (what the page must hold, verbatim).
esc_html() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g'; }
for n in $ran; do
    # (labs.sh or make docs running at the same time rewrite out/lab-N/: run groups one at a time)
  lost=$(esc_html <"$OUT/lab-$n/summary.txt" 2>/dev/null | grep . | grep -vxFf <(grep -oF -f <(esc_html <"$OUT/lab-$n/summary.txt" | grep .) "$PAGE") | head -n 3)
  check "lab-$n: its summary is saved (out/lab-$n/summary.txt) and on the page, every line" "not on the page: $lost" \
    bash -c "[ -s '$OUT/lab-$n/summary.txt' ] && [ -z \"\$1\" ]" _ "$lost"
  for table in "$OUT/lab-$n"/*.html; do
    [ -f "$table" ] || continue
    sed -n '/<tbody>/,/<\/tbody>/p' "$table" >"$T/rows"
    kept=$(sort -u "$T/rows" | grep -cxFf "$PAGE")
    check "lab-$n: every row of $(basename "$table") is on the page ($(wc -l <"$T/rows") lines)" "$kept of $(sort -u "$T/rows" | wc -l) distinct lines found" \
      bash -c "[ $kept -eq $(sort -u "$T/rows" | wc -l) ]"
  done
done

check "the page loads nothing from outside: no src/href/url() to http(s) or //, no <link>, no @import" \
  "$(grep -noiE "(src|href)=[\"']?(https?:|//)|url\\(|<link|@import|<img|<script" "$PAGE" | head -n 3)" \
  bash -c "! grep -qiE \"(src|href)=[\\\"']?(https?:|//)|url\\(|<link|@import|<img|<script\" '$PAGE'"
check "the page has a print style" "no @media print" grep -q '@media print' "$PAGE"

# A lab that cannot run gets its own two lines and nothing else; a later lab
# (8, say) gets a section with its summary; text is escaped. From a made-up
# run, through the same page builder.
mkdir -p "$T/run"
printf '6\twho calls close()? (root)\n8\tthe observer effect <b>\n' >"$T/run/labs"
echo now >"$T/run/started"; echo here >"$T/run/host"
printf 'closesnoop: needs root (CAP_BPF)\nlab-6 needs closesnoop and ran nothing; fix: sudo make lab-6\n' >"$T/run/lab-6.err"
echo 2 >"$T/run/lab-6.rc"; echo 5 >"$T/run/lab-6.ms"; : >"$T/run/lab-6.out"
printf '== lab 8: x ==\nA <script> & co\n\nLook at: the 42 calls.\nQuestion: why?\n' >"$T/run/lab-8.out"
: >"$T/run/lab-8.err"; echo 0 >"$T/run/lab-8.rc"; echo 1200 >"$T/run/lab-8.ms"
scripts/report/page.sh "$T/run" >"$T/made-up.html" 2>"$T/made-up.err"
lab6=$(sed -n '/<section id="lab-6">/,/<\/section>/p' "$T/made-up.html")
check "a lab that cannot run: its section says so with the lab's two lines, and shows no figure" "$lab6" \
  bash -c "grep -q 'could not run here' <<<\"\$1\" && grep -q 'closesnoop: needs root (CAP_BPF)' <<<\"\$1\" &&
           grep -q 'fix: sudo make lab-6' <<<\"\$1\" && ! grep -qE '<svg|Ran in|class=\"sbs\"|Look at' <<<\"\$1\"" _ "$lab6"
lab8=$(sed -n '/<section id="lab-8">/,/<\/section>/p' "$T/made-up.html")
check "a later lab (8) gets its section: summary, Look at, text escaped" "$lab8" \
  bash -c "grep -q 'href=\"#lab-8\"' '$T/made-up.html' && grep -q 'A &lt;script&gt; &amp; co' <<<\"\$1\" &&
           grep -q 'class=\"look\">Look at: the 42 calls.' <<<\"\$1\" && grep -q 'observer effect &lt;b&gt;' <<<\"\$1\" &&
           ! grep -q '<script>' '$T/made-up.html'" _ "$lab8"

if ! command -v chromium >/dev/null; then
  not_ok "the page in a browser" "chromium missing: make setup"
  exit 0
fi

# The console log: with --enable-logging=stderr every console message is an
# INFO:CONSOLE line; the policy's refusals are console errors too.
checked_copy "$PAGE" "$T/checked.html"
chromium_run --enable-logging=stderr --v=0 --window-size=1280,800 --dump-dom "file://$T/checked.html" \
  >"$T/dom.html" 2>"$T/console.log"
rc=$?
check "chromium loads the page (exit $rc)" "$(tail -n 3 "$T/console.log")" \
  bash -c "[ $rc -eq 0 ] && grep -q 'id=\"page-check\"' '$T/dom.html'"
check "no console error, no load refused" "$(grep -E 'CONSOLE|Refused' "$T/console.log" | head -n 3)" \
  bash -c "! grep -qE 'CONSOLE|Refused' '$T/console.log'"
# ... and the log does catch one (else the check above proves nothing)
checked_copy "$PAGE" "$T/erring.html" "console.error('a deliberate error');"
chromium_run --enable-logging=stderr --v=0 --dump-dom "file://$T/erring.html" >/dev/null 2>"$T/erring.log"
check "the console check catches a console error" "$(tail -n 3 "$T/erring.log")" \
  grep -q 'CONSOLE.*a deliberate error' "$T/erring.log"

found() { sed -n '/<pre id="page-check">/,/<\/pre>/{s/^.*<pre id="page-check">//;s/<\/pre>.*//;p}' "$T/dom.html" | sed -n "s/^$1 //p"; }
links=$(found links)
check "every internal link resolves (${links%% *} links)" "$links" \
  bash -c "[[ '$links' =~ ^[1-9][0-9]*\ broken\ 0 ]]"
boxes=$(found boxes)
check "nothing clipped at 1280 px: no table, cell or text box wider than itself (${boxes%% *} boxes)" "$boxes" \
  bash -c "[[ '$boxes' =~ ^[1-9][0-9]*\ clipped\ 0 ]]"
width=$(found page-width)
check "the page does not scroll sideways ($width)" "$width" \
  bash -c "set -- $width; [ \"\$1\" -le \"\$3\" ]"
svgs=$(found svgs)
flames=$(for n in $ran; do for f in "$OUT/lab-$n"/*.folded; do [ -s "$f" ] && echo x; done; done 2>/dev/null | wc -l)
chains=$(for n in $ran; do for f in "$OUT/lab-$n"/*.chain; do [ -s "$f" ] && echo x; done; done 2>/dev/null | wc -l)
drawn_flames=$(grep -o 'flame:[1-9][0-9]*:[1-9][0-9]*:[1-9][0-9]*x[1-9]' <<<"$svgs" | wc -l)
drawn_timelines=$(grep -o 'timeline:[1-9][0-9]*:[1-9][0-9]*:[1-9][0-9]*x[1-9]' <<<"$svgs" | wc -l)
check "an icicle graph per folded-stacks file ($flames) and timelines per chain ($chains), none empty" \
  "class:marks:texts:size of each: $svgs" \
  bash -c "[ $drawn_flames -eq $flames ] && [ $drawn_timelines -ge $chains ]"

# the whole page, as tall as it is at 1280 px
height=$(found page-height)
rm -f "$OUT/report-screenshot.png"
chromium_run --hide-scrollbars --window-size=1280,${height:-2400} --screenshot="$OUT/report-screenshot.png" "file://$PAGE" >/dev/null 2>&1
check "a screenshot of the whole page: out/report-screenshot.png (1280x$height)" "none written" \
  bash -c "[ \"\$(head -c 4 '$OUT/report-screenshot.png' | tail -c 3)\" = PNG ]"
chromium_run --no-pdf-header-footer --print-to-pdf="$T/report.pdf" "file://$PAGE" >/dev/null 2>&1
check "it prints: a PDF of the page" "none written" bash -c "[ \"\$(head -c 4 '$T/report.pdf')\" = %PDF ]"
# ([c]: the pattern must not match the command line of the check itself)
check "no chromium left running" "$(pgrep -af "user-data-dir=$T/[c]hromium-profile" | head -n 2)" \
  bash -c "! pgrep -f 'user-data-dir=$T/[c]hromium-profile' >/dev/null"
