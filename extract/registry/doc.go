// Package registry is the influencer registry source: finance keeps the
// brand's creators, their promo codes, link keys, contracts and costs in one
// YAML file or two CSV files, and this package reads them into the canonical
// `influencers` and `influencer_costs` tables (DESIGN §3).
//
// Responsibilities:
//   - the "influencer_registry" source kind: settings name a YAML file
//     (`path`) or two CSV files (`creators` and `costs`);
//   - reading and validating a registry (ReadYAML, ReadCSV, Load) with
//     errors that name the file, the line, the creator and the field, so
//     that finance can fix the file without reading code;
//   - writing a registry back as YAML (Registry.YAML), which the demo brand
//     generator uses, so that one format has one reader and one writer.
//
// The registry is read and validated when the source is built (the
// factory), which the pipeline does for every source before it extracts
// anything; a bad registry is therefore a configuration error (exit code 2)
// and no data is loaded. Extract emits what was validated then, so the run
// loads exactly the registry that was checked.
//
// # YAML
//
//	creators:
//	  - id: cr_001                        # required, unique
//	    handle: "@maya.makes"             # required (quote it: @ is reserved in YAML)
//	    platform: instagram               # required
//	    promo_codes: [MAYA15]             # optional lists: [] or left out mean none
//	    link_keys: [maya-fall26]          # utm values that identify the creator's links
//	    contract: {start: 2026-08-15, end: 2026-11-30}   # either may be left out
//	    usage_rights_until: 2026-12-05
//	    whitelisted_ad_ids: ["120000001"] # ad ids whose spend is creator cost
//	    costs:
//	      - {date: 2026-09-01, kind: fee, amount: "1500.00", currency: USD}
//
// Unknown keys are errors (a misspelt `promo_code` would otherwise silently
// drop the creator's codes). Dates are YYYY-MM-DD. List items are taken as
// written: write ad ids quoted or not, they are text either way.
//
// # CSV
//
// creators.csv has a header row with the columns creator_id, handle,
// platform, promo_codes, link_keys, contract_start, contract_end,
// usage_rights_until, whitelisted_ad_ids (any order, case-insensitive;
// creator_id, handle and platform are required, the others may be left
// out). List cells hold items separated by `|` or `;` (spreadsheets in some
// locales prefer `;`), e.g. `MAYA15|MAYA-VIP`; whitespace around items and
// empty items are ignored, so neither character can be part of a code, link
// key or ad id. costs.csv has the columns creator_id, date, kind, amount,
// currency, all required; every creator_id must be in creators.csv. Unknown
// columns are errors, like unknown YAML keys. UTF-8, with or without BOM.
//
// # Rules both formats follow
//
//   - creator ids are unique; handle and platform are required;
//   - a promo code belongs to one creator: codes compare case-insensitively
//     after trimming ("maya15" and "MAYA15" collide), because orders are
//     matched to codes case-insensitively; codes are stored as written
//     (case kept, surrounding whitespace removed). Link keys follow the same
//     rule, since a link key shared by two creators identifies neither, and
//     an ad id may be whitelisted for one creator only, since its spend
//     would otherwise be counted twice in creator cost;
//   - the contract end is not before its start;
//   - a cost's kind is fee, product, bonus or whitelisting (case-insensitive,
//     stored lower-case); its amount is a decimal with at most two decimals
//     and not negative, given as a string or a number but always parsed from
//     its text, never through a float; currency is a three-letter code
//     (stored upper-case);
//   - a creator has at most one cost per date and kind: that is the natural
//     key of influencer_costs, and a second row would silently replace the
//     first when loaded. Book the sum instead;
//   - a list left out or empty is an empty list, never NULL, so SQL over the
//     lists behaves the same for every creator.
//
// Every problem in a file is reported at once (up to a limit), not only the
// first, so one round of fixes is usually enough.
package registry
