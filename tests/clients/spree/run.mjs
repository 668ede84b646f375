// Drives a freshly spawned storefront server with the real @spree/sdk (pinned in
// package.json, installed by `npm ci`): register, login, profile, addresses, catalogue browsing
// with filters, cart to completed order as a guest and as a customer, order history, refresh,
// password reset (the token read from the mail the server writes) and logout, wishlists (shared
// by token and read signed out), saved cards (saved over GraphQL with a secret key, as the
// shop's payment integration does), store credits and gift cards (granted and issued the same
// way, applied to a cart and shown on the order), plus the error
// paths the SDK must be able to read (it crashes on a non-JSON error body).
//
// Usage: node run.mjs [path/to/storefront]. Without a path it runs `cargo build --bin
// storefront` and uses the debug binary ($CARGO_TARGET_DIR or the repository's target/). It
// installs the SDK with `npm ci` from the lock file first. Prints one line per check and a
// closing `N passed, N failed`; the exit status is 1 when anything failed.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
const { createClient, SpreeError } = await import('@spree/sdk');

let binary = process.argv[2];
if (!binary) {
  execFileSync('cargo', ['build', '--quiet', '--bin', 'storefront'], { cwd: repo, stdio: 'inherit' });
  binary = join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'debug', 'storefront');
}

let passed = 0;
let failed = 0;

function check(name, condition, detail) {
  if (condition) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
  }
}

/** Runs `fn`, counting an exception as a failure of `name`. */
async function step(name, fn) {
  try {
    await fn();
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: threw ${error?.stack ?? error}`);
  }
}

/** The SpreeError `promise` rejects with (or a failure when it resolves or throws another). */
async function spreeError(promise) {
  try {
    const value = await promise;
    return { unexpected: value };
  } catch (error) {
    if (error instanceof SpreeError) return error;
    return { unexpected: String(error) };
  }
}

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

async function waitUntilUp(base, server) {
  for (let i = 0; i < 300; i += 1) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not come up within 60 s');
}

/** The reset token in the newest mail the server wrote to `<data dir>/mail`. */
async function resetTokenFromMail(mailDir, before) {
  for (let i = 0; i < 50; i += 1) {
    let files = [];
    try {
      files = readdirSync(mailDir).filter((f) => f.endsWith('.eml') && !before.has(f)).sort();
    } catch {
      // no mail folder yet
    }
    // Other mail (order confirmations, password notices) shares the folder.
    const resets = files
      .map((f) => readFileSync(join(mailDir, f), 'utf8'))
      .filter((raw) => /^Subject: Reset your/m.test(raw));
    if (resets.length > 0) {
      const raw = resets[resets.length - 1];
      // Undo quoted-printable soft line breaks and `=3D` before looking for the link.
      const text = raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
      const match = text.match(/[?&]token=([A-Za-z0-9_-]+)/);
      if (match) return match[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no reset mail in ${mailDir}`);
}

function mailFiles(mailDir) {
  try {
    return new Set(readdirSync(mailDir));
  } catch {
    return new Set();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'storefront-spree-sdk-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  DATABASE_URL: `sqlite://${join(dataDir, 'storefront.db')}`,
  STOREFRONT_BIND: `127.0.0.1:${port}`,
  STOREFRONT_DATA_DIR: dataDir,
  STOREFRONT_ENV: 'development',
  STOREFRONT_SEED: 'demo',
  STOREFRONT_JWT_SECRET: 'spree-sdk-check-secret-0123456789abcdef',
  STOREFRONT_PUBLIC_URL: 'http://shop.example',
  RUST_LOG: process.env.RUST_LOG ?? 'warn',
};
delete env.STOREFRONT_SMTP_URL;

const publishableKey = execFileSync(binary, ['keys', 'create', 'publishable', '--name', 'SDK check'], {
  env,
  encoding: 'utf8',
}).trim();
const secretKey = execFileSync(binary, ['keys', 'create', 'secret', '--name', 'SDK check payments'], {
  env,
  encoding: 'utf8',
}).trim();
const server = spawn(binary, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });

try {
  await waitUntilUp(base, server);
  await run();
} catch (error) {
  failed += 1;
  console.log(`FAIL setup: ${error?.stack ?? error}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

async function run() {
  const client = createClient({ baseUrl: base, publishableKey });
  const email = `ada.${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  const newPassword = 'another long passphrase 42';
  let session;
  const shipTo = {
    first_name: 'Ada',
    last_name: 'Lovelace',
    address1: '12 St James Square',
    city: 'London',
    postal_code: 'SW1Y 4JH',
    country_iso: 'GB',
    phone: '+44 20 7946 0000',
  };

  await step('api key', async () => {
    const stranger = createClient({ baseUrl: base, publishableKey: 'pk_not_a_key' });
    const error = await spreeError(stranger.products.list());
    check('a bad publishable key is 401 invalid_token', error.status === 401 && error.code === 'invalid_token', error);
  });

  await step('register', async () => {
    session = await client.customers.create({
      email,
      password,
      password_confirmation: password,
      first_name: 'Ada',
      last_name: 'Lovelace',
    });
    check('register returns tokens', typeof session.token === 'string' && typeof session.refresh_token === 'string', session);
    check('register returns the customer', session.user?.email === email && session.user?.id?.startsWith('cus_'), session.user);
    const again = await spreeError(
      client.customers.create({ email, password, password_confirmation: password }),
    );
    check('a taken email is 422 validation_error', again.status === 422 && again.code === 'validation_error' && again.details?.email, again);
  });

  await step('login', async () => {
    const wrong = await spreeError(client.auth.login({ email, password: 'not the password' }));
    check('a wrong password is 401 authentication_failed', wrong.status === 401 && wrong.code === 'authentication_failed', wrong);
    session = await client.auth.login({ email, password });
    check('login returns tokens and the customer', session.token && session.refresh_token && session.user.email === email, session);
  });

  await step('profile', async () => {
    const anonymous = await spreeError(client.customer.get());
    check('the profile needs a token (401 authentication_required)', anonymous.status === 401 && anonymous.code === 'authentication_required', anonymous);
    const me = await client.customer.get({ token: session.token });
    check('customer.get', me.email === email && me.full_name === 'Ada Lovelace', me);
    const updated = await client.customer.update({ first_name: 'Augusta', phone: '555-0100' }, { token: session.token });
    check('customer.update', updated.first_name === 'Augusta' && updated.phone === '555-0100', updated);
    const noCurrent = await spreeError(client.customer.update({ email: `x.${email}` }, { token: session.token }));
    check('an email change needs current_password', noCurrent.status === 422 && noCurrent.code === 'current_password_invalid', noCurrent);
  });

  let homeId;
  await step('addresses', async () => {
    const opts = { token: session.token };
    const home = await client.customer.addresses.create({ ...shipTo, state_abbr: undefined }, opts);
    homeId = home.id;
    check('the first address becomes both defaults', home.id.startsWith('addr_') && home.is_default_billing && home.is_default_shipping, home);
    const work = await client.customer.addresses.create(
      { ...shipTo, address1: '1 Infinite Loop', city: 'Cupertino', country_iso: 'US', state_abbr: 'CA', postal_code: '95014', is_default_billing: true },
      opts,
    );
    check('is_default_billing on create', work.is_default_billing && !work.is_default_shipping && work.state_abbr === 'CA', work);
    const list = await client.customer.addresses.list({}, opts);
    check('addresses.list with meta', list.data.length === 2 && list.meta.count === 2 && list.meta.page === 1, list.meta);
    const renamed = await client.customer.addresses.update(work.id, { company: 'Apple' }, opts);
    check('addresses.update changes only what is sent', renamed.company === 'Apple' && renamed.city === 'Cupertino', renamed);
    const got = await client.customer.addresses.get(home.id, opts);
    check('addresses.get', got.id === home.id && got.country_iso === 'GB', got);
    await client.customer.addresses.delete(work.id, opts);
    const gone = await spreeError(client.customer.addresses.get(work.id, opts));
    check('a deleted address is 404 record_not_found', gone.status === 404 && gone.code === 'record_not_found', gone);
    const once = { ...opts, idempotencyKey: `address-${Date.now()}` };
    const made = await client.customer.addresses.create({ ...shipTo, city: 'Bath' }, once);
    const replayed = await client.customer.addresses.create({ ...shipTo, city: 'Bath' }, once);
    const count = (await client.customer.addresses.list({}, opts)).meta.count;
    check('a replayed Idempotency-Key answers the first address', replayed.id === made.id && count === 2, { made: made.id, replayed: replayed.id, count });
    const reused = await spreeError(client.customer.addresses.create({ ...shipTo, city: 'Wells' }, once));
    check('the same key with another body is 422 idempotency_key_reused', reused.status === 422 && reused.code === 'idempotency_key_reused', reused);
    await client.customer.addresses.delete(made.id, opts);
    const invalid = await spreeError(client.customer.addresses.create({ first_name: 'Ada' }, opts));
    check('an incomplete address is 422 with details', invalid.status === 422 && invalid.code === 'validation_error' && invalid.details?.city, invalid);
  });

  let variantId;
  await step('catalogue', async () => {
    const page = await client.products.list({ limit: 5 });
    check('products.list pages', page.data.length === 5 && page.meta.limit === 5 && page.meta.count >= 5 && page.meta.from === 1, page.meta);
    const product = page.data[0];
    check('a product has Spree fields', product.id.startsWith('prod_') && typeof product.slug === 'string' && 'price' in product, product);
    const word = product.name.split(' ')[0];
    const named = await client.products.list({ name_cont: word, limit: 100 });
    check('q[name_cont] filters', named.data.length > 0 && named.data.every((p) => p.name.toLowerCase().includes(word.toLowerCase())), { word, n: named.data.length });
    const cheapFirst = await client.products.list({ sort: 'price', limit: 20 });
    const amounts = cheapFirst.data.map((p) => Number(p.price?.amount ?? Infinity));
    check('sort=price orders by price', amounts.every((a, i) => i === 0 || amounts[i - 1] <= a), amounts);
    const cheap = await client.products.list({ price_lte: amounts[0], limit: 100 });
    check('q[price_lte] filters', cheap.data.length > 0 && cheap.data.every((p) => Number(p.price.amount) <= amounts[0]), cheap.meta);
    const inStock = await client.products.list({ in_stock: true, limit: 100, expand: ['variants'] });
    check('q[in_stock] filters', inStock.data.length > 0 && inStock.data.every((p) => p.in_stock), inStock.meta);
    const buyable = inStock.data.find((p) => p.variants?.some((v) => v.purchasable && v.in_stock && v.price));
    variantId = buyable?.variants.find((v) => v.purchasable && v.in_stock && v.price).id;
    check('expand=variants', typeof variantId === 'string' && variantId.startsWith('variant_'), buyable);
    const bySlug = await client.products.get(buyable.slug, { expand: ['variants', 'option_types'] });
    check('products.get by slug', bySlug.id === buyable.id && Array.isArray(bySlug.option_types), bySlug.id);
    const byId = await client.products.get(buyable.id, { fields: ['name'] });
    check('products.get by id with fields', byId.id === buyable.id && byId.name === buyable.name && !('slug' in byId), byId);
    const missing = await spreeError(client.products.get('no-such-product'));
    check('an unknown product is 404 record_not_found', missing.status === 404 && missing.code === 'record_not_found' && missing.message === 'Product not found', missing);
    const categories = await client.categories.list({ limit: 100 });
    check('categories.list', categories.data.length > 0 && categories.data[0].id.startsWith('ctg_'), categories.meta);
    const deep = categories.data.find((c) => c.permalink.includes('/')) ?? categories.data[0];
    const category = await client.categories.get(deep.permalink, { expand: ['children', 'ancestors'] });
    check('categories.get by permalink with slashes', category.id === deep.id && Array.isArray(category.ancestors), category.permalink);
    const facets = await client.products.filters({ category_id: deep.id });
    check('products.filters', Array.isArray(facets.filters) && facets.filters.some((f) => f.id === 'availability') && facets.default_sort === 'manual', facets);
    const inCategory = await client.products.list({ in_category: deep.id, limit: 100 });
    check('q[in_category] matches products.filters', inCategory.meta.count === facets.total_count, { listed: inCategory.meta.count, facets: facets.total_count });
  });

  let guestOrder;
  await step('guest checkout', async () => {
    const cart = await client.carts.create();
    check('a guest cart has a token', cart.id.startsWith('cart_') && typeof cart.token === 'string', cart);
    const spreeToken = cart.token;
    const other = await spreeError(client.carts.get(cart.id));
    check('a cart without its token is 404 cart_not_found', other.status === 404 && other.code === 'cart_not_found', other);
    let updated = await client.carts.items.create(cart.id, { variant_id: variantId, quantity: 2 }, { spreeToken });
    check('items.create', updated.items.length === 1 && updated.items[0].quantity === 2 && updated.total_quantity === 2, updated.items);
    updated = await client.carts.update(
      cart.id,
      { email: 'guest@example.com', shipping_address: shipTo, use_shipping: true },
      { spreeToken },
    );
    check('carts.update with an address', updated.email === 'guest@example.com' && updated.shipping_address?.city === 'London', updated.shipping_address);
    guestOrder = await client.carts.complete(cart.id, { spreeToken });
    check('carts.complete places the order', guestOrder.id.startsWith('or_') && /^R\d{9}$/.test(guestOrder.number) && guestOrder.completed_at, guestOrder);
    const seen = await client.orders.get(guestOrder.id, {}, { spreeToken });
    check('orders.get with the guest token', seen.number === guestOrder.number && seen.items.length === 1, seen.number);
    const stranger = await spreeError(client.orders.get(guestOrder.id));
    check('an order without its token is 404 order_not_found', stranger.status === 404 && stranger.code === 'order_not_found', stranger);
  });

  let customerOrder;
  await step('customer checkout', async () => {
    const opts = { token: session.token };
    const cart = await client.carts.create({}, opts);
    let updated = await client.carts.items.create(cart.id, { variant_id: variantId, quantity: 1 }, opts);
    const line = updated.items[0];
    updated = await client.carts.items.update(cart.id, line.id, { quantity: 3 }, opts);
    check('items.update sets the quantity', updated.items[0].quantity === 3, updated.items);
    const carts = await client.carts.list(opts);
    check('carts.list shows the open cart', carts.data.some((c) => c.id === cart.id), carts.meta);
    updated = await client.carts.update(cart.id, { shipping_address_id: homeId }, opts);
    check('a book address on the cart', updated.shipping_address?.address1 === shipTo.address1 && updated.email === email, updated.shipping_address);
    customerOrder = await client.carts.complete(cart.id, opts);
    check('the customer places the order', customerOrder.email === email && customerOrder.total_quantity === 3, customerOrder);
  });

  await step('order history', async () => {
    const opts = { token: session.token };
    const history = await client.customer.orders.list({}, opts);
    check('customer.orders.list', history.data.some((o) => o.id === customerOrder.id) && history.meta.count >= 1, history.meta);
    const byNumber = await client.customer.orders.list({ number_eq: customerOrder.number.toLowerCase(), sort: '-total', limit: 1 }, opts);
    check('customer.orders.list filters by q[number_eq] under a sort', byNumber.data.length === 1 && byNumber.data[0].id === customerOrder.id && byNumber.meta.count === 1 && byNumber.meta.limit === 1, byNumber.meta);
    const returned = await client.customer.orders.list({ state_eq: 'returned' }, opts);
    check('an unmatched q[state_eq] lists nothing', returned.data.length === 0 && returned.meta.count === 0 && returned.meta.pages === 1, returned.meta);
    const later = await client.customer.orders.list({ completed_at_gt: '2999-01-01', total_gteq: '0' }, opts);
    check('q[completed_at_gt] in the future lists nothing', later.data.length === 0, later.meta);
    const badSort = await spreeError(client.customer.orders.list({ sort: 'price' }, opts));
    check('an unknown sort is 422 validation_error', badSort.status === 422 && badSort.code === 'validation_error', badSort);
    const order = await client.customer.orders.get(customerOrder.id, {}, opts);
    check('customer.orders.get', order.number === customerOrder.number && typeof order.display_total === 'string', order.number);
    const sparse = await client.customer.orders.get(customerOrder.id, { fields: ['number', 'total'] }, opts);
    check('customer.orders.get with fields', Object.keys(sparse).sort().join() === 'id,number,total' && sparse.number === customerOrder.number, sparse);
    const theirs = await spreeError(client.customer.orders.get(guestOrder.id, {}, opts));
    check("someone else's order is 404 order_not_found", theirs.status === 404 && theirs.code === 'order_not_found', theirs);
  });

  await step('wishlists', async () => {
    const opts = { token: session.token };
    const anonymous = await spreeError(client.wishlists.list());
    check('wishlists need a customer (401)', anonymous.status === 401 && anonymous.code === 'authentication_required', anonymous);
    const list = await client.wishlists.create({ name: 'Birthday' }, opts);
    check('wishlists.create: the first list is the default, private', list.id.startsWith('wl_') && list.is_default && list.is_private && typeof list.token === 'string', list);
    const second = await client.wishlists.create({ name: 'Later', is_default: true }, opts);
    const lists = await client.wishlists.list({}, opts);
    check('wishlists.list: one default', lists.meta.count === 2 && lists.data.filter((l) => l.is_default).map((l) => l.id).join() === second.id, lists.data);
    const item = await client.wishlists.items.create(list.id, { variant_id: variantId, quantity: 2 }, opts);
    check('wishlists.items.create', item.id.startsWith('wi_') && item.quantity === 2 && item.variant?.id === variantId && item.available === true, item);
    const more = await client.wishlists.items.create(list.id, { variant_id: variantId }, opts);
    check('adding the same variant raises its quantity', more.id === item.id && more.quantity === 3, more);
    const changed = await client.wishlists.items.update(list.id, item.id, { quantity: 5 }, opts);
    check('wishlists.items.update', changed.quantity === 5, changed);
    const full = await client.wishlists.get(list.id, { expand: ['items'] }, opts);
    check('wishlists.get with expand=items', full.items?.length === 1 && full.items[0].quantity === 5, full);
    const privateByToken = await spreeError(client.wishlists.get(list.token));
    check("a private list's token is 404", privateByToken.status === 404 && privateByToken.code === 'record_not_found', privateByToken);
    const shared = await client.wishlists.update(list.id, { is_private: false, name: 'Birthday 40' }, opts);
    check('wishlists.update shares and renames', shared.is_private === false && shared.name === 'Birthday 40', shared);
    const byToken = await client.wishlists.get(list.token, { expand: ['items'] });
    check('a shared list reads by its token, signed out', byToken.id === list.id && byToken.items?.[0]?.quantity === 5, byToken);
    const bad = await spreeError(client.wishlists.get(`${list.token.slice(0, -1)}${list.token.endsWith('0') ? '1' : '0'}`));
    check('an altered token is 404', bad.status === 404, bad);
    const tooMany = await spreeError(client.wishlists.items.update(list.id, item.id, { quantity: 0 }, opts));
    check('quantity 0 is 422 validation_error', tooMany.status === 422 && tooMany.code === 'validation_error', tooMany);
    await client.wishlists.items.delete(list.id, item.id, opts);
    await client.wishlists.delete(second.id, opts);
    const after = await client.wishlists.list({}, opts);
    check('deleting the default promotes the oldest list', after.data.length === 1 && after.data[0].id === list.id && after.data[0].is_default, after.data);
    const gone = await spreeError(client.wishlists.get(second.id, {}, opts));
    check('a deleted list is 404 record_not_found', gone.status === 404 && gone.code === 'record_not_found', gone);
  });

  await step('saved cards', async () => {
    const opts = { token: session.token };
    const save = async (providerToken, last4, extra = {}) => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-storefront-secret-key': secretKey },
        body: JSON.stringify({
          query: 'mutation($input: SavePaymentMethodInput!) { savePaymentMethod(input: $input) { id isDefault } }',
          variables: { input: { customerId: session.user.id, provider: 'stripe', providerToken, brand: 'visa', last4, expMonth: 12, expYear: 2099, ...extra } },
        }),
      });
      return response.json();
    };
    const first = await save('pm_sdk_one', '4242');
    const second = await save('pm_sdk_two', '4444');
    check('the integration saves cards (secret key)', first.data?.savePaymentMethod?.isDefault === true && second.data?.savePaymentMethod?.isDefault === false, { first, second });
    const pan = await save('4242 4242 4242 4242', '4242');
    check('a card number is refused', pan.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT', pan);
    const cvc = await save('pm_sdk_three', '4242', { cvc: '123' });
    check('a cvc is refused', cvc.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT', cvc);
    const cards = await client.customer.creditCards.list({}, opts);
    check('customer.creditCards.list', cards.meta.count === 2 && cards.data[0].default === true && cards.data[0].last4 === '4242' && cards.data[0].gateway_payment_profile_id === null, cards.data);
    check('the provider token is never shown', !JSON.stringify(cards).includes('pm_sdk'), cards.data);
    const card = await client.customer.creditCards.get(cards.data[1].id, opts);
    check('customer.creditCards.get', card.id === cards.data[1].id && card.month === 12 && card.year === 2099 && card.brand === 'visa', card);
    await client.customer.creditCards.delete(cards.data[0].id, opts);
    const left = await client.customer.creditCards.list({}, opts);
    check('deleting the default card promotes the other', left.meta.count === 1 && left.data[0].default === true, left.data);
    const gone = await spreeError(client.customer.creditCards.get(cards.data[0].id, opts));
    check('a deleted card is 404 record_not_found', gone.status === 404 && gone.code === 'record_not_found', gone);
  });

  await step('store credits and gift cards', async () => {
    const opts = { token: session.token };
    const integrate = async (query, variables) => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-storefront-secret-key': secretKey },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    };
    const granted = await integrate(
      'mutation($input: GrantStoreCreditInput!) { grantStoreCredit(input: $input) { id } }',
      { input: { customerId: session.user.id, amount: 500, currency: 'USD', reason: 'Sorry for the wait' } },
    );
    const creditId = granted.data?.grantStoreCredit?.id;
    check('the shop grants store credit (secret key)', creditId?.startsWith('credit_'), granted);
    const credits = await client.customer.storeCredits.list({}, opts);
    check('customer.storeCredits.list', credits.meta.count === 1 && credits.data[0].id === creditId && credits.data[0].amount_remaining === '5.0', credits.data);
    const credit = await client.customer.storeCredits.get(creditId, opts);
    check('customer.storeCredits.get', credit.display_amount === '$5.00' && credit.amount_used === '0.0', credit);
    const issued = await integrate(
      'mutation($input: IssueGiftCardInput!) { issueGiftCard(input: $input) { code giftCard { id } } }',
      { input: { amount: 300, currency: 'USD' } },
    );
    const code = issued.data?.issueGiftCard?.code;
    const cardId = issued.data?.issueGiftCard?.giftCard?.id;
    check('the shop issues a gift card (secret key)', /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(code ?? '') && cardId?.startsWith('gc_'), issued);

    const cart = await client.carts.create({}, opts);
    await client.carts.items.create(cart.id, { variant_id: variantId, quantity: 1 }, opts);
    let updated = await client.carts.update(cart.id, { shipping_address_id: homeId }, opts);
    updated = await client.carts.storeCredits.apply(cart.id, undefined, opts);
    check('carts.storeCredits.apply (all)', updated.store_credit_total === '5.0' && updated.payments[0]?.source_type === 'store_credit', updated);
    updated = await client.carts.storeCredits.remove(cart.id, opts);
    check('carts.storeCredits.remove', updated.store_credit_total === '0.0' && updated.amount_due === updated.total, updated);
    updated = await client.carts.storeCredits.apply(cart.id, '2.5', opts);
    check('carts.storeCredits.apply (an amount)', updated.store_credit_total === '2.5', updated.store_credit_total);
    const wrong = await spreeError(client.carts.giftCards.apply(cart.id, 'AAAA-BBBB-CCCC-DDDD', opts));
    check('a wrong gift card code is 404 gift_card_not_found', wrong.status === 404 && wrong.code === 'gift_card_not_found', wrong);
    updated = await client.carts.giftCards.apply(cart.id, code.toLowerCase(), opts);
    check('carts.giftCards.apply', updated.gift_card_total === '3.0' && updated.gift_card?.id === cardId, updated);
    updated = await client.carts.giftCards.remove(cart.id, cardId, opts);
    check('carts.giftCards.remove', updated.gift_card_total === '0.0' && updated.gift_card === null, updated.gift_card);
    updated = await client.carts.giftCards.apply(cart.id, code, opts);
    const order = await client.carts.complete(cart.id, opts);
    const due = Number(order.total) - 2.5 - 3;
    check('the order shows how it was paid', order.store_credit_total === '2.5' && order.gift_card_total === '3.0' && Math.abs(Number(order.amount_due) - due) < 0.001 && order.payments.every((p) => p.status === 'completed'), order);
    const used = await spreeError(client.carts.giftCards.apply((await client.carts.create({}, opts)).id, code, opts));
    check('a used-up card is 422 gift_card_already_redeemed', used.status === 422 && used.code === 'gift_card_already_redeemed', used);
    const cards = await client.customer.giftCards.list({}, opts);
    check('customer.giftCards.list (code masked)', cards.data.length === 1 && cards.data[0].id === cardId && cards.data[0].code.startsWith('XXXX-') && cards.data[0].status === 'redeemed', cards.data);
    const after = await client.customer.storeCredits.get(creditId, opts);
    check('the credit was debited', after.amount_remaining === '2.5' && after.amount_used === '2.5', after);
  });

  await step('refresh', async () => {
    const next = await client.auth.refresh({ refresh_token: session.refresh_token });
    check('refresh rotates the tokens', next.token && next.refresh_token !== session.refresh_token, next);
    session = next;
    const me = await client.customer.get({ token: session.token });
    check('the new access token works', me.email === email, me.email);
    const blank = await spreeError(client.auth.refresh({ refresh_token: '' }));
    check('a blank refresh token is 401 invalid_refresh_token', blank.status === 401 && blank.code === 'invalid_refresh_token', blank);
  });

  await step('password reset', async () => {
    const mailDir = join(dataDir, 'mail');
    const before = mailFiles(mailDir);
    const answer = await client.passwordResets.create({ email });
    check('passwordResets.create answers the fixed message', typeof answer?.message === 'string' && answer.message.startsWith('If an account exists'), answer);
    const unknown = await client.passwordResets.create({ email: 'nobody@example.com' });
    check('an unknown email gets the same answer', unknown?.message === answer.message, unknown);
    const token = await resetTokenFromMail(mailDir, before);
    const bad = await spreeError(client.passwordResets.update('not-a-token', { password: newPassword, password_confirmation: newPassword }));
    check('a bad reset token is 422 password_reset_token_invalid', bad.status === 422 && bad.code === 'password_reset_token_invalid', bad);
    const reset = await client.passwordResets.update(token, { password: newPassword, password_confirmation: newPassword });
    check('passwordResets.update signs in', reset.token && reset.user.email === email, reset.user);
    const old = await spreeError(client.customer.get({ token: session.token }));
    check('the reset ended the earlier session', old.status === 401 && old.code === 'authentication_required', old);
    session = await client.auth.login({ email, password: newPassword });
    check('login with the new password', session.user.email === email, session.user);
  });

  await step('logout', async () => {
    await client.auth.logout({ refresh_token: session.refresh_token });
    const after = await spreeError(client.auth.refresh({ refresh_token: session.refresh_token }));
    check('logout ends the refresh token', after.status === 401 && after.code === 'invalid_refresh_token', after);
  });

  await step('error bodies are JSON', async () => {
    const headers = { 'content-type': 'application/json', 'x-spree-api-key': publishableKey };
    const cases = [
      ['malformed JSON', 'POST', '/auth/login', '{"email":', 400, 'invalid_request'],
      ['an unknown route', 'GET', '/no/such/route', undefined, 404, 'record_not_found'],
      ['a wrong method', 'DELETE', '/products', undefined, 405, 'method_not_allowed'],
      ['an oversized body', 'POST', '/auth/login', JSON.stringify({ email: 'x'.repeat(2_000_000) }), 413, 'request_too_large'],
    ];
    for (const [name, method, path, body, status, code] of cases) {
      const response = await fetch(`${base}/api/v3/store${path}`, { method, headers, body });
      const parsed = await response.json().catch(() => null);
      check(`${name}: ${status} ${code} in the envelope`, response.status === status && parsed?.error?.code === code, { status: response.status, parsed });
    }
  });
}
