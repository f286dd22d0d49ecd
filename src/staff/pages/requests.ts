import { MEETING_PLATFORM_NAMES } from '../../common/meeting';
import type { OneToOneRequest, RequestEvent } from '../../domain/requests';
import { html, type SafeHtml } from '../html';
import { age, csrfField, when } from '../layout';

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

/** The queue (also the live fragment): open requests, oldest first. */
export function requestList(requests: OneToOneRequest[], csrf: string, tz: string): SafeHtml {
  if (!requests.length) return html`<p>No open requests.</p>`;
  return html`<p class="meta">${requests.length} open, oldest first.</p>
    <ol class="list">
      ${requests.map(
        (r) =>
          html`<li class="card" data-request-id="${r.id}">
            <h2>
              <a href="/staff/requests/${r.id}">${r.memberName}</a>
              <span class="badge ${STATUS_CLASS[r.status]}">${r.status}</span>
            </h2>
            ${facts(r, tz)}
            <div class="toolbar">
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
            </div>
          </li>`,
      )}
    </ol>`;
}

export function requestsBody(requests: OneToOneRequest[], csrf: string, tz: string): SafeHtml {
  return html`<h1>One-to-one requests</h1>
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
  opts: { today: string; error?: string; optedOut?: boolean },
): SafeHtml {
  const open = r.status === 'new' || r.status === 'claimed' || r.status === 'scheduled';
  const [w1, w2] = r.workersAssigned;
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
            <form method="post" action="/staff/requests/${r.id}/schedule" class="card" aria-labelledby="schedule-h">
              ${csrfField(csrf)}
              <div class="inline-fields form-grid">
                <div class="field">
                  <label for="s-date">Date</label
                  ><input
                    id="s-date"
                    name="date"
                    type="date"
                    min="${opts.today}"
                    required
                    value="${r.session ? localDate(r.session.at, tz) : ''}"
                  />
                </div>
                <div class="field">
                  <label for="s-time">Time <span class="hint">${tz} time</span></label
                  ><input
                    id="s-time"
                    name="time"
                    type="time"
                    required
                    value="${r.session ? localTime(r.session.at, tz) : ''}"
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
                  value="${r.session?.place ?? ''}"
                />
              </div>
              <div class="inline-fields form-grid">
                <div class="field">
                  <label for="s-w1">Youth worker</label
                  ><input id="s-w1" name="worker1" type="text" maxlength="60" required value="${w1 ?? ''}" />
                </div>
                <div class="field">
                  <label for="s-w2">Second youth worker <span class="hint">optional</span></label
                  ><input id="s-w2" name="worker2" type="text" maxlength="60" value="${w2 ?? ''}" />
                </div>
              </div>
              <p>
                <button type="submit">
                  ${r.session ? 'Move the session and tell them' : 'Schedule and tell them'}
                </button>
              </p>
            </form>
            <h2 id="assign-h">Assign workers only</h2>
            <form method="post" action="/staff/requests/${r.id}/assign" class="card" aria-labelledby="assign-h">
              ${csrfField(csrf)}
              <div class="form-grid">
                <div class="field">
                  <label for="a-w1">Youth worker</label
                  ><input id="a-w1" name="worker1" type="text" maxlength="60" required value="${w1 ?? ''}" />
                </div>
                <div class="field">
                  <label for="a-w2">Second youth worker <span class="hint">optional</span></label
                  ><input id="a-w2" name="worker2" type="text" maxlength="60" value="${w2 ?? ''}" />
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
