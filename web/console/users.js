// users.js - 账户管理: a platform administrator (every account) or a department
// administrator (its department's) lists accounts, opens one (the answer carries the
// one-time activation code to hand over) and disables one.  The server decides who may
// open which roles and says so in Chinese; this page only offers what makes sense.

import { api, currentUser, el, formatTime, loginHref, maybeSignedIn, showAccountLink, showMessage } from '../api.js';

const $ = (id) => document.getElementById(id);

const ROLE_NAMES = {
	subject: '信用主体', submitter: '数据报送人员', handler: '业务经办人员', dept_admin: '部门管理员',
	operator: '平台运营人员', admin: '平台管理员', auditor: '审计人员',
};
const DEPT_ROLES = ['submitter', 'handler', 'dept_admin'];

let me = null;
let names = new Map();

function offeredRoles(user) {
	const roles = user.roles || [];
	if (roles.includes('admin')) return Object.keys(ROLE_NAMES);
	if (roles.includes('dept_admin')) return DEPT_ROLES;
	return [];
}

function stateOf(u) {
	if (u.disabled) return ['已停用', 'badge--ended'];
	if (u.locked_until) return ['已锁定', 'badge--conflict'];
	if (!u.activated) return ['待激活', 'badge--waiting'];
	return ['正常', 'badge--published'];
}

function disableButton(u) {
	const button = el('button', { type: 'button', class: 'button button--small button--secondary', text: '停用' });
	button.addEventListener('click', async () => {
		if (!confirm(`确定停用账户“${u.name}”？其登录会话将立即失效。`)) return;
		button.disabled = true;
		try {
			await api('POST', `/users/${encodeURIComponent(u.name)}/disable`);
			$('status').textContent = `已停用账户 ${u.name}。`;
			await load();
		} catch (error) {
			showMessage('list-error', error.message);
			button.disabled = false;
		}
	});
	return button;
}

async function load() {
	showMessage('list-error', '');
	let data;
	try {
		data = await api('GET', '/users');
	} catch (error) {
		showMessage('list-error', error.message);
		return;
	}
	$('users').replaceChildren(...(data.users || []).map((u) => {
		const [text, cls] = stateOf(u);
		const org = u.dept || u.subject || '';
		const orgCell = el('td', {}, el('span', { class: 'table__main', text: names.get(org) || (org ? '' : '平台') }),
			org ? el('span', { class: 'table__sub code', text: org }) : null);
		return el('tr', { 'data-name': u.name },
			el('td', {}, el('span', { class: 'table__main', text: u.name }), u.display_name ? el('span', { class: 'table__sub', text: u.display_name }) : null),
			el('td', { text: (u.roles || []).map((r) => ROLE_NAMES[r] || r).join('、') }),
			orgCell,
			el('td', {}, el('span', { class: 'badge ' + cls, text })),
			el('td', { class: 'nowrap', text: formatTime(u.created_at) }),
			el('td', {}, u.disabled || u.name === me.name ? null : disableButton(u)));
	}));
}

$('create-form').addEventListener('submit', async (event) => {
	event.preventDefault();
	const form = event.currentTarget;
	showMessage('create-error', '');
	$('created').hidden = true;
	const roles = [...document.querySelectorAll('#new-roles input:checked')].map((c) => c.value);
	const name = $('new-name').value.trim();
	if (!name) {
		showMessage('create-error', '请填写用户名。');
		$('new-name').focus();
		return;
	}
	if (!roles.length) {
		showMessage('create-error', '请至少选择一种身份。');
		return;
	}
	const body = { name, roles: roles.join(',') };
	const display = $('new-display').value.trim();
	const dept = $('new-dept').value.trim().toUpperCase();
	const subject = $('new-subject').value.trim().toUpperCase();
	if (display) body.display_name = display;
	if (dept) body.dept = dept;
	if (subject) body.subject = subject;
	const button = form.querySelector('button[type="submit"]');
	button.disabled = true;
	try {
		const made = await api('POST', '/users', body);
		const box = $('created');
		box.replaceChildren(
			el('p', { text: `账户“${made.user.name}”已开设。请把激活码交给本人，本人在登录页“激活账户”中使用：` }),
			el('p', { class: 'activation' }, el('strong', { class: 'code', text: made.activation_code })),
			el('p', { class: 'muted', text: `激活码有效期至 ${formatTime(made.activation_expires)}，只显示这一次。` }));
		box.hidden = false;
		form.reset();
		if (!(me.roles || []).includes('admin') && me.dept) $('new-dept').value = me.dept;
		await load();
	} catch (error) {
		showMessage('create-error', error.message);
	} finally {
		button.disabled = false;
	}
});

async function start() {
	me = maybeSignedIn() ? await currentUser().catch(() => null) : null;
	showAccountLink(me);
	if (!me) {
		location.replace(loginHref());
		return;
	}
	const offered = offeredRoles(me);
	if (!offered.length) {
		$('status').textContent = '';
		showMessage('page-error', '只有平台管理员和部门管理员可以管理账户。');
		return;
	}
	try {
		const d = await api('GET', '/depts');
		names = new Map((d.depts || []).map((x) => [x.code, x.name]));
		$('dept-options').replaceChildren(...(d.depts || []).map((x) => el('option', { value: x.code, label: x.name })));
	} catch {
		// Names are a courtesy: codes still work.
	}
	$('new-roles').replaceChildren(...offered.map((r) => el('label', { class: 'check' },
		el('input', { type: 'checkbox', value: r }), document.createTextNode(ROLE_NAMES[r]))));
	if (!(me.roles || []).includes('admin') && me.dept) {
		$('new-dept').value = me.dept;
		$('new-dept').readOnly = true;
	}
	$('create').hidden = false;
	$('list').hidden = false;
	$('status').textContent = (me.roles || []).includes('admin') ? '全部账户' : `本部门（${names.get(me.dept) || me.dept}）的账户`;
	await load();
}

start();
