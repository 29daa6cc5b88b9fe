#!/usr/bin/env bash
# The teaching kit: learner pages (docs/lab-N.md) without answers, a teacher
# page per lab (docs/teacher/lab-N.md) answering each of their questions,
# the guide's needs table as the labs declare it now, links that resolve,
# and `make doctor` ending with one line per lab. No lab runs here.
source "$(dirname "$0")/../lib.sh"
cd "$ROOT" || exit 1
LABS=$(scripts/lab.sh --list | cut -f 1)
GUIDE=docs/teacher/guide.md

# The declarations: every lab has a `# needs:` line, and it parses.
for n in $LABS; do
  check "lab-$n declares its needs on its second line ('# needs: ...')" "$(sed -n 2p "scripts/labs/lab-$n.sh")" \
    grep -qE '^# needs: ' <(sed -n 2p "scripts/labs/lab-$n.sh")
done
needs=$(scripts/lab.sh --needs 2>&1)
check "scripts/lab.sh --needs: one line per lab, N ROOT BTF KERNEL TOOLS" "$needs" \
  bash -c "[ \"\$(cut -f 1 <<<'$needs' | tr '\n' ' ')\" = \"$(echo $LABS) \" ] &&
           ! grep -qvE '^[0-9]+	(yes|no)	(yes|no)	([0-9]+(\.[0-9]+)*|-)	[a-z0-9,.-]+\$' <<<'$needs'"
# ... and the parser reads what it should, or refuses: a made-up lab in a copy.
mkdir -p "$T/decl/scripts/labs"
cp scripts/lab.sh "$T/decl/scripts/"
printf '# help: made up\n# needs: tools=a,b kernel>=6.1 root\n' >"$T/decl/scripts/labs/lab-12.sh"
printf '# help: made up too\n# needs: btf rooot\n' >"$T/decl/scripts/labs/lab-13.sh"
got12=$(bash "$T/decl/scripts/lab.sh" --needs 2>/dev/null | head -n 1)
bash "$T/decl/scripts/lab.sh" --needs >/dev/null 2>"$T/decl.err"
rc=$?
check "the needs parser: words in any order; an unknown word is an error naming it (exit 2)" \
  "got '$got12', exit $rc, $(cat "$T/decl.err")" \
  bash -c "[ '$got12' = '12	yes	no	6.1	a,b' ] && [ $rc -eq 2 ] && grep -q \"lab-13.sh: unknown word 'rooot'\" '$T/decl.err'"

# The guide's table is the one the declarations give now (make docs pastes it).
awk '/^<!-- \/capture -->$/ { keep = 0 } keep { print } /^<!-- capture: needs -->$/ { keep = 1 }' "$GUIDE" >"$T/table.page" 2>/dev/null
scripts/lab.sh --needs-table >"$T/table.now"
check "$GUIDE: its needs table is what the labs declare now (make docs)" \
  "$(diff "$T/table.page" "$T/table.now" | head -n 6 | tr '\n' ' ')" \
  bash -c "[ -s '$T/table.page' ] && cmp -s '$T/table.page' '$T/table.now'"
# ... and the check can fail: a declaration changed, the page not.
sed 's/^# needs: tools=strace$/# needs: root tools=strace/' scripts/labs/lab-1.sh >"$T/decl/scripts/labs/lab-12.sh"
rm -f "$T/decl/scripts/labs/lab-13.sh"
check "the table check catches a declaration the page does not show" "the tables matched" \
  bash -c "! bash '$T/decl/scripts/lab.sh' --needs-table | cmp -s - '$T/table.page'"
# capture-docs fills the marker from the same table (on a copy of the guide).
mkdir -p "$T/cap/docs/teacher" "$T/cap/scripts"
cp -r scripts/lab.sh scripts/labs scripts/capture-docs.sh "$T/cap/scripts/"
printf 'before\n<!-- capture: needs -->\nold\n<!-- /capture -->\nafter\n' >"$T/cap/docs/teacher/guide.md"
(cd "$T/cap" && bash scripts/capture-docs.sh --needs >/dev/null 2>&1)
awk '/^<!-- \/capture -->$/ { keep = 0 } keep { print } /^<!-- capture: needs -->$/ { keep = 1 }' \
  "$T/cap/docs/teacher/guide.md" >"$T/cap.table"
check "capture-docs.sh pastes the needs table between <!-- capture: needs --> and <!-- /capture -->" \
  "$(head -n 5 "$T/cap/docs/teacher/guide.md" | tr '\n' '|')" \
  bash -c "cmp -s '$T/cap.table' '$T/table.now' && grep -qx before '$T/cap/docs/teacher/guide.md' &&
           grep -qx after '$T/cap/docs/teacher/guide.md'"

# Every lab has both pages.
for n in $LABS; do
  check "lab-$n has a learner page (docs/lab-$n.md) and a teacher page (docs/teacher/lab-$n.md)" "missing" \
    test -s "docs/lab-$n.md" -a -s "docs/teacher/lab-$n.md"
done

# questions PAGE SECTION: the numbered items of PAGE's `## SECTION`.
section_items() {
  awk -v title="## $2" '/^## / { inside = ($0 == title) } inside && /^[0-9]+\. / { print }' "$1"
}

# A learner page holds no answers: no heading or bold lead that says Answer
# or Teacher, and its questions are its last section (answers used to follow).
no_answers() { # PAGE
  ! grep -qiE '^#+ .*(answer|teacher)|\*\*answers?[.:]?\*\*|^answers?:' "$1" &&
    [ "$(grep '^## ' "$1" | tail -n 1)" = "## Questions for learners" ]
}
for n in $LABS; do
  page=docs/lab-$n.md
  check "$page: no answers (no Answer/Teacher heading or lead; its questions come last)" \
    "$(grep -niE '^#+ .*(answer|teacher)|\*\*answers?' "$page" | head -n 3); last section: $(grep '^## ' "$page" | tail -n 1)" \
    no_answers "$page"
done
printf '# x\n## Questions for learners\n1. Why?\n## Teacher notes\n1. Because.\n' >"$T/answered.md"
answers_caught() { ! no_answers "$T/answered.md"; }
check "the no-answers check catches a learner page with its teacher notes" "it passed" answers_caught

# Each teacher page answers every question of its learner page: the same
# questions, in order, each with an answer.
for n in $LABS; do
  learner=docs/lab-$n.md teacher=docs/teacher/lab-$n.md
  asked=$(section_items "$learner" 'Questions for learners' | wc -l)
  answered=$(section_items "$teacher" Answers | grep -c '^[0-9]*\. \*\*Question\.\*\* ')
  answers=$(awk '/^## / { inside = ($0 == "## Answers") } inside && /^   \*\*Answer\.\*\* / { n++ } END { print n + 0 }' "$teacher")
  same=$(diff <(section_items "$learner" 'Questions for learners' | sed 's/^\([0-9]*\)\. /\1 /') \
              <(section_items "$teacher" Answers | sed 's/^\([0-9]*\)\. \*\*Question\.\*\* /\1 /') >/dev/null && echo yes)
  check "$teacher answers each of the $asked questions of $learner (same questions, an answer each)" \
    "asked $asked, teacher has $answered questions and $answers answers, first lines the same: ${same:-no}" \
    bash -c "[ $asked -gt 0 ] && [ $asked -eq $answered ] && [ $answered -eq $answers ] && [ '$same' = yes ]"
done

# Every relative link in docs/ resolves (to a file or a directory).
broken=""
links=0
while IFS= read -r page; do
  while IFS= read -r target; do
    target=${target%%#*}
    [ -n "$target" ] || continue
    links=$((links + 1))
    [ -e "$(dirname "$page")/$target" ] || broken="$broken $page->$target"
  done < <(grep -oE '\]\([^)]+\)' "$page" | sed 's/^](//; s/)$//; s/ .*//' | grep -vE '^[a-z]+:')
done < <(find docs -name '*.md' | sort)
check "every relative link in docs/ resolves ($links links)" "broken:$broken" \
  bash -c "[ -z '$broken' ] && [ $links -gt 0 ]"

# make doctor ends with one line per lab, in order, OK or MISSING.
make -s doctor >"$T/doctor" 2>&1
lab_lines=$(grep -E '^(OK|MISSING) +lab-[0-9]+ ' "$T/doctor" | awk '{ print $2 }' | tr '\n' ' ')
want=$(for n in $LABS; do printf 'lab-%s ' "$n"; done)
check "make doctor prints one line per lab (OK or MISSING lab-N ...)" "got: $lab_lines" \
  [ "$lab_lines" = "$want" ]
