package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/socialroi/socialroi/extract/httpx"
)

// infoPath is the advertiser info endpoint (Business API v1.3).
const infoPath = "/open_api/v1.3/advertiser/info/"

// infoFields are the fields asked of the advertiser info endpoint.
var infoFields = []string{"timezone", "currency", "name"}

// infoBatch is TikTok's limit on advertiser_ids per info call.
const infoBatch = 100

// advertiser is what a run knows about one advertiser: its currency (the
// settings', else the info call's), name and time zone (the info call's).
type advertiser struct {
	id, name, currency, timezone string
}

// infoPage is the envelope of one advertiser info response.
type infoPage struct {
	Code    *int   `json:"code"`
	Message string `json:"message"`
	Data    struct {
		List []struct {
			AdvertiserID val `json:"advertiser_id"`
			Name         val `json:"name"`
			Currency     val `json:"currency"`
			Timezone     val `json:"timezone"`
		} `json:"list"`
	} `json:"data"`
}

// advertisers reads GET /advertiser/info/ once per run (one call per 100
// advertisers) and resolves each advertiser's currency, name and time zone.
// Settings win over the info call for the currency (a mismatch is a
// warning); with neither, the source fails. An unknown time zone is kept as
// given with a warning.
func (s *Source) advertisers(ctx context.Context, client *httpx.Client, log *slog.Logger) (map[string]*advertiser, error) {
	fields, _ := json.Marshal(infoFields) // a slice of strings always marshals
	header := http.Header{"Access-Token": {s.settings.AccessToken.Reveal()}}
	ids := s.settings.AdvertiserIDs
	out := make(map[string]*advertiser, len(ids))
	for start := 0; start < len(ids); start += infoBatch {
		batch := ids[start:min(start+infoBatch, len(ids))]
		fail := func(err error) error {
			if errors.Is(err, ErrTokenInvalid) {
				return fmt.Errorf("%s: %w: renew the token named in %s: advertiser info: %w",
					Kind, ErrTokenInvalid, s.credential(), err)
			}
			return fmt.Errorf("%s: advertiser info: %w", Kind, err)
		}
		advIDs, _ := json.Marshal(batch)
		q := url.Values{"advertiser_ids": {string(advIDs)}, "fields": {string(fields)}}
		resp, err := client.Do(ctx, httpx.Request{Method: http.MethodGet, Path: infoPath, Query: q, Header: header})
		if err != nil {
			return nil, fail(err)
		}
		var p infoPage
		if err := client.DecodeJSON(http.MethodGet, infoPath, resp, &p); err != nil {
			return nil, fail(err)
		}
		if p.Code == nil {
			return nil, fail(fmt.Errorf("%w: no code in the response envelope", httpx.ErrInvalidJSON))
		}
		for _, e := range p.Data.List {
			out[string(e.AdvertiserID)] = &advertiser{id: string(e.AdvertiserID), name: e.Name.text(),
				currency: e.Currency.text(), timezone: e.Timezone.text()}
		}
	}
	for _, id := range ids {
		a, ok := out[id]
		if !ok {
			log.Warn("tiktok advertiser info did not list the advertiser: account_name and account_timezone left empty",
				"source", s.name, "advertiser", id)
			a = &advertiser{id: id}
			out[id] = a
		}
		got := a.currency
		if c, ok := isoCurrency(got); ok {
			got = c
		} else if got != "" {
			log.Warn("tiktok advertiser info currency is not an ISO 4217 code: ignored",
				"source", s.name, "advertiser", id, "currency", got)
			got = ""
		}
		switch set := s.settings.currencyOf(id); {
		case set != "":
			if got != "" && got != set {
				log.Warn("tiktok currency setting differs from the advertiser's currency: the setting wins",
					"source", s.name, "advertiser", id, "setting", set, "advertiser_currency", got)
			}
			a.currency = set
		case got != "":
			a.currency = got
		default:
			return nil, fmt.Errorf("%s: advertiser %s: no currency: advertiser info gives none; set currency (or advertiser_currencies)", Kind, id)
		}
		switch {
		case a.timezone == "":
			log.Warn("tiktok advertiser has no timezone: account_timezone left empty", "source", s.name, "advertiser", id)
		case !knownZone(a.timezone):
			log.Warn("tiktok advertiser timezone is not a known IANA zone: stored as given",
				"source", s.name, "advertiser", id, "timezone", a.timezone)
		}
	}
	return out, nil
}

// knownZone reports whether time.LoadLocation knows zone ("Etc/GMT+5" and
// "America/New_York" are both IANA names).
func knownZone(zone string) bool {
	_, err := time.LoadLocation(zone)
	return err == nil
}
