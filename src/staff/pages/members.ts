import type { MemberWithLinks } from '../../domain/members';
import { IdentityVault } from '../../engine/identity';
import { html, type SafeHtml } from '../html';
import { csrfField, day, when } from '../layout';

/** The add form and the list of members. */
export function membersBody(
  members: MemberWithLinks[],
  csrf: string,
  tz: string,
  today: string,
  error?: string,
): SafeHtml {
  return html`<h1>Members</h1>
    <p>Only young people whose parent or guardian signed the consent form.</p>
    <h2 id="add-h">Add a member</h2>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <form method="post" action="/staff/members" class="card stack" aria-labelledby="add-h">
      ${csrfField(csrf)}
      <div>
        <label for="m-name">Young person's name <span class="hint">A first name is enough.</span></label>
        <input id="m-name" name="name" type="text" maxlength="80" required autocomplete="off" />
      </div>
      <div>
        <label for="m-consent"
          >Consent given by <span class="hint">The parent or guardian who signed the form.</span></label
        >
        <input id="m-consent" name="consentBy" type="text" maxlength="80" required autocomplete="off" />
      </div>
      <div>
        <label for="m-date">Date the form was signed</label>
        <input id="m-date" name="consentDate" type="date" max="${today}" value="${today}" required />
      </div>
      <div><button type="submit">Add and get a join code</button></div>
    </form>
    <h2>${members.length} member${members.length === 1 ? '' : 's'}</h2>
    <ul class="list">
      ${members.map(
        (m) =>
          html`<li class="card" data-member-id="${m.id}">
            <h3>${m.name}</h3>
            <dl class="facts">
              <dt>Consent</dt>
              <dd>${m.consentBy}, signed ${day(m.consentAt, tz)}</dd>
              <dt>Added by</dt>
              <dd>${m.addedBy}</dd>
              <dt>Linked</dt>
              <dd>${m.links.length ? m.links.map((c) => IdentityVault.shortName(c)).join(', ') : 'no channel yet'}</dd>
              ${
                m.joinCodeExpiresAt
                  ? html`<dt>Join code</dt>
                      <dd>
                        ${
                          m.joinCodeRetired
                            ? 'switched off: many wrong codes were tried since it was issued. Give a new one.'
                            : m.joinCodeExpiresAt > Date.now()
                              ? `works until ${when(m.joinCodeExpiresAt, tz)}`
                              : 'expired'
                        }
                      </dd>`
                  : ''
              }
            </dl>
            <div class="toolbar">
              <form method="post" action="/staff/members/${m.id}/code">
                ${csrfField(csrf)}<button type="submit" class="secondary">
                  New join code<span class="sr"> for ${m.name}</span>
                </button>
              </form>
              <form method="post" action="/staff/members/${m.id}/remove">
                ${csrfField(csrf)}
                <label class="check"
                  ><input type="checkbox" name="confirm" value="yes" required /> Yes, remove ${m.name}</label
                >
                <button type="submit" class="danger">Remove<span class="sr"> ${m.name}</span></button>
              </form>
            </div>
          </li>`,
      )}
    </ul>`;
}

/** Shown once after adding a member or issuing a code: the code is never stored in clear. */
export function joinCodeBody(name: string, code: string, ttlDays: number): SafeHtml {
  return html`<h1>Join code for ${name}</h1>
    <div class="card">
      <p class="joincode" aria-label="Join code ${code.split('').join(' ')}">${code}</p>
      <p>
        Give this to ${name} (or their parent). They send <strong>join ${code}</strong> to Haven on any channel. It
        works once and for ${ttlDays} days. It is shown only now: Haven keeps only a scrambled copy.
      </p>
    </div>
    <p><a href="/staff/members">Back to members</a></p>`;
}
