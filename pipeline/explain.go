package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/socialroi/socialroi/models"
)

// Explanation is one conversion's attribution, step by step: what finance
// reads to trace an attributed dollar to its touchpoint and rule.
type Explanation struct {
	ConversionID  string
	TS            time.Time
	Type          string
	Revenue       decimal.Decimal // in the reporting currency
	IsNewCustomer bool
	OrderID       string
	PromoCodes    string
	Steps         []ExplainStep
	Models        []string
}

// ExplainStep is one touchpoint on the path (TouchpointID empty for the
// synthetic direct step of a conversion without touchpoints).
type ExplainStep struct {
	Position                          int
	TouchpointID                      string
	TS                                *time.Time
	Channel, Platform                 string
	Source, Medium, Campaign, Content string
	Credit                            map[string]float64
	RevenueCredit                     map[string]decimal.Decimal
}

// ErrNoConversion is returned for an id the ledger does not hold.
var ErrNoConversion = errors.New("conversion not found in the attribution ledger")

// Explain reads a conversion's path and credits from the warehouse.
func Explain(ctx context.Context, wh *models.Warehouse, conversionID string) (*Explanation, error) {
	conn := wh.Conn()
	e := &Explanation{ConversionID: conversionID}
	var orderID, codes sql.NullString
	var revenue string
	err := conn.QueryRowContext(ctx, `
		SELECT ts, type, revenue_reporting::VARCHAR, is_new_customer, order_id, array_to_string(promo_codes, ', ')
		FROM stg_conversions WHERE conversion_id = ?`, conversionID).
		Scan(&e.TS, &e.Type, &revenue, &e.IsNewCustomer, &orderID, &codes)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w (is it of a configured conversion type?)", conversionID, ErrNoConversion)
	}
	if err != nil {
		return nil, fmt.Errorf("explain %s: %w", conversionID, err)
	}
	e.Revenue, _ = decimal.NewFromString(revenue)
	e.OrderID, e.PromoCodes = orderID.String, codes.String

	rows, err := conn.QueryContext(ctx, `
		SELECT p.position, coalesce(p.touchpoint_id, ''), p.touchpoint_ts, p.channel, coalesce(p.platform, ''),
		       coalesce(p.utm_source, ''), coalesce(p.utm_medium, ''), coalesce(p.utm_campaign, ''), coalesce(p.utm_content, ''),
		       coalesce(l.model, ''), coalesce(l.credit, 0), coalesce(l.revenue_credit, 0)::VARCHAR
		FROM int_conversion_paths AS p
		LEFT JOIN attribution_ledger AS l
		  ON l.conversion_id = p.conversion_id AND l.position = p.position
		WHERE p.conversion_id = ?
		ORDER BY p.position, l.model`, conversionID)
	if err != nil {
		return nil, fmt.Errorf("explain %s: %w", conversionID, err)
	}
	defer rows.Close()
	byPos := map[int]*ExplainStep{}
	seen := map[string]bool{}
	for rows.Next() {
		var s ExplainStep
		var ts sql.NullTime
		var model, rc string
		var credit float64
		if err := rows.Scan(&s.Position, &s.TouchpointID, &ts, &s.Channel, &s.Platform, &s.Source, &s.Medium,
			&s.Campaign, &s.Content, &model, &credit, &rc); err != nil {
			return nil, err
		}
		step := byPos[s.Position]
		if step == nil {
			if ts.Valid {
				s.TS = &ts.Time
			}
			s.Credit, s.RevenueCredit = map[string]float64{}, map[string]decimal.Decimal{}
			step = &s
			byPos[s.Position] = step
			e.Steps = append(e.Steps, s)
		}
		if model != "" {
			step.Credit[model] = credit
			step.RevenueCredit[model], _ = decimal.NewFromString(rc)
			if !seen[model] {
				seen[model] = true
				e.Models = append(e.Models, model)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range e.Steps {
		e.Steps[i] = *byPos[e.Steps[i].Position]
	}
	sort.Strings(e.Models)
	return e, nil
}

// Print writes the explanation as an analyst reads it: the conversion, then
// its path with each model's credit (share and amount).
func (e *Explanation) Print(w io.Writer, currency string) error {
	fmt.Fprintf(w, "Conversion %s: %s of %s %s on %s", e.ConversionID, e.Type, e.Revenue.StringFixed(2), currency,
		e.TS.UTC().Format("2006-01-02 15:04 MST"))
	if e.IsNewCustomer {
		fmt.Fprint(w, ", new customer")
	}
	if e.OrderID != "" {
		fmt.Fprintf(w, ", order %s", e.OrderID)
	}
	if e.PromoCodes != "" {
		fmt.Fprintf(w, ", promo codes %s", e.PromoCodes)
	}
	fmt.Fprintf(w, "\nPath: %d step(s) in the lookback window before the conversion.\n\n", len(e.Steps))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"#", "touchpoint", "time", "channel", "platform", "utm_source", "utm_medium", "utm_campaign", "utm_content"}
	head = append(head, e.Models...)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	totals := map[string]decimal.Decimal{}
	for _, s := range e.Steps {
		when, id := "-", s.TouchpointID
		if s.TS != nil {
			when = s.TS.UTC().Format("2006-01-02 15:04")
		}
		if id == "" {
			id = "(none: direct)"
		}
		cells := []string{fmt.Sprint(s.Position), id, when, s.Channel, dash(s.Platform), dash(s.Source), dash(s.Medium), dash(s.Campaign), dash(s.Content)}
		for _, m := range e.Models {
			if c, ok := s.Credit[m]; ok {
				cells = append(cells, fmt.Sprintf("%.1f%% %s", c*100, s.RevenueCredit[m].StringFixed(2)))
				totals[m] = totals[m].Add(s.RevenueCredit[m])
			} else {
				cells = append(cells, "-")
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	foot := []string{"", "total", "", "", "", "", "", "", ""}
	for _, m := range e.Models {
		foot = append(foot, "100% "+totals[m].StringFixed(2))
	}
	fmt.Fprintln(tw, strings.Join(foot, "\t"))
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
