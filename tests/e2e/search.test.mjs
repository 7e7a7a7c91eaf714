// search.test.mjs - the public page in a real browser: search, results, a subject's
// records, empty and error states, small screens.
//
//   node tests/e2e/search.test.mjs BUILD/xinyong SOURCE_ROOT
//
// Drives Debian's /usr/bin/chromium through playwright-core (no bundled browser).  Starts
// `xinyong serve` on a fresh database with XINYONG_NOW fixed (and the anonymous rate limit
// off: the tests search far more often than a person), uploads a small penalty file
// through the API with a department token from `xinyong token issue`, then uses the page
// as a person would.  Prints one line per test
// and finally `N passed, M failed`; exits non-zero on any failure.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, accessibilityProblems, assert, startServer, stopServer, stopServerClean } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = path.resolve(process.argv[2] ?? path.join(here, '../../build/xinyong'));
const srcRoot = path.resolve(process.argv[3] ?? path.join(here, '../..'));
const NOW = '2026-03-05T10:00:00';

const COMPANY = '91440300MA5G2K7P5H';
const COMPANY_NAME = '深圳市星河数据科技有限公司';
const AUTHORITY = '11440300MB2C874540';
const DECISION_NO = '深市监罚〔2026〕12号';

// ---- fixtures -----------------------------------------------------------------------

function penaltyColumns() {
	const fallback = {
		party_name: '行政相对人名称', party_type: '行政相对人类别',
		party_code: '行政相对人代码_1(统一社会信用代码)', legal_rep: '法定代表人',
		decision_no: '行政处罚决定书文号', violation_type: '违法行为类型', facts: '违法事实',
		basis: '处罚依据', penalty_type: '处罚类别', content: '处罚内容', fine: '罚款金额(万元)',
		decision_date: '处罚决定日期', authority: '处罚机关',
		authority_code: '处罚机关统一社会信用代码', source_dept: '数据来源单位',
		source_dept_code: '数据来源单位统一社会信用代码',
	};
	try {
		const cat = JSON.parse(readFileSync(path.join(srcRoot, 'data/catalog/penalty.json'), 'utf8'));
		const names = Object.fromEntries(cat.fields.map((f) => [f.id, f.name]));
		return Object.fromEntries(Object.keys(fallback).map((id) => [id, names[id] ?? fallback[id]]));
	} catch {
		return fallback;
	}
}

// A unified social credit code (GB 32100) with both check characters right.
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function uscc(division, org8) {
	const w = [3, 7, 9, 10, 5, 8, 4, 2];
	const sum = [...org8].reduce((a, c, i) => a + (/\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55) * w[i], 0);
	const oc = 11 - (sum % 11);
	const first17 = '91' + division + org8 + (oc === 10 ? 'X' : oc === 11 ? '0' : String(oc));
	const s = [...first17].reduce((a, c, i) => a + USCC_CHARS.indexOf(c) * (3 ** i % 31), 0);
	return first17 + USCC_CHARS[(31 - (s % 31)) % 31];
}

// Companies whose names share 云帆贸易, in two districts: more than a page of results.
const MANY = 45;
const MANY_KEY = '云帆贸易';
const many = Array.from({ length: MANY }, (_, i) => ({
	name: `深圳市${MANY_KEY}第${i + 1}分有限公司`,
	code: uscc(i % 3 ? '440304' : '440305', 'MA5H' + String(1000 + i)),
	no: `深市监罚〔2026〕${100 + i}号`,
}));

function penaltyCsv() {
	const cols = penaltyColumns();
	const row = {
		party_name: COMPANY_NAME, party_type: '法人及非法人组织', party_code: COMPANY,
		legal_rep: '王某', decision_no: DECISION_NO, violation_type: '虚假宣传',
		facts: '在网站发布虚假广告，误导消费者', basis: '《中华人民共和国广告法》第五十五条',
		penalty_type: '罚款', content: '责令停止发布，罚款人民币2万元', fine: '2',
		decision_date: '2026-02-10', authority: '深圳市市场监督管理局', authority_code: AUTHORITY,
		source_dept: '深圳市市场监督管理局', source_dept_code: AUTHORITY,
	};
	const quote = (v) => (/[",\r\n]/.test(v) ? '"' + v.replaceAll('"', '""') + '"' : v);
	const ids = Object.keys(cols);
	const rows = [row, ...many.map((m) => ({ ...row, party_name: m.name, party_code: m.code, decision_no: m.no }))];
	return ids.map((id) => quote(cols[id])).join(',') + '\r\n' +
		rows.map((r) => ids.map((id) => quote(r[id])).join(',') + '\r\n').join('');
}

// ---- a tiny runner ------------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// ---- tests --------------------------------------------------------------------------

test('home page', async ({ page, base, problems }) => {
	await page.goto(base + '/');
	assert((await page.title()) === '信用信息查询', 'title: ' + (await page.title()));
	assert((await page.getAttribute('html', 'lang')) === 'zh-CN', 'lang is not zh-CN');
	const input = page.getByRole('combobox', { name: '查询信用主体' });
	assert((await input.getAttribute('placeholder')) === '输入企业名称或统一社会信用代码',
		'placeholder');
	await page.getByRole('heading', { name: '公共信用信息查询' }).waitFor();
	assert(problems.length === 0, 'console errors: ' + problems.join(' | '));
});

test('the public pages pass axe-core: no serious or critical violations, at 1366 px and 390 px', async ({ browser, base }) => {
	const pages = [['/', '.disclosure'], [`/#/search?q=${encodeURIComponent(MANY_KEY)}`, '.result'],
		[`/#/subject/${COMPANY}`, '.chapter'], ['/login.html', 'form'], ['/about.html', 'h1'],
		['/help.html', 'h1'], ['/privacy.html', 'h1']];
	const problems = [];
	for (const width of [1366, 390]) {
		const context = await browser.newContext({ viewport: { width, height: 900 } });
		try {
			const page = await context.newPage();
			for (const [url, ready] of pages) {
				await page.goto(base + url);
				await page.locator(ready).first().waitFor();
				for (const v of await accessibilityProblems(page)) problems.push(`${width}px ${url}: ${v}`);
			}
		} finally {
			await context.close();
		}
	}
	assert(problems.length === 0, 'accessibility: ' + problems.join(' | '));
});

test('home page: totals and the latest 双公示, by tab, page and department; the text pages', async ({ page, base, shots, problems }) => {
	await page.goto(base + '/');
	await page.locator('#totals').waitFor();
	assert((await page.locator('#total-subjects').textContent()) === String(1 + MANY), 'subjects total');
	assert((await page.locator('#total-records').textContent()) === String(1 + MANY), 'records total');
	// NOW is in March 2026; the one penalty decided this month is none: all were in February.
	assert((await page.locator('#total-month').textContent()) === '0', 'this month');
	await page.waitForFunction(() => document.querySelectorAll('.disclosure').length === 10);
	const first = await page.locator('.disclosure').first().textContent();
	assert(first.includes('2026-02-10') && first.includes('深圳市市场监督管理局'), 'an item: ' + first);
	await page.getByRole('button', { name: '加载更多' }).last().click();
	await page.waitForFunction(() => document.querySelectorAll('.disclosure').length === 20);
	await page.screenshot({ path: path.join(shots, 'home.png'), fullPage: true });
	// No licences were submitted: the tab says so.
	await page.getByRole('tab', { name: '行政许可' }).click();
	await page.locator('#disclosure-status').filter({ hasText: '暂无符合条件的行政许可公示' }).waitFor();
	assert((await page.getByRole('tab', { name: '行政许可' }).getAttribute('aria-selected')) === 'true', 'tab state');
	await page.getByRole('tab', { name: '行政处罚' }).click();
	await page.waitForFunction(() => document.querySelectorAll('.disclosure').length === 10);
	// A date range before every decision leaves nothing.
	await page.locator('#disclosure-to').fill('2026-01-31');
	await page.locator('#disclosure-status').filter({ hasText: '暂无符合条件的行政处罚公示' }).waitFor();
	for (const [link, heading] of [['关于', '关于本平台'], ['使用帮助', '使用帮助'], ['隐私说明', '隐私说明']]) {
		await page.goto(base + '/');
		await page.getByRole('contentinfo').getByRole('link', { name: link }).click();
		await page.getByRole('heading', { level: 1, name: heading }).waitFor();
	}
	assert((await page.locator('main').textContent()).includes('自然人'), 'the privacy page says what is never published');
	assert(problems.length === 0, 'console errors: ' + problems.join(' | '));
});

test('search by a two-character name part, open the subject', async ({ page, base, shots, problems }) => {
	await page.goto(base + '/');
	const input = page.getByRole('combobox', { name: '查询信用主体' });
	await input.fill('星河');
	await input.press('Enter');
	const link = page.getByRole('link', { name: COMPANY_NAME, exact: true });
	await link.waitFor();
	assert(page.url().includes('#/search?q='), 'hash route: ' + page.url());
	const item = page.locator('.result').filter({ hasText: COMPANY_NAME });
	assert((await item.textContent()).includes(COMPANY), 'code not shown in the result');
	assert((await item.textContent()).includes('广东省深圳市'), 'region not shown');
	await page.screenshot({ path: path.join(shots, 'results.png'), fullPage: true });

	await link.click();
	await page.getByRole('heading', { level: 1, name: COMPANY_NAME }).waitFor();
	assert(page.url().endsWith('#/subject/' + COMPANY), 'subject route: ' + page.url());
	// The national report's chapters in order, a summary of their counts, 暂无信息 in
	// the empty ones.
	const titles = await page.locator('.chapter__title').allTextContents();
	assert(titles.join('|') === '一、登记注册基础信息|二、行政管理信息|三、诚实守信相关荣誉信息|四、严重失信主体名单信息|'
		+ '五、经营（活动）异常名录|六、信用承诺信息|七、信用评价信息|八、司法判决及执行信息|九、其他信息',
	'chapters: ' + titles.join('|'));
	const summary = await page.locator('#subject-summary .summary__item').allTextContents();
	assert(summary.length === 9 && summary[1].startsWith('行政管理') && !summary[1].endsWith('0条'),
		'summary: ' + summary.join('|'));
	const empty = await page.locator('.chapter').filter({ has: page.locator('.chapter__empty') }).count();
	assert(empty === summary.filter((t) => t.endsWith('0条')).length, `暂无信息 in ${empty} chapters: ` + summary.join('|'));
	assert(await page.locator('#purpose-bar').isHidden(), 'the public is offered a purpose');
	const category = page.getByRole('region', { name: /行政处罚/ });
	await category.waitFor();
	assert((await category.textContent()).includes('1 条'), 'category count');
	const record = category.locator('.record').first();
	const text = await record.textContent();
	assert(text.includes(DECISION_NO), 'decision number missing: ' + text);
	assert(text.includes('公示中'), 'publicity status missing: ' + text);
	assert(text.includes('虚假宣传'), 'violation type missing');
	assert(text.includes(AUTHORITY), 'source department code missing');
	assert(text.includes('违法行为类型'), 'field labels missing');
	// Money with its unit, and the provider's code not repeated beside the same 数据来源单位.
	assert(/罚款金额\s*2 万元/.test(text) && !text.includes('(万元)'), 'the fine with its unit: ' + text);
	assert(text.split(AUTHORITY).length - 1 === 2, 'the provider code repeated: ' + text);
	const file = path.join(shots, 'subject.png');
	await page.screenshot({ path: file, fullPage: true });
	assert(existsSync(file), 'screenshot not written');
	console.log('     screenshot: ' + file);

	// Back to the results keeps the query.
	await page.getByRole('link', { name: '返回查询结果' }).click();
	await page.getByRole('link', { name: COMPANY_NAME, exact: true }).waitFor();
	assert(problems.length === 0, 'console errors: ' + problems.join(' | '));
});

test('a full code opens the subject directly', async ({ page, base }) => {
	await page.goto(base + '/');
	await page.getByRole('combobox', { name: '查询信用主体' }).fill(COMPANY);
	await page.getByRole('button', { name: '查询' }).click();
	await page.getByRole('heading', { level: 1, name: COMPANY_NAME }).waitFor();
	assert(page.url().endsWith('#/subject/' + COMPANY), 'not the subject page: ' + page.url());
});

test('many results: the real total, 加载更多, highlighted names, filters, suggestions', async ({ page, base, shots, problems }) => {
	await page.goto(base + '/');
	const input = page.getByRole('combobox', { name: '查询信用主体' });
	// Suggestions after two characters.
	await input.pressSequentially('云帆', { delay: 30 });
	await page.waitForFunction(() => document.querySelectorAll('#search-suggestions option').length > 0);
	const suggested = await page.locator('#search-suggestions option').count();
	assert(suggested > 0 && suggested <= 8, 'suggestions: ' + suggested);
	await input.fill(MANY_KEY);
	await input.press('Enter');
	await page.locator('#results-summary').filter({ hasText: `共找到 ${MANY} 个` }).waitFor();
	assert((await page.locator('.result').count()) === 20, 'the first page holds 20');
	const marks = await page.locator('.result__name mark').allTextContents();
	assert(marks.length === 20 && marks.every((m) => m === MANY_KEY), 'highlight: ' + marks.slice(0, 3).join('|'));
	const more = page.getByRole('button', { name: '加载更多' });
	await more.click();
	await page.waitForFunction(() => document.querySelectorAll('.result').length === 40);
	await more.click();
	await page.waitForFunction((n) => document.querySelectorAll('.result').length === n, MANY);
	assert(await more.isHidden(), '加载更多 after the last page');
	const names = await page.locator('.result__name a').allTextContents();
	assert(new Set(names).size === MANY, 'a company shown twice over the pages');
	// Same-sounding names told apart: every result shows its region and code.
	const first = await page.locator('.result').first().textContent();
	assert(/广东省深圳市(福田|南山)区/.test(first) && /91440/.test(first), 'region and code: ' + first);
	await page.screenshot({ path: path.join(shots, 'results-many.png'), fullPage: false });
	// The region filter.
	const nanshan = many.filter((m) => m.code.slice(2, 8) === '440305').length;
	await page.selectOption('#filter-region', '440305');
	await page.locator('#results-summary').filter({ hasText: `共找到 ${nanshan} 个` }).waitFor();
	assert(page.url().includes('region=440305'), 'the filter is in the route: ' + page.url());
	const regions = await page.locator('.result').allTextContents();
	assert(regions.every((t) => t.includes('南山区')), 'only 南山区 after filtering');
	assert(problems.length === 0, 'console errors: ' + problems.join(' | '));
});

test('empty results', async ({ page, base }) => {
	await page.goto(base + '/');
	await page.getByRole('combobox', { name: '查询信用主体' }).fill('不存在的公司');
	await page.getByRole('combobox', { name: '查询信用主体' }).press('Enter');
	await page.getByText('未找到匹配的信用主体', { exact: true }).first().waitFor();
	assert((await page.locator('.result').count()) === 0, 'results shown for nothing');
});

test('error states', async ({ page, base }) => {
	await page.goto(base + '/#/subject/91440300MA5H3L8Q96');
	await page.getByRole('heading', { name: '无法完成查询' }).waitFor();
	assert((await page.locator('#error-message').textContent()).includes('未找到'),
		'not-found message');
	await page.goto(base + '/#/search?q=' + encodeURIComponent('星'));
	await page.getByRole('heading', { name: '无法完成查询' }).waitFor();
	assert((await page.locator('#error-message').textContent()).includes('两个字'),
		'too-short message');
});

test('small screen', async ({ browser, base, shots }) => {
	const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
	const page = await context.newPage();
	try {
		await page.goto(base + '/#/subject/' + COMPANY);
		await page.getByRole('heading', { level: 1, name: COMPANY_NAME }).waitFor();
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert(overflow <= 0, `page wider than the screen by ${overflow}px`);
		await page.screenshot({ path: path.join(shots, 'subject-mobile.png'), fullPage: true });
	} finally {
		await context.close();
	}
});

// ---- main ---------------------------------------------------------------------------

async function main() {
	const work = mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-'));
	const shots = mkdtempSync(path.join(tmpdir(), 'xinyong-e2e-shots-'));
	const db = path.join(work, 'e2e.db');
	const env = { ...process.env, XINYONG_NOW: NOW, TMPDIR: work };
	delete env.XINYONG_DB;
	let passed = 0;
	let failed = 0;
	let server;
	let browser;

	try {
		const init = spawnSync(binary, ['init', '--db', db], { env, encoding: 'utf8' });
		if (init.status !== 0) throw new Error('xinyong init failed: ' + init.stderr);
		// Uploads need a token with batches:write; it is printed alone on the last line.
		const issue = spawnSync(binary, ['token', 'issue', '--db', db, '--dept', AUTHORITY,
			'--scopes', 'batches:write', '--expires', '1d'], { env, encoding: 'utf8' });
		if (issue.status !== 0) throw new Error('xinyong token issue failed: ' + issue.stderr);
		const token = issue.stdout.trim().split('\n').pop();
		server = await startServer(binary, srcRoot, db, env);
		const upload = await fetch(`${server.base}/api/v1/batches?category=penalty&dept=${AUTHORITY}&name=e2e.csv`,
			{ method: 'POST', body: penaltyCsv(),
			  headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${token}` } });
		const summary = await upload.json();
		if (upload.status !== 201 || summary.accepted !== 1 + MANY)
			throw new Error('upload failed: ' + JSON.stringify(summary));
		browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
	} catch (error) {
		console.log('FAIL setup: ' + error.message);
		if (browser) await browser.close();
		if (server) await stopServer(server);
		console.log('0 passed, 1 failed');
		process.exitCode = 1;
		return;
	}

	for (const t of tests) {
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		const page = await context.newPage();
		page.setDefaultTimeout(10000);
		const problems = [];
		page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
		page.on('pageerror', (error) => problems.push(error.message));
		try {
			await t.fn({ page, browser, base: server.base, shots, problems });
			passed++;
			console.log('ok   ' + t.name);
		} catch (error) {
			failed++;
			console.log('FAIL ' + t.name + ': ' + error.message.split('\n')[0]);
		} finally {
			await context.close();
		}
	}

	await browser.close();
	if (await stopServerClean(server)) passed++;
	else failed++;
	rmSync(work, { recursive: true, force: true });
	console.log(`${passed} passed, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

await main();
