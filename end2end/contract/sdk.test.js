// Twilio's official Node client against the fake: every endpoint, paging and
// error case the console relies on, asserted through the SDK's own parsing.
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { root, startFake, clientFor } = require("./fake");
const fs = require("node:fs");
const path = require("node:path");

const ACCOUNT = "ACc0000000000000000000000000000001";
const OTHER = "ACc0000000000000000000000000000002";
const KEY_SID = "CRc00000000000000000000000000000a1";
const AWS_SID = "CRc00000000000000000000000000000b1";
const PEM = fs.readFileSync(path.join(root, "src", "domain", "testdata", "rsa2048.pub.pem"), "utf8");
const EC_PEM = fs.readFileSync(path.join(root, "src", "domain", "testdata", "ec-p256.pub.pem"), "utf8");
const AWS_SECRET = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

let fake;
let base;
const client = (user, pass, opts = {}) => clientFor(base, user, pass, opts);

before(async () => {
  ({ process: fake, base } = await startFake(path.join(__dirname, "seed.json")));
});

after(() => fake?.kill());

async function rejects(promise, status, code) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.constructor.name, "RestException", String(e));
    assert.equal(e.status, status);
    assert.equal(e.code, code);
    assert.equal(e.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    return true;
  });
}

test("composition settings: fetch and update, parsed by the SDK", async () => {
  const c = client(ACCOUNT, "contract-token-1");
  const before = await c.video.v1.compositionSettings().fetch();
  assert.equal(before.accountSid, ACCOUNT);
  assert.equal(before.url, "https://video.twilio.com/v1/CompositionSettings/Default");
  assert.equal(before.encryptionEnabled, false);
  const saved = await c.video.v1.compositionSettings().create({
    friendlyName: "SDK contract",
    encryptionEnabled: true,
    encryptionKeySid: KEY_SID,
    awsStorageEnabled: true,
    awsCredentialsSid: AWS_SID,
    awsS3Url: "https://contract.s3.us-east-1.amazonaws.com/c",
  });
  assert.equal(saved.friendlyName, "SDK contract");
  assert.equal(saved.encryptionKeySid, KEY_SID);
  assert.equal(saved.awsStorageEnabled, true);
  const again = await c.video.v1.compositionSettings().fetch();
  assert.equal(again.awsS3Url, "https://contract.s3.us-east-1.amazonaws.com/c");
});

test("recording settings are separate and refuse a key of the wrong kind", async () => {
  const c = client(ACCOUNT, "contract-token-1");
  const rec = await c.video.v1.recordingSettings().fetch();
  assert.equal(rec.url, "https://video.twilio.com/v1/RecordingSettings/Default");
  assert.equal(rec.friendlyName, null);
  await rejects(
    c.video.v1.recordingSettings().create({ friendlyName: "x", encryptionEnabled: true, encryptionKeySid: AWS_SID }),
    400,
    20001,
  );
  const saved = await c.video.v1.recordingSettings().create({ friendlyName: "recordings" });
  assert.equal(saved.friendlyName, "recordings");
});

test("AWS credentials: create, fetch, update, list across pages, remove", async () => {
  const c = client(ACCOUNT, "contract-token-1");
  const aws = c.accounts.v1.credentials.aws;
  const created = [];
  for (let i = 0; i < 5; i++) {
    created.push(await aws.create({ credentials: AWS_SECRET, friendlyName: `paged ${i}` }));
  }
  assert.match(created[0].sid, /^CR[0-9a-f]{32}$/);
  assert.ok(created[0].dateCreated instanceof Date && !Number.isNaN(created[0].dateCreated.getTime()));
  assert.equal(created[0].url, `https://accounts.twilio.com/v1/Credentials/AWS/${created[0].sid}`);

  const all = await aws.list({ pageSize: 2 });
  assert.deepEqual(
    all.map((x) => x.friendlyName),
    ["seeded aws", "paged 0", "paged 1", "paged 2", "paged 3", "paged 4"],
  );
  const page = await aws.page({ pageSize: 2 });
  assert.equal(page.instances.length, 2);
  assert.ok(page.nextPageUrl.startsWith("https://accounts.twilio.com/v1/Credentials/AWS?"));

  const renamed = await aws(created[0].sid).update({ friendlyName: "renamed" });
  assert.equal(renamed.friendlyName, "renamed");
  assert.equal((await aws(created[0].sid).fetch()).friendlyName, "renamed");
  assert.equal(await aws(created[0].sid).remove(), true);
  await rejects(aws(created[0].sid).fetch(), 404, 20404);
  await rejects(aws.create({ credentials: "AKIA:short" }), 400, 70106);
});

test("public keys: create with PEM, Twilio's key checks, list and remove", async () => {
  const c = client(ACCOUNT, "contract-token-1");
  const keys = c.accounts.v1.credentials.publicKey;
  const key = await keys.create({ publicKey: PEM, friendlyName: "prod-2026" });
  assert.equal(key.friendlyName, "prod-2026");
  assert.equal(key.accountSid, ACCOUNT);
  const listed = await keys.list();
  assert.deepEqual(listed.map((k) => k.sid), [KEY_SID, key.sid]);
  await rejects(keys.create({ publicKey: EC_PEM }), 400, 70101);
  await rejects(keys.create({ publicKey: "not a key" }), 400, 70104);
  await rejects(keys(AWS_SID).fetch(), 404, 20404);
  assert.equal(await keys(key.sid).remove(), true);
});

test("an API key acts for its own account only", async () => {
  const c = client("SKc0000000000000000000000000000001", "contract-key-secret", { accountSid: ACCOUNT });
  const s = await c.video.v1.compositionSettings().fetch();
  assert.equal(s.accountSid, ACCOUNT);
  const other = client(OTHER, "contract-token-2");
  await rejects(other.accounts.v1.credentials.aws(AWS_SID).fetch(), 404, 20404);
  assert.equal((await other.accounts.v1.credentials.aws.list()).length, 0);
});

test("wrong credentials are a 401 with code 20003", async () => {
  const c = client(ACCOUNT, "wrong-token");
  await rejects(c.video.v1.compositionSettings().fetch(), 401, 20003);
});
