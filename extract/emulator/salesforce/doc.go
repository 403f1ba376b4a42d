// Package salesforce emulates the Salesforce REST query API the salesforce
// connector (extract/salesforce) reads, for its tests and for `socialroi
// demo`. Importers alias it (salesforceemu) to keep it apart from the
// connector.
//
// It serves, behind extract/emulator's Server (fault script, request log):
//
//   - GET /services/data/{version}/query?q=SOQL for the subset of SOQL the
//     connector writes: SELECT field, … FROM Opportunity|Lead|Contact
//     [WHERE SystemModstamp|CreatedDate >= datetime literal] [ORDER BY
//     SystemModstamp|Id [ASC|DESC], …] [LIMIT n]. Unknown fields answer 400
//     INVALID_FIELD, unknown objects INVALID_TYPE, anything it cannot parse
//     MALFORMED_QUERY, as Salesforce does;
//   - GET /services/data/{version}/query/{locator}-{offset}: the
//     nextRecordsUrl pages of a query, in batches of the Sforce-Query-Options
//     batchSize (200–2,000, default 2,000; Config.PageSize forces smaller);
//   - records with an attributes object, numbers as JSON numbers, dates as
//     "2026-11-16", datetimes as "2026-11-16T10:00:00.000+0000", null for
//     empty fields;
//   - Authorization: Bearer checks (401 INVALID_SESSION_ID), the
//     Sforce-Limit-Info header (api-usage=N/M) on every answer, and fault
//     helpers for REQUEST_LIMIT_EXCEEDED and an expired session.
//
// FromBrand turns the demo brand's B2B leads into leads, contacts and
// opportunities. The server is deterministic.
package salesforce
