# timeline.awk: a cancelchain timeline (.chain: "MICROSECONDS  tid N  [g N]
# WHAT", one event a line) as an inline SVG: one row per event, in order,
# its label on the left and its dot on a µs axis, coloured by thread.
# -v from_cancel=1: only from the user's cancel (the line cancelchain
# marks "(the user's cancel)") on, µs counted from it; prints nothing when
# there is no such line. Needs html.awk. -v title=TEXT: accessible name.
$1 !~ /^[0-9.]+$/ { next }
from_cancel && !started && !/\(the user.s cancel\)/ { next }
{
  started = 1
  n++
  t[n] = $1 + 0
  label = $0
  sub(/^ *[0-9.]+ +/, "", label)
  gsub(/  +/, "  ", label)
  what[n] = label
  tid[n] = $3
  if (!(tid[n] in colour)) colour[tid[n]] = ++threads
  if (length(label) > longest) longest = length(label)
}
END {
  if (n == 0) exit
  t0 = t[1]; span = t[n] - t0
  if (span <= 0) span = 1
  # a round tick step: 1, 2 or 5 times a power of ten, about 5 ticks
  step = 1; while (step * 10 < span) step *= 10
  if (span / step < 2.5) step /= 5; else if (span / step < 5) step /= 2
  charw = 9.1; rowh = 24 # 15px monospace (report.css)
  left = int(longest * charw) + 16; plot = 640; width = left + plot + 90
  height = (n + 3) * rowh + 4
  split("#2563eb #dc2626 #059669 #d97706 #7c3aed #db2777", palette, " ")
  printf "<svg class=\"timeline\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", width, height, esc(title)
  for (i = 1; i <= n; i++) {
    y = i * rowh
    cx = left + (t[i] - t0) / span * plot
    c = palette[(colour[tid[i]] - 1) % 6 + 1]
    printf "<g><text x=\"6\" y=\"%d\" fill=\"%s\">%s</text>", y + 4, c, esc(what[i])
    printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e5e7eb\"/>", left, y, left + plot, y
    printf "<circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\"/>", cx, y, c
    printf "<text x=\"%.1f\" y=\"%d\" class=\"t\">%s%.1f</text></g>\n", cx + 8, y + 4, from_cancel ? "+" : "", t[i] - t0
  }
  axis = (n + 1) * rowh
  printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#111\"/>\n", left, axis, left + plot, axis
  for (v = 0; v <= span + step / 1000; v += step) {
    tx = left + v / span * plot
    printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#111\"/><text x=\"%.1f\" y=\"%d\" class=\"tick\">%g</text>\n", \
      tx, axis, tx, axis + 5, tx - 4, axis + 18, v
  }
  printf "<text x=\"%d\" y=\"%d\" class=\"tick\">µs %s</text>\n", left, axis + 40, from_cancel ? "after the user's cancel" : "since the first event"
  print "</svg>"
}
