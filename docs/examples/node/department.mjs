// A department's system on Lianxin's NATS channel, in nats.js: take one whistle and do what its
// type asks — a new one: sign for it (接单), start (办理), report the result (反馈); a reopened
// one: report the new result; a cancelled one (or a type we do not know): nothing. The same loop
// as ../department_nats.py; see docs/departments.md.
//
//     cd docs/examples/node && npm ci
//     eval "$(lianxin nats-credentials power_supply --env)"   # or the values you were given
//     node department.mjs
//
// Nothing here comes from Lianxin's code: only the NATS subjects and the JSON event contract
// (docs/contracts/events/*.json).
//
// On a NATS cluster a report may meet a stream electing a new leader (no answer for a few
// seconds) or a client reconnecting to another node (no ack in time): it is published again,
// with the same msgID, until the stream acks it. LIANXIN_NATS_URL may name several servers,
// comma-separated; the user and password go to the client as options, never inside the URL.
import { createHash } from "node:crypto";
import { connect, headers } from "nats";

const WHISTLE = "cn.lianxin.incidents.assignment.";
// What we report for each whistle type, in order: [kind, fields].
const REPORTS = {
  [WHISTLE + "dispatched.v1"]: [
    ["acknowledged", { note: "已接单" }],
    ["started", { note: "抢修队出发" }],
    ["resolved", { result: "已处理完毕" }],
  ],
  // The resident was not satisfied: the assignment is ours again, already in progress.
  [WHISTLE + "reopened.v1"]: [["resolved", { result: "复查后已处理完毕" }]],
  // The incident was cancelled or merged: stop, report nothing.
  [WHISTLE + "cancelled.v1"]: [],
};

// RFC 9562 UUIDv5 (SHA-1, name-based): the same bytes as Python's uuid.uuid5.
function uuid5(namespace, name) {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest().subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString("hex");
  return [0, 8, 12, 16, 20].map((at, i, all) => hex.slice(at, all[i + 1] ?? 32)).join("-");
}

// The same report always gets the same id, a new whistle a new one: a report sent twice is
// dropped by the stream, and the result after a reopening is not mistaken for the first one.
export function reportId(assignmentId, kind, whistleId) {
  return uuid5(assignmentId, `${kind}:${whistleId}`);
}

// What a publish meets while the cluster recovers: no responders (503: a leader election, no
// JetStream for a moment) or no ack in time. Worth another try; anything else is not.
const PASSING = new Set(["503", "TIMEOUT", "408"]);

// Publish until the stream acks, the same msgID each time (a copy that landed before its ack was
// lost is dropped by the stream); waits 0.1 s, 0.2 s, … 5 s between tries.
export async function publishUntilAcked(js, subject, data, options) {
  for (let delay = 100; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await js.publish(subject, data, options);
    } catch (err) {
      if (!PASSING.has(err?.code)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function report(code, kind, whistle, traceparent, fields) {
  const assignmentId = whistle.data.assignment_id;
  const type = `cn.lianxin.departments.assignment.${kind}.v1`;
  const event = {
    specversion: "1.0",
    id: reportId(assignmentId, kind, whistle.id),
    source: `/departments/${code}`,
    type,
    subject: assignmentId,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    dataschema: `urn:lianxin:schema:${type}`,
    data: { assignment_id: assignmentId, department_code: code, ...fields },
  };
  if (traceparent) event.traceparent = traceparent;
  return [`report.${code}.assignment_${kind}`, event];
}

export async function handleOne({ url, code, user, password, wait = 30_000 }) {
  const nc = await connect({
    servers: url.split(",").map((server) => server.trim()), // one server or a cluster's several
    user,
    pass: password,
    // The department may only receive on its own inbox prefix: the whistle and the stream's
    // acks of our reports come back there.
    inboxPrefix: `_INBOX_${code}`,
  });
  try {
    const js = nc.jetstream();
    // The durable consumer the platform created for us: bind to it, never create one.
    const consumer = await js.consumers.get("DISPATCH", `dept_${code}`);
    const msg = await consumer.next({ expires: wait });
    if (msg === null) throw new Error(`no whistle within ${wait} ms`);
    const whistle = msg.json();
    // The trace rule: pass the whistle's `traceparent` header on, unchanged (we start no spans
    // of our own), as each report's header and envelope attribute.
    const traceparent = msg.headers?.get("traceparent") || undefined;
    for (const [kind, fields] of REPORTS[whistle.type] ?? []) {
      const [subject, event] = report(code, kind, whistle, traceparent, fields);
      const h = headers();
      if (traceparent) h.set("traceparent", traceparent);
      // msgID is the Nats-Msg-Id header; the publish resolves once the REPORTS stream stored it.
      await publishUntilAcked(js, subject, JSON.stringify(event), { msgID: event.id, headers: h });
    }
    // Ack the whistle last: if we crash before this, it comes again and the reports above are
    // de-duplicated by their ids.
    await msg.ackAck();
    return whistle;
  } finally {
    // close, not drain: a drain can wait a long while with NATS unreachable. An unacked whistle
    // simply comes again.
    await nc.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env;
  const whistle = await handleOne({
    url: env.LIANXIN_NATS_URL ?? "nats://127.0.0.1:4222",
    code: env.LIANXIN_DEPARTMENT,
    user: env.LIANXIN_NATS_USER,
    password: env.LIANXIN_NATS_PASSWORD,
  });
  console.log(`${whistle.type} ${whistle.data.assignment_id}`);
}
