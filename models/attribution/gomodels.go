package attribution

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socialroi/socialroi/models"
)

// RemovalEffectsTable is the Go model's output: one row per channel.
const RemovalEffectsTable = "int_markov_removal_effects"

var removalEffectsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "channel", Type: arrow.BinaryTypes.String},
	{Name: "removal_effect", Type: arrow.PrimitiveTypes.Float64},
	{Name: "conversion_probability", Type: arrow.PrimitiveTypes.Float64},
	{Name: "conversion_probability_without", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// GoModels are the models of the SQL project computed in Go. Pass them to
// models.LoadCatalog with the SQL tree.
func GoModels() []models.GoModel {
	return []models.GoModel{{
		Name:  RemovalEffectsTable,
		Layer: "intermediate",
		Deps:  []string{"int_markov_transitions"},
		Build: buildRemovalEffects,
	}}
}

// buildRemovalEffects solves the Markov chain of int_markov_transitions. A
// warehouse without conversions gets an empty table, not an error: the
// markov credits are then simply absent, as every other model's are.
func buildRemovalEffects(ctx context.Context, tx *models.Tx) error {
	// In a fixed order: the solver numbers states as it meets them, and a
	// table keeps no order (models are written without preserving it).
	rows, err := tx.QueryContext(ctx, "SELECT from_state, to_state, transitions FROM int_markov_transitions ORDER BY from_state, to_state")
	if err != nil {
		return err
	}
	var ts []Transition
	converts := false
	for rows.Next() {
		var t Transition
		if err := rows.Scan(&t.From, &t.To, &t.Count); err != nil {
			rows.Close()
			return err
		}
		converts = converts || t.To == StateConversion
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var effects []RemovalEffect
	if converts {
		if effects, err = RemovalEffects(ts); err != nil {
			return err
		}
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, removalEffectsSchema)
	defer rb.Release()
	for _, e := range effects {
		rb.Field(0).(*array.StringBuilder).Append(e.Channel)
		rb.Field(1).(*array.Float64Builder).Append(e.Effect)
		rb.Field(2).(*array.Float64Builder).Append(e.ConversionProb)
		rb.Field(3).(*array.Float64Builder).Append(e.ConversionProbWith)
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	if err := tx.Replace(ctx, RemovalEffectsTable, removalEffectsSchema, []arrow.RecordBatch{rec}); err != nil {
		return fmt.Errorf("write %s: %w", RemovalEffectsTable, err)
	}
	return nil
}
