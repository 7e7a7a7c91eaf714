// login.js - the login page: logging in, and activating a new account with its one-time
// code (which sets the first password, then logs in).
//
// After a login the browser holds the HttpOnly session cookie and the page goes to the
// account page (me.html), which asks /api/v1/me for the user and the CSRF token again.
// ?from=logout|password|expired explains why the visitor landed here; ?next=/path (a
// path on this site only) is where a login goes instead of the account page.
// A failed login never says whether the account is locked (that would tell that the name
// exists); the login that succeeds afterwards does, in since_last_login, which this page
// hands to the account page in sessionStorage.

import { api, currentUser, displayName, el, markSignedIn, maybeSignedIn, safeNext, setCsrfToken, showMessage } from './api.js';

const $ = (id) => document.getElementById(id);

const next = safeNext(new URLSearchParams(location.search).get('next'));

const NOTICES = {
	logout: '您已退出登录。',
	password: '密码已修改，所有登录均已结束，请使用新密码重新登录。',
	expired: '登录已失效，请重新登录。',
};

function showNotice(...content) {
	const box = $('notice');
	box.replaceChildren(...content);
	box.hidden = content.length === 0;
}

// Disables a form's button while its request runs, so a double click sends one request.
async function busy(form, work) {
	const button = form.querySelector('button[type="submit"]');
	button.disabled = true;
	form.setAttribute('aria-busy', 'true');
	try {
		await work();
	} finally {
		button.disabled = false;
		form.removeAttribute('aria-busy');
	}
}

// Checks that the required fields are filled; focuses the first empty one.
function missing(fields, errorId) {
	for (const [input, label] of fields) {
		if (!input.value.trim()) {
			showMessage(errorId, `请填写${label}。`);
			input.focus();
			return true;
		}
	}
	return false;
}

async function logIn(name, password) {
	const session = await api('POST', '/session', { name, password });
	setCsrfToken(session.csrf_token);
	markSignedIn(true);
	const since = session.since_last_login || {};
	if (since.locked_until || since.failed_logins > 0) {
		sessionStorage.setItem('xy_since_last_login', JSON.stringify(since));
	}
	location.assign(next || '/me.html');
}

$('login-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const form = event.currentTarget;
	const name = $('login-name');
	const password = $('login-password');
	showMessage('login-error', '');
	if (missing([[name, '用户名'], [password, '密码']], 'login-error')) return;
	busy(form, async () => {
		try {
			await logIn(name.value.trim(), password.value);
		} catch (error) {
			showMessage('login-error', error.message);
			password.value = '';
			password.focus();
		}
	});
});

$('activate-form').addEventListener('submit', (event) => {
	event.preventDefault();
	const form = event.currentTarget;
	const name = $('activate-name');
	const code = $('activate-code');
	const password = $('activate-password');
	const confirm = $('activate-confirm');
	showMessage('activate-error', '');
	if (missing([[name, '用户名'], [code, '激活码'], [password, '新密码'], [confirm, '确认新密码']],
		'activate-error')) return;
	if (password.value !== confirm.value) {
		showMessage('activate-error', '两次输入的新密码不一致。');
		confirm.focus();
		return;
	}
	busy(form, async () => {
		try {
			await api('POST', '/activate', {
				name: name.value.trim(), code: code.value.trim().toUpperCase(), password: password.value,
			});
		} catch (error) {
			showMessage('activate-error', error.message);
			(error.field === 'password' ? password : code).focus();
			return;
		}
		try {
			await logIn(name.value.trim(), password.value);
		} catch (error) {
			showMessage('activate-error', `账号已激活，但自动登录失败：${error.message}`);
		}
	});
});

async function start() {
	const from = new URLSearchParams(location.search).get('from');
	if (from && NOTICES[from]) showNotice(NOTICES[from]);
	else if (next) showNotice('请先登录，登录后将回到您刚才访问的页面。');
	if (from || !maybeSignedIn()) return;
	let user = null;
	try {
		user = await currentUser();
	} catch {
		return;
	}
	if (user)
		showNotice(`您已以“${displayName(user)}”的身份登录。`,
			next ? el('a', { href: next, text: '继续' }) : el('a', { href: '/me.html', text: '前往我的账户' }));
}

start();
