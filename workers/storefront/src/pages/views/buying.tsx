/** @jsxImportSource hono/jsx */
import type { Child, FC } from "hono/jsx";
import type { CartView } from "#schema/cart.ts";
import type { OrderView, QuoteView } from "#schema/orders/dto.ts";
import type { CheckoutPaymentMethod } from "#schema/payments.ts";
import type { Problem } from "#schema/problem.ts";
import { fieldErrorsOf } from "#shared/web/form.ts";
import { Field, ProblemBox } from "#shared/web/form-fields.tsx";
import { money } from "../layout.tsx";

export const CartPage: FC<{ cart: CartView | null }> = ({ cart }) => {
  const changed = cart?.items.filter((l) => l.priceChanged !== undefined) ?? [];
  return (
    <>
      <h1>Your cart</h1>
      {cart === null || cart.items.length === 0 ? (
        <p class="lede">
          Your cart is empty. <a href="/">Keep shopping</a>
        </p>
      ) : (
        <div class="summary">
          <div>
            {changed.length > 0 ? (
              <div class="notice info" role="status">
                {changed.map(
                  (l) => `${l.title}: the price changed from ${money(l.priceChanged?.from ?? l.unitPrice)} to ${money(l.unitPrice)}. `,
                )}
              </div>
            ) : null}
            <table>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Quantity</th>
                  <th scope="col" class="num">
                    Total
                  </th>
                </tr>
              </thead>
              <tbody>
                {cart.items.map((l, i) => (
                  <tr class="line">
                    <td>
                      <a href={`/p/${l.productSlug}`}>{l.title}</a>
                      <div class="muted">
                        {money(l.unitPrice)} each{l.purchasable ? "" : " · no longer available"}
                      </div>
                    </td>
                    <td>
                      <form method="post" action="/cart/update" class="inline">
                        <input type="hidden" name="sku" value={l.sku} />
                        <label class="sr" for={`qty-${i}`}>
                          Quantity of {l.title}
                        </label>
                        <input id={`qty-${i}`} class="qty" name="quantity" type="number" min={1} max={99} value={String(l.quantity)} />
                        <button class="btn secondary" type="submit">
                          Update
                        </button>
                      </form>
                      <form method="post" action="/cart/remove" class="inline gap-left">
                        <input type="hidden" name="sku" value={l.sku} />
                        <button class="btn link" type="submit" aria-label={`Remove ${l.title}`}>
                          Remove
                        </button>
                      </form>
                    </td>
                    <td class="num">{money(l.lineTotal)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <aside class="panel totals" aria-label="Summary">
            <div>
              <span>Items</span>
              <span>{cart.itemCount}</span>
            </div>
            <div class="grand">
              <span>Subtotal</span>
              <span data-testid="cart-subtotal">{money(cart.subtotal)}</span>
            </div>
            <p class="muted">Shipping and tax are worked out at checkout.</p>
            <a class="btn primary wide" href="/checkout">
              Check out
            </a>
          </aside>
        </div>
      )}
    </>
  );
};

export type CheckoutForm = Record<string, string>;

// The API names fields by their path (`shippingAddress.city`, `payment.card.expMonth`); the form's inputs by the
// last part, but for the card's, whose expiry is one input.
const CARD_INPUTS: Record<string, string> = { number: "cardNumber", expMonth: "expiry", expYear: "expiry" };
const inputOf = (field: string): string => {
  const last = field.split(".").at(-1) ?? field;
  return CARD_INPUTS[last] ?? last;
};

type CheckoutInput = (name: string, label: string, autocomplete: string, options?: { type?: string }) => Child;

/**
 * The checkout's text inputs as typed (the card number and its code are never sent back), each with the API's
 * message for it, or flagged against the problem box when the API named it without one.
 */
function checkoutInput(form: CheckoutForm, problem: Problem | null): CheckoutInput {
  const errors = fieldErrorsOf(problem, inputOf);
  const flagged = new Set((problem?.errors ?? []).map((e) => inputOf(e.field)));
  return (name, label, autocomplete, options = {}) => (
    <Field
      name={name}
      label={label}
      type={options.type}
      autocomplete={autocomplete}
      value={form[name]}
      required
      error={errors[name]}
      invalid={flagged.has(name)}
      describedBy="checkout-problem"
    />
  );
}
const COUNTRIES: [string, string][] = [
  ["US", "United States"],
  ["GB", "United Kingdom"],
  ["DE", "Germany"],
  ["FR", "France"],
  ["CA", "Canada"],
];

// The key is not called `key`: the JSX runtime takes that prop for itself and the field would render empty,
// giving every submit of the same form a fresh key (a double click, two orders).
export const CheckoutPage: FC<{
  cart: CartView;
  quote: QuoteView | null;
  form: CheckoutForm;
  problem: Problem | null;
  idempotencyKey: string;
  /** How this shop takes payment: card fields (the test provider) or Stripe's own card field. */
  paying: CheckoutPaymentMethod;
}> = ({ cart, quote, form, problem, idempotencyKey, paying }) => {
  const input = checkoutInput(form, problem);
  return (
    <>
      <h1>Checkout</h1>
      <ProblemBox problem={problem} class="notice bad" id="checkout-problem" />
      <form
        method="post"
        action="/checkout"
        class="summary"
        data-stripe-key={paying.method === "stripe" ? paying.publishableKey : undefined}
      >
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <div>
          <section class="panel" aria-labelledby="contact">
            <h2 id="contact">Contact</h2>
            {input("email", "Email", "email", { type: "email" })}
          </section>
          <section class="panel" aria-labelledby="shipping">
            <h2 id="shipping">Shipping address</h2>
            {input("name", "Full name", "name")}
            {input("line1", "Address", "address-line1")}
            <div class="row2">
              {input("city", "City", "address-level2")}
              {input("postalCode", "Postal code", "postal-code")}
            </div>
            <div class="field">
              <label for="country">Country</label>
              <select id="country" name="country" autocomplete="country">
                {COUNTRIES.map(([code, name]) => (
                  <option value={code} selected={(form.country ?? "US") === code}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
          </section>
          <section class="panel" aria-labelledby="payment">
            <h2 id="payment">Payment</h2>
            <PaymentFields paying={paying} input={input} />
            {quote !== null && quote.installments.length > 0 ? (
              <fieldset class="variant">
                <legend>Pay in instalments?</legend>
                <label>
                  <input type="radio" name="installments" value="" checked={!form.installments} /> Pay in full
                </label>
                {quote.installments.map((plan) => (
                  <label>
                    <input
                      type="radio"
                      name="installments"
                      value={String(plan.months)}
                      checked={form.installments === String(plan.months)}
                    />{" "}
                    {plan.months} × {money(plan.monthly)} ({plan.apr}% APR)
                  </label>
                ))}
              </fieldset>
            ) : null}
            {quote !== null && quote.warranties.length > 0 ? (
              <fieldset class="variant">
                <legend>Add a warranty</legend>
                {quote.warranties.map((w) => {
                  const value = `${w.sku}:${w.planId}`;
                  return (
                    <label>
                      <input type="checkbox" name="warranty" value={value} checked={(form.warranty ?? "").split(",").includes(value)} />{" "}
                      {w.years}-year plan for {cart.items.find((l) => l.sku === w.sku)?.title ?? w.sku} · {money(w.price)}
                    </label>
                  );
                })}
              </fieldset>
            ) : null}
          </section>
        </div>
        <aside class="panel totals" aria-label="Order summary">
          {cart.items.map((l) => (
            <div>
              <span>
                {l.quantity} × {l.title}
              </span>
              <span>{money(l.lineTotal)}</span>
            </div>
          ))}
          {quote === null ? null : (
            <>
              <div>
                <span>Shipping</span>
                <span>{money(quote.shipping)}</span>
              </div>
              <div>
                <span>Tax</span>
                <span>{money(quote.tax)}</span>
              </div>
              <div class="grand">
                <span>Total</span>
                <span>{money(quote.total)}</span>
              </div>
            </>
          )}
          <button class="btn primary wide spaced" type="submit">
            Place order
          </button>
        </aside>
      </form>
    </>
  );
};

/** `guest`: the order is this browser's guest order (its token is in the guest-orders cookie), so it can be claimed. */
/** The card itself for the test provider; for Stripe, Stripe's own field (the number never comes to this shop). */
const PaymentFields: FC<{ paying: CheckoutPaymentMethod; input: CheckoutInput }> = ({ paying, input }) => {
  if (paying.method === "stripe")
    return (
      <>
        <input type="hidden" name="paymentMethodId" value="" />
        <fieldset class="field card-field">
          <legend class="label">Card</legend>
          <div id="card-element" class="card-element" />
          <p id="card-errors" class="field-error" role="alert" />
        </fieldset>
        <noscript>
          <p class="notice bad">Paying by card needs JavaScript here: Stripe takes the card in its own secure field.</p>
        </noscript>
        <p class="muted">Your card goes straight to Stripe; this shop never sees its number.</p>
      </>
    );
  if (paying.method === "paypal")
    return (
      <p class="notice bad">
        This shop takes PayPal, whose buttons these pages do not show yet: pay through the API with an order approved in PayPal.
      </p>
    );
  return (
    <>
      <p class="muted">Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</p>
      {input("cardNumber", "Card number", "cc-number")}
      <div class="row2">
        {input("expiry", "Expiry (MM/YY)", "cc-exp")}
        {input("cvc", "CVC", "cc-csc")}
      </div>
    </>
  );
};

export const OrderPage: FC<{ order: OrderView; placed: boolean; guest: boolean; returnable: boolean }> = ({
  order,
  placed,
  guest,
  returnable,
}) => {
  const claim = `next=/account&claim=${encodeURIComponent(order.id)}`;
  return (
    <>
      {placed ? (
        <div class="notice ok" role="status">
          Thank you! Your order is placed and a receipt is on its way to {order.email}.
          {!guest ? null : (
            <>
              {" "}
              <a href={`/register?${claim}`}>Create an account</a> or <a href={`/sign-in?${claim}`}>sign in</a> to keep track of it.
            </>
          )}
        </div>
      ) : null}
      <h1>Order {order.id}</h1>
      <p class="lede">
        Placed {order.createdAt.slice(0, 10)} · <span class="badge">{order.status.replaceAll("_", " ")}</span>
      </p>
      <div class="summary">
        <div>
          <table>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" class="num">
                  Qty
                </th>
                <th scope="col" class="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {order.items.map((l) => (
                <tr>
                  <td>{l.title}</td>
                  <td class="num">{l.quantity}</td>
                  <td class="num">{money(l.lineTotal)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2 class="spaced-top">Shipments</h2>
          {order.shipments.length === 0 ? (
            <p class="muted">Being prepared.</p>
          ) : (
            <ul>
              {order.shipments.map((s) => (
                <li>
                  <span class="badge">{s.status}</span> {s.carrier ? `${s.carrier} · tracking ${s.trackingNumber ?? ""}` : ""}
                </li>
              ))}
            </ul>
          )}
          {order.parts.length > 0 && order.status !== "pending_payment" ? (
            <p>
              Invoices:{" "}
              {order.parts.map((p, i) => (
                <>
                  {i > 0 ? ", " : ""}
                  <a href={`/orders/${order.id}/invoice?part=${encodeURIComponent(p.merchantId)}`}>{p.merchantId.replace("mer_", "")}</a>
                </>
              ))}
            </p>
          ) : null}
          {returnable ? (
            <section class="panel" aria-labelledby="return">
              <h2 id="return">Return something</h2>
              <form method="post" action={`/orders/${order.id}/returns`}>
                <div class="field">
                  <label for="return-sku">Item</label>
                  <select id="return-sku" name="sku">
                    {order.items
                      .filter((l) => l.kind === "product")
                      .map((l) => (
                        <option value={l.sku}>{l.title}</option>
                      ))}
                  </select>
                </div>
                <div class="field short">
                  <label for="return-qty">Quantity</label>
                  <input id="return-qty" name="quantity" type="number" min={1} max={99} value="1" />
                </div>
                <div class="field">
                  <label for="return-reason">Reason</label>
                  <input id="return-reason" name="reason" type="text" required />
                </div>
                <button class="btn secondary" type="submit">
                  Request a return
                </button>
              </form>
            </section>
          ) : null}
        </div>
        <aside class="panel totals" aria-label="Totals">
          <div>
            <span>Subtotal</span>
            <span>{money(order.totals.subtotal)}</span>
          </div>
          <div>
            <span>Shipping</span>
            <span>{money(order.totals.shipping)}</span>
          </div>
          <div>
            <span>Tax</span>
            <span>{money(order.totals.tax)}</span>
          </div>
          <div class="grand">
            <span>Total</span>
            <span>{money(order.totals.total)}</span>
          </div>
          <p class="muted">
            Paid by {order.payment.brand ?? "card"} ···· {order.payment.last4 ?? ""}
          </p>
        </aside>
      </div>
    </>
  );
};
