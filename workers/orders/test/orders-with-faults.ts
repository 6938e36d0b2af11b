import { type CheckoutRequest, Checkout as RealCheckout } from "../src/checkout/checkout-object.ts";
import type { Ports, Progress } from "../src/checkout/flow.ts";
import orders from "../src/index.ts";

// The orders Worker as tests run it when they need a checkout to fail on purpose: the same Worker, with a
// Checkout object that crashes where the buyer's email says, so no fault injection lives in production code.
//   fault+crash-after-<step>@…   the object dies right after that step's work landed (a real abort: the request
//                                fails, the alarm resumes the checkout from what was saved and reruns the rest)
//   fault+publish-fails@…        the queue "does not take" the order's events: they wait for the cron
//   fault+second-sku-sold-out@…  another shopper takes every unit of the second SKU just before checkout
//                                sells it (a real hold in its Inventory object, let go once takeStock answered):
//                                the first SKU's sale is undone and takeStock refuses
// They strike only the run a request started, as a real crash would not repeat on the resumed run.
export * from "../src/index.ts";
export default orders;

export class Checkout extends RealCheckout {
  protected override ports(progress: Progress, request: CheckoutRequest | null): Ports {
    const ports = super.ports(progress, request);
    if (request === null) return ports;
    const email = progress.request.email.toLowerCase();
    const crashAfter = /^fault\+crash-after-([a-z]+)@/.exec(email)?.[1];
    const crash = (step: string | undefined) => {
      if (crashAfter === undefined || crashAfter !== step) return;
      ports.log.warn("injected crash", { after: crashAfter });
      this.ctx.abort(`injected crash after ${crashAfter}`);
    };
    const stock = email.startsWith("fault+second-sku-sold-out@") ? this.soldOutSecond(ports.stock) : ports.stock;
    return {
      ...ports,
      stock: { ...stock, sellAll: (lines, options) => stock.sellAll(lines, options).finally(() => crash("takestock")) },
      payments: { ...ports.payments, charge: (req, key, call) => ports.payments.charge(req, key, call).finally(() => crash("charge")) },
      save: (p) => {
        ports.save(p);
        crash(p.done.at(-1)?.toLowerCase());
      },
      publish: email.startsWith("fault+publish-fails@")
        ? async () => ports.log.warn("injected: the queue did not take the events")
        : ports.publish,
    };
  }

  private soldOutSecond(stock: Ports["stock"]): Ports["stock"] {
    return {
      ...stock,
      sellAll: async (lines, options) => {
        const second = lines[1];
        if (second === undefined) return stock.sellAll(lines, options);
        const inventory = this.env.INVENTORY.getByName(second.sku);
        const rival = `fault:${options.prefix}`;
        const { available } = await inventory.stock();
        if (available > 0) await inventory.hold(rival, available, 60_000, "fault:rival");
        try {
          return await stock.sellAll(lines, options);
        } finally {
          await inventory.release(rival);
        }
      },
    };
  }
}
