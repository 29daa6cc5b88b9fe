/* tracediff.h: what tracediff's files offer each other, one section per
 * file (README.md, "Files"), util.c first: a file calls only the files of
 * the sections above its own. */
#ifndef TRACEDIFF_H
#define TRACEDIFF_H

#include <stdbool.h>
#include <stddef.h>

/* util.c: allocation that cannot fail silently (out of memory ends the
 * program with one line), growable strings and string arrays, a map of
 * longs, files. */

void *xcalloc(size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* p, of *cap elements of size elem, grown to hold at least need. */
void *grow_array(void *p, size_t *cap, size_t need, size_t elem);

/* A NUL-terminated growable string; s is NULL until the first append. */
struct sbuf {
	char *s;
	size_t len, cap;
};

void sb_put(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_putc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far, "" when none, still b's. */
const char *sb_str(const struct sbuf *b);
/* The text, never NULL, now the caller's; b is empty again. */
char *sb_take(struct sbuf *b);
void sb_free(struct sbuf *b);

/* Owned strings. */
struct strvec {
	char **v;
	size_t n, cap;
};

void sv_push(struct strvec *sv, char *owned);
void sv_free(struct strvec *sv);

/* Open addressing, long to long. */
struct lmap {
	struct lmap_slot *slots;
	size_t cap, n;
};

/* key's value, inserted as dflt when missing. */
long *lmap_get(struct lmap *m, long key, long dflt);
/* key's value, or dflt. */
long lmap_value(const struct lmap *m, long key, long dflt);
void lmap_free(struct lmap *m);

/* All of path, NUL-terminated (NULs inside kept: *len says where it ends);
 * NULL with errno set when it cannot be read. */
char *read_whole_file(const char *path, size_t *len);
const char *path_basename(const char *path);
bool starts_with(const char *s, const char *prefix);
/* Control characters in s[0..n) become '?' (so do bytes past ASCII with
 * ascii_only): strace texts and titles can hold anything, and a terminal
 * would act on them. */
void make_printable(char *s, size_t n, bool ascii_only);
/* A copy of s[0..n), made printable. */
char *printable_copy(const char *s, size_t n);

/* syscalls.c: the phases, what a story line is about. Phases are numbers
 * everywhere; their names appear only when a story is printed or a saved
 * one read back. A saved story may name phases tracediff never makes: those
 * get numbers past PHASE_COUNT, the same number for the same name. */

/* In the order a connection goes through them. */
enum phase {
	PHASE_CREATE,
	PHASE_CONFIGURE,
	PHASE_CONNECT,
	PHASE_ARM_DEADLINE,
	PHASE_DISARM,
	PHASE_REGISTER,
	PHASE_WAIT_WRITABLE,
	PHASE_CHECK_ERROR,
	PHASE_SEND,
	PHASE_READ,
	PHASE_WAIT_READABLE,
	PHASE_DEADLINE,
	PHASE_WAKE,
	PHASE_POLL,
	PHASE_WAIT,
	PHASE_DEREGISTER,
	PHASE_CLOSE,
	PHASE_REPEAT, /* the marker of a repeated block (collapse.c) */
	PHASE_OTHER,  /* "-": a syscall the table does not know */
	PHASE_COUNT,
};

const char *phase_name(enum phase p);
enum phase phase_parse(const char *name);

/* One colour per phase, the same in the terminal and in HTML. */
struct phase_colour {
	const char *ansi; /* SGR parameters, e.g. "1;34" */
	const char *html; /* a background, e.g. "#dbeafe" */
};

const struct phase_colour *phase_colour(enum phase p);

/* syscalls.c also holds the one table of the syscalls tracediff knows.
 * Whatever the story needs to know about a call because of its name, it
 * asks here; a new syscall is one row. A call missing from the table is
 * SC_OTHER: it passes through with phase "-", its first argument read as an
 * fd. */

enum sc_class {
	SC_OTHER,   /* passes through, phase "-" */
	SC_CONN,    /* the connection's: kept when it involves a role fd, else dropped */
	SC_IF_ROLE, /* kept as SC_CONN when it involves a role fd, else SC_OTHER */
	SC_NOISE,   /* the runtime's and the loader's: always dropped */
};

/* Where a call's fds are. */
enum sc_fds {
	FDS_ARG0,        /* the first argument */
	FDS_ARG0_ARG2,   /* the first and the third (epoll_ctl: the set, the target) */
	FDS_POLL_SET,    /* {fd=N, ...} items of the first argument */
	FDS_RESULT,      /* the result, an fd the call creates */
	FDS_PAIR,        /* the [A, B] in argument pair_arg, two fds the call creates */
};

/* The roles an fd can have (fds.c). */
enum fd_kind { FD_NONE, FD_SOCK, FD_USOCK, FD_NLSOCK, FD_EPFD, FD_TIMER, FD_WAKE };

/* Which rule turns the row's phase into the line's. */
enum sc_does {
	DOES_NOTHING,    /* the phase is the row's */
	DOES_READ,       /* from WAKE: wake; from TIMER: deadline */
	DOES_WRITE,      /* to WAKE: wake */
	DOES_WAIT,       /* by what it returned or waited for (waits.c) */
	DOES_EPOLL_CTL,  /* EPOLL_CTL_DEL: deregister */
	DOES_GETSOCKOPT, /* SO_ERROR: check-error */
	DOES_TIMER_SET,  /* it_value 0: disarm */
	DOES_CLOSE,      /* the fd in the first argument ends */
};

struct syscall {
	const char *name;
	enum sc_class cls;
	enum sc_fds fds;
	unsigned char pair_arg;  /* FDS_PAIR: the argument holding the pair */
	enum fd_kind creates;    /* FD_NONE, or what the fds it creates become */
	enum phase phase;
	enum sc_does does;
	/* Argument positions, 0 for none: argument 0 is never one of these. */
	unsigned char buf_arg;     /* the data read or written */
	unsigned char count_arg;   /* how many bytes a write was asked to write */
	unsigned char timeout_arg; /* a wait's timeout */
	bool timeout_timespec;     /* ... a struct timespec, else milliseconds */
	bool sigmask;              /* ends in a sigmask and its size */
	bool break_fd; /* Go makes its netpoll break fd with it, right after epoll_create1 */
};

/* The row of name; a row of class SC_OTHER when the table has none. */
const struct syscall *syscall_row(const char *name);
bool sc_is_connection(const struct syscall *sc);
bool sc_is_epoll_wait(const struct syscall *sc);
/* The names of the calls a story can keep, "socket,connect,...": the
 * list for strace -e trace=. */
void syscalls_trace_list(struct sbuf *out);

/* args.c: strace's argument syntax. Strings are "quoted" with C escapes,
 * and followed by ... when strace cut them; brackets (), [], {} nest; a -y
 * decoration follows an fd number in angle brackets, 3<socket:[123]> or
 * 3<TCP:[127.0.0.1:5000->127.0.0.1:80]>, and may hold brackets itself;
 * comments look like C's. */

/* s[i] is '"': the index past the closing quote and any "..." after it; n
 * when the string does not end. */
size_t scan_string(const char *s, size_t n, size_t i);
/* s[i] is '<' right after an fd number: the index past the decoration's
 * '>', or i when none starts there. */
size_t scan_decoration(const char *s, size_t n, size_t i);
/* From s[i], just past an argument list's '(': the index of its ')', or n. */
size_t scan_to_close(const char *s, size_t n, size_t i);
/* s[0..n) split at the commas outside strings and brackets, each argument
 * trimmed; "" gives none. */
void args_split(const char *s, size_t n, struct strvec *out);
/* A leading decimal integer, maybe negative ("-1 EAGAIN" gives -1). */
bool parse_long_prefix(const char *s, long *v);
/* Argument k of a as an fd, "3" or "3<socket:[1]>"; -1 when it is none. */
long arg_fd(const struct strvec *a, size_t k);
/* Argument k of a as an array of (at least) two fds, "[4, 5]": the first two. */
bool arg_fd_pair(const struct strvec *a, size_t k, long pair[2]);
/* The next "{fd=N" of a poll set from *p on: N in *fd, *p moved past
 * "{fd="; false when there is none. */
bool next_poll_fd(const char **p, long *fd);

/* args.c also makes the placeholders, so that stories compare across runs
 * and languages. rewrite_value() copies an argument or result with pointers
 * (0x10000 and up) as PTR, ports as PORT, decorated fds and {fd=N} as their
 * role (other decorations keep socket inodes as [INODE]), data={...} as
 * data=ROLE or data=PTR, and with elide strings as "..." (but an HTTP
 * first line). The caller says which fds and data values have roles. */

struct rewrite_env {
	/* the role of fd at this call, or NULL */
	const char *(*fd_role)(void *ctx, long fd);
	/* the role an epoll data value (the u64 text) stands for, or NULL */
	const char *(*data_role)(void *ctx, const char *value);
	void *ctx;
};

char *rewrite_value(const struct rewrite_env *env, const char *text, bool elide);
/* If the string literal s[0..n) (starting with '"') begins with an HTTP
 * request line ("GET /x HTTP/1.1\r\n") or status line ("HTTP/1.1 200
 * OK\r\n"), returns it as a literal cut after that line,
 * "GET /x HTTP/1.1\r\n"...; else NULL. */
char *http_first_line(const char *s, size_t n);
/* The value of data= in an epoll_event text starting at "data=": the u64
 * field when strace shows {u32=..., u64=...}, else the token. *end gets the
 * index just past the data value. Returns NULL when there is none. */
char *epoll_data_value(const char *s, size_t *end);
/* "{tv_sec=0, tv_nsec=0}", "0", NULL ...: does this time value say zero? */
bool time_is_zero(const char *s);
/* timerfd_settime's itimerspec: "{it_interval=0, it_value=TIME}" with each
 * part 0 when zero, TIME otherwise; "NULL" stays. */
char *rewrite_itimerspec(const char *s);

/* trace.c: a whole strace file as the list of its calls, in the order they
 * finished. An <unfinished ...> call and its <... resumed> half become one
 * call, placed where it resumed (other threads' lines may come between).
 * Calls that never returned (the trace ended, or the process died, while
 * they were in the kernel) have no result: those whose thread never resumed
 * them come last, in the order they started. Signal and exit lines, and
 * lines that are no call at all, are only counted. */

struct call {
	long pid;       /* -1 when the trace has no pid prefixes */
	char *name;
	char *args;     /* the whole argument text, as strace wrote it */
	char *result;   /* what followed " = ", or NULL: never returned */
	size_t line;    /* 1-based line where the call started */
	size_t end_line; /* where it finished (its resumed half), or line */
	bool partial;   /* args stop where strace stopped (never resumed) */
};

struct trace {
	struct call *calls;
	size_t n, cap;
	size_t lines, signal_lines, exit_lines;
};

/* Parses text[0..len) (any bytes) into t, which must be zeroed. */
void trace_parse(const char *text, size_t len, struct trace *t);
void trace_free(struct trace *t);

/* One line of `strace -f` output, taken apart. After an optional
 * "[pid N] " or "N " prefix and -t/-tt/-ttt/-r timestamps:
 *   name(args) = result             padding before "=" and a -T duration dropped
 *   name(args <unfinished ...>      another thread's line came between
 *   <... name resumed>rest) = result
 *   <... name resumed> <unfinished ...>) = ?   the process exited meanwhile
 *   name(args                       the trace ended mid-line
 *   --- SIGURG {...} ---, +++ exited with 0 +++
 * Fields point into the line; nothing is allocated. */
enum sl_kind { SL_BLANK, SL_CALL, SL_UNFINISHED, SL_RESUMED, SL_TRUNCATED, SL_SIGNAL, SL_EXIT, SL_OTHER };

#define SL_NAME_MAX 32

struct strace_line {
	enum sl_kind kind;
	long pid;               /* -1 without a pid prefix */
	char name[SL_NAME_MAX]; /* the syscall, or the signal */
	const char *args;       /* SL_RESUMED: what follows "resumed>" */
	size_t args_len;
	const char *result;     /* after " = ", without the duration; NULL if none */
	size_t result_len;
	bool exited_meanwhile;  /* "<... name resumed> <unfinished ...>" */
};

/* line[0..len), a trailing newline allowed; what it cannot read is SL_OTHER. */
void strace_line_parse(const char *line, size_t len, struct strace_line *out);

/* fds.c: which fd plays which role, call by call (README.md, "Roles").
 * Each fd a call creates (FDS_RESULT, FDS_PAIR) is an instance until the
 * close() of its number: numbers get reused, instances do not. fds_scan()
 * reads the whole trace first, as a pipe's role depends on what comes
 * later; then fds_at(i), call by call, makes the lookups answer for call
 * i. */

#define FD_NAME_MAX 24

struct fd_instance {
	long fd;
	enum fd_kind kind;      /* FD_NONE: no role */
	char name[FD_NAME_MAX]; /* "" when no role */
	long pair;              /* the other end of a pipe, or -1 */
	bool registered;        /* put in an epoll or poll set */
	bool after_epoll;       /* a break fd made right after epoll_create1 */
	bool runtime_poller;    /* an EPFD with a WAKE fd in its set */
};

struct fds {
	struct fd_instance *inst;
	size_t n, cap;
	struct fd_event *ev; /* in call order: from call at on, fd is instance inst */
	size_t nev, cap_ev, next_ev;
	struct lmap active; /* fd -> instance, at the current call */
	bool any_runtime_poller;
};

void fds_scan(struct fds *f, const struct trace *t);
/* Moves to call i: calls are visited in increasing order. */
void fds_at(struct fds *f, size_t i);
/* fd's instance at this call, or -1. */
long fds_instance(const struct fds *f, long fd);
/* Is instance inst what its number means at this call? */
bool fds_live(const struct fds *f, long inst);
enum fd_kind fds_kind(const struct fds *f, long fd);
/* fd's role name, or NULL. */
const char *fds_role(const struct fds *f, long fd);
bool is_sock_kind(enum fd_kind k);
void fds_free(struct fds *f);

/* waits.c: the phase of a wait, by what it returned, or, when it failed or
 * never returned, by what it waited for; and what each epoll set watches,
 * learnt from epoll_ctl, which both need. */

struct epoll_sets {
	const struct fds *fds;
	struct epoll_data *data; /* data values and the instance each stands for */
	size_t ndata, cap_data;
	struct epoll_interest *in; /* what each set wants to know of each fd */
	size_t nin, cap_in;
};

/* Remembers an epoll_ctl's interest and data value. */
void epoll_learn_ctl(struct epoll_sets *e, const struct strvec *a);
/* The live instance a data value stands for, or -1. */
long epoll_data_inst(const struct epoll_sets *e, const char *value);
/* Does set ep hold a socket of the connection? */
bool epoll_watches_socket(const struct epoll_sets *e, long ep);
void epoll_sets_free(struct epoll_sets *e);
/* A wait's timeout: -1 forever (or unknown), 0 a poll, 1 a positive one. */
int wait_timeout(const struct syscall *sc, const struct strvec *a);
enum phase wait_phase(const struct epoll_sets *e, const struct syscall *sc, const struct call *c,
		      const struct strvec *a, bool returned);

/* call_line.c: one call as a story line: kept or dropped (syscalls.c), its
 * phase, its text with roles and placeholders (README.md, "The story"). */

/* Why a runtime poller's call was left out. */
enum hidden { SHOWN, HIDDEN_POLL, HIDDEN_IDLE };

struct call_line {
	char *text; /* NULL: not part of the story */
	enum phase phase;
	bool shown; /* false once the story leaves it out */
	enum hidden hidden;
	long pid;
	size_t start_line, end_line;
	/* the runtime's wake-up pipe and timeouts, for story.c to order or merge */
	bool wake_write, wake_wait, wake_read, runtime_timeout;
};

/* Each call of t as a line, t->n of them; show_all keeps the runtime
 * poller's own calls; *runtime_poller: is there one? */
struct call_line *call_lines(const struct trace *t, bool show_all, bool *runtime_poller);

/* story.c: a connection's story, one line per call that matters
 * (README.md, "The story"): story_from_trace() makes one line per call
 * (call_line.c), orders the wake-up pipe's calls causally and leaves out,
 * unless show_all, what is the runtime poller's, not the connection's;
 * what it left out is counted. */

#define PHASE_WIDTH 14     /* the phase column; one space follows it */
#define STORY_NO_TID (-1L) /* see story_line.tid */

struct story_line {
	enum phase phase;
	char *text;
	unsigned long count; /* how many identical calls this line stands for */
	unsigned block;      /* a "repeat" marker: the next block lines repeat count times */
	/* The thread that made the call (of both halves of a merged call), for
	 * `normalize --calls`: STORY_NO_TID without pid prefixes, and for a saved
	 * story's lines. A collapsed line keeps its first call's. */
	long tid;
};

struct story {
	char *name;
	struct story_line *lines;
	size_t n, cap;
	/* left out: empty polls, repeated timeouts, idle waits, wake-pipe calls */
	unsigned long hidden_polls, hidden_rewaits, hidden_idle, hidden_wakes;
	struct strvec notes; /* comment lines of a saved story, without "# " */
};

void story_from_trace(const struct trace *t, const char *name, bool show_all, struct story *out);
/* Appends a line, tid STORY_NO_TID. */
struct story_line *story_add(struct story *s, enum phase phase, const char *text, unsigned long count,
			     unsigned block);
void story_free(struct story *s);

/* collapse.c: stories the same however often a loop spun (README.md,
 * "Collapse"): runs of identical lines, then repeated blocks. Blocks are
 * equal when their lines' phases, texts and "xN or not" are; a line of a
 * block that stood for several calls counts them over all repetitions. */

void story_collapse(struct story *s);

/* story_io.c: stories as text, the format `tracediff normalize` prints
 * (README.md, "The story"). A file whose first line starts
 * "# ctxlab story: " is a saved story, read back as it was printed. */

void story_format(const struct story *s, bool counts, struct sbuf *out);
bool story_is_saved(const char *text, size_t len);
void story_parse_saved(const char *text, size_t len, struct story *out);
/* s as printed without --counts: suffixes in the texts, every count 1, the
 * runtime poller's note among the notes. */
void story_flatten(struct story *s);

/* normalize.c: a trace file's text to its story, the whole pipeline:
 * strace lines to calls (trace.c), one line per call (story.c), repeats
 * collapsed (collapse.c), printed (story_io.c); or a saved story read
 * back. */

/* `normalize`: the story of text[0..len), a raw trace (titled name) or a
 * saved story, printed, appended to out; show_all keeps the runtime
 * poller's own calls. */
void normalize_text(const char *text, size_t len, const char *name, bool counts, bool show_all, struct sbuf *out);
/* The same story as lines are printed without --counts (story_flatten()),
 * for the side by side. */
void story_load(const char *text, size_t len, const char *name, struct story *out);
/* `normalize --calls`: each call of the story, nothing collapsed, as "TID
 * PHASE CALL" (README.md). false, appending nothing, for a saved story:
 * its "  xN" lines cannot be expanded back into calls. */
bool normalize_calls(const char *text, size_t len, bool show_all, struct sbuf *out);

/* align.c: two stories row by row. Each is cut into runs of same-phase
 * lines; the runs, then the lines of paired runs, are aligned by a
 * weighted LCS (README.md, "Side by side"). Ties go the same way every time
 * (left-only rows first). Past a table too big the LCS falls back to a
 * greedy in-order match. */

enum row_kind {
	ROW_SAME,  /* both sides, identical text */
	ROW_DIFF,  /* both sides, different text */
	ROW_LEFT,  /* left only */
	ROW_RIGHT, /* right only */
};

struct align_row {
	long left, right; /* line indices, -1 for a blank */
	enum row_kind kind;
	enum phase phase;
};

struct alignment {
	const struct story *l, *r;
	struct align_row *rows;
	size_t n, cap;
};

void align_stories(const struct story *left, const struct story *right, struct alignment *out);
void alignment_free(struct alignment *a);
/* The LCS both levels use: weight(env, i, j) is what matching a[i] with
 * b[j] is worth (0: they cannot match); pairs gets the (i, j) index pairs
 * of the best alignment, in order; returns how many. pairs must hold
 * min(n, m) pairs. */
size_t wlcs_pairs(size_t n, size_t m, unsigned (*weight)(void *env, size_t i, size_t j), void *env,
		  size_t (*pairs)[2]);

#define SIMILAR_SAME 8

/* How alike two story lines are: SIMILAR_SAME when identical; for the same
 * syscall 1 plus the number of leading arguments that are the same (at
 * most SIMILAR_SAME - 2); 0 for different syscalls. */
unsigned line_similarity(const char *a, const char *b);

/* side_by_side.c: two aligned stories as text columns, the phase in a
 * 14-column margin, a marker between the columns (README.md, "Side by
 * side"): a call wider than its column wraps (wrap_text()), no line is
 * wider than the width, colour is reset on each line. */

#define SBS_MIN_WIDTH 30
#define SBS_MAX_WIDTH 10000
#define SBS_DEFAULT_WIDTH 100

struct sbs_opts {
	int width;
	bool colour;
	const char *left_title, *right_title; /* NULL: the stories' names */
};

void side_by_side_text(const struct alignment *al, const struct sbs_opts *opts, struct sbuf *out);
/* Columns, a UTF-8 sequence counting one. */
size_t text_width(const char *s);
/* s cut to width columns, a cut ending in "…". */
char *fit_text(const char *s, size_t width);
/* s in pieces of at most width columns (0 counts as 1), appended; at least
 * one. A piece ends at a run of spaces, which is dropped, preferably after
 * ", " or before a result's "="; elsewhere only inside a token wider than
 * width, at a word's edge in the second half of the line (not inside SOCK
 * or EPFD), else at width. So s is p0 g0 p1 g1 ... pN gN, the p the pieces
 * and each g zero or more spaces. */
void wrap_text(const char *s, size_t width, struct strvec *pieces);

/* The same table as one self-contained HTML page: one <tr> per aligned
 * row, in <tbody>, the row's kind as its class (same, diff, left, right);
 * the phases coloured, with a legend; every text HTML-escaped. */
void side_by_side_html(const struct alignment *al, const struct sbs_opts *opts, struct sbuf *out);

#endif
