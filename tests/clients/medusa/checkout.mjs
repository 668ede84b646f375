// The Next.js starter's checkout through @medusajs/js-sdk 2.x against a freshly spawned
// storefront server (demo catalogue, fresh SQLite file): regions, a product with its
// calculated_price, a cart, items and quantities, the address, a shipping option, a payment
// session, completion and the order; then the same as a signed-in customer, whose order
// appears in store.order.list, and a guest cart handed over to a customer.
//
// The server is spawned by server.mjs. Prints one line per step and "N passed, N failed"; exits 1
// when any step failed.

import assert from "node:assert/strict";

import Medusa from "@medusajs/js-sdk";

import { startServer } from "./server.mjs";

const results = { passed: 0, failed: 0 };
let stopAll = false;
async function step(name, fn) {
  if (stopAll) {
    results.failed += 1;
    console.log(`SKIPPED ${name} (an earlier step failed)`);
    return;
  }
  try {
    await fn();
    results.passed += 1;
    console.log(`ok     ${name}`);
  } catch (e) {
    results.failed += 1;
    stopAll = true;
    console.log(`FAILED ${name}\n       ${(e && e.stack) || e}`);
  }
}

// ---- the server -------------------------------------------------------------------------
const { baseUrl, publishableKey, dir } = await startServer("medusa-checkout", { STOREFRONT_SHIPPING_RATE: "1000", STOREFRONT_TAX_RATE: "19" });

const client = () =>
  new Medusa({ baseUrl, publishableKey, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });

/** Money in major units, compared to the cent. */
const cents = (n) => Math.round(n * 100);

/**
 * The starter's checkout with `sdk` (a guest, or signed in): returns the completed order.
 * Every cart the SDK hands back is checked against its own totals.
 */
async function checkout(sdk, label, email) {
  let region, variant, cart, option, order;
  await step(`${label}: regions`, async () => {
    const { regions } = await sdk.store.region.list();
    assert.ok(regions.length >= 1);
    region = regions[0];
    assert.ok(region.countries.length >= 1, "the region has countries");
  });
  let candidates;
  await step(`${label}: a product with calculated_price`, async () => {
    const { products } = await sdk.store.product.list({
      region_id: region.id,
      fields: "*variants.calculated_price,+variants.inventory_quantity",
      limit: 50,
    });
    candidates = products
      .flatMap((p) => p.variants)
      .filter((v) => v.calculated_price && v.calculated_price.calculated_amount > 0);
    assert.ok(candidates.length > 0, "priced variants");
    for (const v of candidates) assert.equal(v.calculated_price.currency_code, region.currency_code);
    // Untracked or backorderable stock first: the demo catalogue's stock is random.
    candidates.sort((a, b) => Number(a.manage_inventory && !a.allow_backorder) - Number(b.manage_inventory && !b.allow_backorder));
  });
  await step(`${label}: cart, items and quantities`, async () => {
    ({ cart } = await sdk.store.cart.create({ region_id: region.id }));
    assert.match(cart.id, /^cart_[0-9a-f]{64}$/, "the cart id carries 256 random bits");
    assert.equal(cart.region_id, region.id);
    // Add one, then make it three; a variant without three in stock is removed again and the
    // next one tried (the starter's out-of-stock message is this 400).
    for (const candidate of candidates) {
      ({ cart } = await sdk.store.cart.createLineItem(cart.id, { variant_id: candidate.id, quantity: 1 }).catch((e) => {
        if (e.status === 400) return { cart };
        throw e;
      }));
      const line = cart.items.find((l) => l.variant_id === candidate.id);
      if (!line) continue;
      assert.equal(cents(line.unit_price), cents(candidate.calculated_price.calculated_amount));
      try {
        ({ cart } = await sdk.store.cart.updateLineItem(cart.id, line.id, { quantity: 3 }));
        variant = candidate;
        break;
      } catch (e) {
        assert.equal(e.status, 400, e.message);
        assert.equal(e.message, "Some variant does not have the required inventory");
        const { deleted, parent } = await sdk.store.cart.deleteLineItem(cart.id, line.id);
        assert.equal(deleted, true);
        cart = parent;
      }
    }
    assert.ok(variant, "a variant with three in stock");
    assert.equal(cart.items.length, 1);
    assert.equal(cart.items[0].quantity, 3);
    assert.equal(cents(cart.item_subtotal), 3 * cents(variant.calculated_price.calculated_amount));
    const { cart: again } = await sdk.store.cart.retrieve(cart.id);
    assert.equal(again.total, cart.total);
  });
  await step(`${label}: address and email`, async () => {
    const address = {
      first_name: "Ada",
      last_name: "Lovelace",
      address_1: "12 Analytical Row",
      city: "London",
      postal_code: "10001",
      country_code: region.countries[0].iso_2,
      phone: "+15555550100",
    };
    ({ cart } = await sdk.store.cart.update(cart.id, {
      ...(email ? { email } : {}),
      shipping_address: address,
      billing_address: address,
    }));
    assert.equal(cart.shipping_address.city, "London");
    assert.ok(cart.email, "the cart has an email");
  });
  await step(`${label}: shipping option`, async () => {
    const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cart.id });
    assert.ok(shipping_options.length >= 1);
    option = shipping_options[0];
    assert.equal(option.calculated_price.calculated_amount, option.amount);
    ({ cart } = await sdk.store.cart.addShippingMethod(cart.id, { option_id: option.id }));
    assert.equal(cart.shipping_methods.length, 1);
    assert.equal(cart.shipping_methods[0].shipping_option_id, option.id);
    assert.equal(cents(cart.shipping_subtotal), cents(option.amount));
  });
  await step(`${label}: payment session`, async () => {
    const { payment_providers } = await sdk.store.payment.listPaymentProviders({ region_id: region.id });
    assert.deepEqual(
      payment_providers.map((p) => p.id),
      ["pp_system_default"],
    );
    const { payment_collection } = await sdk.store.payment.initiatePaymentSession(cart, {
      provider_id: payment_providers[0].id,
    });
    assert.equal(payment_collection.payment_sessions.length, 1);
    assert.equal(payment_collection.payment_sessions[0].status, "pending");
    assert.equal(cents(payment_collection.amount), cents(cart.total));
    ({ cart } = await sdk.store.cart.retrieve(cart.id));
    assert.equal(cart.payment_collection.payment_sessions.length, 1);
    assert.equal(
      cents(cart.total),
      cents(cart.item_subtotal) + cents(cart.shipping_subtotal) + cents(cart.tax_total),
    );
  });
  await step(`${label}: complete, twice`, async () => {
    const done = await sdk.store.cart.complete(cart.id);
    assert.equal(done.type, "order", JSON.stringify(done));
    order = done.order;
    assert.equal(cents(order.total), cents(cart.total));
    assert.equal(order.items.length, 1);
    const again = await sdk.store.cart.complete(cart.id);
    assert.deepEqual(again, done, "completing again answers the same order");
  });
  await step(`${label}: order retrieve`, async () => {
    const { order: read } = await sdk.store.order.retrieve(order.id);
    assert.equal(read.id, order.id);
    assert.equal(cents(read.total), cents(order.total));
    assert.equal(read.items[0].quantity, 3);
  });
  return order;
}

// ---- a guest --------------------------------------------------------------------------------
await checkout(client(), "guest", `guest+${Date.now()}@example.com`);

// ---- a signed-in customer -------------------------------------------------------------------
const sdk = client();
const email = `buyer+${Date.now()}@example.com`;
const PASSWORD = "correct horse battery staple";
await step("customer: register and log in", async () => {
  await sdk.auth.register("customer", "emailpass", { email, password: PASSWORD });
  await sdk.store.customer.create({ email, first_name: "Bea", last_name: "Buyer" });
  await sdk.auth.login("customer", "emailpass", { email, password: PASSWORD });
  const { customer } = await sdk.store.customer.retrieve();
  assert.equal(customer.email, email);
});
const order = await checkout(sdk, "customer", undefined);
await step("customer: the order is in store.order.list", async () => {
  const { orders, count } = await sdk.store.order.list();
  assert.equal(count, 1);
  assert.equal(orders[0].id, order.id);
});
await step("customer: a guest cart handed over with transferCart", async () => {
  const guest = client();
  const { cart } = await guest.store.cart.create({});
  const { cart: mine } = await sdk.store.cart.transferCart(cart.id);
  assert.equal(mine.email, email);
  assert.ok(mine.customer_id);
  // Now the id alone no longer opens it.
  await assert.rejects(guest.store.cart.retrieve(cart.id), (e) => e.status === 404);
});

console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed ? 1 : 0);
