import { agesText } from '../../domain/groups/texts';
import type { GroupPlace, GroupSession } from '../../domain/groups';
import type { StaffAccount } from '../accounts';
import { html, type SafeHtml } from '../html';
import { csrfField, when } from '../layout';
import { localDate, localTime } from './requests';

/** The values a session form shows (a new session, an edit, or what was typed when refused). */
export interface GroupFormValues {
  title: string;
  description: string;
  date: string;
  time: string;
  minutes: string;
  link: string;
  capacity: string;
  ageMin: string;
  ageMax: string;
  workers: string[];
  firstSession?: boolean;
}

/** A session's form values. */
export function formValues(s: GroupSession, tz: string): GroupFormValues {
  return {
    title: s.title,
    description: s.description,
    date: localDate(s.at, tz),
    time: localTime(s.at, tz),
    minutes: String(s.minutes),
    link: s.link,
    capacity: String(s.capacity),
    ageMin: s.ageMin ? String(s.ageMin) : '',
    ageMax: s.ageMax ? String(s.ageMax) : '',
    workers: s.workers.map((w) => w.id),
    firstSession: s.firstSession,
  };
}

export const EMPTY_FORM: GroupFormValues = {
  title: '',
  description: '',
  date: '',
  time: '',
  minutes: '60',
  link: '',
  capacity: '8',
  ageMin: '',
  ageMax: '',
  workers: [],
};

function status(s: GroupSession, now: number): SafeHtml {
  if (s.status === 'cancelled') return html`<span class="badge medium">cancelled</span>`;
  if (s.at + s.minutes * 60_000 < now) return html`<span class="badge medium">finished</span>`;
  return html`<span class="badge ok">on</span>`;
}

/** The list of sessions: coming up first (soonest first), then past and cancelled ones. */
export function groupsBody(
  sessions: { session: GroupSession; booked: number; waiting: number }[],
  opts: { canManage: boolean; now: number; tz: string },
): SafeHtml {
  const upcoming = sessions
    .filter((x) => x.session.status === 'scheduled' && x.session.at + x.session.minutes * 60_000 >= opts.now)
    .sort((a, b) => a.session.at - b.session.at);
  const rest = sessions.filter((x) => !upcoming.includes(x)).sort((a, b) => b.session.at - a.session.at);
  const card = ({ session: s, booked, waiting }: (typeof sessions)[number]) =>
    html`<li class="card" data-group-id="${s.id}">
      <h2><a href="/staff/groups/${s.id}">${s.title}</a> ${status(s, opts.now)}</h2>
      <p class="meta">
        ${when(s.at, opts.tz)} · ${s.minutes} min · led by ${s.workers.map((w) => w.name).join(' and ')}
      </p>
      <p>${booked} of ${s.capacity} places taken${waiting ? html` · ${waiting} on the waiting list` : ''}</p>
    </li>`;
  return html`<h1>Peer support groups</h1>
    <p class="meta">
      Group sessions on Zoom, each led by at least two youth workers. Only members (with a parent's or carer's consent)
      can sign up, in the chat: they send "groups".
    </p>
    ${opts.canManage ? html`<p><a class="button" href="/staff/groups/new">New session</a></p>` : ''}
    <h2>Coming up</h2>
    ${
      upcoming.length
        ? html`<ol class="list">
            ${upcoming.map(card)}
          </ol>`
        : html`<p>No sessions coming up.</p>`
    }
    ${
      rest.length
        ? html`<h2>Past and cancelled</h2>
            <ol class="list">
              ${rest.map(card)}
            </ol>`
        : ''
    }`;
}

/** The create / edit form. Workers are chosen from staff accounts; at least two are needed. */
export function groupForm(
  v: GroupFormValues,
  opts: {
    action: string;
    submit: string;
    csrf: string;
    staff: StaffAccount[];
    tz: string;
    today: string;
    editing: boolean;
  },
): SafeHtml {
  const staff = opts.staff.filter((a) => !a.disabled);
  return html`<form method="post" action="${opts.action}" class="card" aria-labelledby="group-form-h">
    ${csrfField(opts.csrf)}
    <div class="field">
      <label for="g-title">Title <span class="hint">Young people see this, e.g. "Young carers' chat"</span></label>
      <input id="g-title" name="title" type="text" maxlength="80" required value="${v.title}" />
    </div>
    <div class="field">
      <label for="g-desc">Description <span class="hint">A few plain words for young people (optional)</span></label>
      <textarea id="g-desc" name="description" maxlength="600">${v.description}</textarea>
    </div>
    <div class="form-grid">
      <div class="field">
        <label for="g-date">Date</label>
        <input id="g-date" name="date" type="date" min="${opts.today}" required value="${v.date}" />
      </div>
      <div class="field">
        <label for="g-time">Start time <span class="hint">${opts.tz} time</span></label>
        <input id="g-time" name="time" type="time" required value="${v.time}" />
      </div>
      <div class="field">
        <label for="g-minutes">Length in minutes</label>
        <input
          id="g-minutes"
          name="minutes"
          type="text"
          inputmode="numeric"
          pattern="[0-9]+"
          required
          value="${v.minutes}"
        />
      </div>
    </div>
    <div class="field">
      <label for="g-link"
        >Zoom link
        <span class="hint"
          >Any https:// meeting link. Sent to those booked shortly before the start, never days ahead.</span
        ></label
      >
      <input id="g-link" name="link" type="url" maxlength="500" required value="${v.link}" />
    </div>
    <div class="form-grid">
      <div class="field">
        <label for="g-capacity">Places <span class="hint">The most young people invited</span></label>
        <input
          id="g-capacity"
          name="capacity"
          type="text"
          inputmode="numeric"
          pattern="[0-9]+"
          required
          value="${v.capacity}"
        />
      </div>
      <div class="field">
        <label for="g-agemin">Youngest age <span class="hint">optional</span></label>
        <input id="g-agemin" name="ageMin" type="text" inputmode="numeric" pattern="[0-9]*" value="${v.ageMin}" />
      </div>
      <div class="field">
        <label for="g-agemax">Oldest age <span class="hint">optional</span></label>
        <input id="g-agemax" name="ageMax" type="text" inputmode="numeric" pattern="[0-9]*" value="${v.ageMax}" />
      </div>
    </div>
    <fieldset>
      <legend>
        Youth workers leading it
        <span class="hint">At least two: no young person is ever online with only one adult.</span>
      </legend>
      ${
        staff.length
          ? staff.map(
              (a) =>
                html`<label class="check"
                  ><input type="checkbox" name="workers" value="${a.id}" ${v.workers.includes(a.id) ? 'checked' : ''} />
                  ${a.name} <span class="hint">${a.role}</span></label
                >`,
            )
          : html`<p>No staff accounts yet.</p>`
      }
    </fieldset>
    ${
      opts.editing
        ? html`<label class="check"
            ><input type="checkbox" name="firstSession" value="yes" ${v.firstSession ? 'checked' : ''} /> This is the
            group's first session (young people are told ground rules are set together)</label
          >`
        : ''
    }
    <p><button type="submit">${opts.submit}</button></p>
  </form>`;
}

function placeRow(p: GroupPlace, i: number, id: string, csrf: string, started: boolean): SafeHtml {
  return html`<li class="card" data-member-id="${p.memberId}">
    <h3>${i + 1}. ${p.name}</h3>
    ${p.notDelivered ? html`<p class="notice">Not delivered: ${p.notDelivered}</p>` : ''}
    ${
      started && p.status === 'booked'
        ? html`<form method="post" action="/staff/groups/${id}/attendance" class="inline">
            ${csrfField(csrf)}<input type="hidden" name="memberId" value="${p.memberId}" />
            <span>Came? <strong>${p.attended === undefined ? 'not marked' : p.attended ? 'yes' : 'no'}</strong></span>
            <button type="submit" name="attended" value="yes" class="secondary">
              Came<span class="sr"> (${p.name})</span>
            </button>
            <button type="submit" name="attended" value="no" class="secondary">
              Didn't come<span class="sr"> (${p.name})</span>
            </button>
          </form>`
        : ''
    }
    <details>
      <summary>Message ${p.name}</summary>
      <form method="post" action="/staff/groups/${id}/message" class="stack wide">
        ${csrfField(csrf)}<input type="hidden" name="memberId" value="${p.memberId}" />
        <label for="m-${p.memberId}">Message <span class="hint">Sent in their chat as coming from you.</span></label>
        <textarea id="m-${p.memberId}" name="text" maxlength="2000" required></textarea>
        <div>
          <button type="submit">Send<span class="sr"> to ${p.name}</span></button>
        </div>
      </form>
    </details>
  </li>`;
}

/** One session: its facts, who signed up and the waiting list (first names only), and the staff actions. */
export function groupDetail(
  s: GroupSession,
  places: { booked: GroupPlace[]; waiting: GroupPlace[] },
  opts: {
    csrf: string;
    tz: string;
    now: number;
    canManage: boolean;
    form?: SafeHtml;
    error?: string;
    done?: string;
    linkMinutes: number;
  },
): SafeHtml {
  const started = s.at <= opts.now;
  const ages = agesText(s);
  return html`<p><a href="/staff/groups">← All groups</a></p>
    <h1>${s.title} ${status(s, opts.now)}</h1>
    ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
    ${opts.done ? html`<p class="notice" role="status">${opts.done}</p>` : ''}
    <div class="card">
      <dl class="facts">
        <dt>When</dt>
        <dd>${when(s.at, opts.tz)}, ${s.minutes} minutes</dd>
        <dt>Led by</dt>
        <dd>${s.workers.map((w) => w.name).join(' and ')}</dd>
        <dt>Places</dt>
        <dd>${places.booked.length} of ${s.capacity} taken${ages ? `, ${ages}` : ''}</dd>
        <dt>Link</dt>
        <dd>${s.link} <span class="hint">sent to those booked ${opts.linkMinutes} minutes before the start</span></dd>
        ${
          s.description
            ? html`<dt>Description</dt>
                <dd class="quote">${s.description}</dd>`
            : ''
        }
        ${
          s.updatedBy
            ? html`<dt>Last changed by</dt>
                <dd>${s.updatedBy}</dd>`
            : ''
        }
        ${
          s.firstSession
            ? html`<dt>First session</dt>
                <dd>Yes: ground rules are set together</dd>`
            : ''
        }
      </dl>
    </div>
    <h2 id="booked-h">Signed up (${places.booked.length})</h2>
    ${
      places.booked.length
        ? html`<ol class="list" aria-labelledby="booked-h" id="booked">
            ${places.booked.map((p, i) => placeRow(p, i, s.id, opts.csrf, started))}
          </ol>`
        : html`<p>Nobody has signed up yet.</p>`
    }
    <h2 id="waiting-h">Waiting list (${places.waiting.length})</h2>
    ${
      places.waiting.length
        ? html`<ol class="list" aria-labelledby="waiting-h" id="waiting">
            ${places.waiting.map((p, i) => placeRow(p, i, s.id, opts.csrf, false))}
          </ol>`
        : html`<p>Nobody is waiting.</p>`
    }
    ${
      opts.canManage && s.status === 'scheduled' && !started
        ? html`<h2 id="group-form-h">Edit or move</h2>
            <p class="meta">A new date or time moves the session: everyone signed up or waiting is told.</p>
            ${opts.form ?? ''}
            <h2 id="cancel-h">Cancel the session</h2>
            <form method="post" action="/staff/groups/${s.id}/cancel" class="card" aria-labelledby="cancel-h">
              ${csrfField(opts.csrf)}
              <label class="check"
                ><input type="checkbox" name="confirm" value="yes" required /> Cancel it and tell everyone signed up or
                waiting</label
              >
              <p><button type="submit" class="danger">Cancel the session</button></p>
            </form>`
        : ''
    }`;
}
