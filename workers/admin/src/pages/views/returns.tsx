/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { ReturnView } from "#schema/fulfillment/dto.ts";
import { DataTable } from "#shared/web/data-table.tsx";
import { Badge, Csrf, dateOf, Money } from "../layout.tsx";

export const ReturnsPage: FC<{ returns: ReturnView[]; csrf: string }> = ({ returns, csrf }) => (
  <>
    <div class="page-head">
      <div>
        <h1>Returns</h1>
        <p class="lede">Approve a request, then receive the parcel: the buyer is refunded and the stock comes back.</p>
      </div>
    </div>
    <div class="card">
      <DataTable
        columns={[{ label: "Return" }, { label: "Items" }, { label: "Status" }, { label: "Refund", numeric: true }, { label: "Action" }]}
        count={returns.length}
        empty={<p class="empty">No returns.</p>}
      >
        {returns.map((r) => (
          <tr>
            <td>
              <span class="mono">{r.id}</span>
              <div class="muted">
                order <span class="mono">{r.orderId}</span> · {dateOf(r.createdAt)}
              </div>
              <div class="muted">“{r.reason}”</div>
            </td>
            <td>
              {r.items.map((l) => (
                <div>
                  {l.quantity} × <span class="mono">{l.sku}</span>
                </div>
              ))}
            </td>
            <td>
              <Badge status={r.status} />
            </td>
            <td class="num">{r.refund === null ? "—" : <Money amount={r.refund.amount} currency={r.refund.currency} />}</td>
            <td>
              {r.status === "requested" || r.status === "approved" ? (
                <form method="post" action={`/admin/returns/${r.id}/${r.status === "requested" ? "approve" : "receive"}`} class="inline">
                  <Csrf token={csrf} />
                  <button class="btn primary small" type="submit">
                    {r.status === "requested" ? "Approve" : "Received: refund and restock"}
                  </button>
                </form>
              ) : (
                <span class="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  </>
);
