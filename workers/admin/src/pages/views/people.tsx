/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { Member } from "#schema/identity/staff-dto.ts";
import type { ApiKeyView, CreatedApiKey } from "#schema/operations/api-key-dto.ts";
import { Field } from "#shared/web/form-fields.tsx";
import { Badge, Csrf, dateOf } from "../layout.tsx";

export const ApiKeysPage: FC<{ keys: ApiKeyView[]; created: CreatedApiKey | null; csrf: string }> = ({ keys, created, csrf }) => (
  <>
    <div class="page-head">
      <div>
        <h1>API keys</h1>
        <p class="lede">Keys for your other systems (ERP, warehouse, marketplace feeds): each with its own quota, counted per day.</p>
      </div>
    </div>
    {created === null ? null : (
      <div class="flash ok" role="status">
        <strong>Key “{created.name}” created.</strong> Copy it now: it is not shown again.
        <code class="secret" data-testid="new-key">
          {created.key}
        </code>
      </div>
    )}
    <form method="post" action="/admin/api-keys" class="card toolbar">
      <Csrf token={csrf} />
      <Field id="key-name" name="name" label="Name" required placeholder="Warehouse sync" />
      <div class="field">
        <label for="key-scope">Access</label>
        <select id="key-scope" name="scope">
          <option value="read">Read only</option>
          <option value="write">Read and write</option>
        </select>
      </div>
      <Field id="key-quota" name="quotaPerMinute" label="Requests per minute" type="number" min={1} max={10000} value="120" required />
      <button class="btn primary" type="submit">
        Create key
      </button>
    </form>
    <div class="card">
      {keys.length === 0 ? (
        <p class="empty">No keys yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Access</th>
              <th scope="col" class="num">
                Quota / min
              </th>
              <th scope="col" class="num">
                Today
              </th>
              <th scope="col" class="num">
                14 days
              </th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="muted">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => {
              const today = k.usage.find((u) => u.date === new Date().toISOString().slice(0, 10));
              const total = k.usage.reduce((sum, u) => sum + u.requests, 0);
              return (
                <tr>
                  <td>
                    {k.name}
                    <div class="muted mono">{k.prefix}…</div>
                  </td>
                  <td>{k.scope === "write" ? "read and write" : "read only"}</td>
                  <td class="num">{k.quotaPerMinute}</td>
                  <td class="num">
                    {today?.requests ?? 0}
                    {today !== undefined && today.refused > 0 ? <span class="muted"> ({today.refused} refused)</span> : null}
                  </td>
                  <td class="num">{total}</td>
                  <td>{k.revokedAt === null ? <Badge status="active" /> : <Badge status="revoked" />}</td>
                  <td>
                    {k.revokedAt === null ? (
                      <form method="post" action={`/admin/api-keys/${k.id}/revoke`} class="inline">
                        <Csrf token={csrf} />
                        <button class="btn danger small" type="submit" aria-label={`Revoke key ${k.name}`}>
                          Revoke
                        </button>
                      </form>
                    ) : (
                      <span class="muted">{dateOf(k.revokedAt)}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  </>
);

export const StaffPage: FC<{ members: Member[]; inviteLink: string | null; csrf: string; self: string }> = ({
  members,
  inviteLink,
  csrf,
  self,
}) => (
  <>
    <div class="page-head">
      <div>
        <h1>Staff</h1>
        <p class="lede">Owners manage people and keys; staff run products, stock, orders and returns.</p>
      </div>
    </div>
    {inviteLink === null ? null : (
      <div class="flash ok" role="status">
        <strong>Invitation created.</strong> Send this link to them (valid for 7 days, shown once):
        <code class="secret" data-testid="invite-link">
          {inviteLink}
        </code>
      </div>
    )}
    <form method="post" action="/admin/staff" class="card toolbar">
      <Csrf token={csrf} />
      <Field id="invite-email" name="email" label="Email" type="email" required />
      <div class="field">
        <label for="invite-role">Role</label>
        <select id="invite-role" name="role">
          <option value="merchant_staff">Staff</option>
          <option value="merchant_owner">Owner</option>
        </select>
      </div>
      <button class="btn primary" type="submit">
        Invite
      </button>
    </form>
    <div class="card">
      <table>
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span class="muted">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr>
              <td>
                {m.name ?? "—"}
                <div class="muted">{m.email}</div>
              </td>
              <td>{m.role === "merchant_owner" ? "Owner" : "Staff"}</td>
              <td>
                <Badge status={m.status} />
              </td>
              <td class="muted">{dateOf(m.createdAt)}</td>
              <td>
                {m.email === self ? (
                  <span class="muted">you</span>
                ) : (
                  <form method="post" action={`/admin/staff/${m.id}/remove`} class="inline">
                    <Csrf token={csrf} />
                    <button class="btn danger small" type="submit" aria-label={`Remove ${m.email}`}>
                      Remove
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  </>
);

export const Overview: FC<{ products: string; pendingShipments: number; openReturns: number; name: string }> = (p) => (
  <>
    <div class="page-head">
      <div>
        <h1>Good to see you, {p.name}</h1>
        <p class="lede">What needs you today.</p>
      </div>
      <a class="btn primary" href="/admin/products/new">
        New product
      </a>
    </div>
    <div class="stats">
      <a class="stat" href="/admin/orders">
        <div class="l">To ship</div>
        <div class="n">{p.pendingShipments}</div>
      </a>
      <a class="stat" href="/admin/returns">
        <div class="l">Returns to handle</div>
        <div class="n">{p.openReturns}</div>
      </a>
      <a class="stat" href="/admin/products">
        <div class="l">Products (drafts and active)</div>
        <div class="n">{p.products}</div>
      </a>
    </div>
  </>
);
