// Package shopify emulates the Shopify Admin REST API for connector tests and
// `socialroi demo`: GET /admin/api/{version}/orders.json with Link-header
// paging (page_info cursors; no other filter may accompany page_info, as on
// the real API), GET /admin/api/{version}/customers.json?ids=… and
// /customers/{id}.json for orders_count, the X-Shopify-Access-Token check,
// and the X-Shopify-Shop-Api-Call-Limit header on every response.
//
// Ground truth is a Config of Orders and Customers (FromBrand derives one
// from the generated demo brand). Faults (429 with Retry-After, 401, …) are
// injected through the embedded emulator.Server; ThrottleFault and
// UnauthorizedFault build Shopify's own bodies. Importers alias the package
// (shopifyemu) because the connector package is also named shopify.
package shopify
