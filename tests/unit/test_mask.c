/* test_mask.c - masking document numbers and names for public output (src/core/mask.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/mask.h"

static void id_gives(const char *id, const char *expected)
{
	char out[128];

	memset(out, 'Z', sizeof out);
	mask_identifier(id, out, sizeof out);
	cr_assert_str_eq(out, expected, "\"%s\" gave \"%s\"", id ? id : "(null)", out);
}

static void name_gives(const char *name, const char *expected)
{
	char out[128];

	memset(out, 'Z', sizeof out);
	mask_person_name(name, out, sizeof out);
	cr_assert_str_eq(out, expected, "\"%s\" gave \"%s\"", name ? name : "(null)", out);
}

Test(mask_identifier, resident_id_18)
{
	id_gives("44030419900101291X", "4403**********291X");
	id_gives("110101199003074477", "1101**********4477");
}

Test(mask_identifier, old_resident_id_15)
{
	id_gives("440304900101291", "4403********291");
}

Test(mask_identifier, other_documents)
{
	id_gives("E12345678", "E1*****78");      /* passport, 9 characters */
	id_gives("H1234567", "H1****67");        /* permit, exactly 8 */
	id_gives("1234567", "******7");          /* 7: only the last one */
	id_gives("AB", "*B");
	id_gives("A", "*");                      /* one character is never shown */
	id_gives("12345678901234567", "12*************67"); /* 17: not an ID shape */
}

Test(mask_identifier, counts_characters_not_bytes)
{
	/* 8 characters, 3 of them CJK: the first two and the last two are kept. */
	id_gives("港澳12345台", "港澳****5台");
	/* 18 characters where some are CJK still use the resident ID rule. */
	id_gives("中文04199001012911X文", "中文04**********11X文");
}

Test(mask_identifier, empty_and_null)
{
	id_gives("", "");
	id_gives(NULL, "");
}

Test(mask_identifier, invalid_utf8_stays_valid)
{
	/* The lone 0xFF is one character; kept at the end, it is written as U+FFFD. */
	id_gives("ABCDEFG\xFF", "AB****G\xEF\xBF\xBD");
	/* A truncated sequence at the end counts as one character per byte. */
	id_gives("ABCDEFGH\xE4\xB8", "AB******\xEF\xBF\xBD\xEF\xBF\xBD");
}

Test(mask_identifier, truncates_on_character_boundary)
{
	char out[8];

	mask_identifier("44030419900101291X", out, sizeof out);
	cr_assert_str_eq(out, "4403***");
	mask_identifier("港澳12345台", out, 5);
	cr_assert_str_eq(out, "港"); /* "港澳" needs 7 bytes with the NUL */
	out[0] = 'x';
	mask_identifier("44030419900101291X", out, 1);
	cr_assert_eq(out[0], '\0');
	out[0] = 'x';
	mask_identifier("44030419900101291X", out, 0);
	cr_assert_eq(out[0], 'x', "size 0 must not write");
}

Test(mask_person_name, keeps_first_character)
{
	name_gives("张三丰", "张**");
	name_gives("欧阳娜娜", "欧***");
	name_gives("李四", "李*");
	name_gives("王", "*");
	name_gives("阿卜杜·热合曼", "阿******");
	name_gives("Maria Garcia", "M***********");
	name_gives("", "");
	name_gives(NULL, "");
}

Test(mask_person_name, truncates)
{
	char out[6];

	mask_person_name("张三丰", out, sizeof out);
	cr_assert_str_eq(out, "张**");
	mask_person_name("张三丰", out, 3);
	cr_assert_str_eq(out, "");
}
