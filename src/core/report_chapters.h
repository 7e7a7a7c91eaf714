/*
 * report_chapters.h - the chapters of the national public credit report (2022 standard,
 * domain.md), in their order, and which chapter each catalog group belongs to.  The
 * subject page shows a subject's archive by these chapters, and the credit report is
 * built on them, so that both say the same thing in the same order.  Pure.
 */
#ifndef XY_REPORT_CHAPTERS_H
#define XY_REPORT_CHAPTERS_H

#include <stddef.h>

struct report_chapter {
	int number;	       /* 1.. in report order */
	const char *title;     /* "一、登记注册基础信息" without the numeral: "登记注册基础信息" */
	const char *numeral;   /* "一" */
	const char *short_title; /* for tabs on a phone: "基础信息" */
	int archive;	       /* holds records (the last chapter, advice, does not) */
};

/* The chapters in order; *n gets how many. */
const struct report_chapter *report_chapters(size_t *n);

/* The chapter of a catalog group ("行政管理信息"); a group the standard does not name
 * goes to 其他信息.  Never NULL. */
const struct report_chapter *report_chapter_of_group(const char *group);

#endif
