// home.js - the portal's home page below the search: the platform's totals and the
// latest 双公示 (licences and penalties the public sees, newest decision first), by
// department and date, a page at a time, as 信用中国's 双公示 page lists them.

import { api, el } from './api.js';

const $ = (id) => document.getElementById(id);
const KINDS = { license: '行政许可', penalty: '行政处罚' };

// The list shown and where its next page starts.
const state = { category: 'penalty', next: null, seq: 0 };
let started = false;

function item(d) {
	const meta = [d.decision_date, d.authority || d.dept_name || d.dept_code].filter(Boolean).join(' · ');
	return el('li', { class: 'disclosure' },
		el('a', { class: 'disclosure__subject', href: '#/subject/' + encodeURIComponent(d.subject.code), text: d.subject.name }),
		el('p', { class: 'disclosure__what' },
			d.title ? el('span', { class: 'disclosure__title', text: d.title }) : null,
			d.summary ? document.createTextNode((d.title ? '：' : '') + d.summary) : null),
		el('p', { class: 'disclosure__meta muted', text: meta }));
}

function path() {
	const p = new URLSearchParams({ category: state.category, limit: '10' });
	const dept = $('disclosure-dept').value;
	const from = $('disclosure-from').value;
	const to = $('disclosure-to').value;
	if (dept) p.set('dept', dept);
	if (from) p.set('from', from);
	if (to) p.set('to', to);
	return p;
}

async function load(append) {
	const seq = ++state.seq;
	const p = path();
	if (append && state.next) p.set('cursor', state.next);
	const list = $('disclosure-list');
	const status = $('disclosure-status');
	status.textContent = '正在加载…';
	let page;
	try {
		page = await api('GET', '/disclosures?' + p.toString());
	} catch (error) {
		if (seq !== state.seq) return;
		status.textContent = `无法加载${KINDS[state.category]}公示：${error.message}`;
		return;
	}
	if (seq !== state.seq) return;
	const items = (page.items || []).map(item);
	if (append) list.append(...items);
	else list.replaceChildren(...items);
	state.next = page.next;
	$('disclosure-more').hidden = !page.next;
	status.textContent = list.children.length ? '' : `暂无符合条件的${KINDS[state.category]}公示。`;
}

function choose(category) {
	state.category = category;
	for (const [c, id] of [['penalty', 'tab-penalty'], ['license', 'tab-license']]) {
		$(id).setAttribute('aria-selected', String(c === category));
		$(id).classList.toggle('tabs__tab--current', c === category);
	}
	load(false);
}

async function totals() {
	try {
		const t = await api('GET', '/stats');
		const n = (v) => Number(v || 0).toLocaleString('zh-CN');
		$('total-subjects').textContent = n(t.subjects);
		$('total-records').textContent = n(t.records);
		$('total-month').textContent = n((t.this_month?.license || 0) + (t.this_month?.penalty || 0));
		$('totals').hidden = false;
	} catch {
		// The totals are a courtesy: without them the page still serves its purpose.
	}
}

async function depts() {
	try {
		const d = await api('GET', '/depts');
		$('disclosure-dept').append(...(d.depts || []).map((x) => el('option', { value: x.code, text: x.name })));
	} catch {
		// Without the directory the list is simply not filterable by department.
	}
}

// Called each time the home view is shown; loads once.
export function startHome() {
	if (started) return;
	started = true;
	$('tab-penalty').addEventListener('click', () => choose('penalty'));
	$('tab-license').addEventListener('click', () => choose('license'));
	$('disclosure-filters').addEventListener('change', () => load(false));
	$('disclosure-filters').addEventListener('submit', (event) => { event.preventDefault(); load(false); });
	$('disclosure-more').addEventListener('click', () => load(true));
	totals();
	depts();
	choose('penalty');
}
