/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import { Field } from "#shared/web/form-fields.tsx";
import { Csrf, Document } from "../layout.tsx";

export const SignInPage: FC<{ csrf: string; email?: string; error?: string | null }> = ({ csrf, email, error }) => (
  <Document title="Sign in" bodyClass="signin">
    <main class="card" id="main">
      <h1>Sign in</h1>
      <p class="lede">Your shop's products, stock, orders and people.</p>
      {error ? (
        <div class="flash bad" role="alert" id="signin-error">
          {error}
        </div>
      ) : null}
      <form method="post" action="/admin/sign-in">
        <Csrf token={csrf} />
        <Field
          name="email"
          label="Email"
          type="email"
          autocomplete="username"
          required
          value={email}
          invalid={Boolean(error)}
          describedBy="signin-error"
        />
        <Field name="password" label="Password" type="password" autocomplete="current-password" required />
        <button class="btn primary" type="submit">
          Sign in
        </button>
      </form>
    </main>
  </Document>
);

export const InvitePage: FC<{ csrf: string; token: string; error?: string | null }> = ({ csrf, token, error }) => (
  <Document title="Accept your invitation" bodyClass="signin">
    <main class="card" id="main">
      <h1>Join your team</h1>
      <p class="lede">Choose your name and a password (at least 10 characters) to start.</p>
      {error ? (
        <div class="flash bad" role="alert" id="invite-error">
          {error}
        </div>
      ) : null}
      <form method="post" action="/admin/invite">
        <Csrf token={csrf} />
        <input type="hidden" name="token" value={token} />
        <Field name="name" label="Your name" autocomplete="name" required />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          required
          minlength={10}
          invalid={Boolean(error)}
          describedBy="invite-error"
        />
        <button class="btn primary" type="submit">
          Accept and sign in
        </button>
      </form>
    </main>
  </Document>
);
