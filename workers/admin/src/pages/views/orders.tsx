/** @jsxImportSource hono/jsx */
import type { FC } from "hono/jsx";
import type { MerchantOrder } from "#schema/orders/dto.ts";
import { ORDER_STATUSES } from "#schema/orders/dto.ts";
import { DateRangeFields } from "#shared/web/date-range.tsx";
import { Field } from "#shared/web/form-fields.tsx";
import { Badge, Csrf, dateOf, Money } from "../layout.tsx";

export type OrderFilter = { status: string; from: string; to: string };

const ShipForm: FC<{ order: MerchantOrder; csrf: string }> = ({ order, csrf }) => (
  <form method="post" action={`/admin/orders/${order.id}/ship`} class="inline">
    <Csrf token={csrf} />
    <Field id={`carrier-${order.id}`} name="carrier" label="Carrier" required inputClass="w-sm" placeholder="DHL" />
    <Field id={`tracking-${order.id}`} name="trackingNumber" label="Tracking number" required inputClass="w-md" />
    <div class="field">
      <button class="btn primary small" type="submit">
        Ship
      </button>
    </div>
  </form>
);

export const OrdersPage: FC<{ orders: MerchantOrder[]; filter: OrderFilter; csrf: string }> = ({ orders, filter, csrf }) => (
  <>
    <div class="page-head">
      <div>
        <h1>Orders</h1>
        <p class="lede">Your part of each order: what to pack and ship.</p>
      </div>
    </div>
    <div class="card">
      <form method="get" action="/admin/orders" class="toolbar">
        <div class="field">
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">Any</option>
            {ORDER_STATUSES.map((s) => (
              <option value={s} selected={s === filter.status}>
                {s.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        </div>
        <DateRangeFields range={filter} />
        <button class="btn secondary" type="submit">
          Filter
        </button>
      </form>
      {orders.length === 0 ? (
        <p class="empty">No orders match.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Items</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Your total
              </th>
              <th scope="col">Shipment</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => {
              const shipment = o.shipments[0];
              return (
                <tr data-order={o.id}>
                  <td>
                    <span class="mono">{o.id}</span>
                    <div class="muted">
                      {dateOf(o.createdAt)} · {o.email}
                    </div>
                    <div class="muted">
                      {o.shippingAddress.name}, {o.shippingAddress.city} {o.shippingAddress.country}
                    </div>
                  </td>
                  <td>
                    {o.lines.map((l) => (
                      <div>
                        {l.quantity} × {l.title} <span class="muted mono">{l.sku}</span>
                      </div>
                    ))}
                  </td>
                  <td>
                    <Badge status={o.status} />
                  </td>
                  <td class="num">
                    <Money amount={o.totals.total.amount} currency={o.totals.total.currency} />
                  </td>
                  <td>
                    {shipment === undefined ? (
                      <span class="muted">awaiting payment</span>
                    ) : (
                      <div class="stack">
                        <div>
                          <Badge status={shipment.status} />{" "}
                          {shipment.carrier ? `${shipment.carrier} ${shipment.trackingNumber ?? ""}` : null}
                        </div>
                        {shipment.status === "pending" || shipment.status === "packed" ? <ShipForm order={o} csrf={csrf} /> : null}
                        {shipment.status === "shipped" ? (
                          <form method="post" action={`/admin/shipments/${shipment.id}/delivered`} class="inline">
                            <Csrf token={csrf} />
                            <button class="btn secondary small" type="submit">
                              Mark delivered
                            </button>
                          </form>
                        ) : null}
                      </div>
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
