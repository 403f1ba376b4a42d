package config

import (
	"slices"
)

// BigQuery says where the bigquery output loads the marts: one table per
// mart in Dataset, partitioned by week_start.
type BigQuery struct {
	Project string `yaml:"project"`
	Dataset string `yaml:"dataset"`
	// Location of the dataset (US, EU, …); empty lets BigQuery decide.
	Location string `yaml:"location"`
	// CredentialsJSON is a service-account key, normally ${file:/path/key.json};
	// empty uses Application Default Credentials.
	CredentialsJSON string `yaml:"credentials_json"`
	// BaseURL overrides the API endpoint (tests, proxies).
	BaseURL string `yaml:"base_url"`
	// Labels go on the tables created and on every load job (cost
	// attribution in the billing export).
	Labels map[string]string `yaml:"labels"`
}

// validate checks the block when the bigquery output is on.
func (b BigQuery) validate(outputs []string) error {
	if !slices.Contains(outputs, "bigquery") {
		return nil
	}
	if b.Project == "" {
		return &Error{Key: "bigquery.project", Msg: "must name the Google Cloud project when outputs include bigquery"}
	}
	if b.Dataset == "" {
		return &Error{Key: "bigquery.dataset", Msg: "must name the dataset when outputs include bigquery"}
	}
	return nil
}
