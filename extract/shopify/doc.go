// Package shopify is the Shopify Admin API connector, registered as source
// kind "shopify". It reads orders and emits canonical conversions, the
// touchpoints an order's landing_site and referring_site reveal, and the
// identities that stitch a customer to the rest of the person's ids.
//
// Built against the REST Admin API version 2025-07 (the default api_version;
// override per source). Why REST although Shopify calls it legacy: the data
// we need (orders with discount codes, refunds, landing_site and
// referring_site, customer order counts) is the same in both APIs, REST's
// Link-header paging and leaky-bucket call limit are simple to follow and to
// emulate, and a private app's token works with both. Moving to the GraphQL
// Admin API needs: a query for orders (filter `updated_at:>=…`, cursor paging
// on pageInfo.endCursor), customer.numberOfOrders instead of the customers
// calls, refunds[].transactions, customerJourneySummary or landingPageUrl for
// the landing site, and a Classifier for cost-based throttling (HTTP 200 with
// errors[].extensions.code THROTTLED; wait from
// extensions.cost.throttleStatus until currentlyAvailable covers the query's
// requestedQueryCost).
//
// What it calls:
//   - GET /admin/api/{version}/orders.json?status=any&updated_at_min=<Since>&limit=<page_limit>
//     with header X-Shopify-Access-Token; later pages follow the Link header's
//     rel="next" URL exactly as given (with page_info no other filter may be
//     resent);
//   - GET /admin/api/{version}/customers.json?ids=…&fields=id,orders_count
//     (100 ids a call) for the order counts, because customer.orders_count
//     was removed from the order's embedded customer in 2022-04.
//
// Mapping (one conversion per order):
//   - conversion_id "shopify:order:<id>", type purchase, order_id = the
//     order's name ("#1001", what the shop's staff and finance see; the
//     numeric id when the name is empty), person_id "shopify:customer:<id>"
//     (NULL for a guest checkout), crm_source = the source's config name,
//     ts = created_at (an instant; its offset is the shop's timezone).
//   - revenue = total_price minus the successful refund transactions
//     (kind "refund", status "success"), never below 0, as DECIMAL(18,2).
//   - promo_codes = discount_codes[].code exactly as typed (no case folding:
//     matching codes to creators is the models' business).
//   - is_new_customer: the order is the customer's first. The customer's
//     orders_count counts all their orders ever; every order created after
//     Since was fetched (there is no upper bound on updated_at), so the
//     orders before this one number orders_count minus the fetched orders of
//     the customer created at or after it. Zero means new. A customer the
//     customers call does not return (deleted) counts only the fetched
//     orders, i.e. new when this is their earliest fetched order. Guest
//     checkouts are not new customers (they cannot be told apart).
//   - cancelled orders (cancelled_at set) are emitted with revenue 0 and
//     is_new_customer false, so that a re-run replaces the earlier row of an
//     order cancelled since; they still count in orders_count, as Shopify
//     counts them.
//   - only orders created up to the end of Until are emitted; orders created
//     before Since but updated since (a refund) are emitted again, which
//     restates their revenue.
//
// Touchpoints (source "shopify_landing", interaction "visit", touchpoint_id
// "shopify:order:<id>:landing"): one per order with a landing_site or
// referring_site. utm_* and a click id (fbclid, gclid, ttclid, li_fat_id,
// first found in that order) come from landing_site's query, landing_page is
// its path, referrer is referring_site. Shopify does not say when the visit
// happened; ts is created_at minus one second, so the visit precedes the
// conversion on the path.
//
// Set landing_touchpoints: false when the web analytics export already
// carries the sessions (the landing visit would be a second copy of one).
//
// Identities: one row per customer with an email on their latest fetched
// order (the order's email, else the embedded customer's):
// (anonymous_id "shopify:customer:<id>", person_id "email:<sha256 hex>"),
// the hash taken of the address trimmed and lower-cased — the convention
// every connector follows (transform.EmailKey). The row is keyed by the customer id,
// which only Shopify issues, because identities' key is anonymous_id and the
// CRM connectors key their rows by the email hash; stitching treats links as
// undirected (sql/staging/stg_identity_map.sql).
//
// Throttling: 429 is retried after Retry-After (Shopify sends seconds with
// a decimal, "2.0"); when X-Shopify-Shop-Api-Call-Limit shows the bucket 80%
// full or more, the next call waits until it has leaked below that (the
// bucket leaks max/20 calls a second: 2/s for 40). 401 fails at once naming
// the access_token setting; 402, 403, 404 and 423 fail with Shopify's
// message; 5xx and connection errors are retried.
//
// Not covered: the GraphQL Admin API, orders older than 60 days without the
// read_all_orders scope (Shopify silently omits them), multi-currency
// presentment amounts (shop currency only), and refunds' shipping or
// order-level adjustments beyond their transactions.
package shopify
