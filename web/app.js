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
import { declareForm, book } from './portal.js';
import { upload } from './upload.js';
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
  return '#/nothing';
}

// Goes to `hash`: the hashchange draws it, or (already there) route() does.
function go(hash) {
  if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
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

// Said on the next login page (a token that stopped working).
let loginMessage = '';

function loginPage(main) {
  const message = loginMessage;
  loginMessage = '';
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
    go(home(answer.body.role));
  });
  main.append(form);
  input.focus();
}

// Each drawing of a page gets a fresh container in <main>: a page still
// loading when the user moves on fills a container no longer shown, so
// late answers never mix into the next page.
export async function route() {
  const main = document.getElementById('main');
  const view = element('div', { class: 'view' });
  main.replaceChildren(view);
  // "#/declaration/HQ…" or "#/declarations?lane=red": the page, its
  // path's parts, and (read by the page) its query.
  const [path] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  if (name === 'logout') {
    signOut();
    go('#/login');
    return;
  }
  const me = session.me();
  if (!me || name === 'login') return loginPage(view);
  if (name === 'nothing') {
    showNav(me, name);
    view.append(element('p', { id: 'no-pages' },
      `A ${me.role} token has no pages: gate devices talk to the API (docs/api.md).`));
    return;
  }
  const page = pages[name];
  if (!page) {
    go(home(me.role));
    return;
  }
  showNav(me, name);
  if (!page.roles.includes(me.role)) {
    view.append(element('p', { class: 'error', id: 'forbidden' },
      `A ${me.role} token cannot open this page.`));
    return;
  }
  try {
    await page.show(view, me, rest.map(decodeURIComponent));
  } catch (e) {
    view.append(element('p', { class: 'error' }, String(e.message || e)));
  }
}

// A token that stopped working (expired, revoked) sends back to the login.
addEventListener('zonegate-unauthorized', () => {
  signOut();
  loginMessage = 'Your token is no longer accepted: log in again.';
  go('#/login');
});
addEventListener('hashchange', route);
route();
