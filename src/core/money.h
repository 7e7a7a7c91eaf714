/*
 * money.h - amounts in 万元 (ten-thousand yuan), as 双公示 data carries them.
 *
 * Amounts are kept as integer 分 (0.01 yuan) so that no rounding happens: 0.2 万元 is
 * 200000 分.  Pure functions.
 */
#ifndef XY_MONEY_H
#define XY_MONEY_H

#include <stdint.h>
#include <stddef.h>

struct err;

/* Parses an amount in 万元: "0.2", "12.345678", "1,234.5", "0.2万元", "0.2万", and also
 * "2000元" (yuan, converted).  Full-width digits are accepted.  More precision than 1 分
 * (six decimals of 万元) is refused.  Returns 0, or -1 with reason `money.invalid`
 * (also for negative amounts and empty input). */
int money_parse_wan(const char *s, int64_t *fen_out, struct err *e);

/* Formats 分 as 万元 with no trailing zeros: 200000 -> "0.2", 0 -> "0". */
void money_format_wan(int64_t fen, char *out, size_t outsz);

#endif
