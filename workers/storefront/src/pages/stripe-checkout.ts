import { contentHash } from "#shared/web/hash.ts";
import { cspWith } from "#shared/web/page-headers.ts";

// The one script the shop serves, and only on the checkout page of a shop paid through Stripe: Stripe.js turns
// the card the shopper types (in Stripe's own frame) into a PaymentMethod, and the form posts only its id. The
// card number never reaches the shop. Without JavaScript the page says so: Stripe cannot take a card without it.
export const STRIPE_CHECKOUT_JS = `(() => {
  const form = document.querySelector("form[data-stripe-key]");
  if (!form || typeof Stripe !== "function") return;
  const stripe = Stripe(form.dataset.stripeKey);
  const card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount("#card-element");
  const errors = document.getElementById("card-errors");
  const field = form.elements.namedItem("paymentMethodId");
  const button = form.querySelector("button[type=submit]");
  let busy = false;
  form.addEventListener("submit", async (event) => {
    if (field.value) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    errors.textContent = "";
    const billing = { name: form.elements.namedItem("name").value, email: form.elements.namedItem("email").value };
    const { paymentMethod, error } = await stripe.createPaymentMethod({ type: "card", card, billing_details: billing });
    if (error) {
      errors.textContent = error.message || "The card could not be used.";
      busy = false;
      button.disabled = false;
      return;
    }
    field.value = paymentMethod.id;
    form.submit();
  });
})();
`;

export const STRIPE_CHECKOUT_JS_PATH = `/assets/stripe-checkout.${contentHash(STRIPE_CHECKOUT_JS)}.js`;
export const STRIPE_JS_URL = "https://js.stripe.com/v3/";
/** The checkout page's policy when Stripe takes the card: the pages' own, plus Stripe's script, frames and API. */
export const STRIPE_CHECKOUT_CSP = cspWith({
  "img-src": ["https://*.stripe.com"],
  "script-src": ["'self'", "https://js.stripe.com"],
  "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
  "connect-src": ["https://api.stripe.com"],
});
