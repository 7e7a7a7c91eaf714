// lib.mjs - what the browser tests share: Chromium's flags, starting and stopping a
// `xinyong serve` of their own (and judging its exit), pages that collect console errors,
// logging in, and the assertion they fail with.

import { spawn } from 'node:child_process';
import path from 'node:path';

// Debian's /usr/bin/chromium, headless and quiet: no network of its own beyond the page.
export const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function assert(cond, message) {
	if (!cond) throw new Error(message);
}

// Starts `xinyong serve` on a free loopback port with the anonymous rate limit off (the
// tests search far more often than a person); resolves to { proc, base, log } once the
// server prints the address it serves.
export function startServer(binary, srcRoot, db, env) {
	return new Promise((resolve, reject) => {
		const proc = spawn(binary, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web',
			path.join(srcRoot, 'web'), '--rate-limit', '0'],
			{ env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		const timer = setTimeout(() => reject(new Error('server did not start: ' + err)), 30000);
		proc.stderr.on('data', (d) => { err += d; });
		proc.stdout.on('data', (d) => {
			out += d;
			const m = out.match(/serving (http:\/\/127\.0\.0\.1:(\d+))/);
			if (m) {
				clearTimeout(timer);
				resolve({ proc, base: m[1], log: () => err });
			}
		});
		proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${err}`)); });
	});
}

// Stops the server with SIGINT (SIGKILL after 20 s); resolves to its exit code.
export function stopServer(server) {
	return new Promise((resolve) => {
		if (server.proc.exitCode !== null) return resolve(server.proc.exitCode);
		server.proc.removeAllListeners('exit');
		const timer = setTimeout(() => server.proc.kill('SIGKILL'), 20000);
		server.proc.on('exit', (code) => { clearTimeout(timer); resolve(code); });
		server.proc.kill('SIGINT');
	});
}

// A page that records its console errors and uncaught exceptions.  The browser logs
// every answer >= 400 as "Failed to load resource"; those matching `allowed` (by default
// 401: /me of a visitor who is not logged in) are expected, anything else (a 404 for a
// missing script, a CSP violation, an exception, a refused request) is a problem unless
// a test widens page.allowed.
export async function openPage(context, allowed = /Failed to load resource: the server responded with a status of 401/) {
	const page = await context.newPage();
	page.setDefaultTimeout(10000);
	page.problems = [];
	page.allowed = allowed;
	page.on('console', (msg) => {
		if (msg.type() !== 'error') return;
		if (page.allowed.test(msg.text())) return;
		page.problems.push(msg.text());
	});
	page.on('pageerror', (error) => page.problems.push(error.message));
	return page;
}

export function noProblems(page) {
	assert(page.problems.length === 0, 'console errors: ' + page.problems.join(' | '));
}

// Logs in on login.html and waits for the account page to say so.
export async function logIn(page, base, name, password) {
	await page.goto(base + '/login.html');
	await page.getByLabel('用户名').first().fill(name);
	await page.getByLabel('密码', { exact: true }).fill(password);
	await page.getByRole('button', { name: '登录', exact: true }).click();
	await page.waitForURL(base + '/me.html');
	await page.getByRole('status').filter({ hasText: '已登录' }).waitFor();
}

// The page is no wider than the screen.
export async function fits(page) {
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert(overflow <= 0, `page wider than the screen by ${overflow}px`);
}

// Stops the server and judges its exit: a non-zero status or a sanitizer report is a
// failure.  Prints the verdict's line; resolves to true when it passed.
export async function stopServerClean(server) {
	const code = await stopServer(server);
	const log = server.log();
	if (code !== 0 || /AddressSanitizer|LeakSanitizer|runtime error:/.test(log)) {
		console.log(`FAIL server shutdown: exit ${code}\n${log.slice(-2000)}`);
		return false;
	}
	console.log('ok   server shutdown');
	return true;
}

// The page's accessibility problems that axe-core (from npm) rates serious or critical,
// one line each ("rule: help (n elements)").  axe is evaluated through the DevTools
// protocol, which the page's Content-Security-Policy does not govern.
let axeSource = null;
export async function accessibilityProblems(page) {
	if (!axeSource) {
		const { readFileSync } = await import('node:fs');
		const { createRequire } = await import('node:module');
		axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
	}
	await page.evaluate(axeSource);
	const violations = await page.evaluate(async () => (await window.axe.run(document, {
		resultTypes: ['violations'],
	})).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`));
	return violations;
}
