package meta

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/socialroi/socialroi/extract/httpx"
)

// accountFields are the fields requested from GET /act_{id}.
const accountFields = "timezone_name,currency,name"

// accountInfo is the ad account node as GET /act_{id} returns it.
type accountInfo struct {
	TimezoneName string `json:"timezone_name"`
	Currency     string `json:"currency"`
	Name         string `json:"name"`
}

// readAccount reads the account node once per account and run, for the
// account's time zone (the zone its insights days are in).
func (s *Source) readAccount(ctx context.Context, client *httpx.Client, acct string) (accountInfo, error) {
	path := fmt.Sprintf("/%s/act_%s", s.settings.APIVersion, acct)
	query := url.Values{
		"fields":       {accountFields},
		"access_token": {s.settings.AccessToken.Reveal()},
	}
	var out accountInfo
	if err := client.GetJSON(ctx, path, query, &out); err != nil {
		return out, err
	}
	out.TimezoneName = strings.TrimSpace(out.TimezoneName)
	return out, nil
}

// checkZone reports whether zone is an IANA zone this machine can load. An
// unknown zone is still stored as Meta gave it (the caller warns).
func checkZone(zone string) bool {
	if zone == "" {
		return false
	}
	_, err := time.LoadLocation(zone)
	return err == nil
}
