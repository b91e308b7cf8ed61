// Reference webhook receiver for the paydesk-core `webhook` bench, written the way Request
// Network's docs show it (api-reference/webhooks, Express tab): keep the raw body, HMAC-SHA256 it
// with the webhook secret, compare in constant time, 401 on mismatch, then JSON.parse, then 200.
// No storage, no dedupe: it only verifies and parses.
//
// Env: WEBHOOK_SECRET (required), PORT (0 = any free port). Listens on 127.0.0.1 only and prints
// `listening <port>` on stdout once ready.
"use strict";

const crypto = require("node:crypto");
const express = require("express");

const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET;
if (!WEBHOOK_SECRET) {
  console.error("WEBHOOK_SECRET is not set");
  process.exit(2);
}
const PORT = Number.parseInt(process.env.PORT ?? "0", 10) || 0;

const app = express();
app.disable("x-powered-by");

// Capture the exact request bytes for the signature check.
app.use(
  express.raw({
    type: "application/json",
    verify: (req, _res, buf) => {
      req.rawBody = buf;
    },
  }),
);

function verifySignature(rawBody, signature, secret) {
  if (typeof signature !== "string") return false;
  const expected = crypto.createHmac("sha256", secret).update(rawBody).digest("hex");
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  // timingSafeEqual throws on different lengths: check first.
  return given.length === wanted.length && crypto.timingSafeEqual(given, wanted);
}

app.post("/webhook", (req, res) => {
  const rawBody = req.rawBody ?? Buffer.alloc(0);
  const signature = req.headers["x-request-network-signature"];
  if (!verifySignature(rawBody, signature, WEBHOOK_SECRET)) {
    return res.status(401).json({ error: "Invalid signature" });
  }
  let body;
  try {
    body = JSON.parse(rawBody.toString("utf8"));
  } catch {
    return res.status(400).json({ error: "Invalid JSON" });
  }
  if (body === null || typeof body !== "object" || typeof body.event !== "string") {
    return res.status(400).json({ error: "No event" });
  }
  return res.status(200).json({ received: true });
});

const server = app.listen(PORT, "127.0.0.1", (err) => {
  if (err) {
    console.error(`cannot listen: ${err.message}`);
    process.exit(1);
  }
  console.log(`listening ${server.address().port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
