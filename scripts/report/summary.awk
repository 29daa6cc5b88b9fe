# summary.awk: a lab's summary (its stdout) as HTML: the "Look at:" and
# "Question:" paragraphs first, as the takeaway, then the whole summary
# verbatim. Needs html.awk. -v id=ANCHOR names the takeaway's anchor.
# A paragraph ends at a blank line, at the next "Question:" or at "files:".
/^Look at:/ { part = "look" }
/^Question:/ { part = "question" }
/^$/ || /^files:/ { part = "" }
part == "look" { look = look esc($0) "\n" }
part == "question" { question = question esc($0) "\n" }
{ all = all esc($0) "\n" }
END {
  if (look != "" || question != "") {
    printf "<div class=\"takeaway\" id=\"%s\">", id
    if (look != "") printf "<div class=\"look\">%s</div>", look
    if (question != "") printf "<div class=\"question\">%s</div>", question
    print "</div>"
  } else {
    print "<p class=\"missing\">This summary has no &quot;Look at:&quot; paragraph.</p>"
  }
  printf "<pre class=\"summary\">%s</pre>\n", all
}
