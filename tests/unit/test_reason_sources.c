/*
 * test_reason_sources.c - every reason code that src/ sets is listed in reasons.def.
 *
 * The server answers an error with the HTTP status its reason declares in reasons.def
 * (reasons_http_status), so a code set somewhere but missing from the table would only
 * show up at run time, as a 500.  This test reads the sources instead.
 *
 * What counts as setting a code is found, not listed: every function defined or
 * declared in src/ with a parameter `const char *reason` (err_set, err_set_field,
 * store__fail_as, reader_fail, code_fail, row_clean_problem, ...) takes a reason code
 * there.  Each call of such a function whose reason argument is a string literal must
 * name a code of the table, and so must a literal assigned to a member or variable called
 * `reason`.  Arguments that are not literals (a reason passed along) were checked where
 * the literal was written.  Comments, character constants and preprocessor includes are
 * skipped, so an example in a comment (err.h's "x.y") does not count.
 *
 * The one function with a `reason` parameter that is not a code is records_transfer,
 * whose reason is an operator's justification; it is only ever called with a variable,
 * and a literal there would be Chinese text and fail loudly here, which is the safe way
 * round.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reasons.h"
#include "read_text.h"

#define SRC_ROOT XY_SOURCE_ROOT "/src"
#define MAX_SETTERS 64

enum tok_kind { TOK_IDENT, TOK_STRING, TOK_PUNCT, TOK_OTHER };

struct tok {
	enum tok_kind kind;
	const char *start; /* into the file's text; for a string, after the quote */
	size_t len;        /* for a string, of its contents */
	int line;
	int depth; /* brace depth before the token */
};

struct src_file {
	char *path;
	char *text;
	struct tok *toks;
	size_t ntoks;
};

struct setter {
	char name[64];
	size_t arg; /* index of the `reason` parameter */
};

static struct src_file *files;
static size_t nfiles;
static struct setter setters[MAX_SETTERS];
static size_t nsetters;

static int is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Cuts text into identifiers, string literals and punctuation; enough C for this test. */
static void tokenize(struct src_file *f)
{
	const char *p = f->text;
	size_t cap = 1024;
	int line = 1, depth = 0, line_start = 1;

	f->toks = malloc(cap * sizeof *f->toks);
	cr_assert_not_null(f->toks);
	f->ntoks = 0;
	while (*p) {
		struct tok t = { TOK_OTHER, p, 1, line, depth };

		if (*p == '\n') {
			line++;
			line_start = 1;
			p++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v') {
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			p += *p ? 2 : 0;
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p == '#' && line_start && strncmp(p + 1, "include", 7) == 0) {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		line_start = 0;
		if (*p == '"' || *p == '\'') {
			char q = *p++;

			t.start = p;
			while (*p && *p != q && *p != '\n')
				p += p[0] == '\\' && p[1] ? 2 : 1;
			t.len = (size_t)(p - t.start);
			t.kind = q == '"' ? TOK_STRING : TOK_OTHER;
			p += *p == q;
		} else if (is_ident_char(*p)) {
			while (is_ident_char(*p))
				p++;
			t.len = (size_t)(p - t.start);
			t.kind = *t.start >= '0' && *t.start <= '9' ? TOK_OTHER : TOK_IDENT;
		} else {
			t.kind = TOK_PUNCT;
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth > 0)
				depth--;
			p++;
		}
		if (f->ntoks == cap) {
			cap *= 2;
			f->toks = realloc(f->toks, cap * sizeof *f->toks);
			cr_assert_not_null(f->toks);
		}
		f->toks[f->ntoks++] = t;
	}
}

static int tok_is(const struct tok *t, enum tok_kind kind, const char *s)
{
	return t->kind == kind && t->len == strlen(s) && memcmp(t->start, s, t->len) == 0;
}

static int collect_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t n = strlen(path);

	(void)st;
	(void)ftw;
	if (type != FTW_F || n < 2 || path[n - 2] != '.' ||
	    (path[n - 1] != 'c' && path[n - 1] != 'h'))
		return 0;
	files = realloc(files, (nfiles + 1) * sizeof *files);
	cr_assert_not_null(files);
	files[nfiles].path = strdup(path);
	files[nfiles].text = test_read_text(path, "the reason-code scan reads every source file");
	tokenize(&files[nfiles]);
	nfiles++;
	return 0;
}

/* The index just past the ")" matching the "(" at toks[open], or ntoks. */
static size_t match_paren(const struct src_file *f, size_t open)
{
	size_t i;
	int level = 0;

	for (i = open; i < f->ntoks; i++) {
		if (tok_is(&f->toks[i], TOK_PUNCT, "("))
			level++;
		else if (tok_is(&f->toks[i], TOK_PUNCT, ")") && --level == 0)
			return i + 1;
	}
	return f->ntoks;
}

static void add_setter(const struct tok *name, size_t arg)
{
	size_t i;

	cr_assert_lt(name->len, sizeof setters[0].name);
	for (i = 0; i < nsetters; i++)
		if (strlen(setters[i].name) == name->len &&
		    memcmp(setters[i].name, name->start, name->len) == 0) {
			cr_assert_eq(setters[i].arg, arg, "%s declares its reason at two places",
				     setters[i].name);
			return;
		}
	cr_assert_lt(nsetters, MAX_SETTERS);
	memcpy(setters[nsetters].name, name->start, name->len);
	setters[nsetters].name[name->len] = '\0';
	setters[nsetters].arg = arg;
	nsetters++;
}

/* At brace depth 0, `name ( ... char * reason [,)] ... )` declares or defines a function
 * that takes a reason code as its parameter number `arg`. */
static void find_setters(const struct src_file *f)
{
	size_t i, j, end;

	for (i = 0; i + 1 < f->ntoks; i++) {
		size_t arg = 0;
		int level = 0;

		if (f->toks[i].kind != TOK_IDENT || f->toks[i].depth != 0 ||
		    !tok_is(&f->toks[i + 1], TOK_PUNCT, "("))
			continue;
		end = match_paren(f, i + 1);
		for (j = i + 1; j < end; j++) {
			const struct tok *t = &f->toks[j];

			if (tok_is(t, TOK_PUNCT, "("))
				level++;
			else if (tok_is(t, TOK_PUNCT, ")"))
				level--;
			else if (level == 1 && tok_is(t, TOK_PUNCT, ","))
				arg++;
			else if (level == 1 && j + 3 < end && tok_is(t, TOK_IDENT, "char") &&
				 tok_is(&f->toks[j + 1], TOK_PUNCT, "*") &&
				 tok_is(&f->toks[j + 2], TOK_IDENT, "reason") &&
				 (tok_is(&f->toks[j + 3], TOK_PUNCT, ",") ||
				  tok_is(&f->toks[j + 3], TOK_PUNCT, ")")))
				add_setter(&f->toks[i], arg);
		}
	}
}

static const struct setter *setter_of(const struct tok *t)
{
	size_t i;

	if (t->kind != TOK_IDENT)
		return NULL;
	for (i = 0; i < nsetters; i++)
		if (strlen(setters[i].name) == t->len &&
		    memcmp(setters[i].name, t->start, t->len) == 0)
			return &setters[i];
	return NULL;
}

/* Checks that the literal toks[from..to) (adjacent strings, concatenated) is a code of
 * the table; `to == from` or anything but strings is not a literal and is skipped.
 * Returns 1 when a literal was checked. */
static int check_literal(const struct src_file *f, size_t from, size_t to, const char *what)
{
	char code[128];
	size_t i, n = 0;

	if (to == from)
		return 0;
	for (i = from; i < to; i++) {
		if (f->toks[i].kind != TOK_STRING)
			return 0;
		cr_assert_lt(n + f->toks[i].len, sizeof code, "%s:%d: a reason literal too long",
			     f->path, f->toks[i].line);
		memcpy(code + n, f->toks[i].start, f->toks[i].len);
		n += f->toks[i].len;
	}
	code[n] = '\0';
	cr_expect_not_null(reasons_find(code),
			   "%s:%d: %s sets reason \"%s\", which src/core/reasons.def does not list "
			   "(add it there with its HTTP status)",
			   f->path, f->toks[from].line, what, code);
	return 1;
}

/* Checks every literal reason of f; returns how many it checked. */
static size_t check_file(const struct src_file *f)
{
	size_t i, checked = 0;

	for (i = 0; i + 1 < f->ntoks; i++) {
		const struct setter *s = setter_of(&f->toks[i]);
		size_t j, end, arg = 0, from;
		int level = 0;

		/* `reason = "..."`, `.reason = "..."`, `->reason = "..."` */
		if (tok_is(&f->toks[i], TOK_IDENT, "reason") &&
		    tok_is(&f->toks[i + 1], TOK_PUNCT, "=") && i + 2 < f->ntoks &&
		    !tok_is(&f->toks[i + 2], TOK_PUNCT, "=")) {
			for (j = i + 2; j < f->ntoks && f->toks[j].kind == TOK_STRING; j++)
				;
			checked += (size_t)check_literal(f, i + 2, j, "an assignment");
			continue;
		}
		/* A call; at depth 0 the same shape is the function's own declaration. */
		if (!s || f->toks[i].depth == 0 || !tok_is(&f->toks[i + 1], TOK_PUNCT, "("))
			continue;
		end = match_paren(f, i + 1);
		from = i + 2;
		for (j = i + 1; j < end; j++) {
			const struct tok *t = &f->toks[j];
			int last = j + 1 == end;

			if (tok_is(t, TOK_PUNCT, "(") && level++ == 0)
				continue;
			if (tok_is(t, TOK_PUNCT, ")"))
				level--;
			if ((level == 1 && tok_is(t, TOK_PUNCT, ",")) || last) {
				if (arg == s->arg) {
					checked += (size_t)check_literal(f, from, j, s->name);
					break;
				}
				arg++;
				from = j + 1;
			}
		}
	}
	return checked;
}

static void load_sources(void)
{
	size_t i;

	if (files)
		return;
	cr_assert_eq(nftw(SRC_ROOT, collect_file, 16, FTW_PHYS), 0, "cannot walk %s", SRC_ROOT);
	for (i = 0; i < nfiles; i++)
		find_setters(&files[i]);
}

static void free_sources(void)
{
	size_t i;

	for (i = 0; i < nfiles; i++) {
		free(files[i].path);
		free(files[i].text);
		free(files[i].toks);
	}
	free(files);
	files = NULL;
	nfiles = 0;
	nsetters = 0;
}

/* The scan itself must see what it is there for: a tokenizer that silently found nothing
 * would pass every check below. */
Test(reason_sources, setters_found, .init = load_sources, .fini = free_sources)
{
	static const char *const expected[] = { "err_set", "err_set_field", "store__fail_as",
						"reader_fail", "reader_row_fail", "code_fail",
						"code_warn", "row_clean_problem" };
	size_t i, j;

	cr_assert_gt(nfiles, 50, "only %zu source files under %s", nfiles, SRC_ROOT);
	for (i = 0; i < sizeof expected / sizeof *expected; i++) {
		for (j = 0; j < nsetters; j++)
			if (strcmp(setters[j].name, expected[i]) == 0)
				break;
		cr_expect_lt(j, nsetters, "%s was not recognised as taking a reason code",
			     expected[i]);
	}
	for (j = 0; j < nsetters; j++)
		if (strcmp(setters[j].name, "err_set") == 0)
			cr_expect_eq(setters[j].arg, 1);
}

Test(reason_sources, every_literal_reason_listed, .init = load_sources, .fini = free_sources)
{
	size_t i, checked = 0;

	for (i = 0; i < nfiles; i++)
		checked += check_file(&files[i]);
	/* Hundreds today; far fewer would mean the scan missed the calls. */
	cr_assert_gt(checked, 200, "only %zu literal reason codes found in %s", checked,
		     SRC_ROOT);
}
