# scope-css.awk: tracediff's page style (the text of its <style> element,
# rule after rule, no nesting) made to apply inside .sbs only: its body,
# table and h1 rules must not restyle the rest of the report.
{ css = css $0 }
END {
  n = split(css, rules, "}")
  for (i = 1; i <= n; i++) {
    brace = index(rules[i], "{")
    if (brace == 0) continue
    m = split(substr(rules[i], 1, brace - 1), sels, ",")
    out = ""
    for (j = 1; j <= m; j++) {
      sel = sels[j]
      gsub(/^[ \t\n]+|[ \t\n]+$/, "", sel)
      out = out (j > 1 ? "," : "") (sel == "body" ? ".sbs" : ".sbs " sel)
    }
    print out substr(rules[i], brace) "}"
  }
}
