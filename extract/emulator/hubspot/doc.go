// Package hubspot emulates the HubSpot CRM v3 API endpoints the hubspot
// connector (extract/hubspot) reads, for its tests and for `socialroi demo`.
// Importers alias it (hubspotemu) to keep it apart from the connector.
//
// It serves, behind extract/emulator's Server (fault script, request log):
//
//   - POST /crm/v3/objects/deals/search and /crm/v3/objects/contacts/search:
//     a filterGroups filter on the modified-date property (hs_lastmodifieddate
//     for deals, lastmodifieddate for contacts; GTE, GT, LTE, LT, EQ on epoch
//     milliseconds), sorts on it, the requested properties only (values as
//     strings or null), limit 1..200, paging.next.after offsets, and the
//     search cap: a request whose after reaches Config.SearchCap (HubSpot:
//     10,000) is answered 400, as HubSpot does;
//   - POST /crm/v4/associations/deals/contacts/batch/read: 200 when every
//     deal has contacts, 207 Multi-Status with an errors list naming the deals
//     that have none;
//   - Authorization: Bearer checks (401 INVALID_AUTHENTICATION), and fault
//     helpers for the 429 policy bodies (SECONDLY, TEN_SECONDLY_ROLLING,
//     DAILY) and an expired token.
//
// FromBrand turns the demo brand's HubSpot leads into deals and contacts.
// The server is deterministic: the same Data and requests give the same bytes.
package hubspot
