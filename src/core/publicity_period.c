/* publicity_period.c - publicity periods by regime and severity; see publicity_period.h. */
#include "publicity_period.h"

#include <stddef.h>
#include <string.h>

#include "text.h"

/* 100万元 in 分. */
#define SERIOUS_FINE_FEN (INT64_C(1000000) * 100)

static const char *const serious_markers[] = {
	"吊销", "责令停产停业", "限制从业", "降低资质等级", NULL,
};

/* Order 36 art. on repair: these penalties stay until their period ends. */
static const char *const unrepairable_markers[] = {
	"吊销", "责令停产停业", "责令关闭", "限制开展生产经营活动", "限制从业",
	"降低资质等级", NULL,
};

static const char *const minor_types[] = { "警告", "通报批评", NULL };

static const char *const special_sectors[] = {
	"食品", "药品", "特种设备", "安全生产", "消防安全", NULL,
};

/* Copies s[0..n) into out (outsz > 0) and trims it the way cleaned values are trimmed. */
static void trim_copy(const char *s, size_t n, char *out, size_t outsz)
{
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	text_trim(out);
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int contains_any(const char *s, const char *const *markers)
{
	for (; *markers; markers++)
		if (strstr(s, *markers))
			return 1;
	return 0;
}

enum severity severity_parse(const char *s)
{
	static const char *const names[] = { "轻微", "一般", "严重" };
	char v[32];

	if (!s)
		return SEVERITY_NONE;
	trim_copy(s, strlen(s), v, sizeof v);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(v, names[i]) == 0)
			return (enum severity)(SEVERITY_MINOR + i);
	return SEVERITY_NONE;
}

const char *severity_name(enum severity s)
{
	static const char *const names[] = { "", "minor", "general", "serious" };

	return names[s];
}

enum severity severity_classify(const char *types, int64_t fine_fen)
{
	const char *p = types ? types : "";
	int all_minor = 1, any = 0;

	if (fine_fen >= SERIOUS_FINE_FEN || contains_any(p, serious_markers))
		return SEVERITY_SERIOUS;
	while (*p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char t[128];

		trim_copy(p, n, t, sizeof t);
		if (*t) {
			any = 1;
			if (!in_list(t, minor_types))
				all_minor = 0;
		}
		p += n + (end != NULL);
	}
	/* A fine, however small, is more than a warning. */
	if (any && all_minor && fine_fen <= 0)
		return SEVERITY_MINOR;
	return SEVERITY_GENERAL;
}

static const struct {
	struct date from;
	const char *name;
} regimes[] = {
	[REGIME_BEFORE_58] = { { 0, 1, 1 }, "pre-2023" },
	[REGIME_ORDER_58] = { { 2023, 5, 1 }, "order-58" },
	[REGIME_ORDER_36] = { { 2026, 4, 1 }, "order-36" },
};

enum publicity_regime publicity_regime_on(struct date decision)
{
	if (date_cmp(decision, regimes[REGIME_ORDER_36].from) >= 0)
		return REGIME_ORDER_36;
	if (date_cmp(decision, regimes[REGIME_ORDER_58].from) >= 0)
		return REGIME_ORDER_58;
	return REGIME_BEFORE_58;
}

const char *publicity_regime_name(enum publicity_regime r)
{
	return regimes[r].name;
}

struct publicity_period publicity_period_of(struct date decision, enum severity sev,
					    int special_sector)
{
	struct publicity_period p = { publicity_regime_on(decision), 1, 0, 36 };

	switch (p.regime) {
	case REGIME_BEFORE_58:
		break;
	case REGIME_ORDER_58:
		p.min_months = special_sector ? 12 : 3;
		break;
	case REGIME_ORDER_36:
		if (sev == SEVERITY_MINOR) {
			p.published = 0;
			p.max_months = 0;
		} else if (sev == SEVERITY_SERIOUS) {
			p.min_months = 12;
		} else {
			p.min_months = 3;
			p.max_months = 12;
		}
		break;
	}
	return p;
}

int publicity_sector_is_special(const char *sector)
{
	char v[64];

	if (!sector)
		return 0;
	trim_copy(sector, strlen(sector), v, sizeof v);
	return in_list(v, special_sectors);
}

void publicity_period_dates(struct date decision, const struct publicity_period *p,
			    const char *dept_end, char until[11], char repairable_from[11])
{
	struct date cap = date_add_months(decision, p->max_months), own;

	date_format(date_add_months(decision, p->min_months), repairable_from);
	if (!p->published) {
		until[0] = '\0';
		return;
	}
	/* A department may end publicity sooner than the rule allows, never later, and
	 * never before the decision itself. */
	if (dept_end && date_parse_iso(dept_end, &own) == 0 && date_cmp(own, cap) < 0 &&
	    date_cmp(own, decision) >= 0)
		cap = own;
	date_format(cap, until);
}

int publicity_types_forbid_repair(const char *types)
{
	return types && contains_any(types, unrepairable_markers);
}
