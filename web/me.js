// me.js - the account page (我的账户): who is logged in, logging out, changing the
// password; links to 我的申请 (a subject) or the console (staff); and for a subject's
// account its access log (who looked at its non-public data, and why) and its
// authorizations (授权查询), granted and revoked here.
//
// Nobody logged in: the page sends the visitor to the login page.  Every state-changing
// call carries the CSRF token that GET /api/v1/me returned (api.js).

import { STAFF_ROLES, api, currentUser, displayName, el, formatTime, markSignedIn, maybeSignedIn, showAccountLink, showMessage } from './api.js';

const $ = (id) => document.getElementById(id);

const ROLES = {
	subject: '信用主体',
	submitter: '数据报送人员',
	handler: '业务经办人员',
	dept_admin: '部门管理员',
	operator: '平台运营人员',
	admin: '平台管理员',
	auditor: '审计人员',
};

// audit_trail_access_log's by.kind
const VIEWER_KINDS = {
	department: '政府部门',
	agency: '信用服务机构',
	platform: '信用平台',
	console: '信用平台（运维）',
};

// A token's role is its scope list: the reader was a business system, not a person.
function viewerRole(role) {
	if (!role) return '—';
	if (ROLES[role]) return ROLES[role];
	if (role.includes(':')) return '业务系统（接口调用）';
	return role;
}

const STATES = {
	active: { text: '有效', cls: 'badge--published' },
	expired: { text: '已过期', cls: 'badge--ended' },
	revoked: { text: '已撤销', cls: 'badge--ended' },
};

function setStatus(text) {
	$('status').textContent = text;
}

function leave(from) {
	location.replace('/login.html' + (from ? '?from=' + from : ''));
}

// A call whose session has ended (401) sends the visitor to log in again.
function failed(error, messageId) {
	if (error.status === 401) {
		markSignedIn(false);
		leave('expired');
		return;
	}
	showMessage(messageId, error.message);
}

async function busy(button, work) {
	button.disabled = true;
	try {
		await work();
	} finally {
		button.disabled = false;
	}
}

// ---- account ------------------------------------------------------------------------

function renderUser(user) {
	const info = $('user-info');
	const add = (label, value, cls) => info.append(el('div', { class: 'facts__item' },
		el('dt', { text: label }), el('dd', { class: cls, text: value || '—' })));
	info.replaceChildren();
	add('用户名', user.name);
	if (user.display_name) add('名称', user.display_name);
	add('身份', (user.roles || []).map((r) => ROLES[r] || r).join('、'));
	if (user.subject) {
		add('信用主体代码', user.subject, 'code');
		const link = $('archive-link');
		link.href = '/#/subject/' + encodeURIComponent(user.subject);
		link.hidden = false;
		$('quick-links').hidden = false;
	}
	if (user.dept) add('所属部门代码', user.dept, 'code');
	$('password-username').value = user.name;
}

$('logout').addEventListener('click', (event) => {
	busy(event.currentTarget, async () => {
		try {
			await api('DELETE', '/session');
		} catch (error) {
			if (error.status !== 401) {
				showMessage('page-error', error.message);
				return;
			}
		}
		markSignedIn(false);
		leave('logout');
	});
});

$('password-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const current = $('password-current');
	const password = $('password-new');
	const confirm = $('password-confirm');
	showMessage('password-error', '');
	for (const [input, label] of [[current, '当前密码'], [password, '新密码'], [confirm, '确认新密码']]) {
		if (!input.value) {
			showMessage('password-error', `请填写${label}。`);
			input.focus();
			return;
		}
	}
	if (password.value !== confirm.value) {
		showMessage('password-error', '两次输入的新密码不一致。');
		confirm.focus();
		return;
	}
	busy(event.currentTarget.querySelector('button[type="submit"]'), async () => {
		try {
			await api('POST', '/me/password', { current: current.value, password: password.value });
		} catch (error) {
			if (error.status === 401 && error.code !== 'auth.invalid') return failed(error, 'password-error');
			showMessage('password-error', error.message);
			(error.field === 'password' ? password : current).focus();
			return;
		}
		// The change ended every session, this one too.
		markSignedIn(false);
		leave('password');
	});
});

// ---- a subject's access log ---------------------------------------------------------

// The department directory (GET /api/v1/depts), read once: names beside codes, and the
// grantees a subject may choose by name.
let directory = null;
async function depts() {
	if (!directory) {
		directory = api('GET', '/depts').then((d) => new Map((d.depts || []).map((x) => [x.code, x.name])))
			.catch(() => new Map());
	}
	return directory;
}

// An organisation as a table cell: its name when the directory has it, the code beside.
function orgCell(code, fallback, names) {
	const td = el('td', {}, el('span', { class: 'table__main', text: names.get(code) || fallback || code || '—' }));
	if (code) td.append(el('span', { class: 'table__sub code', text: code }));
	return td;
}

async function loadAccessLog() {
	showMessage('access-error', '');
	let data;
	try {
		data = await api('GET', '/me/access-log');
	} catch (error) {
		failed(error, 'access-error');
		return;
	}
	const names = await depts();
	const rows = (data.entries || []).map((entry) => {
		const by = entry.by || {};
		const kind = VIEWER_KINDS[by.kind] || by.kind || '—';
		const org = orgCell(by.code, kind, names);
		if (names.has(by.code)) org.append(el('span', { class: 'table__sub', text: kind }));
		return el('tr', {},
			el('td', { class: 'nowrap' }, el('time', { datetime: entry.at, text: formatTime(entry.at) })),
			org,
			el('td', { text: viewerRole(by.role) }),
			el('td', { text: entry.purpose || '—' }));
	});
	$('access-rows').replaceChildren(...rows);
	$('access-table').hidden = rows.length === 0;
	$('access-empty').hidden = rows.length !== 0;
}

// ---- a subject's authorizations -----------------------------------------------------

function revokeButton(a) {
	const button = el('button', {
		type: 'button', class: 'button button--small button--danger',
		'aria-label': `撤销对 ${a.grantee} 的授权（${a.purpose}）`, text: '撤销',
	});
	button.addEventListener('click', () => {
		if (!window.confirm(`确定撤销对 ${a.grantee} 的授权吗？撤销后对方将无法再查看需经授权的信息。`)) return;
		busy(button, async () => {
			showMessage('auth-error', '');
			try {
				await api('DELETE', '/me/authorizations/' + encodeURIComponent(a.id));
			} catch (error) {
				failed(error, 'auth-error');
				return;
			}
			setStatus(`已撤销对 ${a.grantee} 的授权。`);
			await loadAuthorizations();
			$('auth-title').focus();
		});
	});
	return button;
}

async function loadAuthorizations() {
	let data;
	try {
		data = await api('GET', '/me/authorizations');
	} catch (error) {
		failed(error, 'auth-error');
		return;
	}
	const names = await depts();
	const rows = (data.authorizations || []).map((a) => {
		const state = STATES[a.state] || { text: a.state, cls: 'badge--ended' };
		return el('tr', { 'data-id': String(a.id) },
			orgCell(a.grantee, a.grantee, names),
			el('td', { text: a.purpose }),
			el('td', { class: 'nowrap' }, el('time', { datetime: a.granted_at, text: formatTime(a.granted_at) })),
			el('td', { class: 'nowrap' }, el('time', { datetime: a.expires_at, text: formatTime(a.expires_at) })),
			el('td', {}, el('span', { class: 'badge ' + state.cls, text: state.text })),
			el('td', {}, a.state === 'active' ? revokeButton(a) : null));
	});
	$('auth-rows').replaceChildren(...rows);
	$('auth-table').hidden = rows.length === 0;
	$('auth-empty').hidden = rows.length !== 0;
}

// Choosing a grantee by name fills in its code.
$('grant-name').addEventListener('focus', async () => {
	const list = $('grant-depts');
	if (list.children.length) return;
	const names = await depts();
	list.replaceChildren(...[...names].map(([code, name]) => el('option', { value: name, label: code })));
});
$('grant-name').addEventListener('change', async () => {
	const typed = $('grant-name').value.trim();
	const names = await depts();
	const found = [...names].find(([, name]) => name === typed);
	if (found) {
		$('grant-grantee').value = found[0];
		showMessage('grant-error', '');
	}
});

$('grant-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const form = event.currentTarget;
	const grantee = $('grant-grantee');
	const purpose = $('grant-purpose');
	showMessage('grant-error', '');
	grantee.value = grantee.value.trim().toUpperCase();
	if (!grantee.value) {
		showMessage('grant-error', '请填写被授权机构的统一社会信用代码，或按名称选择。');
		grantee.focus();
		return;
	}
	// Grantees are departments and agencies: organisations with an 18-character code.
	// The server checks the check character and tells what is wrong.
	if (!/^[0-9A-Z]{18}$/.test(grantee.value)) {
		showMessage('grant-error', '被授权机构代码应为 18 位统一社会信用代码（数字或大写字母）。');
		grantee.focus();
		return;
	}
	if (!purpose.value.trim()) {
		showMessage('grant-error', '请填写授权用途。');
		purpose.focus();
		return;
	}
	busy(form.querySelector('button[type="submit"]'), async () => {
		let granted;
		try {
			granted = await api('POST', '/me/authorizations', {
				grantee: grantee.value, purpose: purpose.value.trim(), expires: $('grant-expires').value,
			});
		} catch (error) {
			failed(error, 'grant-error');
			if (error.field === 'purpose') purpose.focus();
			else grantee.focus();
			return;
		}
		form.reset();
		setStatus(`已授权 ${granted.grantee}，有效期至 ${formatTime(granted.expires_at)}。`);
		await loadAuthorizations();
	});
});

// ---- start --------------------------------------------------------------------------

// What the login page was told about the account since its previous login: shown once.
function showSinceLastLogin() {
	const text = sessionStorage.getItem('xy_since_last_login');
	sessionStorage.removeItem('xy_since_last_login');
	if (!text) return;
	let since;
	try {
		since = JSON.parse(text);
	} catch {
		return;
	}
	const parts = [];
	if (since.locked_until) parts.push(`账号曾因连续登录失败被锁定，至 ${since.locked_until.slice(0, 16).replace('T', ' ')} 解除`);
	if (since.failed_logins > 0) parts.push(`有 ${since.failed_logins} 次登录失败`);
	if (parts.length === 0) return;
	$('login-notice').textContent = `自上次登录以来，${parts.join('；')}。如非本人操作，请修改密码。`;
	$('login-notice').hidden = false;
}

async function start() {
	const hinted = maybeSignedIn();
	let user;
	try {
		user = await currentUser();
	} catch (error) {
		setStatus('');
		showMessage('page-error', error.message);
		return;
	}
	if (!user) {
		leave(hinted ? 'expired' : '');
		return;
	}
	showAccountLink(user);
	$('account-link').setAttribute('aria-current', 'page');
	document.title = `我的账户（${displayName(user)}） - 信用信息查询`;
	renderUser(user);
	showSinceLastLogin();
	$('account').hidden = false;
	const subject = (user.roles || []).includes('subject');
	const staff = (user.roles || []).some((r) => STAFF_ROLES.has(r));
	$('cases-link').hidden = !subject;
	$('console-link').hidden = !staff;
	$('quick-links').hidden = !subject && !staff;
	$('access-section').hidden = !subject;
	$('auth-section').hidden = !subject;
	if (subject) await Promise.all([loadAccessLog(), loadAuthorizations()]);
	setStatus(`已登录：${displayName(user)}`);
}

start();
