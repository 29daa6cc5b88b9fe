# sbs-table.awk: the table of a tracediff side-by-side page (--html), as a
# fragment of the report: what is between <body> and </body>, its <h1>
# made an <h3> with an anchor (-v id=ANCHOR). tracediff already escaped it
# and wraps long calls (pre-wrap), so it is copied, not rebuilt.
/<\/body>/ { inside = 0 }
inside {
  if (sub(/^<h1>/, "<h3 id=\"" id "\">")) sub(/<\/h1>$/, "</h3>")
  print
}
/<body>/ { inside = 1 }
