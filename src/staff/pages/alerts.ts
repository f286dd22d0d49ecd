import { pseudonym } from '../../domain/conversations';
import type { Alert, AlertEvent } from '../../domain/alerts/store';
import { IdentityVault } from '../../engine/identity';
import { CATEGORIES, type Severity } from '../../safeguarding/types';
import { html, type SafeHtml } from '../html';
import { age, csrfField, when } from '../layout';

const RANK: Record<Severity, number> = { urgent: 0, high: 1, medium: 2 };

/** Open alerts first, then most severe, then oldest. */
export function sortAlerts(alerts: Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      (a.status === 'open' ? 0 : 1) - (b.status === 'open' ? 0 : 1) ||
      (a.status === 'open'
        ? RANK[a.severity] - RANK[b.severity] || a.createdAt - b.createdAt
        : b.createdAt - a.createdAt),
  );
}

/** Who the alert is about, never a phone number or platform id. */
export function who(a: Alert): string {
  // The same name the staff inbox gives them, so an alert and its conversation are seen to be one person.
  return a.memberName ?? `not a member (${pseudonym(a.conversationId)})`;
}

function category(a: Alert): string {
  return a.category.replace(/_/g, ' ');
}

function statusBadge(a: Alert): SafeHtml {
  return a.status === 'open'
    ? html`<span class="badge open">open</span>`
    : html`<span class="badge ok">acknowledged</span>`;
}

function escalation(a: Alert): string {
  // Who was actually told is in the record below: this says only how far it has gone.
  return a.level === 0 ? 'not escalated' : `escalated ${a.level} time${a.level === 1 ? '' : 's'}`;
}

/** "hits me", "self death intent": what matched, in words rather than the lexicon's ids. */
function matchedLabel(id: string): string {
  const last = id.split('.').pop() ?? id;
  return last.replace(/_/g, ' ');
}

/** The screen's mark that its statistical layer filed a rule's alert under another category (`model.filed:0.88`). */
const FILED = 'model.filed:';

/** A `model.<category>` id: the statistical layer raised the alert (not its score, not a refiling). */
function isModelAlert(id: string): boolean {
  return id.startsWith('model.') && !id.startsWith('model.score:') && !id.startsWith(FILED);
}

/** Which layer of the screen raised an alert: the statistical model (`model.<category>`) or listed phrases. */
export function foundBy(a: Pick<Alert, 'matched'>): { model: string[]; rules: string[] } {
  const model = a.matched.filter((m) => isModelAlert(m)).map(matchedLabel);
  const rules = [...new Set(a.matched.filter((m) => !m.startsWith('model.')).map(matchedLabel))];
  return { model: [...new Set(model)], rules };
}

/**
 * Alerts grouped by conversation, in the order of each conversation's first (most pressing)
 * alert: two alerts from one young person minutes apart belong together.
 */
export function groupByConversation(alerts: Alert[]): Alert[][] {
  const groups = new Map<string, Alert[]>();
  for (const a of alerts) {
    const g = groups.get(a.conversationId);
    if (g) g.push(a);
    else groups.set(a.conversationId, [a]);
  }
  return [...groups.values()];
}

function alertItem(a: Alert, csrf: string, tz: string, inGroup: boolean): SafeHtml {
  return html`<li class="${inGroup ? 'alert grouped' : 'card alert'}" data-alert-id="${a.id}">
    ${
      inGroup
        ? html`<h3>
            <a href="/staff/alerts/${a.id}">${category(a)}</a>
            <span class="badge ${a.severity}">${a.severity}</span> ${statusBadge(a)}
          </h3>`
        : html`<h2>
            <a href="/staff/alerts/${a.id}">${category(a)}</a>
            <span class="badge ${a.severity}">${a.severity}</span> ${statusBadge(a)}
          </h2>`
    }
    <p class="meta">
      ${inGroup ? '' : html`${who(a)} · ${a.channel} · `}${age(a.createdAt)} (${when(a.createdAt, tz)}) ·
      ${escalation(a)} · code ${a.code}
    </p>
    <p class="quote">${a.text}</p>
    ${
      a.status === 'open'
        ? html`<form method="post" action="/staff/alerts/${a.id}/ack" class="inline">
            ${csrfField(csrf)}
            <button type="submit">Acknowledge<span class="sr"> alert ${a.code}</span></button>
          </form>`
        : html`<p class="meta">
            Acknowledged by
            ${a.acknowledgedBy ?? 'someone'}${a.acknowledgedAt ? ` at ${when(a.acknowledgedAt, tz)}` : ''}
          </p>`
    }
  </li>`;
}

/** The list (also the live fragment): alerts from the same conversation together under it. */
export function alertList(alerts: Alert[], csrf: string, tz: string): SafeHtml {
  if (!alerts.length) return html`<p>No alerts.</p>`;
  const open = alerts.filter((a) => a.status === 'open').length;
  return html`<p class="meta">${open} open, ${alerts.length - open} acknowledged.</p>
    <ul class="list">
      ${groupByConversation(alerts).map((group) => {
        const first = group[0] as Alert;
        if (group.length === 1) return alertItem(first, csrf, tz, false);
        return html`<li class="card conversation" data-conversation="${IdentityVault.shortName(first.conversationId)}">
          <h2 class="convo-head">${who(first)} · ${first.channel} · ${group.length} alerts in this conversation</h2>
          <ul class="grouped-alerts">
            ${group.map((a) => alertItem(a, csrf, tz, true))}
          </ul>
        </li>`;
      })}
    </ul>`;
}

/** The alerts page with its live region. */
export function alertsBody(alerts: Alert[], csrf: string, tz: string): SafeHtml {
  return html`<h1>Safeguarding alerts</h1>
    <div class="toolbar">
      <a href="/staff/alerts/export" download>Export all as JSON lines</a>
      <p id="live-status" role="status" aria-live="polite" class="meta"></p>
    </div>
    <div id="alerts" data-live="/staff/api/alerts/events" data-refresh="/staff/fragments/alerts">
      ${alertList(alerts, csrf, tz)}
    </div>`;
}

const EVENT_NAMES: Record<AlertEvent['event'], string> = {
  raised: 'Raised',
  queued: 'Sending',
  delivered: 'Delivered',
  delivery_failed: 'Delivery failed',
  escalated: 'Escalated',
  acknowledged: 'Acknowledged',
  note: 'Note',
  action: 'Action taken',
  replied: 'Replied',
  viewed: 'Viewed',
  feedback: 'Screen feedback',
};

/** Every staff target this alert could not reach, first on its page: "not delivered to X: why". */
function notDeliveredBox(history: AlertEvent[]): SafeHtml | string {
  const failed = history.filter((e) => e.event === 'delivery_failed' && e.detail);
  if (!failed.length) return '';
  return html`<div class="card notice urgent" role="alert" data-not-delivered>
    <h2>Not delivered</h2>
    <ul>
      ${failed.map((e) => html`<li>${e.detail}</li>`)}
    </ul>
  </div>`;
}

/**
 * Why the screen raised it, in words: which rule (a phrase, or words that together mean danger) or that the
 * statistical layer did, with its score; and what made it urgent.
 */
export function whyRaised(matched: readonly string[], filedAs?: string | null): string[] {
  const out: string[] = [];
  const score = matched.find((m) => m.startsWith('model.score:'));
  for (const id of matched) {
    if (id.startsWith('model.score:')) continue;
    const words = matchedLabel(id);
    if (id.startsWith(FILED)) {
      const share = Number(id.slice(FILED.length));
      out.push(
        `filed as "${filedAs ? filedAs.replace(/_/g, ' ') : 'this category'}" by the statistical layer, which read the whole message as about that (${Number.isFinite(share) ? share.toFixed(2) : '?'} of its belief; 1 = certain), not the kind of harm the phrase names`,
      );
    } else if (id.startsWith('model.')) {
      const p = score ? Number(score.slice('model.score:'.length)) : NaN;
      out.push(
        `the statistical layer (no rule matched): it scored the message ${Number.isFinite(p) ? p.toFixed(2) : '?'} for "${words}" (1 = certain)`,
      );
    } else if (id.startsWith('cooccur.')) out.push(`a rule: words that together mean danger ("${words}", ${id})`);
    else if (id.startsWith('escalate.')) out.push(`made urgent by: "${words}" (${id})`);
    else out.push(`a rule: the phrase "${words}" (${id})`);
  }
  return out;
}

const CATEGORY_NAMES = CATEGORIES.map((c) => [c, c.replace(/_/g, ' ')] as const);

/** The feedback forms ("not a concern", "wrong category → X") and the verdict recorded, if any. */
function feedbackForms(a: Alert, csrf: string, tz: string): SafeHtml {
  const given = a.feedback
    ? html`<p class="meta" id="screen-feedback">
        Recorded:
        ${
          a.feedback.verdict === 'not_concern'
            ? 'not a concern'
            : `wrong category, should be ${(a.feedback.category ?? '').replace(/_/g, ' ')}`
        }
        (${a.feedback.by}, ${when(a.feedback.at, tz)}). It goes into the next training run after a person checks it.
      </p>`
    : html`<p class="meta" id="screen-feedback">No feedback yet. The screen is never retrained automatically.</p>`;
  return html`<h2>Was the screen right?</h2>
    <div class="card stack">
      ${given}
      <form method="post" action="/staff/alerts/${a.id}/feedback" class="inline">
        ${csrfField(csrf)}<input type="hidden" name="verdict" value="not_concern" />
        <button type="submit">Not a concern</button>
      </form>
      <form method="post" action="/staff/alerts/${a.id}/feedback" class="inline">
        ${csrfField(csrf)}<input type="hidden" name="verdict" value="wrong_category" />
        <label for="feedback-category">Wrong category, should be</label>
        <select id="feedback-category" name="category">
          ${CATEGORY_NAMES.filter(([c]) => c !== a.category).map(([c, name]) => html`<option value="${c}">${name}</option>`)}
        </select>
        <button type="submit">Wrong category</button>
      </form>
    </div>`;
}

/** One alert with its full record and the forms to act on it. */
export function alertDetail(
  a: Alert,
  history: AlertEvent[],
  csrf: string,
  tz: string,
  conversationId?: string,
): SafeHtml {
  return html`<p><a href="/staff/alerts">← All alerts</a></p>
    <h1>Alert ${a.code}: ${category(a)}</h1>
    ${
      conversationId
        ? html`<p class="notice">
            <a href="/staff/conversations/${conversationId}">Open their conversation</a> to read what else they said and
            reply to them on their own channel.
          </p>`
        : ''
    }
    ${notDeliveredBox(history)}
    <div class="card">
      <p><span class="badge ${a.severity}">${a.severity}</span> ${statusBadge(a)}</p>
      <dl class="facts">
        <dt>Who</dt>
        <dd>${who(a)}</dd>
        <dt>Channel</dt>
        <dd>${a.channel}</dd>
        <dt>When</dt>
        <dd>${when(a.createdAt, tz)} (${age(a.createdAt)})</dd>
        <dt>Escalation</dt>
        <dd>${escalation(a)}</dd>
        ${(() => {
          const f = foundBy(a);
          return html`${
            f.rules.length
              ? html`<dt>Matched phrases</dt>
                  <dd data-found-by="rules">${f.rules.join(', ')}</dd>`
              : ''
          }${
            f.model.length
              ? html`<dt>Found by</dt>
                  <dd data-found-by="model">
                    the statistical model (no listed phrase matched; it judged the message as a whole):
                    ${f.model.join(', ')}
                  </dd>`
              : ''
          }`;
        })()}
        <dt>Why</dt>
        <dd>
          <ul class="why">
            ${whyRaised(a.matched, a.category).map((w) => html`<li>${w}</li>`)}
          </ul>
        </dd>
      </dl>
      <h2>What they wrote</h2>
      <p class="quote">${a.text}</p>
      ${
        a.status === 'open'
          ? html`<form method="post" action="/staff/alerts/${a.id}/ack?from=detail" class="inline">
              ${csrfField(csrf)}<button type="submit">Acknowledge</button>
            </form>`
          : html`<p>
              Acknowledged by
              ${a.acknowledgedBy ?? 'someone'}${a.acknowledgedAt ? ` at ${when(a.acknowledgedAt, tz)}` : ''}.
            </p>`
      }
    </div>
    ${feedbackForms(a, csrf, tz)}
    <h2>Add to the record</h2>
    <form method="post" action="/staff/alerts/${a.id}/notes" class="stack wide card">
      ${csrfField(csrf)}
      <fieldset>
        <legend>This is</legend>
        <label><input type="radio" name="kind" value="note" checked /> a note</label>
        <label><input type="radio" name="kind" value="action" /> an action taken (who was told, what was done)</label>
      </fieldset>
      <div>
        <label for="note-text">Text</label><textarea id="note-text" name="text" maxlength="4000" required></textarea>
      </div>
      <div><button type="submit">Add to the record</button></div>
    </form>
    <h2>Full record</h2>
    <ol class="history">
      ${history
        .filter((e) => e.event !== 'viewed')
        .map(
          (e) =>
            html`<li>
              <strong>${EVENT_NAMES[e.event] ?? e.event}</strong> ·
              ${when(e.at, tz)}${e.by ? html` · ${e.by}` : ''}${
                e.detail
                  ? e.event === 'note' || e.event === 'action'
                    ? html`<div class="quote">${e.detail}</div>`
                    : html` · <span class="meta">${e.detail}</span>`
                  : ''
              }
            </li>`,
        )}
    </ol>
    ${viewsSummary(
      history.filter((e) => e.event === 'viewed'),
      tz,
    )}`;
}

/**
 * Every view is kept in the record, but shown apart, grouped by who viewed, so the actions are
 * not buried: "Viewed 12 times: Lee Lead 8 times (last ...), ...", with each view behind a toggle.
 */
function viewsSummary(views: AlertEvent[], tz: string): SafeHtml {
  if (!views.length) return html``;
  const byWho = new Map<string, { n: number; last: number }>();
  for (const v of views) {
    const k = v.by ?? 'someone';
    const cur = byWho.get(k) ?? { n: 0, last: 0 };
    byWho.set(k, { n: cur.n + 1, last: Math.max(cur.last, v.at) });
  }
  return html`<h2 id="views-h">Views</h2>
    <details class="views" aria-labelledby="views-h">
      <summary>
        Viewed ${views.length} time${views.length === 1 ? '' : 's'} by ${byWho.size}
        ${byWho.size === 1 ? 'person' : 'people'}
      </summary>
      <ul class="view-people">
        ${[...byWho].map(
          ([by, s]) => html`<li>${by}: ${s.n} time${s.n === 1 ? '' : 's'}, last ${when(s.last, tz)}</li>`,
        )}
      </ul>
      <ol class="history">
        ${views.map((e) => html`<li>${when(e.at, tz)} · ${e.by ?? 'someone'}${e.detail ? html` · <span class="meta">${e.detail}</span>` : ''}</li>`)}
      </ol>
    </details>`;
}
