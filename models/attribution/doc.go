// Package attribution holds the attribution steps computed in Go on
// aggregates the SQL models produce: the first-order Markov chain's removal
// effects. The rule-based models, Shapley (which decomposes exactly per
// conversion, see Shapley) and the per-row credit ledger stay in SQL.
package attribution
