package salesforce

import "github.com/socialroi/socialroi/extract/extracttest"

// The shared connector test helpers, under the names these tests use.
type (
	sink         = extracttest.Sink
	out          = extracttest.Out
	sleeps       = extracttest.Sleeps
	yamlSettings = extracttest.YAMLSettings
)

var (
	decimalEqual   = extracttest.DecimalEqual
	assertNoSecret = extracttest.AssertNoSecret
)
