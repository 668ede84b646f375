// Drives a freshly spawned storefront server with the real Medusa clients:
// @medusajs/js-sdk 2.x (v2 routes) and @medusajs/medusa-js 6.x (v1 customer routes).
//
// The server (server.mjs) runs over a fresh SQLite file with the demo catalogue; mail is
// written as files under its data folder (development), where the reset token is read from.
// Prints one line per step and a closing "N passed, N failed"; exits 1 when any step failed.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";

import Medusa from "@medusajs/js-sdk";
import MedusaV1 from "@medusajs/medusa-js";

import { startServer } from "./server.mjs";

const results = { passed: 0, failed: 0 };
async function step(name, fn) {
  try {
    await fn();
    results.passed += 1;
    console.log(`ok     ${name}`);
  } catch (e) {
    results.failed += 1;
    console.log(`FAILED ${name}\n       ${(e && e.stack) || e}`);
  }
}

/** Expects `promise` to reject with a FetchError (js-sdk) of this status. */
async function rejects(promise, status, message) {
  try {
    await promise;
  } catch (e) {
    const got = e.status ?? e.response?.status;
    assert.equal(got, status, `expected ${status}, got ${got}: ${e.message}`);
    if (message !== undefined) assert.equal(e.message, message);
    return e;
  }
  assert.fail(`expected a ${status} error`);
}

// ---- the server -------------------------------------------------------------------------
const { baseUrl, publishableKey, dir } = await startServer("medusa-clients", {});

/** A stored mail as text: headers, then the body decoded (base64 or quoted-printable; a
 * multipart mail's parts are decoded by what they declare). */
function readMail(raw) {
  const at = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, at);
  let body = raw.slice(at).trim();
  if (/content-transfer-encoding:\s*base64/i.test(headers)) {
    body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  } else if (/content-transfer-encoding:\s*quoted-printable/i.test(raw)) {
    body = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  }
  return `${headers}\n\n${body}`;
}

/** The reset token of the newest mail to `email`. */
async function mailedToken(email, count) {
  const folder = join(dir, "mail");
  for (let i = 0; i < 100; i++) {
    let files = [];
    try {
      files = readdirSync(folder).filter((f) => f.endsWith(".eml")).sort();
    } catch {}
    const mails = files.map((f) => readMail(readFileSync(join(folder, f), "utf8"))).filter((m) => m.includes(email) && /^Subject: Reset your/m.test(m));
    if (mails.length >= count) {
      const match = mails[mails.length - 1].match(/token=([0-9a-f]{64})/);
      if (match) return match[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no reset mail for ${email}`);
}

/** Runs a GraphQL operation as the holder of `token`. */
async function graphql(token, query, variables) {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

// ---- @medusajs/js-sdk 2.x -------------------------------------------------------------------
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a completely new secret";
const email = `ada+${Date.now()}@example.com`;
const sdk = new Medusa({
  baseUrl,
  publishableKey,
  auth: { type: "jwt", jwtTokenStorageMethod: "memory" },
});
let customerId;
let addressId;
let orderId;
let productId;

await step("js-sdk: register an identity, then its customer", async () => {
  const token = await sdk.auth.register("customer", "emailpass", { email, password: PASSWORD });
  assert.equal(typeof token, "string");
  const { customer } = await sdk.store.customer.create({
    email,
    first_name: "Ada",
    last_name: "Lovelace",
  });
  assert.equal(customer.email, email);
  assert.equal(customer.has_account, true);
  assert.deepEqual(customer.addresses, []);
  customerId = customer.id;
  // The registration token itself names no customer.
  await rejects(sdk.store.customer.retrieve(), 401, "Unauthorized");
});

await step("js-sdk: a second registration of the email is refused", async () => {
  const other = new Medusa({ baseUrl, publishableKey, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
  await rejects(
    other.auth.register("customer", "emailpass", { email, password: PASSWORD }),
    401,
    "Identity with email already exists",
  );
});

await step("js-sdk: login (token) and profile", async () => {
  await rejects(
    sdk.auth.login("customer", "emailpass", { email, password: "not the password" }),
    401,
    "Invalid email or password",
  );
  const token = await sdk.auth.login("customer", "emailpass", { email, password: PASSWORD });
  assert.equal(typeof token, "string");
  const { customer } = await sdk.store.customer.retrieve();
  assert.equal(customer.id, customerId);
  const { customer: narrowed } = await sdk.store.customer.retrieve({ fields: "id,email" });
  assert.deepEqual(narrowed, { id: customerId, email });
  const { customer: updated } = await sdk.store.customer.update({
    first_name: "Augusta",
    phone: "+44 20 7946 0000",
    metadata: { tier: "gold" },
  });
  assert.equal(updated.first_name, "Augusta");
  assert.deepEqual(updated.metadata, { tier: "gold" });
  await rejects(sdk.store.customer.update({ email: "x@example.com" }), 400);
});

await step("js-sdk: refresh", async () => {
  const { token } = await sdk.auth.refresh();
  assert.equal(typeof token, "string");
  assert.equal(await sdk.client.getToken(), token, "the SDK keeps the new token");
  const { customer } = await sdk.store.customer.retrieve();
  assert.equal(customer.id, customerId);
});

await step("js-sdk: addresses", async () => {
  const { customer } = await sdk.store.customer.createAddress({
    first_name: "Ada",
    last_name: "Lovelace",
    address_1: "12 St James's Square",
    city: "London",
    country_code: "gb",
    postal_code: "SW1Y 4JH",
    address_name: "Home",
    is_default_shipping: true,
  });
  assert.equal(customer.addresses.length, 1);
  addressId = customer.addresses[0].id;
  assert.equal(customer.addresses[0].country_code, "gb");
  assert.equal(customer.addresses[0].is_default_shipping, true);
  const list = await sdk.store.customer.listAddress({ limit: 10 });
  assert.equal(list.count, 1);
  assert.equal(list.limit, 10);
  const { address } = await sdk.store.customer.retrieveAddress(addressId);
  assert.equal(address.city, "London");
  const { customer: after } = await sdk.store.customer.updateAddress(addressId, {
    city: "Cambridge",
    is_default_billing: true,
  });
  assert.equal(after.addresses[0].city, "Cambridge");
  assert.equal(after.addresses[0].address_1, "12 St James's Square");
  assert.equal(after.addresses[0].is_default_billing, true);
  const { customer: second } = await sdk.store.customer.createAddress({
    address_1: "1 Rue de Rivoli",
    city: "Paris",
    country_code: "fr",
  });
  const paris = second.addresses.find((a) => a.city === "Paris");
  const deleted = await sdk.store.customer.deleteAddress(paris.id);
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.parent.addresses.length, 1);
  await rejects(sdk.store.customer.retrieveAddress(paris.id), 404);
});

await step("js-sdk: products, categories, regions", async () => {
  const { products, count, limit } = await sdk.store.product.list({ limit: 3, fields: "id,title,handle" });
  assert.equal(products.length, 3);
  assert.equal(limit, 3);
  assert.ok(count >= 3);
  productId = products[0].id;
  const { product } = await sdk.store.product.retrieve(productId);
  assert.equal(product.id, productId);
  assert.ok(product.variants.length > 0);
  const priced = product.variants.find((v) => v.calculated_price);
  assert.ok(priced, "a variant has a calculated_price");
  assert.equal(typeof priced.calculated_price.calculated_amount, "number");
  const byHandle = await sdk.store.product.list({ handle: product.handle });
  assert.equal(byHandle.products[0].id, productId);
  const { product_categories } = await sdk.store.category.list({ limit: 5 });
  assert.ok(product_categories.length > 0);
  const { product_category } = await sdk.store.category.retrieve(product_categories[0].id);
  assert.equal(product_category.id, product_categories[0].id);
  const { regions } = await sdk.store.region.list();
  assert.equal(regions.length, 1);
  const { region } = await sdk.store.region.retrieve(regions[0].id);
  assert.equal(region.currency_code, regions[0].currency_code);
  await rejects(sdk.store.product.retrieve("prod_doesnotexist"), 404);
});

await step("js-sdk: orders placed through GraphQL", async () => {
  const token = await sdk.client.getToken();
  const { product } = await sdk.store.product.retrieve(productId);
  const variant = product.variants.find((v) => v.calculated_price && v.in_stock !== false);
  const { createCart } = await graphql(
    token,
    "mutation($input: CreateCartInput) { createCart(input: $input) { id } }",
    { input: { email, items: [{ variantId: variant.id, quantity: 1 }] } },
  );
  await graphql(
    token,
    "mutation($cart: ID!, $input: UpdateCartInput!) { updateCart(cartId: $cart, input: $input) { id } }",
    {
      cart: createCart.id,
      input: {
        shippingAddress: {
          address: { firstName: "Ada", lastName: "Lovelace", address1: "12 St James's Square", city: "London", countryCode: "GB", postalCode: "SW1Y 4JH" },
        },
      },
    },
  );
  const { completeCart } = await graphql(
    token,
    "mutation($cart: ID!) { completeCart(cartId: $cart) { id number } }",
    { cart: createCart.id },
  );
  orderId = completeCart.id;
  const { orders, count } = await sdk.store.order.list();
  assert.equal(count, 1);
  assert.equal(orders[0].id, orderId);
  const { order } = await sdk.store.order.retrieve(orderId);
  assert.equal(order.email, email);
  assert.equal(order.items.length, 1);
  assert.equal(order.items[0].variant_id, variant.id);
});

await step("js-sdk: another customer sees none of it", async () => {
  const other = new Medusa({ baseUrl, publishableKey, auth: { type: "jwt", jwtTokenStorageMethod: "memory" } });
  const otherEmail = `eve+${Date.now()}@example.com`;
  await other.auth.register("customer", "emailpass", { email: otherEmail, password: PASSWORD });
  await other.store.customer.create({ email: otherEmail });
  await other.auth.login("customer", "emailpass", { email: otherEmail, password: PASSWORD });
  await rejects(other.store.order.retrieve(orderId), 404);
  await rejects(other.store.customer.retrieveAddress(addressId), 404);
  await rejects(other.store.customer.updateAddress(addressId, { city: "Hacked" }), 404);
  await rejects(other.store.customer.deleteAddress(addressId), 404);
  assert.equal((await other.store.order.list()).count, 0);
  const { address } = await sdk.store.customer.retrieveAddress(addressId);
  assert.equal(address.city, "Cambridge");
});

await step("js-sdk: cookie session (login, profile, logout)", async () => {
  // Node's fetch keeps no cookies: a small jar plays the browser's part.
  const jar = new Map();
  const realFetch = globalThis.fetch;
  const jarFetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await realFetch(input, { ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const [k, v] = pair.split("=");
      if (attrs.some((a) => a.trim().toLowerCase() === "max-age=0") || v === "") jar.delete(k);
      else jar.set(k, v);
    }
    return res;
  };
  globalThis.fetch = jarFetch;
  try {
    const session = new Medusa({ baseUrl, publishableKey, auth: { type: "session" } });
    await session.auth.login("customer", "emailpass", { email, password: PASSWORD });
    assert.ok(jar.has("connect.sid"), "the session cookie was set");
    const { customer } = await session.store.customer.retrieve();
    assert.equal(customer.id, customerId);
    await session.auth.logout();
    assert.ok(!jar.has("connect.sid"), "the session cookie was cleared");
    await rejects(session.store.customer.retrieve(), 401);
  } finally {
    globalThis.fetch = realFetch;
  }
});

await step("js-sdk: password reset with the mailed token", async () => {
  // Resolves only on a 2xx answer (the SDK expects 201 text and would throw otherwise).
  await sdk.auth.resetPassword("customer", "emailpass", { identifier: email });
  await sdk.auth.resetPassword("customer", "emailpass", { identifier: "nobody@example.com" });
  const token = await mailedToken(email, 1);
  await sdk.auth.updateProvider("customer", "emailpass", { password: NEW_PASSWORD }, token);
  await rejects(
    sdk.auth.updateProvider("customer", "emailpass", { password: PASSWORD }, token),
    401,
    "Invalid token",
  );
  await rejects(sdk.auth.login("customer", "emailpass", { email, password: PASSWORD }), 401);
  await sdk.auth.login("customer", "emailpass", { email, password: NEW_PASSWORD });
  const { customer } = await sdk.store.customer.retrieve();
  assert.equal(customer.id, customerId);
});

// ---- @medusajs/medusa-js 6.x (v1) -------------------------------------------------------------
const v1Email = `grace+${Date.now()}@example.com`;
const v1 = new MedusaV1({ baseUrl, maxRetries: 0, publishableApiKey: publishableKey });

await step("medusa-js: register with a password, token, profile", async () => {
  const created = await v1.customers.create({
    email: v1Email,
    password: PASSWORD,
    first_name: "Grace",
    last_name: "Hopper",
  });
  assert.equal(created.customer.email, v1Email);
  const { access_token } = await v1.auth.getToken({ email: v1Email, password: PASSWORD });
  const auth = { Authorization: `Bearer ${access_token}` };
  const { customer } = await v1.customers.retrieve(auth);
  assert.equal(customer.email, v1Email);
  const { customer: updated } = await v1.customers.update({ first_name: "Amazing Grace" }, auth);
  assert.equal(updated.first_name, "Amazing Grace");
});

await step("medusa-js: cookie session, addresses, orders", async () => {
  const res = await v1.auth.authenticate({ email: v1Email, password: PASSWORD });
  const cookie = res.response.headers["set-cookie"].find((c) => c.startsWith("connect.sid="));
  assert.ok(cookie, "a session cookie");
  const headers = { Cookie: cookie.split(";")[0] };
  const session = await v1.auth.getSession(headers);
  assert.equal(session.customer.email, v1Email);
  const added = await v1.customers.addresses.addAddress(
    { address: { first_name: "Grace", last_name: "Hopper", address_1: "1 Navy Way", city: "Arlington", country_code: "us", postal_code: "22202" } },
    headers,
  );
  assert.equal(added.customer.shipping_addresses.length, 1);
  const id = added.customer.shipping_addresses[0].id;
  const changed = await v1.customers.addresses.updateAddress(id, { city: "Washington" }, headers);
  assert.equal(changed.customer.shipping_addresses[0].city, "Washington");
  const removed = await v1.customers.addresses.deleteAddress(id, headers);
  assert.equal(removed.customer.shipping_addresses.length, 0);
  const orders = await v1.customers.listOrders({ limit: 5 }, headers);
  assert.deepEqual([orders.count, orders.limit, orders.offset], [0, 5, 0]);
  const { exists } = await v1.auth.exists(v1Email);
  assert.equal(exists, false, "no enumeration oracle");
  await v1.auth.deleteSession(headers);
  await rejects(v1.auth.getSession(headers), 401);
});

await step("medusa-js: password token and reset", async () => {
  const res = await v1.customers.generatePasswordToken({ email: v1Email });
  assert.equal(res.response.status, 204);
  const token = await mailedToken(v1Email, 1);
  const { customer } = await v1.customers.resetPassword({ email: v1Email, token, password: NEW_PASSWORD });
  assert.equal(customer.email, v1Email);
  await rejects(v1.auth.getToken({ email: v1Email, password: PASSWORD }), 401);
  const { access_token } = await v1.auth.getToken({ email: v1Email, password: NEW_PASSWORD });
  assert.equal(typeof access_token, "string");
});

console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed ? 1 : 0);
