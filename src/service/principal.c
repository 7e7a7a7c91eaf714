/* principal.c - see principal.h. */
#include "principal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/role.h"

void principal_anonymous(struct principal *p, const char *client)
{
	memset(p, 0, sizeof *p);
	p->kind = PRINCIPAL_ANONYMOUS;
	snprintf(p->client, sizeof p->client, "%s", client ? client : "");
}

void principal_cli(struct principal *p, const char *purpose)
{
	const char *user = getenv("USER");

	memset(p, 0, sizeof *p);
	p->kind = PRINCIPAL_CLI;
	snprintf(p->name, sizeof p->name, "%s", user && *user ? user : "console");
	snprintf(p->client, sizeof p->client, "cli");
	snprintf(p->purpose, sizeof p->purpose, "%s", purpose ? purpose : "");
}

const char *principal_org_code(const struct principal *p)
{
	return p->dept_code[0] ? p->dept_code : p->agency_code;
}

void principal_actor(const struct principal *p, char *out, size_t size)
{
	switch (p->kind) {
	case PRINCIPAL_USER:
		snprintf(out, size, "user:%s", p->name);
		break;
	case PRINCIPAL_TOKEN:
		snprintf(out, size, "token:%lld", (long long)p->id);
		break;
	case PRINCIPAL_CLI:
		snprintf(out, size, "cli:%s", p->name);
		break;
	case PRINCIPAL_ANONYMOUS:
	default:
		snprintf(out, size, "anonymous");
		break;
	}
}

void principal_role_text(const struct principal *p, char *out, size_t size)
{
	if (p->kind == PRINCIPAL_USER)
		role_format_list(p->roles, out, size);
	else if (p->kind == PRINCIPAL_TOKEN && p->agency_code[0]) {
		char scopes[ROLE_LIST_MAX];

		/* The access log tells agencies from departments by this prefix. */
		scope_format_list(p->scopes, scopes, sizeof scopes);
		snprintf(out, size, "agency,%s", scopes);
	} else if (p->kind == PRINCIPAL_TOKEN)
		scope_format_list(p->scopes, out, size);
	else if (p->kind == PRINCIPAL_CLI)
		snprintf(out, size, "console");
	else if (size)
		out[0] = '\0';
}
