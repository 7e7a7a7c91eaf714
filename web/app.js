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

import { currentUser, maybeSignedIn, showAccountLink } from './api.js';

const API = '/api/v1';

const PUBLICITY = {
	published: { text: '公示中', cls: 'badge--published' },
	ended: { text: '已停止公示', cls: 'badge--ended' },
	not_public: { text: '不公示', cls: 'badge--private' },
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
	document.title = '信用信息查询';
}

// Each navigation gets a number; an answer that arrives after the user has moved on
// (answers can overtake each other) is dropped instead of overwriting the newer view.
let navigation = 0;

async function renderSearch(query, token) {
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
		data = await getJSON('/subjects?q=' + encodeURIComponent(query));
	} catch (error) {
		if (token === navigation) showError(error);
		return;
	}
	if (token !== navigation) return;
	const list = $('results-list');
	list.replaceChildren();
	const results = data.results || [];
	for (const r of results) {
		const pair = (label, value, cls) => el('div', {}, el('dt', { text: label }), el('dd', { class: cls, text: value || '—' }));
		const meta = el('dl', { class: 'result__meta' },
			pair('统一社会信用代码', r.code, 'code'),
			pair('主体类型', r.subject_type || SUBJECT_TYPES[r.kind]),
			pair('所在地区', regionName(r.region)));
		list.append(el('li', { class: 'result' },
			el('h2', { class: 'result__name' }, el('a', { href: subjectHref(r.code), text: r.name })),
			meta,
			el('a', { class: 'result__more', href: subjectHref(r.code), 'aria-label': `查看${r.name}的信用信息`, text: '查看信用信息' })));
	}
	$('results-summary').textContent = results.length
		? `共找到 ${results.length} 个与“${query}”匹配的信用主体。`
		: '';
	$('results-empty').hidden = results.length !== 0;
	setStatus(results.length ? `找到 ${results.length} 个结果` : '未找到匹配的信用主体');
	show('view-results', 'results-title');
}

function recordTitle(record, group) {
	const fields = record.fields || {};
	for (const id of TITLE_FIELDS) if (fields[id]) return String(fields[id]);
	return group.name;
}

function renderRecord(record, group) {
	const labels = record.labels || group.labels || {};
	const fields = record.fields || {};
	const publicity = (record.publicity && PUBLICITY[record.publicity.status]) || PUBLICITY.not_public;
	const published = record.publicity && record.publicity.status === 'published';

	const head = el('div', { class: 'record__head' },
		el('h3', { class: 'record__title', text: published ? recordTitle(record, group) : group.name + '记录' }),
		el('span', { class: 'badge ' + publicity.cls, text: publicity.text }));
	if (record.name_conflict)
		head.append(el('span', { class: 'badge badge--conflict', title: '报送的主体名称与登记名称不一致', text: '名称存在争议' }));

	const item = el('li', { class: 'record' }, head);
	const facts = el('dl', { class: 'record__fields' });
	const add = (label, value) => {
		if (value === undefined || value === null || value === '') return;
		const text = String(value);
		const wide = text.length > 40;
		const code = /^[0-9A-Z]{18}$/.test(text);
		facts.append(el('div', { class: 'record__field' + (wide ? ' record__field--wide' : '') },
			el('dt', { text: label }), el('dd', { class: code ? 'code' : undefined, text })));
	};

	if (published) {
		// Labels come in catalog order: show the fields in that order, then any the
		// catalog does not name.
		const order = [...Object.keys(labels), ...Object.keys(fields).filter((k) => !(k in labels))];
		const title = TITLE_FIELDS.find((id) => fields[id]);
		for (const id of order) {
			if (HIDDEN_FIELDS.has(id) || id === title) continue;
			const value = fields[id];
			if (typeof value === 'object' && value !== null) continue;
			add(labels[id] || id, value);
		}
	} else {
		// Content whose publicity has ended (or that is never public) is not shown again.
		item.append(el('p', { class: 'muted', text: '该记录目前不在公示范围内，内容不予展示。' }));
	}
	add('信息提供单位代码', record.dept_code);
	if (published && record.publicity.until) add('公示截止日期', record.publicity.until);
	item.append(facts);
	return item;
}

async function renderSubject(code, token) {
	setStatus('正在加载…', true);
	let data;
	try {
		data = await getJSON('/subjects/' + encodeURIComponent(code));
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

	const box = $('subject-categories');
	box.replaceChildren();
	let conflict = false;
	let total = 0;
	for (const group of groups) {
		const records = group.records || [];
		total += records.length;
		const list = el('ol', { class: 'records' });
		for (const record of records) {
			if (record.name_conflict) conflict = true;
			list.append(renderRecord(record, group));
		}
		const headingId = 'cat-' + group.category;
		box.append(el('section', { class: 'category', 'aria-labelledby': headingId },
			el('h2', { id: headingId, class: 'category__title' },
				document.createTextNode(group.name || group.category),
				el('span', { class: 'category__count', text: `${group.count ?? records.length} 条` })),
			list));
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

// ---- routing -------------------------------------------------------------------------

function route() {
	const token = ++navigation;
	const hash = location.hash.replace(/^#/, '') || '/';
	const [path, queryString = ''] = hash.split('?');
	if (path === '/search') {
		const query = new URLSearchParams(queryString).get('q') || '';
		sessionStorage.setItem('xy.lastQuery', query);
		renderSearch(query, token);
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

window.addEventListener('hashchange', route);
route();

if (maybeSignedIn())
	currentUser().then(showAccountLink, () => {});
