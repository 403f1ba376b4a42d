// Package httpx is the retrying HTTP client every API connector uses.
//
// It is a thin layer over github.com/hashicorp/go-retryablehttp (which owns
// the retry loop) that adds what a batch pipeline needs around it:
//
//   - a platform hook (Options.Classify) through which each connector says how
//     its platform signals "slow down" (Meta answers HTTP 400 with a throttle
//     code, TikTok a 200 with code 40100) or "stop" (an expired token);
//   - exponential backoff with full jitter, capped by WaitMax, that honours
//     Retry-After (seconds or HTTP date) on 429 and 503 without letting a
//     server park the run for an hour;
//   - steady pacing with golang.org/x/time/rate, and a pause before the next
//     call when a platform's usage headers say a quota is nearly spent;
//   - raw landing: every response body, error bodies included, is written
//     gzip-compressed to RawDir so that a run can be replayed and audited,
//     with an entry per response in RawDir's index (IndexFile: method,
//     redacted URL, hash of the redacted request body, status, redacted
//     headers, body file);
//   - replay: under a context carrying a Replay (WithReplay), a Client
//     answers each request from a recorded landing's index instead of the
//     network, in recorded order, never dialling, landing or sleeping; a
//     request that was never recorded fails with ErrNotRecorded;
//   - redaction: configured secrets (and well-known credential parameters
//     such as access_token=…) never appear in errors, logs or landed files;
//   - errors that name the source, the method and the redacted path, the HTTP
//     status, the platform's own message and the number of attempts, e.g.
//     "meta: GET /v21.0/act_123/insights: HTTP 400: (#17) User request limit
//     reached (after 6 attempts)".
//
// Sleeping is injectable (Options.Sleep) so retry tests run without waiting.
// A Client is safe for concurrent use; it keeps no package-level state.
package httpx
