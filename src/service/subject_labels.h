/*
 * subject_labels.h - what a view of a subject says about it at a glance: its status
 * labels (已列入严重失信主体名单, 列入经营异常名录, its registration status such as 存续)
 * and the count of shown records per chapter of the credit report (信用信息概要).  Both
 * are read from an archive view, so they say exactly what its viewer may see.
 */
#ifndef XY_SERVICE_SUBJECT_LABELS_H
#define XY_SERVICE_SUBJECT_LABELS_H

#include <jansson.h>

struct archive_view;

/* [{"id", "text", "tone"}]: id "serious_dishonest" (tone "danger"), "abnormal"
 * ("warning"), "status" (the registration status: "ok", "danger" for 吊销, 注销, 撤销,
 * "neutral" otherwise).  A new reference. */
json_t *subject_labels_json(const struct archive_view *v);

/* [{"chapter", "numeral", "title", "short_title", "count"}] for every chapter that holds
 * records, in report order, empty ones with count 0.  A new reference. */
json_t *subject_summary_json(const struct archive_view *v);

#endif
