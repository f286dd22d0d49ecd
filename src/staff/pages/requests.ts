import { MEETING_PLATFORM_NAMES } from '../../common/meeting';
import type { OneToOneRequest, RequestEvent } from '../../domain/requests';
import { html, raw, type SafeHtml } from '../html';
import { age, csrfField, day, when } from '../layout';
import type { StaffAccount } from '../accounts';

const WORKERS: Record<OneToOneRequest['workers'], string> = {
  one: 'one youth worker',
  two: 'two youth workers',
  no_preference: 'no preference',
};

const STATUS_CLASS: Record<OneToOneRequest['status'], string> = {
  new: 'open',
  claimed: 'high',
  scheduled: 'ok',
  done: 'medium',
  cancelled: 'medium',
};

function facts(r: OneToOneRequest, tz: string): SafeHtml {
  return html`<dl class="facts">
    <dt>Asked</dt>
    <dd>${age(r.createdAt)} (${when(r.createdAt, tz)})</dd>
    <dt>How to meet</dt>
    <dd>${MEETING_PLATFORM_NAMES[r.platform] ?? r.platform}</dd>
    <dt>When suits</dt>
    <dd>${r.when}</dd>
    <dt>Workers</dt>
    <dd>${WORKERS[r.workers] ?? r.workers}${r.askedFor ? html`; asked for ${r.askedFor}` : ''}</dd>
    ${
      r.note
        ? html`<dt>Their note</dt>
            <dd class="quote">${r.note}</dd>`
        : ''
    }
    <dt>Channel</dt>
    <dd>${r.channel}</dd>
    ${
      r.claimedBy
        ? html`<dt>Claimed by</dt>
            <dd>${r.claimedBy}</dd>`
        : ''
    }
    ${
      r.workersAssigned.length
        ? html`<dt>Assigned</dt>
            <dd>${r.workersAssigned.join(' and ')}</dd>`
        : ''
    }
    ${
      r.session
        ? html`<dt>Session</dt>
            <dd>${when(r.session.at, tz)}, ${r.session.place}</dd>`
        : ''
    }
  </dl>`;
}

/** One request in a list: who it is from (linking to it), its status and facts, then any `actions`. */
function requestCard(r: OneToOneRequest, tz: string, actions: SafeHtml | '' = ''): SafeHtml {
  return html`<li class="card" data-request-id="${r.id}">
    <h2>
      <a href="/staff/requests/${r.id}">${r.memberName}</a>
      <span class="badge ${STATUS_CLASS[r.status]}">${r.status}</span>
    </h2>
    ${facts(r, tz)} ${actions}
  </li>`;
}

/** The queue (also the live fragment): open requests, oldest first. */
export function requestList(requests: OneToOneRequest[], csrf: string, tz: string): SafeHtml {
  if (!requests.length) return html`<p>No open requests.</p>`;
  return html`<p class="meta">${requests.length} open, oldest first.</p>
    <ol class="list">
      ${requests.map((r) =>
        requestCard(
          r,
          tz,
          html`<div class="toolbar">
            ${
              r.status === 'new'
                ? html`<form method="post" action="/staff/requests/${r.id}/claim">
                    ${csrfField(csrf)}<button type="submit">
                      Claim<span class="sr"> request from ${r.memberName}</span>
                    </button>
                  </form>`
                : ''
            }
            <a href="/staff/requests/${r.id}">Arrange, message or close<span class="sr"> (${r.memberName})</span></a>
          </div>`,
        ),
      )}
    </ol>`;
}

/** Links between the open queue, a worker's own sessions and the history. */
export function requestsNav(current: 'open' | 'mine' | 'history'): SafeHtml {
  const link = (to: string, key: typeof current, text: string) =>
    key === current ? html`<strong aria-current="page">${text}</strong>` : html`<a href="${to}">${text}</a>`;
  return html`<nav class="subnav" aria-label="Requests">
    ${link('/staff/requests', 'open', 'Open requests')} ${link('/staff/requests/mine', 'mine', 'My sessions')}
    ${link('/staff/requests/history', 'history', 'History')}
  </nav>`;
}

export function requestsBody(requests: OneToOneRequest[], csrf: string, tz: string): SafeHtml {
  return html`<h1>One-to-one requests</h1>
    ${requestsNav('open')}
    <p id="live-status" role="status" aria-live="polite" class="meta"></p>
    <div id="requests" data-live="/staff/api/requests/events" data-refresh="/staff/fragments/requests">
      ${requestList(requests, csrf, tz)}
    </div>`;
}

const EVENT_WORDS: Record<RequestEvent['event'], string> = {
  created: 'Asked',
  changed: 'Changed their answers',
  claimed: 'Claimed',
  assigned: 'Workers assigned',
  scheduled: 'Scheduled',
  rescheduled: 'Moved',
  messaged: 'Message sent',
  closed: 'Closed',
  reminded: 'Reminder sent',
  not_delivered: 'Not delivered',
};

/** One request with everything staff can do to it. */
export function requestDetail(
  r: OneToOneRequest,
  history: RequestEvent[],
  csrf: string,
  tz: string,
  opts: {
    today: string;
    error?: string;
    optedOut?: boolean;
    /** Staff accounts a session can name. */
    workers?: StaffAccount[];
    /** Why the chosen time may not suit: shown with "Schedule anyway". */
    warnings?: string[];
    /** What was typed into the schedule form, shown again with the warnings. */
    draft?: Record<string, string>;
  },
): SafeHtml {
  const open = r.status === 'new' || r.status === 'claimed' || r.status === 'scheduled';
  const draft = opts.draft;
  // The current workers as choices: their account ids, or the names typed on the command line.
  const currentChoice = (i: number) => {
    const id = r.workerIds?.[i];
    const name = r.workersAssigned[i];
    return id ?? (name ? `name:${name}` : '');
  };
  const w1 = draft?.worker1 ?? currentChoice(0);
  const w2 = draft?.worker2 ?? currentChoice(1);
  const select = (id: string, name: string, selected: string, required: boolean) => {
    const accounts = opts.workers ?? [];
    const legacy = r.workersAssigned.filter((n, i) => !r.workerIds?.[i] && n);
    return html`<select id="${id}" name="${name}" ${required ? raw('required') : ''}>
      <option value="">${required ? 'Choose a youth worker' : 'None'}</option>
      ${accounts.map(
        (a) => html`<option value="${a.id}" ${a.id === selected ? raw('selected') : ''}>${a.name} (${a.role})</option>`,
      )}
      ${legacy.map(
        (n) =>
          html`<option value="name:${n}" ${`name:${n}` === selected ? raw('selected') : ''}>${n} (no account)</option>`,
      )}
    </select>`;
  };
  return html`<p><a href="/staff/requests">← All requests</a></p>
    <h1>${r.memberName}: one-to-one <span class="badge ${STATUS_CLASS[r.status]}">${r.status}</span></h1>
    ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
    ${
      opts.optedOut
        ? html`<p class="notice" role="status">
            ${r.memberName} said "stop": Haven sends them no reminders. Messages you send here, and the session's
            confirmation, still go.
          </p>`
        : ''
    }
    <div class="card">
      ${facts(r, tz)}
      ${r.status === 'new' ? html`<form method="post" action="/staff/requests/${r.id}/claim" class="inline">${csrfField(csrf)}<button type="submit">Claim</button></form>` : ''}
    </div>
    ${
      open
        ? html`<h2 id="schedule-h">Arrange the session</h2>
            ${
              opts.warnings?.length
                ? html`<div class="warning" role="alert" id="schedule-warnings">
                    <p>Check this time before ${r.memberName} is told:</p>
                    <ul>
                      ${opts.warnings.map((w) => html`<li>${w}</li>`)}
                    </ul>
                    <p>Change it below, or press "Schedule anyway".</p>
                  </div>`
                : ''
            }
            <form method="post" action="/staff/requests/${r.id}/schedule" class="card" aria-labelledby="schedule-h">
              ${csrfField(csrf)}
              ${opts.warnings?.length ? html`<input type="hidden" name="confirm" value="yes" />` : ''}
              <div class="inline-fields form-grid">
                <div class="field">
                  <label for="s-date">Date</label
                  ><input
                    id="s-date"
                    name="date"
                    type="date"
                    min="${opts.today}"
                    required
                    value="${draft?.date ?? (r.session ? localDate(r.session.at, tz) : '')}"
                  />
                </div>
                <div class="field">
                  <label for="s-time">Time <span class="hint">${tz} time</span></label
                  ><input
                    id="s-time"
                    name="time"
                    type="time"
                    required
                    value="${draft?.time ?? (r.session ? localTime(r.session.at, tz) : '')}"
                  />
                </div>
              </div>
              <div class="field">
                <label for="s-place"
                  >Where <span class="hint">A Zoom or Teams link, or e.g. "we'll call you on WhatsApp"</span></label
                >
                <input
                  id="s-place"
                  name="place"
                  type="text"
                  maxlength="500"
                  required
                  value="${draft?.place ?? r.session?.place ?? ''}"
                />
              </div>
              <div class="inline-fields form-grid">
                <div class="field"><label for="s-w1">Youth worker</label>${select('s-w1', 'worker1', w1, true)}</div>
                <div class="field">
                  <label for="s-w2">Second youth worker <span class="hint">optional</span></label
                  >${select('s-w2', 'worker2', w2, false)}
                </div>
              </div>
              <p>
                <button type="submit">
                  ${
                    opts.warnings?.length
                      ? 'Schedule anyway'
                      : r.session
                        ? 'Move the session and tell them'
                        : 'Schedule and tell them'
                  }
                </button>
              </p>
            </form>
            <h2 id="assign-h">Assign workers only</h2>
            <form method="post" action="/staff/requests/${r.id}/assign" class="card" aria-labelledby="assign-h">
              ${csrfField(csrf)}
              <div class="form-grid">
                <div class="field">
                  <label for="a-w1">Youth worker</label>${select('a-w1', 'worker1', currentChoice(0), true)}
                </div>
                <div class="field">
                  <label for="a-w2">Second youth worker <span class="hint">optional</span></label
                  >${select('a-w2', 'worker2', currentChoice(1), false)}
                </div>
              </div>
              <button type="submit" class="secondary">Assign</button>
            </form>`
        : ''
    }
    <h2 id="message-h">Message ${r.memberName}</h2>
    <form method="post" action="/staff/requests/${r.id}/message" class="card stack wide" aria-labelledby="message-h">
      ${csrfField(csrf)}
      <div>
        <label for="m-text">Message <span class="hint">Sent on ${r.channel} as coming from you.</span></label>
        <textarea id="m-text" name="text" maxlength="2000" required></textarea>
      </div>
      <div><button type="submit">Send</button></div>
    </form>
    ${
      open
        ? html`<h2 id="close-h">Close the request</h2>
            <form method="post" action="/staff/requests/${r.id}/close" class="card" aria-labelledby="close-h">
              ${csrfField(csrf)}
              <fieldset>
                <legend>Outcome</legend>
                <label><input type="radio" name="outcome" value="done" checked /> Done: the session happened</label>
                <label><input type="radio" name="outcome" value="cancelled" /> Cancelled (they are told kindly)</label>
              </fieldset>
              <div class="field">
                <label for="c-reason"
                  >Reason, if cancelled
                  <span class="hint"
                    >Sent to ${r.memberName} in your words, e.g. "Terry is off sick this week".</span
                  ></label
                >
                <textarea id="c-reason" name="reason" maxlength="500"></textarea>
              </div>
              <p><button type="submit" class="danger">Close</button></p>
            </form>`
        : ''
    }
    <h2>History</h2>
    <ol class="history">
      ${history.map(
        (e) =>
          html`<li>
            <strong>${EVENT_WORDS[e.event] ?? e.event}</strong> · ${when(e.at, tz)} ·
            ${e.by}${e.detail ? html`<div class="quote">${e.detail}</div>` : ''}
          </li>`,
      )}
    </ol>`;
}

/** `2026-12-04` for an instant, in the charity's time zone (for a date input). */
export function localDate(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** `16:30` for an instant, in the charity's time zone (for a time input). */
export function localTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    at,
  );
}

/** A worker's own sessions: open requests they are named on, soonest session first. */
export function mineBody(requests: OneToOneRequest[], tz: string): SafeHtml {
  return html`<h1>My sessions</h1>
    ${requestsNav('mine')}
    ${
      requests.length
        ? html`<ol class="list">
            ${requests.map((r) => requestCard(r, tz))}
          </ol>`
        : html`<p>No open one-to-ones have you as a youth worker.</p>`
    }`;
}

/** Closed (and, when asked, all) requests with filters: status, member, date. */
export function historyBody(
  requests: OneToOneRequest[],
  q: { status: string; member: string; from?: string; to?: string },
  tz: string,
): SafeHtml {
  const opt = (v: string, t: string) =>
    html`<option value="${v}" ${q.status === v ? raw('selected') : ''}>${t}</option>`;
  return html`<h1>Request history</h1>
    ${requestsNav('history')}
    <form method="get" action="/staff/requests/history" class="card filters" role="search" aria-label="Filter requests">
      <div class="field">
        <label for="h-status">Status</label>
        <select id="h-status" name="status">
          ${opt('closed', 'Closed (done or cancelled)')} ${opt('done', 'Done')} ${opt('cancelled', 'Cancelled')}
          ${opt('all', 'All, open too')}
        </select>
      </div>
      <div class="field">
        <label for="h-member">Member <span class="hint">Part of the name</span></label>
        <input id="h-member" name="member" type="text" maxlength="80" value="${q.member}" />
      </div>
      <div class="field">
        <label for="h-from">From</label><input id="h-from" name="from" type="date" value="${q.from ?? ''}" />
      </div>
      <div class="field">
        <label for="h-to">To</label><input id="h-to" name="to" type="date" value="${q.to ?? ''}" />
      </div>
      <div><button type="submit">Show</button></div>
    </form>
    <p class="meta" role="status">
      ${requests.length}
      request${requests.length === 1 ? '' : 's'}${requests.length === 500 ? ' (the newest 500)' : ''}, newest first.
      Dates are when a request was closed (or asked, if still open). Closed requests are kept for the retention period,
      then deleted.
    </p>
    ${
      requests.length
        ? html`<div class="table-wrap">
            <table class="history-table">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Status</th>
                  <th scope="col">Asked</th>
                  <th scope="col">Closed</th>
                  <th scope="col">Youth workers</th>
                </tr>
              </thead>
              <tbody>
                ${requests.map(
                  (r) =>
                    html`<tr data-request-id="${r.id}">
                      <td><a href="/staff/requests/${r.id}">${r.memberName}</a></td>
                      <td><span class="badge ${STATUS_CLASS[r.status]}">${r.status}</span></td>
                      <td>${day(r.createdAt, tz)}</td>
                      <td>${r.closedAt ? day(r.closedAt, tz) : ''}</td>
                      <td>${r.workersAssigned.join(', ')}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : ''
    }`;
}
