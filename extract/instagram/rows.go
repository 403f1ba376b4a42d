package instagram

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/socialroi/socialroi/transform"
)

// media is one element of the /media edge. Unknown fields are ignored.
type media struct {
	ID               string `json:"id"`
	Caption          string `json:"caption"`
	MediaType        string `json:"media_type"`
	MediaProductType string `json:"media_product_type"`
	Permalink        string `json:"permalink"`
	Timestamp        string `json:"timestamp"`
	LikeCount        *int64 `json:"like_count"`
	CommentsCount    *int64 `json:"comments_count"`
}

// insight is one element of an insights response's data.
type insight struct {
	Name   string `json:"name"`
	Values []struct {
		Value json.Number `json:"value"`
	} `json:"values"`
	TotalValue *struct {
		Value json.Number `json:"value"`
	} `json:"total_value"`
}

// ParseTimestamp reads a Graph API timestamp: "2026-11-16T10:00:00+0000"
// (no colon in the offset), or RFC 3339.
func ParseTimestamp(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02T15:04:05-0700", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q is not a Graph API time", s)
	}
	return t, nil
}

// Format maps media_type and media_product_type to the canonical format.
func Format(mediaType, productType string) (string, error) {
	switch strings.ToUpper(productType) {
	case "REELS":
		return "reel", nil
	case "STORY":
		return "story", nil
	}
	switch strings.ToUpper(mediaType) {
	case "IMAGE":
		return "image", nil
	case "VIDEO":
		return "video", nil
	case "CAROUSEL_ALBUM":
		return "carousel", nil
	}
	return "", fmt.Errorf("unknown media_type %q (media_product_type %q)", mediaType, productType)
}

// Hashtags returns a caption's #tags, lower-cased, without '#' and trailing
// punctuation, in order of first occurrence, without duplicates.
func Hashtags(caption string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(caption) {
		if !strings.HasPrefix(f, "#") {
			continue
		}
		tag := strings.ToLower(strings.TrimRight(strings.TrimPrefix(f, "#"), ".,!?;:"))
		if tag != "" && !seen[tag] {
			seen[tag] = true
			out = append(out, tag)
		}
	}
	return out
}

// mapMedia turns a media item (and its insights, nil when unavailable) into
// the canonical row.
func mapMedia(m media, account string, snapshot time.Time, ins []insight) (transform.OrganicPostRow, error) {
	row := transform.OrganicPostRow{
		Platform: "instagram", AccountID: account, PostID: m.ID, SnapshotDate: snapshot,
		Caption: m.Caption, Permalink: m.Permalink, Tags: Hashtags(m.Caption),
		Likes: m.LikeCount, Comments: m.CommentsCount,
	}
	if m.ID == "" {
		return row, fmt.Errorf("%w: id missing", ErrBadMedia)
	}
	if m.Timestamp == "" {
		return row, fmt.Errorf("%w: timestamp missing", ErrBadMedia)
	}
	t, err := ParseTimestamp(m.Timestamp)
	if err != nil {
		return row, fmt.Errorf("%w: %w", ErrBadMedia, err)
	}
	row.PublishedAt = t
	if row.Format, err = Format(m.MediaType, m.MediaProductType); err != nil {
		return row, fmt.Errorf("%w: %w", ErrBadMedia, err)
	}
	for _, in := range ins {
		var raw json.Number
		switch {
		case len(in.Values) > 0:
			raw = in.Values[0].Value
		case in.TotalValue != nil:
			raw = in.TotalValue.Value
		default:
			continue // no value: unavailable, stays NULL
		}
		n, err := raw.Int64()
		if err != nil {
			return row, fmt.Errorf("%w: insight %s: %q is not a whole number", ErrBadMedia, in.Name, raw)
		}
		switch in.Name {
		case "reach":
			row.Reach = &n
		case "saved":
			row.Saves = &n
		case "shares":
			row.Shares = &n
		case "views":
			row.Impressions = &n
			if row.Format == "video" || row.Format == "reel" {
				v := n
				row.VideoViews = &v
			}
		}
	}
	return row, nil
}
