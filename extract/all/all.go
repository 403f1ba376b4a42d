// Package all registers every source kind. Import it for its side effect:
//
//	import _ "github.com/socialroi/socialroi/extract/all"
package all

import (
	_ "github.com/socialroi/socialroi/extract/files"      // files: canonical CSV/Parquet and ad-manager exports
	_ "github.com/socialroi/socialroi/extract/googleads"  // google_ads: Google Ads searchStream
	_ "github.com/socialroi/socialroi/extract/hubspot"    // hubspot: HubSpot CRM deals and contacts
	_ "github.com/socialroi/socialroi/extract/instagram"  // instagram_organic: Instagram media and insights
	_ "github.com/socialroi/socialroi/extract/linkedin"   // linkedin_ads: LinkedIn adAnalytics
	_ "github.com/socialroi/socialroi/extract/meta"       // meta_ads: Meta Marketing API insights
	_ "github.com/socialroi/socialroi/extract/registry"   // influencer_registry: finance's creator registry (YAML or CSV)
	_ "github.com/socialroi/socialroi/extract/salesforce" // salesforce: Salesforce opportunities, leads, contacts
	_ "github.com/socialroi/socialroi/extract/shopify"    // shopify: Shopify orders
	_ "github.com/socialroi/socialroi/extract/tiktok"     // tiktok_ads: TikTok Business API reports
)
