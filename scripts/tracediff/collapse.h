/* collapse.h: stories the same however often a loop spun.
 *
 * 1. A run of identical consecutive lines becomes one line whose count says
 *    how many (shown as "  xN", or the real "  x183" with --counts).
 * 2. Then a block of 2 to 4 lines repeated back to back (read = -1 EAGAIN,
 *    wait, read = N, again and again) becomes a marker line, phase
 *    "repeat", text "[the next L lines repeat]" with the repetitions as its
 *    count, followed by the block once. Blocks compare equal when their
 *    lines have the same phase and text and the same "xN or not"; of the
 *    block lengths that repeat at a position, the one covering most lines
 *    wins, the shorter on a tie. Inside a block, a line that stood for
 *    several calls counts them over all repetitions. */
#ifndef TRACEDIFF_COLLAPSE_H
#define TRACEDIFF_COLLAPSE_H

#include "story.h"

#define REPEAT_PHASE "repeat"

void story_collapse(struct story *s);

#endif
