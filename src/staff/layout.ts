import type { StaffAccount } from './accounts';
import { html, raw, type SafeHtml } from './html';
import { AREA_TITLES, areasFor, type StaffArea } from './roles';

/** What every page needs to draw its frame. */
export interface PageFrame {
  title: string;
  /** The signed-in account (absent on the sign-in and setup pages). */
  account?: StaffAccount;
  /** The current area, highlighted in the menu. */
  area?: StaffArea;
  /** The session's form token, for the sign-out button. */
  csrf?: string;
}

/** One complete HTML document: skip link, header with menu and sign-out, main content. */
export function page(frame: PageFrame, body: SafeHtml): string {
  const nav = frame.account
    ? html`<nav aria-label="Dashboard">
          <ul>
            ${areasFor(frame.account.role).map(
              (a) =>
                html`<li>
                  <a href="/staff/${a}" ${a === frame.area ? raw(' aria-current="page"') : ''}>${AREA_TITLES[a]}</a>
                </li>`,
            )}
          </ul>
        </nav>
        <form method="post" action="/staff/logout" class="signout">
          <input type="hidden" name="_csrf" value="${frame.csrf ?? ''}" />
          <span class="who">${frame.account.name} · ${frame.account.role}</span>
          <button type="submit" class="link">Sign out</button>
        </form>`
    : '';
  return html`<!doctype html>
    <html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>${frame.title} · Haven staff</title>
        <link rel="stylesheet" href="/staff/assets/staff.css" />
        <script src="/staff/assets/staff.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to main content</a>
        <header class="top">
          <p class="brand"><a href="/staff">Haven staff</a></p>
          ${nav}
        </header>
        <main id="main" tabindex="-1">${body}</main>
      </body>
    </html>`.value;
}

/** A short message page (forbidden, not found, link expired...). */
export function messagePage(frame: PageFrame, heading: string, text: string): string {
  return page(
    frame,
    html`<h1>${heading}</h1>
      <p>${text}</p>`,
  );
}

/** "3 min ago", "2 h ago", "4 days ago". */
export function age(from: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - from) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** "Mon 3 Mar 2025, 14:05" in the charity's time zone. */
export function when(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(new Date(ms));
}

/** "3 Mar 2025" in the charity's time zone. */
export function day(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(
    new Date(ms),
  );
}

/** The hidden form field carrying the session's CSRF token. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}
