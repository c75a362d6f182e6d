// Package webpush delivers Web Push messages to browsers: standards-correct,
// encrypted (RFC 8291) and VAPID-signed (RFC 8292) requests to the push
// service named in a browser's subscription (RFC 8030).
//
// The flow:
//
//  1. Keys. A workspace has one VAPID key pair (GenerateKeys). Its public half
//     is the applicationServerKey the push prompt passes to
//     pushManager.subscribe, which makes the subscription "restricted": the
//     push service accepts messages for it only when they are signed with that
//     key. Rotating the key therefore orphans every existing subscription.
//     The caller stores the private half sealed (secrets.Box); this package
//     only holds it in memory.
//  2. Subscription. The browser posts PushSubscription.toJSON(); the caller
//     validates it with ParseSubscription and stores it with the visitor's
//     push consent. The endpoint is a capability URL: anyone who knows it and
//     the keys can push, so it is never logged (only its origin is).
//  3. Payload. Message.Encode turns what the service worker shows into JSON
//     and refuses anything that would not fit one 4096-byte record.
//  4. Encryption (RFC 8291, encrypt.go): a fresh ephemeral ECDH key and
//     salt per message, aes128gcm content coding, one record padded to 4096
//     bytes. VAPID (RFC 8292, vapid.go): a JWT with aud = the endpoint's
//     origin, exp = now + 12 h and sub = the Sender's (or the push's own)
//     contact URI, signed once per origin and subject and reused for 11 h,
//     since signing per message was most of a campaign's avoidable CPU.
//  5. Sender.Send POSTs the record with the TTL, Urgency and Topic headers of
//     RFC 8030, retries 429 and 5xx answers (honouring Retry-After) and
//     reports the outcome as a Result.
//
// What the caller must do with a Result:
//
//   - success (201): nothing; the push service has accepted the message, which
//     does not mean the browser has shown it.
//   - Gone (404 or 410; the error wraps ErrGone): the user unsubscribed, the
//     browser dropped the subscription or it expired. Delete the subscription
//     and record the push consent as withdrawn; never retry it.
//   - ErrVAPIDRejected (401/403): the VAPID key does not match the one the
//     subscription was made with, or the JWT is invalid. Retrying cannot help;
//     if it happens for every subscription the workspace's key was changed.
//   - other errors after retries: Result.RetryAfter, when set, is how long the
//     push service asked to wait; reschedule the job rather than looping.
package webpush
