import { canUse } from '../roles';
import {
  CHANNEL_NAMES,
  TOPIC_TITLES,
  type ChannelWindow,
  type InboxConversation,
  type InboxRow,
  type ThreadEntry,
} from '../../domain/conversations';
import type { StaffAccount } from '../accounts';
import { html, type SafeHtml } from '../html';
import { age, csrfField, when } from '../layout';

/** "12 min", "3 h": how long someone has waited. */
function waited(since: number, now: number): string {
  return age(since, now).replace(' ago', '');
}

function holderText(c: InboxConversation, viewer: StaffAccount): string {
  if (!c.holder) return 'Nobody has it yet (Haven is answering)';
  return c.holder.id === viewer.id ? 'You have it' : `${c.holder.name} has it`;
}

/** May this viewer take it now: nobody holds it, or the young person has waited too long. */
function canTake(c: InboxConversation, overdue: boolean, viewer: StaffAccount): boolean {
  return !c.holder || (c.holder.id !== viewer.id && overdue);
}

/** The list (also the live fragment): open conversations, newest activity first. No message text. */
export function conversationList(
  rows: InboxRow[],
  viewer: StaffAccount,
  csrf: string,
  tz: string,
  now = Date.now(),
): SafeHtml {
  if (!rows.length) return html`<p>No open conversations.</p>`;
  return html`<p class="meta">${rows.length} open, newest activity first.</p>
    <ol class="list">
      ${rows.map(({ conversation: c, unread, overdue }) => {
        const label = `${c.name}, ${TOPIC_TITLES[c.topic]}`;
        return html`<li class="card${overdue ? ' overdue' : ''}" data-conversation-id="${c.id}">
          <h2>
            <a href="/staff/conversations/${c.id}">${c.name}</a>
            <span class="badge medium">${TOPIC_TITLES[c.topic]}</span>
            ${unread ? html`<span class="badge open" data-unread="${unread}">${unread} new</span>` : ''}
            ${overdue ? html`<span class="badge high">Overdue</span>` : ''}
          </h2>
          <dl class="facts">
            <dt>Who has it</dt>
            <dd>${holderText(c, viewer)}</dd>
            <dt>Waiting</dt>
            <dd>
              ${c.waitingSince !== undefined ? html`${waited(c.waitingSince, now)} for a reply` : 'Not waiting for a reply'}
            </dd>
            <dt>Last activity</dt>
            <dd>${when(c.lastActivityAt, tz)}</dd>
            <dt>Channel</dt>
            <dd>${CHANNEL_NAMES[c.channel]}</dd>
          </dl>
          ${
            overdue && c.holder && c.holder.id !== viewer.id
              ? html`<p class="notice">
                  Waiting too long without an answer from ${c.holder.name}: anyone can take it.
                </p>`
              : ''
          }
          <div class="toolbar">
            ${
              canTake(c, overdue, viewer)
                ? html`<form method="post" action="/staff/conversations/${c.id}/take">
                    ${csrfField(csrf)}<button type="submit">Take it<span class="sr"> (${label})</span></button>
                  </form>`
                : ''
            }
            <a href="/staff/conversations/${c.id}">Open<span class="sr"> conversation with ${label}</span></a>
          </div>
        </li>`;
      })}
    </ol>`;
}

export function conversationsBody(rows: InboxRow[], viewer: StaffAccount, csrf: string, tz: string): SafeHtml {
  return html`<h1>Conversations</h1>
    <p class="meta">What young people wrote that needs a person. Names only: Haven never shows a phone number.</p>
    <div class="notify card" data-inbox-notify="/staff/api/conversations/events">
      <button type="button" id="notify-on" class="secondary" hidden>Turn on browser notifications</button>
      <label class="check"><input type="checkbox" id="notify-sound" /> Play a sound for a new message</label>
      <p id="notify-state" class="meta"></p>
    </div>
    <p id="live-status" role="status" aria-live="polite" class="meta"></p>
    <div id="conversations" data-live="/staff/api/conversations/events" data-refresh="/staff/fragments/conversations">
      ${conversationList(rows, viewer, csrf, tz)}
    </div>
    <script src="/staff/assets/conversations.js" defer></script>`;
}

const FROM: Record<ThreadEntry['from'], string> = {
  young_person: 'young',
  haven: 'haven',
  staff: 'staff',
  event: 'event',
};

function entryView(e: ThreadEntry, c: InboxConversation, tz: string): SafeHtml {
  const who =
    e.from === 'young_person'
      ? c.name
      : e.from === 'haven'
        ? 'Haven (chat helper)'
        : e.from === 'staff'
          ? `${e.by ?? 'Staff'} (youth worker)`
          : '';
  return html`<li class="line ${FROM[e.from]}" data-seq="${e.seq}" data-from="${e.from}">
    <p class="meta">
      ${who ? html`<strong>${who}</strong> · ` : ''}<time>${when(e.at, tz)}</time>
      ${
        e.delivery === 'not_delivered'
          ? html` · <span class="badge urgent" data-delivery="not_delivered">Not delivered</span>`
          : ''
      }
    </p>
    <div class="${e.from === 'event' ? 'meta' : 'quote'}">${e.text}</div>
    ${e.delivery === 'not_delivered' && e.reason ? html`<p class="error">Why: ${e.reason}</p>` : ''}
  </li>`;
}

/** The live part of a thread: facts, window, actions, the lines. */
export function threadView(
  c: InboxConversation,
  thread: ThreadEntry[],
  win: ChannelWindow,
  viewer: StaffAccount,
  staff: StaffAccount[],
  overdue: boolean,
  csrf: string,
  tz: string,
): SafeHtml {
  const open = c.status === 'open';
  return html`<div class="card">
      <dl class="facts">
        <dt>Channel</dt>
        <dd>${CHANNEL_NAMES[c.channel]}</dd>
        <dt>Who has it</dt>
        <dd data-holder="${c.holder?.name ?? ''}">${holderText(c, viewer)}</dd>
        <dt>Opened</dt>
        <dd>${when(c.openedAt, tz)}</dd>
        ${
          c.waitingSince !== undefined
            ? html`<dt>Waiting</dt>
                <dd>
                  since ${when(c.waitingSince, tz)}${overdue ? html` <span class="badge high">Overdue</span>` : ''}
                </dd>`
            : ''
        }
        ${
          c.alertIds.length
            ? html`<dt>Safety alerts</dt>
                <dd>
                  ${c.alertIds.length} linked (the safeguarding lead sees this
                  conversation)${
                    canUse(viewer.role, 'alerts')
                      ? html`:
                        ${c.alertIds.map((id, i) => html`${i ? ', ' : ''}<a href="/staff/alerts/${id}">alert ${i + 1}</a>`)}`
                      : ''
                  }
                </dd>`
            : ''
        }
        <dt>Status</dt>
        <dd>${open ? 'Open' : `Closed by ${c.closedBy ?? 'staff'}`}</dd>
      </dl>
      <p class="${win.canSend ? 'notice' : 'error'}" data-window="${win.mode}">${win.say}</p>
      ${
        open
          ? html`<div class="toolbar">
              ${
                canTake(c, overdue, viewer)
                  ? html`<form method="post" action="/staff/conversations/${c.id}/take">
                      ${csrfField(csrf)}<button type="submit">Assign to me</button>
                    </form>`
                  : ''
              }
              ${
                c.holder
                  ? html`<form method="post" action="/staff/conversations/${c.id}/handback">
                      ${csrfField(csrf)}<button type="submit" class="secondary">Hand back to Haven</button>
                    </form>`
                  : ''
              }
              <form method="post" action="/staff/conversations/${c.id}/assign">
                ${csrfField(csrf)}
                <label for="assign-to" class="sr">Give it to</label>
                <select id="assign-to" name="staffId" required>
                  ${staff.map((a) => html`<option value="${a.id}">${a.name} (${a.role})</option>`)}
                </select>
                <button type="submit" class="secondary">Assign</button>
              </form>
              <form method="post" action="/staff/conversations/${c.id}/close">
                ${csrfField(csrf)}<button type="submit" class="danger">Close</button>
              </form>
            </div>`
          : ''
      }
    </div>
    <h2>Thread</h2>
    <ol class="thread list" aria-label="Messages, oldest first">
      ${thread.map((e) => entryView(e, c, tz))}
    </ol>`;
}

/** One conversation: the live thread, then the reply box (outside the live part, so typing is never lost). */
export function conversationDetail(
  c: InboxConversation,
  live: SafeHtml,
  win: ChannelWindow,
  csrf: string,
  opts: { error?: string; draft?: string },
): SafeHtml {
  return html`<p><a href="/staff/conversations">← All conversations</a></p>
    <h1>${c.name}: <span class="badge medium">${TOPIC_TITLES[c.topic]}</span></h1>
    ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
    <p id="live-status" role="status" aria-live="polite" class="meta"></p>
    <div
      id="thread"
      data-live="/staff/api/conversations/${c.id}/events"
      data-refresh="/staff/fragments/conversations/${c.id}"
    >
      ${live}
    </div>
    ${
      c.status === 'open'
        ? html`<h2 id="reply-h">Reply to ${c.name}</h2>
            <form
              method="post"
              action="/staff/conversations/${c.id}/reply"
              class="card stack wide"
              aria-labelledby="reply-h"
            >
              ${csrfField(csrf)}
              <div>
                <label for="reply-text"
                  >Your message
                  <span class="hint"
                    >Sent on ${CHANNEL_NAMES[c.channel]} as written by you, headed with your name as on your staff
                    account. Haven goes quiet while you have the conversation.</span
                  ></label
                >
                <textarea id="reply-text" name="text" maxlength="2000" required ${win.canSend ? '' : 'disabled'}>
${opts.draft ?? ''}</textarea>
              </div>
              <div><button type="submit" ${win.canSend ? '' : 'disabled'}>Send</button></div>
            </form>`
        : ''
    }`;
}

/** Browser notifications and an optional sound for a new message (no message text in either). */
export const CONVERSATIONS_JS = `
(function () {
  'use strict';
  var box = document.querySelector('[data-inbox-notify]');
  if (!box || !window.EventSource) return;
  var btn = document.getElementById('notify-on');
  var sound = document.getElementById('notify-sound');
  var state = document.getElementById('notify-state');
  function perm() { return window.Notification ? Notification.permission : 'unsupported'; }
  function show() {
    var p = perm();
    btn.hidden = p !== 'default';
    state.textContent = p === 'granted' ? 'Browser notifications are on.' : p === 'denied' ? 'Browser notifications are blocked for this site.' : p === 'unsupported' ? 'This browser cannot show notifications.' : '';
  }
  btn.addEventListener('click', function () { Notification.requestPermission().then(show); });
  try { sound.checked = localStorage.getItem('haven.inbox.sound') === '1'; } catch (x) {}
  sound.addEventListener('change', function () { try { localStorage.setItem('haven.inbox.sound', sound.checked ? '1' : '0'); } catch (x) {} });
  show();
  function beep() {
    try {
      var C = window.AudioContext || window.webkitAudioContext;
      var c = new C(), o = c.createOscillator(), g = c.createGain();
      o.frequency.value = 880; g.gain.value = 0.08; o.connect(g); g.connect(c.destination);
      o.start(); o.stop(c.currentTime + 0.25);
    } catch (x) {}
  }
  var es = new EventSource(box.getAttribute('data-inbox-notify'));
  es.addEventListener('change', function (e) {
    var d = {}; try { d = JSON.parse(e.data); } catch (x) {}
    if (d.type !== 'message' && d.type !== 'opened') return;
    document.body.setAttribute('data-notified', String(Number(document.body.getAttribute('data-notified') || 0) + 1));
    if (perm() === 'granted') { try { new Notification('Haven: a young person wrote', { body: 'Open Conversations to read it.', tag: 'haven-' + d.id }); } catch (x) {} }
    if (sound.checked) beep();
  });
})();
`;

/** Styles for the thread (added to the page by the route, so the shared stylesheet stays as it is). */
export const CONVERSATIONS_CSS = `
.thread .line { border-top: 1px solid var(--line); padding: .4rem 0; }
.thread .line.young .quote { border-left-color: var(--brand); background: #f1eefc; }
.thread .line.staff .quote { border-left-color: var(--ok); background: #eef7f1; }
.thread .line.event { font-style: italic; }
.card.overdue { border-color: var(--high); border-width: 2px; }
.notify { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.notify .meta { margin: 0; }
.notify [hidden] { display: none; }
.toolbar select { width: auto; max-width: 100%; }
`;
