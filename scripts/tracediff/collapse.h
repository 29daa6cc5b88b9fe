/* collapse.h: stories the same however often a loop spun.
 * 1. A run of identical consecutive lines becomes one line, its count how
 *    many ("  xN", the real "  x183" with --counts).
 * 2. Then a block of 2 to 4 lines repeated back to back becomes a marker
 *    line, phase "repeat", "[the next L lines repeat]", the repetitions its
 *    count, followed by the block once. Blocks are equal when their lines'
 *    phases, texts and "xN or not" are; the block length covering most
 *    lines wins, the shorter on a tie. A line of a block that stood for
 *    several calls counts them over all repetitions. */
#ifndef TRACEDIFF_COLLAPSE_H
#define TRACEDIFF_COLLAPSE_H

#include "story.h"

void story_collapse(struct story *s);

#endif
