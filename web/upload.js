// upload.js - the submitter's page (数据报送): choose or drop a department file, its
// category suggested from the file's header, upload it with a progress bar, then the
// batch's summary and its rejects (the first 200 on the page, all of them as CSV).
//
// The header is read in the browser (the first 64 KB, UTF-8 or GB18030) and matched
// against each category's field names and aliases (GET /api/v1/catalog/{id}); the
// server judges the file again, row by row, whatever was chosen.

import { api, currentUser, el, loginHref, maybeSignedIn, showAccountLink, showMessage, uploadWithProgress } from './api.js';

const $ = (id) => document.getElementById(id);
const REJECTS_SHOWN = 200;
const definitions = new Map(); // category id -> its field names and aliases

function setStatus(text) {
	$('status').textContent = text;
}

// The column names of a file's first line (CSV) or of its first object (JSON).
async function headerOf(file) {
	const bytes = new Uint8Array(await file.slice(0, 65536).arrayBuffer());
	let text;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		// A cut in the middle of a character, or another encoding: GB18030 reads both.
		text = new TextDecoder('gb18030').decode(bytes);
	}
	text = text.replace(/^\uFEFF/, '');
	const start = text.trimStart();
	if (start.startsWith('[') || start.startsWith('{')) {
		const keys = [...start.matchAll(/"([^"\\]+)"\s*:/g)].map((m) => m[1]);
		return [...new Set(keys)];
	}
	const line = text.split(/\r?\n/)[0] || '';
	return line.split(/[,\t]/).map((c) => c.trim().replace(/^"|"$/g, '').trim()).filter(Boolean);
}

async function definition(id) {
	if (!definitions.has(id)) {
		const def = await api('GET', '/catalog/' + encodeURIComponent(id));
		const names = new Set();
		for (const f of def.fields || []) {
			names.add(f.name);
			names.add(f.id);
			for (const a of f.aliases || []) names.add(a);
		}
		definitions.set(id, names);
	}
	return definitions.get(id);
}

// Suggests the category whose fields the header names most.
async function suggest(file) {
	const hint = $('suggestion');
	hint.textContent = '';
	let columns;
	try {
		columns = await headerOf(file);
	} catch {
		return;
	}
	if (!columns.length) return;
	let best = null;
	for (const option of $('category').options) {
		if (!option.value) continue;
		let names;
		try {
			names = await definition(option.value);
		} catch {
			continue;
		}
		const hits = columns.filter((c) => names.has(c)).length;
		if (!best || hits > best.hits) best = { id: option.value, name: option.textContent, hits };
	}
	if (!best || best.hits === 0) {
		hint.textContent = '未能根据表头判断信息类别，请手工选择。';
		return;
	}
	$('category').value = best.id;
	hint.textContent = `根据表头推荐：${best.name}（${best.hits} / ${columns.length} 列与该类别的字段相符）`;
}

function chosen(file) {
	$('file-name').textContent = file ? `已选择：${file.name}（${(file.size / 1024).toFixed(1)} KB）` : '';
	showMessage('upload-error', '');
	if (file) suggest(file);
}

let picked = null;

$('file').addEventListener('change', () => {
	picked = $('file').files[0] || null;
	chosen(picked);
});
for (const type of ['dragenter', 'dragover'])
	$('drop').addEventListener(type, (event) => {
		event.preventDefault();
		$('drop').classList.add('dropzone--over');
	});
for (const type of ['dragleave', 'drop'])
	$('drop').addEventListener(type, () => $('drop').classList.remove('dropzone--over'));
$('drop').addEventListener('drop', (event) => {
	event.preventDefault();
	picked = event.dataTransfer.files[0] || null;
	chosen(picked);
});

function showSummary(batch) {
	const box = $('summary');
	const add = (label, value) => box.append(el('div', { class: 'facts__item' }, el('dt', { text: label }), el('dd', { text: String(value ?? '—') })));
	box.replaceChildren();
	add('批次编号', batch.batch);
	add('文件', batch.source || picked?.name);
	add('总行数', batch.rows);
	add('入库', batch.accepted);
	add('重复（未变化）', batch.duplicates);
	add('拒收', batch.rejected);
	add('提示', batch.warnings);
}

async function showRejects(batch) {
	const box = $('rejects-box');
	box.hidden = !(batch.rejected || batch.warnings);
	if (box.hidden) return;
	$('rejects-csv').href = `/api/v1/batches/${encodeURIComponent(batch.batch)}/rejects?format=csv`;
	const page = await api('GET', `/batches/${encodeURIComponent(batch.batch)}/rejects?limit=${REJECTS_SHOWN}`);
	const rows = (page.rejects || []).map((r) => el('tr', {},
		el('td', { text: r.row ? String(r.row) : '—' }),
		el('td', { text: r.field || '—' }),
		el('td', {}, el('span', { class: 'badge ' + (r.warning ? 'badge--waiting' : 'badge--conflict'), text: r.warning ? '提示' : '拒收' })),
		el('td', {}, el('span', { class: 'table__main', text: r.message }), el('span', { class: 'table__sub code', text: r.reason }))));
	$('rejects').replaceChildren(...rows);
	$('rejects-more').hidden = !page.next;
	$('rejects-more').textContent = page.next ? `仅显示前 ${REJECTS_SHOWN} 条，全部明细请下载 CSV。` : '';
}

$('upload-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	showMessage('upload-error', '');
	if (!picked) {
		showMessage('upload-error', '请先选择要上传的文件。');
		return;
	}
	if (!$('category').value) {
		showMessage('upload-error', '请选择信息类别。');
		$('category').focus();
		return;
	}
	const button = $('submit');
	const bar = $('progress');
	button.disabled = true;
	$('progress-box').hidden = false;
	$('result').hidden = true;
	const path = `/batches?category=${encodeURIComponent($('category').value)}&name=${encodeURIComponent(picked.name)}`;
	let batch;
	try {
		batch = await uploadWithProgress(path, picked, (sent, total) => {
			const pct = total ? Math.round((sent / total) * 100) : 0;
			bar.value = pct;
			$('progress-text').textContent = pct < 100 ? `正在上传 ${pct}%` : '上传完成，正在逐行校验并入库…';
		});
	} catch (error) {
		$('progress-box').hidden = true;
		showMessage('upload-error', error.message);
		button.disabled = false;
		return;
	}
	$('progress-text').textContent = '入库完成。';
	bar.value = 100;
	button.disabled = false;
	showSummary(batch);
	$('result').hidden = false;
	setStatus(`批次 ${batch.batch}：入库 ${batch.accepted} 行，拒收 ${batch.rejected} 行。`);
	try {
		await showRejects(batch);
	} catch (error) {
		showMessage('upload-error', '入库结果已保存，但明细读取失败：' + error.message);
	}
	$('result-title').focus();
});

async function start() {
	const user = maybeSignedIn() ? await currentUser().catch(() => null) : null;
	showAccountLink(user);
	if (!user) {
		location.replace(loginHref());
		return;
	}
	if (!(user.roles || []).includes('submitter')) {
		setStatus('');
		showMessage('page-error', '只有部门的数据报送人员可以上传数据。如需开通，请联系本部门管理员。');
		return;
	}
	try {
		const cat = await api('GET', '/catalog');
		$('category').append(...(cat.categories || []).map((c) => el('option', { value: c.id, text: c.name })));
	} catch (error) {
		showMessage('page-error', error.message);
		return;
	}
	$('upload').hidden = false;
	setStatus(`报送单位：${user.dept || ''}`);
}

start();
