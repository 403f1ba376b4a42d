package linkedin

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// analyticsFields are the metrics requested from adAnalytics (LinkedIn
// allows at most 20).
var analyticsFields = []string{"dateRange", "pivotValues", "impressions", "clicks", "landingPageClicks",
	"costInLocalCurrency", "externalWebsiteConversions", "conversionValueInLocalCurrency", "videoViews"}

// restliDate is a Rest.li Date record: (year:2026,month:11,day:16).
func restliDate(t time.Time) string {
	return fmt.Sprintf("(year:%d,month:%d,day:%d)", t.Year(), int(t.Month()), t.Day())
}

// restliList is List(a,b) with every item URL-encoded (URNs' ':' become
// %3A) and the structure characters left as they are, as Rest.li 2.0 wants.
func restliList(items ...string) string {
	enc := make([]string, len(items))
	for i, it := range items {
		enc[i] = url.QueryEscape(it)
	}
	return "List(" + strings.Join(enc, ",") + ")"
}

func accountURN(id string) string { return "urn:li:sponsoredAccount:" + id }

// analyticsPath is the adAnalytics request with its raw Rest.li query. It is
// built by hand because url.Values would percent-encode the parentheses,
// colons and commas that Rest.li reads as structure.
func analyticsPath(account string, since, until time.Time) string {
	q := []string{
		"q=analytics",
		"pivot=CREATIVE",
		"timeGranularity=DAILY",
		"dateRange=(start:" + restliDate(since) + ",end:" + restliDate(until) + ")",
		"accounts=" + restliList(accountURN(account)),
		"fields=" + strings.Join(analyticsFields, ","),
	}
	return "/rest/adAnalytics?" + strings.Join(q, "&")
}

// postsPath is a BATCH_GET of posts by URN.
func postsPath(urns []string) string {
	return "/rest/posts?ids=" + restliList(urns...)
}

// listPath is a campaign or creative finder page.
func listPath(account, resource, finder string, pageSize int, token string) string {
	q := url.Values{"q": {finder}, "pageSize": {fmt.Sprint(pageSize)}}
	if token != "" {
		q.Set("pageToken", token)
	}
	return "/rest/adAccounts/" + account + "/" + resource + "?" + q.Encode()
}

// urnID returns the id after the last ':' of a URN of the given type
// ("urn:li:sponsoredCreative:123", "sponsoredCreative" → "123").
func urnID(urn, typ string) (string, bool) {
	id, ok := strings.CutPrefix(urn, "urn:li:"+typ+":")
	if !ok || id == "" || !digitsRE.MatchString(id) {
		return "", false
	}
	return id, true
}

// slices cuts since..until (inclusive) into ranges of at most days days.
func dateSlices(since, until time.Time, days int) [][2]time.Time {
	var out [][2]time.Time
	for start := since; !start.After(until); start = start.AddDate(0, 0, days) {
		end := start.AddDate(0, 0, days-1)
		if end.After(until) {
			end = until
		}
		out = append(out, [2]time.Time{start, end})
	}
	return out
}
