/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { OrderView } from "#schema/orders/dto.ts";
import { DataTable } from "#shared/web/data-table.tsx";
import { Field } from "#shared/web/form-fields.tsx";
import { money } from "../layout.tsx";

export const SignInPage: FC<{
  mode: "sign-in" | "register";
  email: string;
  name: string;
  error: string | null;
  next: string;
  /** A guest order of this browser to add to the account. */
  claim: string | null;
}> = (p) => (
  <div class="narrow">
    <h1>{p.mode === "sign-in" ? "Sign in" : "Create your account"}</h1>
    <p class="lede">
      {p.mode === "sign-in" ? (
        <>
          New here? <a href={`/register?next=${encodeURIComponent(p.next)}`}>Create an account</a>
        </>
      ) : (
        <>
          Have one? <a href={`/sign-in?next=${encodeURIComponent(p.next)}`}>Sign in</a>
        </>
      )}
      . Your cart comes with you.
    </p>
    {p.error ? (
      <div class="notice bad" role="alert" id="account-error">
        {p.error}
      </div>
    ) : null}
    <form method="post" action={p.mode === "sign-in" ? "/sign-in" : "/register"} class="panel">
      <input type="hidden" name="next" value={p.next} />
      {p.claim === null ? null : (
        <>
          <input type="hidden" name="claim" value={p.claim} />
          <p class="muted">Order {p.claim} will be added to your account.</p>
        </>
      )}
      {p.mode === "register" ? <Field name="name" label="Name" autocomplete="name" required value={p.name} /> : null}
      <Field
        name="email"
        label="Email"
        type="email"
        autocomplete="email"
        required
        value={p.email}
        invalid={p.error !== null}
        describedBy="account-error"
      />
      <Field
        name="password"
        label="Password"
        type="password"
        autocomplete={p.mode === "sign-in" ? "current-password" : "new-password"}
        required
      />
      <button class="btn primary" type="submit">
        {p.mode === "sign-in" ? "Sign in" : "Create account"}
      </button>
    </form>
  </div>
);

export const AccountPage: FC<{ name: string; email: string; orders: OrderView[] }> = ({ name, email, orders }) => (
  <>
    <div class="head-row">
      <div>
        <h1>Hello, {name}</h1>
        <p class="lede">{email}</p>
      </div>
      <form method="post" action="/sign-out">
        <button class="btn secondary" type="submit">
          Sign out
        </button>
      </form>
    </div>
    <h2>Your orders</h2>
    <DataTable
      columns={[{ label: "Order" }, { label: "Placed" }, { label: "Status" }, { label: "Total", numeric: true }]}
      count={orders.length}
      empty={<p class="muted">No orders yet.</p>}
    >
      {orders.map((o) => (
        <tr>
          <td>
            <a href={`/orders/${o.id}`}>{o.id}</a>
          </td>
          <td>{o.createdAt.slice(0, 10)}</td>
          <td>
            <span class="badge">{o.status.replaceAll("_", " ")}</span>
          </td>
          <td class="num">{money(o.totals.total)}</td>
        </tr>
      ))}
    </DataTable>
  </>
);
