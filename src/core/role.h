/*
 * role.h - user roles and API token scopes, as bit sets, with their names and the rules
 * on which roles go together.  Pure functions; the caller owns every buffer.
 *
 * The names are stable: they are stored in the database and appear in the API.
 */
#ifndef XY_ROLE_H
#define XY_ROLE_H

#include <stddef.h>

struct err;

enum role {
	ROLE_SUBJECT = 1u << 0,    /* "subject": a credit subject looking at its own records */
	ROLE_SUBMITTER = 1u << 1,  /* "submitter": uploads a department's batches */
	ROLE_HANDLER = 1u << 2,    /* "handler": handles objections and credit repair */
	ROLE_DEPT_ADMIN = 1u << 3, /* "dept_admin": manages a department's users */
	ROLE_OPERATOR = 1u << 4,   /* "operator": runs the platform day to day */
	ROLE_ADMIN = 1u << 5,      /* "admin": manages platform users and settings */
	ROLE_AUDITOR = 1u << 6,    /* "auditor": reads the audit log */
};

#define ROLES_DEPT (ROLE_SUBMITTER | ROLE_HANDLER | ROLE_DEPT_ADMIN)
#define ROLES_PLATFORM (ROLE_OPERATOR | ROLE_ADMIN | ROLE_AUDITOR)
#define ROLES_ALL (ROLE_SUBJECT | ROLES_DEPT | ROLES_PLATFORM)

enum scope {
	SCOPE_SUBJECTS_READ = 1u << 0, /* "subjects:read" */
	SCOPE_BATCHES_READ = 1u << 1,  /* "batches:read" */
	SCOPE_BATCHES_WRITE = 1u << 2, /* "batches:write" */
	SCOPE_CHECKS_WRITE = 1u << 3,  /* "checks:write" */
};

#define SCOPES_ALL (SCOPE_SUBJECTS_READ | SCOPE_BATCHES_READ | SCOPE_BATCHES_WRITE | \
		    SCOPE_CHECKS_WRITE)

/* Room for every role name, or every scope name, joined by commas. */
#define ROLE_LIST_MAX 96

/* Parses a comma-separated list of role names ("submitter, handler"); spaces around names
 * and repeated names are allowed, empty items are skipped, names are matched exactly (lower
 * case).  Returns 0 and sets *out, or -1 with reason `request.invalid`, field "roles" and a
 * message listing the valid names when the list is empty or names an unknown role (*out
 * untouched). */
int role_parse_list(const char *text, unsigned *out, struct err *e);

/* The same for token scopes ("subjects:read,batches:write"); field "scopes". */
int scope_parse_list(const char *text, unsigned *out, struct err *e);

/* Writes the names of the set bits, in enum order, joined by ',' without spaces ("" for
 * none); unknown bits are ignored.  Always NUL-terminated when size > 0; when out is too
 * small only whole names that fit are written.  ROLE_LIST_MAX always suffices. */
void role_format_list(unsigned roles, char *out, size_t size);
void scope_format_list(unsigned scopes, char *out, size_t size);

/* The name of one role or scope bit ("dept_admin", "batches:read"); NULL when the
 * argument is not exactly one known bit.  Static strings. */
const char *role_name(unsigned one_role_bit);
const char *scope_name(unsigned one_scope_bit);

/* Checks that a user's roles go together and with what the user is bound to:
 *   - at least one role, and only known roles;
 *   - `subject` goes with no other role, and needs a subject code and no department;
 *   - department roles need a department code and no subject code;
 *   - platform roles need neither a department nor a subject code;
 *   - department roles and platform roles are not mixed.
 * Returns 0, or -1 with reason `request.invalid`, field "roles" and a message naming the
 * rule. */
int role_check_binding(unsigned roles, int has_dept, int has_subject, struct err *e);

#endif
