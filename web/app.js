// Zonegate's pages: one page application over the server's own API (the
// same routes and tokens integrators use, docs/api.md), so the pages can
// show nothing a token could not read.
//
// The token is kept in sessionStorage (gone when the tab closes). Each role
// sees only its pages: the zone's roles the dashboard and the officers'
// queue, an enterprise its declarations and its book.

import { api, session, signOut } from './api.js';
import { dashboard } from './dashboard.js';
import { queue, declaration } from './workbench.js';
import { declareForm, book, upload } from './portal.js';
import { declarations } from './declarations.js';
import { element, clear } from './dom.js';

const ZONE_WIDE = ['officer', 'auditor', 'admin'];

// Pages by route, with the roles that may open them.
const pages = {
  dashboard: { roles: ZONE_WIDE, title: 'Dashboard', show: dashboard },
  queue: { roles: ZONE_WIDE, title: 'Queue', show: queue },
  declarations: { roles: [...ZONE_WIDE, 'enterprise'], title: 'Declarations', show: declarations },
  declaration: { roles: [...ZONE_WIDE, 'enterprise'], show: declaration },
  declare: { roles: ['enterprise', 'officer', 'admin'], title: 'Declare', show: declareForm },
  upload: { roles: ['enterprise', 'officer', 'admin'], title: 'Upload', show: upload },
  book: { roles: ['enterprise', ...ZONE_WIDE], title: 'Account book', show: book },
};

function home(role) {
  if (role === 'enterprise') return '#/book';
  if (role === 'officer') return '#/queue';
  if (ZONE_WIDE.includes(role)) return '#/dashboard';
  return '#/login';
}

function showNav(me, current) {
  const nav = document.getElementById('nav');
  clear(nav);
  for (const [name, page] of Object.entries(pages)) {
    if (!page.title || !page.roles.includes(me.role)) continue;
    nav.append(element('a', { href: `#/${name}`, class: name === current ? 'here' : '' }, page.title));
  }
  const who = document.getElementById('who');
  clear(who);
  who.append(me.role + (me.uscc ? ` ${me.uscc}` : '') + ' · ',
             element('a', { href: '#/logout', id: 'logout' }, 'log out'));
}

function loginPage(main, message) {
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').replaceChildren();
  const input = element('input', { name: 'token', type: 'password', autocomplete: 'off', size: 60 });
  const error = element('span', { class: 'error', id: 'login-error' }, message || '');
  const form = element('form', { id: 'login' },
    element('h1', {}, 'Log in with your token'),
    element('p', { class: 'muted' },
      'Tokens come from your zone administrator (zonegate token create, or the demo\'s printout).'),
    element('label', {}, 'Token', input, error),
    element('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const answer = await api('/v1/me', { token: input.value.trim() });
    if (!answer.ok) {
      error.textContent = answer.problem.detail || 'this token is not accepted';
      input.classList.add('bad');
      return;
    }
    session.save(input.value.trim(), answer.body);
    location.hash = home(answer.body.role);
    route();
  });
  main.append(form);
  input.focus();
}

export async function route() {
  const main = document.getElementById('main');
  clear(main);
  // "#/declaration/HQ…" or "#/declarations?lane=red": the page, its
  // path's parts, and (read by the page) its query.
  const [path] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  if (name === 'logout') {
    signOut();
    location.hash = '#/login';
    return loginPage(main);
  }
  const me = session.me();
  if (!me || name === 'login') return loginPage(main);
  const page = pages[name];
  if (!page) {
    location.hash = home(me.role);
    return;
  }
  showNav(me, name);
  if (!page.roles.includes(me.role)) {
    main.append(element('p', { class: 'error', id: 'forbidden' },
      `A ${me.role} token cannot open this page.`));
    return;
  }
  try {
    await page.show(main, me, rest.map(decodeURIComponent));
  } catch (e) {
    main.append(element('p', { class: 'error' }, String(e.message || e)));
  }
}

// A token that stopped working (expired, revoked) sends back to the login.
addEventListener('zonegate-unauthorized', () => {
  signOut();
  location.hash = '#/login';
  loginPage(document.getElementById('main'), 'Your token is no longer accepted: log in again.');
});
addEventListener('hashchange', route);
route();
