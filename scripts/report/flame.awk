# flame.awk: folded stacks ("comm;outer;...;inner COUNT", sorted) as an
# icicle graph in inline SVG: the root on top, each frame a box as wide as
# the number of calls whose stack passes through it, callees below callers.
# The layout is flamegraph.pl's: walking sorted stacks, a frame starts
# where the previous stack stops sharing it. Needs html.awk.
# -v title=TEXT: the graph's accessible name.
function close_frame(d, name, from, to) {
  nf++; fdepth[nf] = d; fname[nf] = name; fstart[nf] = from; fend[nf] = to
  if (d > maxdepth) maxdepth = d
}
NF >= 2 && $NF ~ /^[0-9]+$/ {
  count = $NF
  stack = $0
  sub(/ +[0-9]+$/, "", stack)
  n = split(stack, f, ";")
  common = 0
  while (common < pn && common < n && prev[common + 1] == f[common + 1]) common++
  for (d = pn; d > common; d--) close_frame(d, prev[d], start[d], x)
  for (d = common + 1; d <= n; d++) start[d] = x
  x += count
  for (d = 1; d <= n; d++) prev[d] = f[d]
  pn = n
}
END {
  if (x == 0) exit
  for (d = pn; d >= 1; d--) close_frame(d, prev[d], start[d], x)
  close_frame(0, "all", 0, x)
  width = 1200; rowh = 22; charw = 7.9 # 13px monospace: about 0.6em a character
  split("#fca5a5 #fdba74 #fcd34d #fde68a #fecaca #fed7aa", palette, " ")
  height = (maxdepth + 1) * rowh + 2
  printf "<svg class=\"flame\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", width, height, esc(title)
  for (i = 1; i <= nf; i++) {
    bx = fstart[i] / x * width; bw = (fend[i] - fstart[i]) / x * width
    by = fdepth[i] * rowh
    calls = fend[i] - fstart[i]
    tip = esc(fname[i]) " (" calls " of " x " call" (x == 1 ? "" : "s") ")"
    printf "<g><title>%s</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"#fff\"/>", \
      tip, bx, by, bw, rowh - 1, fdepth[i] == 0 ? "#e5e7eb" : palette[(fdepth[i] - 1) % 6 + 1]
    # a name that does not fit its box is cut, with an ellipsis: the full
    # name is in the box's title and in the text stacks of the summary
    fit = int((bw - 6) / charw)
    label = fname[i]
    if (fdepth[i] == 0) label = "all: " x " call" (x == 1 ? "" : "s")
    if (length(label) > fit) label = fit >= 4 ? substr(label, 1, fit - 1) "…" : ""
    if (label != "") printf "<text x=\"%.1f\" y=\"%d\">%s</text>", bx + 3, by + rowh - 7, esc(label)
    print "</g>"
  }
  print "</svg>"
}
