// The fake the contract tests drive, and Twilio's Node client aimed at it.
const { spawn } = require("node:child_process");
const path = require("node:path");
const twilio = require("twilio");

const root = path.join(__dirname, "..", "..");
const FAKE = process.env.TWILIO_FAKE_BIN ?? path.join(root, "target", "debug", "twilio-fake");

// Keeps the SDK's real https://*.twilio.com URLs (so it resolves page links
// itself, absolute or relative) and sends every request to the fake.
class ToFake extends twilio.RequestClient {
  constructor(base) {
    super();
    this.base = new URL(base);
  }
  request(opts) {
    const url = new URL(opts.uri);
    url.protocol = this.base.protocol;
    url.host = this.base.host;
    return super.request({ ...opts, uri: url.href });
  }
}

/** Starts `twilio-fake` on a free port with `seed`; resolves to { process, base }. */
function startFake(seed) {
  const fake = spawn(FAKE, ["--listen", "127.0.0.1:0", "--seed", seed]);
  const base = new Promise((resolve, reject) => {
    let out = "";
    fake.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    fake.on("exit", (code) => reject(new Error(`twilio-fake exited with ${code}`)));
    setTimeout(() => reject(new Error("twilio-fake did not start")), 10_000).unref();
  });
  return base.then((url) => ({ process: fake, base: url }));
}

/** Twilio's client logging in as `user`, talking to the fake at `base`. */
const clientFor = (base, user, pass, opts = {}) => twilio(user, pass, { httpClient: new ToFake(base), ...opts });

module.exports = { root, startFake, clientFor };
