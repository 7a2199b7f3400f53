// Twilio's official Node client against the fake's 2010-04-01 Accounts and
// Keys resources: paging through `list` and `each`, fetch, key create and
// delete, and the refusals, asserted through the SDK's own parsing.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { startFake, clientFor } = require("./fake");
const path = require("node:path");

const PARENT = "ACc0000000000000000000000000000100";
const SUB = "ACc0000000000000000000000000000101";
const CLOSED = "ACc0000000000000000000000000000103";
const OTHER_SUB = "ACc0000000000000000000000000000201";

let fake;
let base;
const client = (user, pass, opts = {}) => clientFor(base, user, pass, opts);
const parent = () => client(PARENT, "contract-parent-token");

before(async () => {
  ({ process: fake, base } = await startFake(path.join(__dirname, "subaccounts.seed.json")));
});

after(() => fake?.kill());

async function rejects(promise, status, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.constructor.name, "RestException", String(e));
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    return true;
  });
}

test("accounts: list pages through relative links, parent first", async () => {
  const all = await parent().api.v2010.accounts.list({ pageSize: 2 });
  assert.deepEqual(
    all.map((a) => a.sid),
    [PARENT, SUB, "ACc0000000000000000000000000000102", CLOSED, "ACc0000000000000000000000000000104"],
  );
  assert.equal(all[0].ownerAccountSid, PARENT);
  assert.equal(all[1].ownerAccountSid, PARENT);
  assert.equal(all[1].friendlyName, "Sub One");
  assert.equal(all[1].status, "active");
  assert.equal(all[1].type, "Full");
  assert.ok(all[1].dateCreated instanceof Date);
  assert.equal(all[1].dateCreated.toISOString(), "2026-02-01T10:00:00.000Z");
  assert.equal(all[1].uri, `/2010-04-01/Accounts/${SUB}.json`);
  const seen = [];
  await new Promise((resolve, reject) =>
    parent().api.v2010.accounts.each({ pageSize: 1, callback: (a) => seen.push(a.sid), done: (e) => (e ? reject(e) : resolve()) }),
  );
  assert.equal(seen.length, 5);
  const page = await parent().api.v2010.accounts.page({ pageSize: 2 });
  assert.equal(page.instances.length, 2);
  const next = await page.nextPage();
  assert.equal(next.instances[0].sid, "ACc0000000000000000000000000000102");
});

test("accounts: filters by exact name and status", async () => {
  const named = await parent().api.v2010.accounts.list({ friendlyName: "Sub Four" });
  assert.deepEqual(named.map((a) => a.sid), ["ACc0000000000000000000000000000104"]);
  const closed = await parent().api.v2010.accounts.list({ status: "closed" });
  assert.deepEqual(closed.map((a) => a.sid), [CLOSED]);
  await rejects(parent().api.v2010.accounts.list({ status: "sleeping" }), 400, 20001);
});

test("accounts: fetch reaches own subaccounts only", async () => {
  const sub = await parent().api.v2010.accounts(SUB).fetch();
  assert.equal(sub.friendlyName, "Sub One");
  await rejects(parent().api.v2010.accounts(OTHER_SUB).fetch(), 404, 20404);
  // A subaccount's own login sees itself, not its parent.
  const own = client(SUB, "sub-token-1");
  assert.equal((await own.api.v2010.accounts(SUB).fetch()).sid, SUB);
  await rejects(own.api.v2010.accounts(PARENT).fetch(), 404, 20404);
});

test("keys: the parent makes a key in a subaccount, which logs in there", async () => {
  const made = await parent().api.v2010.accounts(SUB).newKeys.create({ friendlyName: "composition-admin contract" });
  assert.match(made.sid, /^SK[0-9a-f]{32}$/);
  assert.equal(made.friendlyName, "composition-admin contract");
  assert.ok(made.secret.length >= 32);
  assert.ok(made.dateCreated instanceof Date);
  const listed = await parent().api.v2010.accounts(SUB).keys.list();
  assert.ok(listed.some((k) => k.sid === made.sid && k.friendlyName === "composition-admin contract"));
  assert.ok(listed.every((k) => k.secret === undefined), "a listed key shows no secret");
  // The key reads the subaccount's Video settings; the parent's login there reads the parent's.
  const asKey = client(made.sid, made.secret, { accountSid: SUB });
  assert.equal((await asKey.video.v1.compositionSettings().fetch()).accountSid, SUB);
  assert.equal((await parent().video.v1.compositionSettings().fetch()).accountSid, PARENT);
  assert.equal(await parent().api.v2010.accounts(SUB).keys(made.sid).remove(), true);
  await rejects(asKey.video.v1.compositionSettings().fetch(), 401, 20003);
  await rejects(parent().api.v2010.accounts(SUB).keys(made.sid).remove(), 404, 20404);
});

test("keys and accounts: the refusals", async () => {
  const standard = client("SKc0000000000000000000000000000101", "contract-standard-secret", { accountSid: PARENT });
  await rejects(standard.api.v2010.accounts.list(), 401, 20003);
  await rejects(standard.api.v2010.accounts(SUB).newKeys.create({ friendlyName: "x" }), 401, 20003);
  const main = client("SKc0000000000000000000000000000100", "contract-main-secret", { accountSid: PARENT });
  assert.equal((await main.api.v2010.accounts.list()).length, 5);
  await rejects(parent().api.v2010.accounts(OTHER_SUB).newKeys.create({ friendlyName: "x" }), 404, 20404);
  await rejects(parent().api.v2010.accounts(CLOSED).newKeys.create({ friendlyName: "x" }), 403, 20005);
  await rejects(client(PARENT, "wrong").api.v2010.accounts.list(), 401, 20003);
});
