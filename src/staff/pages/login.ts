import { html } from '../html';
import { page } from '../layout';

/** The sign-in form. */
export function loginPage(opts: { pre: string; next?: string; error?: string; email?: string }): string {
  return page(
    { title: 'Sign in' },
    html`<h1>Sign in</h1>
      <p>For staff of the charity only.</p>
      ${opts.error ? html`<p class="error" role="alert" id="login-error">${opts.error}</p>` : ''}
      <form method="post" action="/staff/login" class="stack card">
        <input type="hidden" name="_pre" value="${opts.pre}" />
        <input type="hidden" name="next" value="${opts.next ?? ''}" />
        <div>
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value="${opts.email ?? ''}"
            ${opts.error ? html`aria-describedby="login-error"` : ''}
          />
        </div>
        <div>
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
        </div>
        <div><button type="submit">Sign in</button></div>
      </form>`,
  );
}

/** The one-time page where a new member of staff chooses a password. */
export function setupPage(opts: { pre: string; token: string; name: string; email: string; error?: string }): string {
  return page(
    { title: 'Choose your password' },
    html`<h1>Choose your password</h1>
      <p>Welcome, ${opts.name}. This link works once. Your sign-in email is <strong>${opts.email}</strong>.</p>
      ${opts.error ? html`<p class="error" role="alert" id="setup-error">${opts.error}</p>` : ''}
      <form method="post" action="/staff/setup/${opts.token}" class="stack card">
        <input type="hidden" name="_pre" value="${opts.pre}" />
        <input type="text" name="username" autocomplete="username" value="${opts.email}" hidden />
        <div>
          <label for="password"
            >New password
            <span class="hint" id="pw-hint"
              >At least 12 characters. A few unrelated words is a good choice.</span
            ></label
          >
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            minlength="12"
            required
            aria-describedby="pw-hint"
          />
        </div>
        <div>
          <label for="confirm">Type it again</label>
          <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required />
        </div>
        <div><button type="submit">Save password and sign in</button></div>
      </form>`,
  );
}
