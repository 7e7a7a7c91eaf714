// app.js - the public credit information page: search, results and a subject's records.
//
// One page, three views chosen by the location hash, so that every view has an address
// that can be bookmarked and the back button works without any server-side routing:
//   #/                     home
//   #/search?q=TEXT        search results
//   #/subject/CODE         one subject's identity and records
// Everything the API returns is inserted with textContent, never as HTML, so data from
// departments cannot inject markup.  No inline scripts or styles: the server's CSP
// (default-src 'self') forbids them.
//
// The header's "登录" link becomes the user's name (linking to me.html) when a session
// is open; /api/v1/me is asked only when this browser logged in before (api.js).
//
// A record under objection shows 异议处理中 and its case number; a record with the
// subject's own statement shows it as 主体说明.  When the logged-in user is the subject
// itself, each record offers 提出异议 (an objection: POST /api/v1/cases, then its
// attachments) and 添加说明 (POST /api/v1/records/{id}/statement).

import { api, currentUser, maybeSignedIn, showAccountLink, upload, userSubject } from './api.js';
import {
	ATTACHMENT_MAX_FILES, GROUNDS, checkFiles, formatSize, uploadable,
} from './case_common.js';
import { busy, chars, checkContact, counter, failure, field, formError, setError } from './forms.js';
import { startHome } from './home.js';
import { repairControls, repairMark } from './repair.js';

const API = '/api/v1';

const PUBLICITY = {
	published: { text: '公示中', cls: 'badge--published' },
	ended: { text: '已停止公示', cls: 'badge--ended' },
	not_public: { text: '不公示', cls: 'badge--private' },
	not_published: { text: '不予公示', cls: 'badge--private' },
	repaired: { text: '已修复', cls: 'badge--repaired' },
};

const SUBJECT_TYPES = {
	uscc: '统一社会信用代码主体',
	resident_id: '自然人',
	other: '其他',
};

// Fields that repeat the subject's identity (shown once at the top) or identify a
// person; they are left out of each record.
const HIDDEN_FIELDS = new Set([
	'party_name', 'party_type', 'party_code', 'name', 'code', 'subject_type',
	'reg_no', 'org_code', 'tax_no', 'inst_no', 'social_org_no',
	'id_type', 'id_number', 'legal_rep_id_type', 'legal_rep_id_number',
]);

// The field that names a record best, in order of preference.
const TITLE_FIELDS = ['decision_no', 'license_no', 'doc_name', 'list_type', 'reason'];

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
	const node = document.createElement(tag);
	for (const [key, value] of Object.entries(props)) {
		if (value === undefined || value === null) continue;
		if (key === 'class') node.className = value;
		else if (key === 'text') node.textContent = value;
		else node.setAttribute(key, value);
	}
	for (const child of children) {
		if (child === null || child === undefined) continue;
		node.append(child);
	}
	return node;
}

// The live region announces progress and outcomes to screen readers; only messages a
// sighted reader needs too (loading, hints) are shown on screen.
function setStatus(text, visible = false) {
	const status = $('status');
	status.textContent = text;
	status.classList.toggle('visually-hidden', !visible);
}

function show(viewId, focusId) {
	for (const view of document.querySelectorAll('.view')) view.hidden = view.id !== viewId;
	if (focusId) $(focusId).focus({ preventScroll: false });
}

class ApiError extends Error {
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

async function getJSON(path) {
	let response;
	try {
		response = await fetch(API + path, { headers: { Accept: 'application/json' } });
	} catch {
		throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试。');
	}
	let body = null;
	try {
		body = await response.json();
	} catch {
		body = null;
	}
	if (!response.ok) {
		const err = body && body.error ? body.error : {};
		throw new ApiError(response.status, err.code || 'http.' + response.status,
			err.message || `服务器返回错误（${response.status}），请稍后重试。`);
	}
	return body;
}

function regionName(region) {
	return region && region.name ? region.name : '';
}

function subjectHref(code) {
	return '#/subject/' + encodeURIComponent(code);
}

// ---- views ---------------------------------------------------------------------------

function showError(error) {
	setStatus('');
	$('error-message').textContent = error.message || '发生未知错误，请稍后重试。';
	show('view-error', 'error-title');
	document.title = '无法完成查询 - 信用信息查询';
}

function renderHome() {
	setStatus('');
	$('search-input').value = '';
	show('view-home');
	startHome();
	document.title = '信用信息查询';
}

// Each navigation gets a number; an answer that arrives after the user has moved on
// (answers can overtake each other) is dropped instead of overwriting the newer view.
let navigation = 0;

// The name with the first place the query appears in it marked (<mark>), as text nodes:
// a name is never markup.
function highlighted(name, query) {
	const q = query.trim();
	const at = q ? name.indexOf(q) : -1;
	if (at < 0) return [document.createTextNode(name)];
	return [document.createTextNode(name.slice(0, at)), el('mark', { text: q }),
		document.createTextNode(name.slice(at + q.length))];
}

function searchResult(r, query) {
	const pair = (label, value, cls) => el('div', {}, el('dt', { text: label }), el('dd', { class: cls, text: value || '—' }));
	const meta = el('dl', { class: 'result__meta' },
		pair('统一社会信用代码', r.code, 'code'),
		pair('主体类型', r.subject_type || SUBJECT_TYPES[r.kind]),
		pair('所在地区', regionName(r.region)));
	if (r.legal_rep) meta.append(pair('法定代表人', r.legal_rep));
	if (r.established) meta.append(pair('成立日期', r.established));
	const tags = el('span', { class: 'result__tags' });
	if (r.status) tags.append(el('span', { class: 'label label--' + (/吊销|注销|撤销/.test(r.status) ? 'danger' : /存续|在业|开业/.test(r.status) ? 'ok' : 'neutral'), text: r.status }));
	for (const t of r.tags || []) tags.append(el('span', { class: 'label label--' + (t === '严重失信' ? 'danger' : 'warning'), text: t }));
	return el('li', { class: 'result' },
		el('h2', { class: 'result__name' }, el('a', { href: subjectHref(r.code) }, ...highlighted(r.name, query)), tags),
		meta,
		el('a', { class: 'result__more', href: subjectHref(r.code), 'aria-label': `查看信用信息：${r.name}`, text: '查看信用信息' }));
}

// The search's filters in its route: #/search?q=..&region=..&type=..
function searchHash(query, region, type) {
	const p = new URLSearchParams({ q: query });
	if (region) p.set('region', region);
	if (type) p.set('type', type);
	return '#/search?' + p.toString();
}

function searchPath(query, region, type, cursor, limit) {
	const p = new URLSearchParams({ q: query });
	if (region) p.set('region', region);
	if (type) p.set('type', type);
	if (cursor) p.set('cursor', cursor);
	if (limit) p.set('limit', String(limit));
	return '/subjects?' + p.toString();
}

// The region choices: the regions of the results seen so far, and the one chosen.
function fillRegions(results, region) {
	const select = $('filter-region');
	const known = new Map([...select.options].filter((o) => o.value).map((o) => [o.value, o.textContent]));
	for (const r of results)
		if (r.region && r.region.code && !known.has(r.region.code)) known.set(r.region.code, regionName(r.region));
	select.replaceChildren(el('option', { value: '', text: '全部地区' }),
		...[...known].sort().map(([code, name]) => el('option', { value: code, text: name })));
	select.value = region || '';
}

async function renderSearch(query, token, region = '', type = '') {
	$('search-input').value = query;
	document.title = `“${query}”的查询结果 - 信用信息查询`;
	if ([...query.trim()].length < 2) {
		setStatus('');
		showError(new ApiError(400, 'request.invalid', '请至少输入两个字的名称，或完整的统一社会信用代码。'));
		return;
	}
	setStatus('正在查询…', true);
	let data;
	try {
		data = await getJSON(searchPath(query, region, type));
	} catch (error) {
		if (token === navigation) showError(error);
		return;
	}
	if (token !== navigation) return;
	const results = data.results || [];
	// A full code of a subject opens its page directly.
	if (results.length === 1 && results[0].match === 'code' && !data.next) {
		location.replace(subjectHref(results[0].code));
		return;
	}
	const list = $('results-list');
	list.replaceChildren(...results.map((r) => searchResult(r, query)));
	const total = data.total ?? results.length;
	const shown = data.total_capped ? '1000+' : String(total);
	$('results-summary').textContent = results.length ? `共找到 ${shown} 个与“${query}”匹配的信用主体。` : '';
	fillRegions(results, region);
	$('filter-type').value = type;
	$('results-filters').hidden = results.length === 0 && !region && !type;
	more = { query, region, type, next: data.next, token };
	$('results-more').hidden = !data.next;
	$('results-empty').hidden = results.length !== 0;
	setStatus(results.length ? `找到 ${shown} 个结果` : '未找到匹配的信用主体');
	show('view-results', 'results-title');
}

// The next page of the results shown ("加载更多"), or null.
let more = null;

$('results-more').addEventListener('click', (event) => busy(event.currentTarget, async () => {
	const m = more;
	if (!m || !m.next) return;
	let page;
	try {
		page = await getJSON(searchPath(m.query, m.region, m.type, m.next));
	} catch (error) {
		setStatus('加载更多结果失败：' + error.message + '。请稍后重试。', true);
		return;
	}
	if (m !== more || m.token !== navigation) return;
	const list = $('results-list');
	const items = (page.results || []).map((r) => searchResult(r, m.query));
	list.append(...items);
	fillRegions(page.results || [], m.region);
	m.next = page.next;
	$('results-more').hidden = !m.next;
	setStatus(`已加载 ${list.children.length} 个结果`);
	if (items[0]) items[0].querySelector('a').focus();
}));

function currentSearch() {
	const [, queryString = ''] = (location.hash.replace(/^#/, '') || '/').split('?');
	return new URLSearchParams(queryString);
}

for (const id of ['filter-region', 'filter-type'])
	$(id).addEventListener('change', () => {
		const p = currentSearch();
		location.hash = searchHash(p.get('q') || '', $('filter-region').value, $('filter-type').value);
	});

// Suggestions while typing, after two characters: the first names that match.
let suggestTimer = 0;
let suggestSeq = 0;
$('search-input').addEventListener('input', () => {
	clearTimeout(suggestTimer);
	const text = $('search-input').value.trim();
	if ([...text].length < 2 || /^[0-9A-Za-z]{10,}$/.test(text)) return;
	suggestTimer = setTimeout(async () => {
		const seq = ++suggestSeq;
		try {
			const data = await getJSON(searchPath(text, '', '', '', 8));
			if (seq !== suggestSeq) return;
			$('search-suggestions').replaceChildren(...(data.results || []).map((r) => el('option', { value: r.name })));
		} catch {
			// Suggestions are a convenience: a failed one is simply not shown.
		}
	}, 250);
});

function recordTitle(record, group) {
	const fields = record.fields || {};
	for (const id of TITLE_FIELDS) if (fields[id]) return String(fields[id]);
	return group.name;
}

// `mine` is null, or (for the subject's own page) { objections, repairs }: Maps of
// record id -> the subject's open case of that kind on it.
function renderRecord(record, group, mine) {
	const own = mine !== null;
	const repaired = record.publicity && record.publicity.status === 'repaired';
	const labels = record.labels || group.labels || {};
	const fields = record.fields || {};
	const publicity = (record.publicity && PUBLICITY[record.publicity.status]) || PUBLICITY.not_public;
	const published = record.publicity && record.publicity.status === 'published';

	const head = el('div', { class: 'record__head' },
		el('h3', { class: 'record__title', text: recordTitle(record, group) }),
		el('span', { class: 'badge ' + publicity.cls, text: publicity.text }));
	if (record.name_conflict)
		head.append(el('span', { class: 'badge badge--conflict', title: '报送的主体名称与登记名称不一致', text: '名称存在争议' }));
	if (record.disputed) head.append(disputedMark(record, own));
	else if (own && mine.objections.has(record.id)) head.append(pendingMark(mine.objections.get(record.id)));
	if (own && mine.repairs.has(record.id)) head.append(repairMark(mine.repairs.get(record.id)));

	const item = el('li', { class: 'record', 'data-record': String(record.id) }, head);
	const severity = publicityLine(record);
	if (severity) item.append(severity);
	const facts = el('dl', { class: 'record__fields' });
	const add = (label, value) => {
		if (value === undefined || value === null || value === '') return;
		let text = String(value);
		// Money with its unit: "罚款金额(万元)" 2030 reads 罚款金额 2030 万元.
		const unit = /^(.*?)[(（](万元|元)[)）]$/.exec(label);
		if (unit && /^-?[0-9.]+$/.test(text)) {
			label = unit[1];
			text = `${text} ${unit[2]}`;
		}
		const wide = text.length > 40;
		const code = /^[0-9A-Z]{18}$/.test(text);
		facts.append(el('div', { class: 'record__field' + (wide ? ' record__field--wide' : '') },
			el('dt', { text: label }), el('dd', { class: code ? 'code' : undefined, text })));
	};

	// The server sends only what this viewer may see: the subject its own records in
	// every state, a government user with a purpose the ended ones too.  Each says why
	// the public no longer sees it.
	const p = record.publicity || {};
	const note = (text) => item.append(el('p', { class: 'muted record__note', text }));
	if (repaired) {
		const said = el('p', { class: 'muted repaired-note' },
			document.createTextNode(`本条记录已${p.repaired_on ? `于 ${p.repaired_on} ` : ''}完成信用修复`));
		if (p.repair_case)
			said.append(document.createTextNode('（'),
				el('a', { href: '/cases.html#' + encodeURIComponent(p.repair_case), text: `申请编号 ${p.repair_case}` }),
				document.createTextNode('）'));
		said.append(document.createTextNode('，已停止公示，公众和其他部门不再能查看；仅本主体登录后可见。'));
		item.append(said);
	} else if (p.status === 'ended') {
		// The severity line already says when it ended.
		const ended = severity ? '' : `公示期${p.until ? `已于 ${p.until} ` : '已'}届满，`;
		note(own ? `${ended}公众已看不到本条记录。` : `${ended}公众已看不到本条记录；仅供依规查询。`);
	} else if (p.status === 'not_published') {
		note('按规定不予公示（轻微失信），公众看不到本条记录。');
	} else if (p.status === 'not_public') {
		note('自然人信息不予公示。');
	}
	// Labels come in catalog order: show the fields in that order, then any the catalog
	// does not name.
	const order = [...Object.keys(labels), ...Object.keys(fields).filter((k) => !(k in labels))];
	const title = TITLE_FIELDS.find((id) => fields[id]);
	// The provider named once: when it is the 数据来源单位 itself, the department line
	// below would repeat it.
	const sameProvider = fields.source_dept_code && fields.source_dept_code === record.dept_code;
	for (const id of order) {
		if (HIDDEN_FIELDS.has(id) || id === title) continue;
		const value = fields[id];
		if (typeof value === 'object' && value !== null) continue;
		add(labels[id] || id, value);
	}
	if (!sameProvider) facts.append(deptField(record));
	if (published && record.publicity.until && !severity) add('公示截止日期', record.publicity.until);
	item.append(facts);
	const statement = el('div', { class: 'statement' });
	item.append(statement);
	showStatement(statement, record.statement);
	if (own) item.append(ownActions(record, group, item, mine));
	return item;
}

// "失信严重程度：一般 · 公示至 2027-05-06" for a record whose publicity goes by the
// rules (penalties); null for any other.
function publicityLine(record) {
	const p = record.publicity || {};
	if (!p.severity_label) return null;
	const line = el('p', { class: 'record__publicity' },
		el('span', { class: 'record__severity record__severity--' + (p.severity || 'general') }, document.createTextNode('失信严重程度：'),
			el('strong', { text: p.severity_label })));
	if (p.until && (p.status === 'published' || p.status === 'ended'))
		line.append(el('span', { class: 'record__until', text: (p.status === 'ended' ? '公示已于 ' : '公示至 ') + p.until + (p.status === 'ended' ? ' 届满' : '') }));
	else if (p.status === 'repaired')
		line.append(el('span', { class: 'record__until', text: p.repaired_on ? `${p.repaired_on} 修复，停止公示` : '已修复，停止公示' }));
	if (p.severity_rule_name) line.title = `认定依据：${p.severity_rule_name}${p.regime ? `（${p.regime}）` : ''}`;
	return line;
}

// The department that provided the record: its name from the department directory, the
// code in the tooltip and in small text beside it; a code the directory does not name is
// shown as the code.
function deptField(record) {
	const code = record.dept_code || '';
	const dd = record.dept_name
		? el('dd', { title: `统一社会信用代码：${code}` }, record.dept_name, ' ',
			el('small', { class: 'code muted', text: code }))
		: el('dd', { class: 'code', text: code });
	return el('div', { class: 'record__field record__field--dept' }, el('dt', { text: '信息提供单位' }), dd);
}

// 异议处理中 and the case number; the subject itself gets a link to the case.
function disputedMark(record, own) {
	const mark = el('span', { class: 'dispute' },
		el('span', { class: 'badge badge--disputed', text: '异议处理中' }));
	if (record.case) {
		const number = `申请编号 ${record.case}`;
		mark.append(own
			? el('a', { class: 'dispute__case', href: '/cases.html#' + encodeURIComponent(record.case), text: number })
			: el('span', { class: 'dispute__case', text: number }));
	}
	return mark;
}

// The subject's own objection that the platform has not accepted yet: the public sees no
// mark until it is accepted (the dispute mark runs from acceptance to the decision).
function pendingMark(c) {
	return el('span', { class: 'dispute dispute--pending' },
		el('span', { class: 'badge badge--waiting', text: `您的异议${c.status_name || '待受理'}` }),
		el('a', { class: 'dispute__case', href: '/cases.html#' + encodeURIComponent(c.id), text: `申请编号 ${c.id}` }));
}

function showStatement(box, text) {
	box.replaceChildren();
	box.hidden = !text;
	if (!text) return;
	box.append(el('p', { class: 'statement__label', text: '主体说明' }),
		el('p', { class: 'statement__text', text }));
}

// ---- the subject's own forms ---------------------------------------------------------

const STATEMENT_MAX = 500;
// The statuses of an objection under way (data/rules/objection.json).
const OPEN = new Set(['submitted', 'accepted', 'forwarded']);
const OBJECTION_TEXT_MAX = 2000;

// The buttons under a record of the logged-in subject, and the form each one opens.
function ownActions(record, group, item, mine) {
	const openCase = mine.objections.get(record.id);
	const id = record.id;
	const bar = el('div', { class: 'record__actions' });
	const panel = el('div', { class: 'record__panel', id: `record-${id}-panel`, hidden: '' });
	const result = el('div', { class: 'record__result', role: 'status' });
	const wrap = el('div', { class: 'record__own' }, bar, panel, result);

	const objectBtn = el('button', {
		type: 'button', class: 'button button--small', 'aria-expanded': 'false', 'aria-controls': panel.id, text: '提出异议',
	});
	const stateBtn = el('button', {
		type: 'button', class: 'button button--small button--secondary', 'aria-expanded': 'false', 'aria-controls': panel.id,
		text: record.statement ? '修改说明' : '添加说明',
	});
	let openBy = null;
	const close = () => {
		panel.hidden = true;
		panel.replaceChildren();
		if (openBy) openBy.setAttribute('aria-expanded', 'false');
		const was = openBy;
		openBy = null;
		return was;
	};
	const open = (button, form) => {
		close();
		result.replaceChildren();
		openBy = button;
		button.setAttribute('aria-expanded', 'true');
		panel.replaceChildren(form);
		panel.hidden = false;
		const first = form.querySelector('select, textarea, input');
		if (first) first.focus();
	};
	const cancel = () => {
		const was = close();
		if (was) was.focus();
	};
	objectBtn.addEventListener('click', () => {
		if (openBy === objectBtn) return cancel();
		open(objectBtn, objectionForm(record, group, cancel, (c, uploadNote) => {
			close();
			const head = item.querySelector('.record__head');
			if (!head.querySelector('.dispute')) head.append(pendingMark(c));
			objectBtn.replaceWith(caseLink(c.id));
			showFiled(result, c, uploadNote);
		}));
	});
	stateBtn.addEventListener('click', () => {
		if (openBy === stateBtn) return cancel();
		open(stateBtn, statementForm(record, cancel, (text) => {
			record.statement = text || null;
			showStatement(item.querySelector('.statement'), record.statement);
			stateBtn.textContent = text ? '修改说明' : '添加说明';
			close();
			result.replaceChildren(el('p', { class: 'flag flag--success', text: text ? '说明已保存，并已在本记录下公示。' : '说明已删除。' }));
			stateBtn.focus();
		}));
	});
	// One objection at a time per record: while one is open, the button leads to it.
	const open_ = openCase || (record.disputed ? { id: record.case } : null);
	bar.append(open_ ? caseLink(open_.id) : objectBtn, stateBtn);
	// Credit repair, for negative records: its own button, greyed until the record may
	// be repaired (repair.js).
	if (group.nature === 'negative')
		bar.append(...repairControls(record, group, item, {
			openCase: mine.repairs.get(record.id),
			open: (button, form) => open(button, form),
			close,
			cancel,
			result,
			isOpenBy: (button) => openBy === button,
		}));
	return wrap;
}

function caseLink(caseId) {
	return el('a', {
		class: 'button button--small button--secondary',
		href: '/cases.html' + (caseId ? '#' + encodeURIComponent(caseId) : ''),
		text: '查看异议办理进度',
	});
}

// What the subject is told once the objection is filed: its number, its due date and
// where to follow it.
function showFiled(box, c, uploadNote) {
	const lines = [
		el('p', { class: 'flag__title', text: '异议已提交。' }),
		el('p', {}, document.createTextNode('申请编号：'), el('strong', { class: 'filed__id', text: String(c.id) }),
			document.createTextNode(c.due ? `；平台将于 ${c.due} 前决定是否受理。` : '。')),
	];
	if (uploadNote) lines.push(el('p', { class: 'filed__uploads', text: uploadNote }));
	lines.push(el('p', { text: '平台受理后，本条记录将标注“异议处理中”，直至作出处理决定。' }));
	lines.push(el('p', {}, document.createTextNode('办理进度和结果可在“我的申请”中查看：'),
		el('a', { href: '/cases.html#' + encodeURIComponent(c.id), text: '前往我的申请' })));
	const flag = el('div', { class: 'flag flag--success filed', tabindex: '-1' }, ...lines);
	box.replaceChildren(flag);
	flag.focus();
}

function objectionForm(record, group, cancel, filed) {
	const p = `obj-${record.id}`;
	const grounds = el('select', { id: p + '-grounds', class: 'field__input', required: '' },
		el('option', { value: '', text: '请选择' }),
		...GROUNDS.map((g) => el('option', { value: g.id, text: g.name })));
	const text = el('textarea', {
		id: p + '-text', class: 'field__input', rows: '5', maxlength: String(OBJECTION_TEXT_MAX), required: '',
		'aria-describedby': `${p}-text-hint ${p}-text-count`,
	});
	const contact = el('input', {
		id: p + '-contact', class: 'field__input', type: 'text', maxlength: '100', autocomplete: 'tel',
		required: '', 'aria-describedby': p + '-contact-hint',
	});
	const files = el('input', {
		id: p + '-files', class: 'field__input field__input--file', type: 'file', multiple: '',
		accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', 'aria-describedby': p + '-files-hint',
	});
	const chosen = el('ul', { class: 'files', id: p + '-chosen' });
	const error = formError(p + '-error');
	const submit = el('button', { type: 'submit', class: 'button', text: '提交异议' });
	const back = el('button', { type: 'button', class: 'button button--secondary', text: '取消' });
	back.addEventListener('click', cancel);

	files.addEventListener('change', () => {
		chosen.replaceChildren(...[...files.files].map((f) =>
			el('li', {}, document.createTextNode(f.name), el('span', { class: 'muted', text: ' ' + formatSize(f.size) }))));
		setError(error, checkFiles([...files.files]));
	});

	const form = el('form', { class: 'form form--wide', novalidate: '', 'aria-labelledby': p + '-title' },
		el('h4', { id: p + '-title', class: 'form__title', text: '对本条信息提出异议' }),
		el('p', { class: 'muted form__intro', text: '如认为本条信息有误、遗漏或不应公示，可提出异议。平台受理后将转信息提供单位核查，并在规定期限内告知处理结果。' }),
		field('异议理由', grounds),
		field('异议内容', text,
			el('p', { id: p + '-text-hint', class: 'field__hint', text: '请写明哪项信息有误、正确的内容应是什么，以及您的依据。' }),
			counter(text, OBJECTION_TEXT_MAX)),
		field('联系方式', contact,
			el('p', { id: p + '-contact-hint', class: 'field__hint', text: '手机号码、固定电话或电子邮箱，便于办理人员与您联系核实。' })),
		field('证明材料（可选）', files,
			el('p', { id: p + '-files-hint', class: 'field__hint', text: `支持 PDF、JPEG、PNG 格式，每个文件不超过 10 MB，最多 ${ATTACHMENT_MAX_FILES} 个。` }),
			chosen),
		error,
		el('div', { class: 'form__actions' }, submit, back));

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		setError(error, '');
		if (!grounds.value) {
			setError(error, '请选择异议理由。');
			return grounds.focus();
		}
		if (!text.value.trim()) {
			setError(error, '请填写异议内容：哪项信息有误，正确的内容应是什么。');
			return text.focus();
		}
		const reach = contact.value.trim();
		if (!reach) {
			setError(error, '请填写联系方式（手机号码、固定电话或电子邮箱）。');
			return contact.focus();
		}
		if (checkContact(reach)) {
			setError(error, checkContact(reach));
			return contact.focus();
		}
		const list = [...files.files];
		const bad = checkFiles(list);
		if (bad) {
			setError(error, bad);
			return files.focus();
		}
		busy(submit, async () => {
			let c;
			try {
				c = await api('POST', '/cases', {
					kind: 'objection', record: record.id, grounds: grounds.value, text: text.value.trim(), contact: reach,
				});
			} catch (e) {
				setError(error, failure(e));
				const target = { grounds, text, contact }[e.field];
				if (target) target.focus();
				return;
			}
			c = c.case || c;
			// The case exists now: the attachments follow one by one; one that fails does
			// not undo the objection.
			const failed = [];
			for (const file of list) {
				submit.textContent = `正在上传材料（${list.indexOf(file) + 1}/${list.length}）…`;
				try {
					await upload(`/cases/${encodeURIComponent(c.id)}/attachments`, uploadable(file));
				} catch (e) {
					failed.push(`“${file.name}”：${e.message}`);
				}
			}
			submit.textContent = '提交异议';
			let note = '';
			if (list.length && failed.length === 0) note = `已上传证明材料 ${list.length} 份。`;
			else if (failed.length) note = `有 ${failed.length} 份材料未能上传（${failed.join('；')}）。异议本身已提交。`;
			filed(c, note);
		});
	});
	return form;
}

function statementForm(record, cancel, saved) {
	const p = `stmt-${record.id}`;
	const text = el('textarea', {
		id: p + '-text', class: 'field__input', rows: '4', maxlength: String(STATEMENT_MAX),
		'aria-describedby': `${p}-hint ${p}-text-count`,
	});
	text.value = record.statement || '';
	const error = formError(p + '-error');
	const submit = el('button', { type: 'submit', class: 'button', text: '保存说明' });
	const back = el('button', { type: 'button', class: 'button button--secondary', text: '取消' });
	back.addEventListener('click', cancel);
	const actions = el('div', { class: 'form__actions' }, submit, back);

	const post = (value, button) => busy(button, async () => {
		setError(error, '');
		try {
			await api('POST', `/records/${encodeURIComponent(record.id)}/statement`, { text: value });
		} catch (e) {
			setError(error, failure(e));
			text.focus();
			return;
		}
		saved(value);
	});

	if (record.statement) {
		const remove = el('button', { type: 'button', class: 'button button--danger', text: '删除说明' });
		remove.addEventListener('click', () => {
			if (!window.confirm('确定删除本条记录下的主体说明吗？')) return;
			post('', remove);
		});
		actions.append(remove);
	}

	const form = el('form', { class: 'form form--wide', novalidate: '', 'aria-labelledby': p + '-title' },
		el('h4', { id: p + '-title', class: 'form__title', text: record.statement ? '修改主体说明' : '添加主体说明' }),
		field('说明内容', text,
			el('p', { id: p + '-hint', class: 'field__hint', text: '说明将随本条记录一并公示，可用于说明整改情况等，不改变记录本身。如认为记录有误，请提出异议。' }),
			counter(text, STATEMENT_MAX)),
		error,
		actions);

	form.addEventListener('submit', (event) => {
		event.preventDefault();
		const value = text.value.trim();
		if (!value) {
			setError(error, '请填写说明内容。');
			return text.focus();
		}
		if (chars(value) > STATEMENT_MAX) {
			setError(error, `说明不能超过 ${STATEMENT_MAX} 字，当前 ${chars(value)} 字。`);
			return text.focus();
		}
		post(value, submit);
	});
	return form;
}

// The logged-in subject's open cases of `kind`, by record (an empty map when they cannot
// be read: the page still works, the server refuses a second case on a record).
async function openCases(kind) {
	const mine = new Map();
	try {
		const data = await api('GET', `/cases?kind=${kind}&limit=500`);
		for (const c of data.cases || [])
			if (OPEN.has(c.status) && c.record && (c.kind || kind) === kind && !mine.has(c.record)) mine.set(c.record, c);
	} catch {
		// Not fatal: see above.
	}
	return mine;
}

// ---- the subject page's header: status labels and the purpose of a government user --

const PURPOSE_KEY = 'xy.purpose';
const GOVERNMENT_ROLES = new Set(['submitter', 'handler', 'dept_admin', 'operator', 'admin']);

function isGovernment(user) {
	return Boolean(user) && (user.roles || []).some((r) => GOVERNMENT_ROLES.has(r));
}

function storedPurpose() {
	return sessionStorage.getItem(PURPOSE_KEY) || '';
}

function renderLabels(labels) {
	const list = $('subject-labels');
	list.replaceChildren(...labels.map((l) => el('li', { class: 'label label--' + (l.tone || 'neutral'), text: l.text })));
	list.hidden = labels.length === 0;
}

// The 查询事由 bar: hidden for everyone but government users; the chosen purpose is kept
// for the browser session and sent with every subject page it opens.
function showPurposeBar(government, purpose) {
	const bar = $('purpose-bar');
	bar.hidden = !government;
	if (!government) return;
	const select = $('purpose-select');
	const other = $('purpose-other');
	const listed = [...select.options].some((o) => o.value === purpose && purpose);
	select.value = !purpose ? '' : listed ? purpose : 'other';
	other.hidden = select.value !== 'other';
	other.value = purpose && !listed ? purpose : '';
	$('purpose-error').hidden = true;
	$('purpose-public').hidden = !purpose;
	$('purpose-state').textContent = purpose
		? `查询事由：${purpose}。您正在查看共享信息（含已到期记录），每次查看均记入审计日志。`
		: '您当前看到的是公开信息。如需查看共享信息（含已到期记录），请选择查询事由。';
}

$('purpose-select').addEventListener('change', () => {
	const other = $('purpose-other');
	other.hidden = $('purpose-select').value !== 'other';
	if (!other.hidden) other.focus();
});

$('purpose-bar').addEventListener('submit', (event) => {
	event.preventDefault();
	const choice = $('purpose-select').value;
	const purpose = (choice === 'other' ? $('purpose-other').value : choice).trim();
	const error = $('purpose-error');
	if (!purpose) {
		error.textContent = choice === 'other' ? '请填写查询事由，如“行政许可审查”。' : '请先选择查询事由。';
		error.hidden = false;
		(choice === 'other' ? $('purpose-other') : $('purpose-select')).focus();
		return;
	}
	sessionStorage.setItem(PURPOSE_KEY, purpose);
	route();
});

$('purpose-public').addEventListener('click', () => {
	sessionStorage.removeItem(PURPOSE_KEY);
	route();
});

// One chapter of the 信用信息概要: its short name and count; it scrolls to the chapter
// (the page's hash is its route, so no #anchor).
function summaryItem(ch) {
	const button = el('button', {
		type: 'button',
		class: 'summary__item' + (ch.count ? '' : ' summary__item--empty'),
		title: `${ch.numeral}、${ch.title}`,
	}, el('span', { class: 'summary__name', text: ch.short_title }),
	el('span', { class: 'summary__count', text: String(ch.count) }),
	el('span', { class: 'visually-hidden', text: '条' }));
	button.addEventListener('click', () => $('chapter-' + ch.chapter).scrollIntoView({ block: 'start' }));
	return button;
}

async function renderSubject(code, token) {
	setStatus('正在加载…', true);
	// A government user (a department's officer, an operator) sees what the public sees
	// until it chooses a purpose (查询事由) for the session: each of its reads of shared
	// data is audited with it.  Any other logged-in user who is not the subject sees the
	// public view.
	const user = await userReady;
	if (token !== navigation) return;
	const self = Boolean(user && (user.roles || []).includes('subject') && userSubject(user) === code.trim().toUpperCase());
	const government = !self && isGovernment(user);
	const purpose = government ? storedPurpose() : '';
	showPurposeBar(government, purpose);
	let params = '';
	if (purpose) params = '?purpose=' + encodeURIComponent(purpose);
	else if (user && !self) params = '?view=public';
	let data;
	try {
		data = await getJSON('/subjects/' + encodeURIComponent(code) + params);
	} catch (error) {
		if (token !== navigation) return;
		if (error.code === 'subject.not_found') error.message = '未找到该信用主体。' + (error.message ? '（' + error.message + '）' : '');
		showError(error);
		return;
	}
	if (token !== navigation) return;
	const subject = data.subject || {};
	const groups = data.categories || [];
	document.title = `${subject.name || code} - 信用信息查询`;
	$('subject-title').textContent = subject.name || code;

	const identity = $('subject-identity');
	identity.replaceChildren();
	const addId = (label, value, cls) => {
		identity.append(el('div', { class: 'identity__item' },
			el('dt', { text: label }), el('dd', { class: cls, text: value || '—' })));
	};
	addId('统一社会信用代码', subject.code, 'code');
	addId('主体类型', subject.subject_type || SUBJECT_TYPES[subject.kind]);
	addId('所在地区', regionName(subject.region));

	showDownloads(subject, self, purpose, Boolean(user) && !self);

	const own = self && subject.code === userSubject(user);
	let mine = null;
	if (own) {
		const [objections, repairs] = await Promise.all([openCases('objection'), openCases('repair')]);
		mine = { objections, repairs };
	}
	if (token !== navigation) return;
	$('subject-own').hidden = !own;

	renderLabels(data.labels || []);
	const box = $('subject-categories');
	box.replaceChildren();
	let conflict = false;
	let total = 0;
	const chapters = data.summary || [];
	const summary = $('subject-summary');
	summary.replaceChildren();
	if (chapters.length)
		summary.append(el('h2', { class: 'summary__title', text: '信用信息概要' }),
			el('ul', { class: 'summary__list' }, ...chapters.map((ch) => el('li', {}, summaryItem(ch)))));
	// The chapters of the national credit report, in order; an empty one says 暂无信息,
	// so that "no penalty" is not mistaken for "not shown".
	const sections = chapters.length ? chapters : [{ chapter: 0, numeral: '', title: '信用信息', count: 0 }];
	for (const ch of sections) {
		const inChapter = chapters.length ? groups.filter((g) => g.chapter === ch.chapter) : groups;
		const section = el('section', { class: 'chapter', id: 'chapter-' + ch.chapter, 'aria-labelledby': 'chapter-title-' + ch.chapter },
			el('h2', { id: 'chapter-title-' + ch.chapter, class: 'chapter__title' },
				document.createTextNode(ch.numeral ? `${ch.numeral}、${ch.title}` : ch.title)));
		if (!inChapter.length) section.append(el('p', { class: 'chapter__empty', text: '暂无信息' }));
		for (const group of inChapter) {
			const records = group.records || [];
			total += records.length;
			const list = el('ol', { class: 'records' });
			for (const record of records) {
				if (record.name_conflict) conflict = true;
				list.append(renderRecord(record, group, mine));
			}
			const headingId = 'cat-' + group.category;
			section.append(el('section', { class: 'category', 'aria-labelledby': headingId },
				el('h3', { id: headingId, class: 'category__title' },
					document.createTextNode(group.name || group.category),
					el('span', { class: 'category__count', text: `${group.count ?? records.length} 条` })),
				list));
		}
		box.append(section);
	}
	$('subject-conflict').hidden = !conflict;
	$('subject-empty').hidden = total !== 0;
	const query = sessionStorage.getItem('xy.lastQuery');
	const back = $('subject-back');
	back.href = query ? '#/search?q=' + encodeURIComponent(query) : '#/';
	back.textContent = query ? '返回查询结果' : '返回首页';
	setStatus(`已加载 ${subject.name || code} 的信用信息`);
	show('view-subject', 'subject-title');
}

// The report this viewer may download (the same one the page shows: the subject's own,
// the shared one for the chosen purpose, else the public one) and, for a legal person,
// its credit code (信用码, always the public's colour).
function showDownloads(subject, self, purpose, publicView) {
	const base = API + '/subjects/' + encodeURIComponent(subject.code);
	let params = '';
	let kind = '公开版：向社会公开的信息。';
	if (self) kind = '主体自查版：本主体的全部信息，含已修复和已到期的记录，仅供本主体使用。';
	else if (purpose) {
		params = '&purpose=' + encodeURIComponent(purpose);
		kind = `政务共享版：查询事由“${purpose}”，出具记入审计日志。`;
	} else if (publicView) params = '&view=public';
	$('downloads-kind').textContent = '报告类型：' + kind;
	$('report-pdf').href = base + '/report?format=pdf' + params;
	$('report-html').href = base + '/report?format=html' + params;
	const legal = subject.kind === 'uscc';
	$('credit-code').hidden = !legal;
	if (legal) {
		const svg = base + '/credit-code?format=svg';
		$('credit-code-image').src = svg;
		$('credit-code-image').alt = `${subject.name || subject.code}的信用码`;
		$('credit-code-svg').href = svg;
		$('credit-code-png').href = base + '/credit-code?format=png';
	}
	$('subject-downloads').hidden = false;
}

// ---- routing -------------------------------------------------------------------------

function route() {
	const token = ++navigation;
	const hash = location.hash.replace(/^#/, '') || '/';
	const [path, queryString = ''] = hash.split('?');
	if (path === '/search') {
		const params = new URLSearchParams(queryString);
		const query = params.get('q') || '';
		sessionStorage.setItem('xy.lastQuery', query);
		renderSearch(query, token, params.get('region') || '', params.get('type') || '');
	} else if (path.startsWith('/subject/')) {
		let code;
		try {
			code = decodeURIComponent(path.slice('/subject/'.length));
		} catch {
			code = '';
		}
		renderSubject(code, token);
	} else {
		renderHome();
	}
}

$('search-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const query = $('search-input').value.trim();
	if (!query) {
		setStatus('请输入企业名称或统一社会信用代码。', true);
		$('search-input').focus();
		return;
	}
	const target = '#/search?q=' + encodeURIComponent(query);
	// Searching the same text again still refreshes the results.
	if (location.hash === target) route();
	else location.hash = target;
});

// The logged-in user (or null), asked once; the subject page waits for it to know
// whether the records are the user's own.
const userReady = maybeSignedIn() ? currentUser().catch(() => null) : Promise.resolve(null);

window.addEventListener('hashchange', route);
route();

userReady.then(showAccountLink);
